"""Tests of the benchmark builder (eval/benchmark.py): corpus layout, holdout, distractors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hotfuse.errors import ConfigError, DataError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))

from benchmark import (
    BenchmarkConfig,
    Corpus,
    build_benchmark,
    find_entities,
    holdout,
    load_corpus,
    read_kaldi_text,
    select_distractors,
)


# ---------------------------------------------------------------------------- text helpers
def test_find_entities_leftmost_longest() -> None:
    assert find_entities("中国共产党在中国", ["中国", "中国共产党"]) == [
        (0, 5, "中国共产党"),
        (6, 8, "中国"),
    ]
    assert find_entities("秋白与鲁迅", ["鲁迅", "很长很长很长的一个名字"]) == [(3, 5, "鲁迅")]
    assert find_entities("abc", []) == []


def test_read_kaldi_text(tmp_path: Path) -> None:
    p = tmp_path / "text"
    p.write_text("u1\t你 好\n\nu2 世界\n", encoding="utf-8")
    assert read_kaldi_text(p) == [("u1", "你好"), ("u2", "世界")]
    p.write_text("u1 a\nu1 b\n", encoding="utf-8")
    with pytest.raises(DataError, match="twice"):
        read_kaldi_text(p)
    p.write_text("u1\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_kaldi_text(p)
    assert info.value.line_no == 1


# ---------------------------------------------------------------------------- builder
def _toy_corpus() -> Corpus:
    person = ("伊丽莎白", "达西", "宾利", "简", "柯林斯", "韦翰")
    place = ("伦敦", "德比郡", "赫特福德郡")
    rows_train = []
    rows_dev = []
    for k, w in enumerate(person):
        rows_train.append((f"tp{k}", f"昨天{w}来了我们家", "person"))
        rows_dev.append((f"dp{k}", f"今天{w}说话了", "person"))
    for k, w in enumerate(place):
        rows_train.append((f"tl{k}", f"他去了{w}看看", "place"))
        rows_dev.append((f"dl{k}", f"我们在{w}住", "place"))
    return Corpus(
        lists={"person": person, "place": place},
        splits={"train": tuple(rows_train), "dev": tuple(rows_dev)},
        source="toy",
    )


def test_build_benchmark_layout_and_rules(tmp_path: Path) -> None:
    corpus = _toy_corpus()
    cfg = BenchmarkConfig(seed=0, catalogue_size=50)
    summary = build_benchmark(corpus, tmp_path / "b", cfg)
    unseen = holdout(corpus, cfg)
    assert len(unseen["person"]) == 2 and len(unseen["place"]) == 1
    held = {w for ws in unseen.values() for w in ws}
    for split in ("train", "dev"):
        d = tmp_path / "b" / split
        refs = dict(read_kaldi_text(d / "ref.txt"))
        meta = [json.loads(x) for x in (d / "meta.jsonl").read_text("utf-8").splitlines()]
        small = [
            json.loads(x) for x in (d / "hotwords.small.jsonl").read_text("utf-8").splitlines()
        ]
        hyp = [json.loads(x) for x in (d / "hyp.A.jsonl").read_text("utf-8").splitlines()]
        assert [m["id"] for m in meta] == list(refs) == [h["id"] for h in hyp]
        for h in hyp:
            assert len(h["confidences"]) == len(h["text"])
        for m, s in zip(meta, small, strict=True):
            text = refs[m["id"]]
            avail = [
                w
                for w in corpus.lists[m["category"]]
                if w not in text and not (split == "train" and w in held)
            ]
            n_true = len(m["entities"])
            assert min(3, n_true + len(avail)) <= len(s["hotwords"]) <= max(5, n_true)
            if m["negative"]:
                assert not any(w in text for w in s["hotwords"])
                assert m["has_hotword"] == {"small": False, "category": False, "catalogue": False}
            else:
                assert set(m["entities"]) <= set(s["hotwords"])
                assert m["has_hotword"]["small"]
            if split == "train":
                assert not any(w in text for w in held)
                assert not set(s["hotwords"]) & held
        catalogue = (d / "hotwords.catalogue.txt").read_text("utf-8").split()
        assert len(catalogue) > 40
        if split == "train":
            assert not set(catalogue) & held
    assert summary["splits"]["train"]["dropped_holding_unseen"] == 3
    assert summary["splits"]["dev"]["negative"] > 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))
    assert manifest["models"]["A"]["name"] == "A"


def test_build_benchmark_is_deterministic(tmp_path: Path) -> None:
    corpus = _toy_corpus()
    cfg = BenchmarkConfig(seed=5, catalogue_size=30)
    build_benchmark(corpus, tmp_path / "x", cfg)
    build_benchmark(corpus, tmp_path / "y", cfg)
    for name in ("ref.txt", "hyp.A.jsonl", "hyp.B.jsonl", "hotwords.small.jsonl", "meta.jsonl"):
        a = (tmp_path / "x" / "dev" / name).read_bytes()
        assert a == (tmp_path / "y" / "dev" / name).read_bytes()


def test_distractor_rule_drops_common_and_used_words() -> None:
    corpus = _toy_corpus()
    words, counts = select_distractors(corpus, BenchmarkConfig(catalogue_size=5000))
    assert "明白" not in words and "文明" not in words  # tagged nr but frequent
    assert counts["chosen"] == len(words) == 5000
    assert all(2 <= len(w) <= 8 for w in words)
    assert not any(w in t for rows in corpus.splits.values() for _, t, _ in rows for w in words)


def test_config_validation() -> None:
    with pytest.raises(ConfigError):
        BenchmarkConfig(models=("Z",))
    with pytest.raises(ConfigError):
        BenchmarkConfig(small_min=4, small_max=3)


def test_load_corpus_missing(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        load_corpus(tmp_path)


@pytest.mark.slow
def test_shared_data_benchmark(shared_data: Path, tmp_path: Path) -> None:
    corpus = load_corpus(shared_data / "wenetspeech-biasing")
    assert set(corpus.lists) == {"person", "place", "organization"}
    assert len(corpus.splits["dev"]) == 2497
    cfg = BenchmarkConfig(models=("A",), catalogue_size=200)
    summary = build_benchmark(corpus, tmp_path / "bench", cfg)
    dev = summary["splits"]["dev"]
    assert dev["negative"] / dev["cases"] == pytest.approx(1 / 3, abs=0.02)
    assert dev["negative_with_hotword"] == 0
    a = dev["models"]["A"]
    assert 0.02 < a["u_cer"] < 0.06 and 0.08 < a["b_cer"] < 0.25
    assert 0.75 < a["auroc"] < 0.95
