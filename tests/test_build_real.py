"""eval/build_real.py on a tiny copy of the committed real-recognizer segments.

tests/data/real_tiny holds 14 lines of eval/data/real/segments.*.jsonl (real faster-whisper
output) and a two-category reference directory in the wenetspeech-biasing layout made of
their own references.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None,
    reason="faster-whisper is not installed (pip install 'hotfuse[whisper]')",
)

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "real_tiny"
FILES = ("ref.txt", "meta.jsonl", "hotwords.small.jsonl", "hotwords.category.jsonl",
         "hotwords.catalogue.txt", "hyp.whisper.jsonl", "hyp.whisper-raw.jsonl")  # fmt: skip


def _build(out: Path) -> int:
    sys.path.insert(0, str(ROOT / "eval"))
    import build_real

    args = ["--data", str(TINY), "--segments", str(TINY / "segments"), "--out", str(out)]
    return int(build_real.main([*args, "--catalogue-size", "20"]))


def _base(uid: str) -> str:
    """A negative case (NEG-<category>-<id>) reuses a decoded utterance of another list."""
    return uid.split("-", 2)[2] if uid.startswith("NEG-") else uid


def _jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_build_real_writes_the_benchmark_layout(tmp_path: Path) -> None:
    from opencc import OpenCC

    t2s = OpenCC("t2s")
    out = tmp_path / "real"
    assert _build(out) == 0
    segments = {
        d["id"]: d
        for split in ("dev", "train")
        for d in _jsonl(TINY / "segments" / f"segments.{split}.jsonl")
    }
    for split in ("dev", "train"):
        d = out / split
        for name in FILES:
            assert (d / name).is_file(), name
        ref_ids = {line.split("\t")[0] for line in (d / "ref.txt").read_text("utf-8").splitlines()}
        decoded = {i for i, s in segments.items() if s["split"] == split}
        assert {_base(i) for i in ref_ids} <= decoded
        assert any(i.startswith("NEG-") for i in ref_ids) and len(ref_ids) > len(decoded) // 2
        for hyp_set in ("whisper", "whisper-raw"):
            rows = _jsonl(d / f"hyp.{hyp_set}.jsonl")
            assert {r["id"] for r in rows} >= ref_ids
            for r in rows:
                toks = r["tokens"]
                assert "".join(t["text"] for t in toks) == r["text"].replace(" ", "")
                assert all(0.0 <= t["confidence"] <= 1.0 for t in toks)
                starts = [t["start"] for t in toks]
                assert starts == sorted(starts)
                assert all(t["start"] <= t["end"] for t in toks)
                words = [w["word"].strip() for s in segments[_base(r["id"])]["segments"]
                         for w in s["words"]]  # fmt: skip
                if hyp_set == "whisper":  # each word through OpenCC t2s (per word, as built)
                    words = [t2s.convert(w) or w for w in words]
                # the recognizer's own words, spaces stripped
                assert r["text"].replace(" ", "") == "".join(w for w in words if w)
        for row in _jsonl(d / "hotwords.small.jsonl"):
            assert 3 <= len(row["hotwords"]) <= 5
    # Whisper wrote Traditional characters; the converted set has none of those left
    raw = {r["id"]: r["text"] for r in _jsonl(out / "dev" / "hyp.whisper-raw.jsonl")}
    simp = {r["id"]: r["text"] for r in _jsonl(out / "dev" / "hyp.whisper.jsonl")}
    from hotfuse._data import data_table

    trad = set(data_table("t2s.tsv.gz"))
    n_raw = sum(ch in trad for t in raw.values() for ch in t)
    n_simp = sum(ch in trad for t in simp.values() for ch in t)
    assert n_raw > 10 and n_simp <= n_raw // 10
    summary = json.loads((out / "real.json").read_text("utf-8"))
    assert summary["recognizer"]  # the decoder's versions and settings travel along


def test_build_real_is_deterministic(tmp_path: Path) -> None:
    assert _build(tmp_path / "a") == 0
    assert _build(tmp_path / "b") == 0
    for f in sorted((tmp_path / "a").rglob("*")):
        if f.is_file():
            g = tmp_path / "b" / f.relative_to(tmp_path / "a")
            assert g.read_bytes() == f.read_bytes(), f.name
