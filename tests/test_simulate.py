"""Tests of the seeded first-pass error models (hotfuse.simulate)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from hotfuse.errors import ConfigError, InputError
from hotfuse.simulate import (
    MODEL_A,
    MODEL_B,
    ErrorKind,
    ErrorModel,
    auroc,
    char_frequency,
    char_readings,
    entity_error_probabilities,
    fuzzy_variants,
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
