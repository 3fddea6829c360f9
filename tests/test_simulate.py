"""Tests of the seeded first-pass error models and the benchmark builder."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from hotfuse.errors import ConfigError, DataError, InputError
from hotfuse.simulate import (
    MODEL_A,
    MODEL_B,
    BenchmarkConfig,
    Corpus,
    ErrorKind,
    ErrorModel,
    auroc,
    build_benchmark,
    char_frequency,
    char_readings,
    entity_error_probabilities,
    find_entities,
    fuzzy_variants,
    holdout,
    load_corpus,
    read_kaldi_text,
    select_distractors,
    simulate,
)

COMMON = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明"  # noqa: E501


def _synthetic(n_utts: int, length: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [
        (f"syn{k:05d}", "".join(rng.choice(COMMON) for _ in range(length))) for k in range(n_utts)
    ]


def _only(kind: ErrorKind, **changes: object) -> ErrorModel:
    base = replace(
        MODEL_A,
        name="T",
        background_error=0.0,
        entity_floor=1.0,
        entity_span=0.0,
        entity_mix=((kind, 1.0),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("model", [MODEL_A, MODEL_B])
def test_same_seed_same_output(model: ErrorModel) -> None:
    for uid, text in _synthetic(20, 15):
        a = simulate(uid, text, [(2, 5)], model=model, seed=3)
        b = simulate(uid, text, [(2, 5)], model=model, seed=3)
        assert a == b


def test_order_independent() -> None:
    data = _synthetic(50, 12)
    forward = {uid: simulate(uid, t, model=MODEL_A, seed=1) for uid, t in data}
    backward = {uid: simulate(uid, t, model=MODEL_A, seed=1) for uid, t in reversed(data)}
    assert forward == backward


def test_seed_and_model_change_the_output() -> None:
    data = _synthetic(200, 15)
    s0 = [simulate(u, t, model=MODEL_A, seed=0).text for u, t in data]
    s1 = [simulate(u, t, model=MODEL_A, seed=1).text for u, t in data]
    b0 = [simulate(u, t, model=MODEL_B, seed=0).text for u, t in data]
    assert s0 != s1
    assert s0 != b0


# ---------------------------------------------------------------------------- rates
def test_background_rate_matches_parameter() -> None:
    model = replace(MODEL_A, name="R", background_error=0.10)
    data = _synthetic(400, 25)
    chars = sum(len(t) for _, t in data)
    edits = sum(len(simulate(u, t, model=model, seed=0).edits) for u, t in data)
    assert edits / chars == pytest.approx(0.10, abs=0.01)


def test_entity_rate_and_kind_mix_match_parameters() -> None:
    model = replace(
        MODEL_A,
        name="R",
        background_error=0.0,
        entity_floor=0.3,
        entity_span=0.0,
        entity_mix=((ErrorKind.DELETE, 0.5), (ErrorKind.INSERT, 0.5)),
    )
    data = _synthetic(500, 20)
    ent_chars = 0
    kinds = {ErrorKind.DELETE: 0, ErrorKind.INSERT: 0}
    for u, t in data:
        h = simulate(u, t, [(5, 15)], model=model, seed=0)
        ent_chars += 10
        assert all(e.in_entity and 5 <= e.ref_index < 15 for e in h.edits)
        for e in h.edits:
            kinds[e.kind] += 1
    total = sum(kinds.values())
    assert total / ent_chars == pytest.approx(0.3, abs=0.02)
    assert kinds[ErrorKind.DELETE] / total == pytest.approx(0.5, abs=0.04)


def test_rare_entity_characters_are_more_error_prone() -> None:
    p_rare = entity_error_probabilities("伊丽莎白", MODEL_A)
    p_common = entity_error_probabilities("中国", MODEL_A)
    assert max(p_common) < 0.02
    assert p_rare[2] > 0.2 > max(p_common)
    assert p_rare[2] > p_rare[3]  # 莎 is rarer than 白


def test_wrong_flags_and_text_agree_with_edits() -> None:
    for u, t in _synthetic(100, 20):
        h = simulate(u, t, [(0, 4)], model=MODEL_B, seed=2)
        dels = sum(e.kind is ErrorKind.DELETE for e in h.edits)
        ins = sum(e.kind is ErrorKind.INSERT for e in h.edits)
        subs = len(h.edits) - dels - ins
        assert len(h.text) == len(t) - dels + ins
        assert sum(h.wrong) == subs + ins
        assert len(h.confidences) == len(h.text)
        assert all(0.0 <= c <= 1.0 for c in h.confidences)


# ---------------------------------------------------------------------------- kinds
def _bases(ch: str) -> set[str]:
    return {r.rstrip("12345") for r in char_readings(ch)}


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        (
            ErrorKind.HOMOPHONE,
            lambda ref, hyp: bool(set(char_readings(ref)) & set(char_readings(hyp))),
        ),
        (ErrorKind.TONE, lambda ref, hyp: bool(_bases(ref) & _bases(hyp))),
        (
            ErrorKind.FUZZY,
            lambda ref, hyp: any(v in _bases(hyp) for b in _bases(ref) for v in fuzzy_variants(b)),
        ),
    ],
)
def test_sound_alike_substitutions_sound_alike(kind: ErrorKind, check: object) -> None:
    model = _only(kind)
    seen = 0
    for u, t in _synthetic(60, 10):
        for e in simulate(u, t, [(0, 10)], model=model, seed=0).edits:
            if e.kind is kind:
                seen += 1
                assert e.hyp != e.ref
                assert check(e.ref, e.hyp), (e.ref, e.hyp)  # type: ignore[operator]
    assert seen > 100


def test_homophones_prefer_frequent_characters() -> None:
    model = _only(ErrorKind.HOMOPHONE)
    outs = [simulate(f"s{k}", "莎", [(0, 1)], model=model, seed=0).text for k in range(200)]
    assert all("sha1" in char_readings(o) for o in outs)
    top = max(set(outs), key=outs.count)
    assert char_frequency(top) > 10 * char_frequency("莎")


def test_impossible_kind_falls_back() -> None:
    # No other character reads like 〇's neighbours here: the fallback still substitutes.
    model = _only(ErrorKind.HOMOPHONE)
    h = simulate("x", "嗯", [(0, 1)], model=model, seed=0)
    assert h.text != "嗯" and len(h.edits) == 1


@pytest.mark.parametrize(
    ("syllable", "expected"),
    [
        ("shan", {"san", "shang"}),
        ("zhuan", {"zuan", "zhuang"}),
        ("lian", {"nian", "liang"}),
        ("fei", {"hei"}),
        ("ren", {"len", "reng"}),
        ("a", set()),
    ],
)
def test_fuzzy_variants(syllable: str, expected: set[str]) -> None:
    assert set(fuzzy_variants(syllable)) == expected


# ---------------------------------------------------------------------------- confidences
@pytest.mark.parametrize("model", [MODEL_A, MODEL_B])
def test_confidences_lower_on_errors_but_not_separable(model: ErrorModel) -> None:
    confs: list[float] = []
    wrong: list[bool] = []
    for u, t in _synthetic(300, 20):
        h = simulate(u, t, [(3, 7)], model=model, seed=0)
        confs.extend(h.confidences)
        wrong.extend(h.wrong)
    score = auroc(confs, wrong)
    assert 0.6 < score < 0.97


def test_model_a_confidences_separate_better_than_model_b() -> None:
    def score(model: ErrorModel) -> float:
        confs: list[float] = []
        wrong: list[bool] = []
        for u, t in _synthetic(300, 20):
            h = simulate(u, t, [(3, 7)], model=model, seed=0)
            confs.extend(h.confidences)
            wrong.extend(h.wrong)
        return auroc(confs, wrong)

    assert score(MODEL_A) > score(MODEL_B)


@pytest.mark.parametrize(
    ("confs", "wrong", "expected"),
    [
        ([0.9, 0.8, 0.1, 0.2], [False, False, True, True], 1.0),
        ([0.1, 0.2, 0.9, 0.8], [False, False, True, True], 0.0),
        ([0.5, 0.5, 0.5, 0.5], [False, True, False, True], 0.5),
        ([0.9, 0.8, 0.3, 0.85], [False, False, True, True], 0.75),
    ],
)
def test_auroc_hand_cases(confs: list[float], wrong: list[bool], expected: float) -> None:
    assert auroc(confs, wrong) == pytest.approx(expected)


def test_auroc_needs_both_classes() -> None:
    with pytest.raises(InputError):
        auroc([0.1, 0.2], [True, True])
    with pytest.raises(InputError):
        auroc([0.1], [True, False])


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "changes",
    [
        {"background_error": 1.5},
        {"entity_floor": 0.6, "entity_span": 0.6},
        {"entity_mix": ()},
        {"conf_correct": (0.0, 1.0)},
        {"neighbour_scale": 0.0},
        {"char_freq_common": 10.0, "char_freq_rare": 100.0},
    ],
)
def test_error_model_validation(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        replace(MODEL_A, **changes)  # type: ignore[arg-type]


def test_bad_entity_span_raises() -> None:
    with pytest.raises(InputError):
        simulate("x", "你好", [(1, 5)])
    with pytest.raises(InputError):
        simulate("x", "你好世界", [(0, 2), (1, 3)])


def test_model_params_serialise() -> None:
    d = MODEL_A.to_dict()
    assert d["entity_mix"][0] == ["homophone", 0.5]
    json.dumps(d)


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
