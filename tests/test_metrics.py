"""Metrics against hand-computed cases."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from hotfuse.errors import InputError
from hotfuse.lexicon import Hotword
from hotfuse.metrics import evaluate, hotword_occurrences, interval, normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｈｅｌｌｏ，世界！", "hello世界"),
        ("你 好。", "你好"),
        ("PyTorch 2.0", "pytorch20"),
        ("A-B+C", "abc"),
        ("零\u200b宽", "零宽"),
        ("“引号”《书名》", "引号书名"),
        ("ＡＢＣ１２３", "abc123"),
        ("", ""),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_basic_substitution_in_hotword() -> None:
    r = evaluate(["我爱伊丽莎白"], ["我爱伊丽沙白"], ["伊丽莎白"])
    assert (r.subs, r.dels, r.ins) == (1, 0, 0)
    assert (r.biased_subs, r.unbiased_subs) == (1, 0)
    assert (r.biased_ref_chars, r.unbiased_ref_chars) == (4, 2)
    assert r.cer() == pytest.approx(1 / 6)
    assert r.b_cer() == pytest.approx(1 / 4)
    assert r.u_cer() == 0.0
    assert r.recall() == 0.0
    assert math.isnan(r.precision())  # no hotword in the output: undefined
    assert r.hotword_ref == 1 and r.hotword_out == 0 and r.hotword_hits == 0


@pytest.mark.parametrize(
    ("ref", "out", "biased_ins", "unbiased_ins"),
    [
        ("我见达西了", "我见啊达西了", 0, 1),  # just before the hotword: edge, unbiased
        ("我见达西了", "我见达西啊了", 0, 1),  # just after the hotword: edge, unbiased
        ("我见达西了", "我见达啊西了", 1, 0),  # strictly inside the span: biased
        ("达西来了", "啊达西来了", 0, 1),  # start of utterance, before a hotword
        ("来了达西", "来了达西啊", 0, 1),  # end of utterance, after a hotword
        ("达西达西", "达西啊达西", 0, 1),  # between two adjacent occurrences
        ("我见达西了", "我见达啊啊西了", 2, 0),  # two insertions inside
    ],
)
def test_insertions_at_hotword_edges(
    ref: str, out: str, biased_ins: int, unbiased_ins: int
) -> None:
    r = evaluate([ref], [out], ["达西"])
    assert r.ins == biased_ins + unbiased_ins
    assert (r.biased_ins, r.unbiased_ins) == (biased_ins, unbiased_ins)
    assert r.subs == r.dels == 0


def test_deletion_inside_and_outside_hotword() -> None:
    r = evaluate(["我见达西了"], ["见达了"], ["达西"])
    assert (r.dels, r.biased_dels, r.unbiased_dels) == (2, 1, 1)
    assert r.b_cer() == pytest.approx(1 / 2)
    assert r.u_cer() == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("out", "ref_n", "out_n", "hits"),
    [
        ("达西说达西好", 2, 2, 2),
        ("达西说大西好", 2, 1, 1),
        ("大西说大西好", 2, 0, 0),
        ("达西达西说达西好", 2, 3, 2),  # an extra occurrence costs precision, not recall
    ],
)
def test_repeated_hotwords(out: str, ref_n: int, out_n: int, hits: int) -> None:
    r = evaluate(["达西说达西好"], [out], ["达西"])
    assert (r.hotword_ref, r.hotword_out, r.hotword_hits) == (ref_n, out_n, hits)
    assert r.recall() == pytest.approx(hits / ref_n)
    if out_n:
        assert r.precision() == pytest.approx(hits / out_n)


def test_hotword_inside_longer_hotword() -> None:
    words = ["达西", "达西先生"]
    assert hotword_occurrences("达西先生和达西", words) == ((0, 4, "达西先生"), (5, 7, "达西"))
    r = evaluate(["达西先生和达西"], ["达西先生和达西先生"], words)
    # reference: one 达西先生 + one 达西; output: two 达西先生, no 达西
    assert (r.hotword_ref, r.hotword_out, r.hotword_hits) == (2, 2, 1)
    assert r.recall() == pytest.approx(0.5)
    assert r.precision() == pytest.approx(0.5)
    assert (r.biased_ref_chars, r.unbiased_ref_chars) == (6, 1)
    stats = {s.word: (s.ref, s.out, s.hits) for s in r.hotword_stats}
    assert stats == {"达西": (1, 0, 0), "达西先生": (1, 2, 1)}
    assert r.recall_of(["达西先生"]) == 1.0
    assert r.recall_of(["达西"]) == 0.0


def test_longest_first_beats_leftmost_and_no_overlap() -> None:
    assert hotword_occurrences("北京东方", ["北京", "京东方"]) == ((1, 4, "京东方"),)
    assert hotword_occurrences("哈哈哈", ["哈哈"]) == ((0, 2, "哈哈"),)
    assert hotword_occurrences("哈哈哈哈", ["哈哈"]) == ((0, 2, "哈哈"), (2, 4, "哈哈"))


def test_empty_references() -> None:
    r = evaluate([""], ["啊"], ["达西"])
    assert (r.ref_chars, r.ins) == (0, 1)
    assert r.cer() == math.inf  # insertions into nothing: infinite, not an exception
    assert r.u_cer() == math.inf
    assert r.b_cer() == 0.0  # no biased characters and no biased edits
    assert r.to_dict()["metrics"]["cer"] is None
    clean = evaluate([""], [""], ["达西"])
    assert clean.cer() == 0.0
    nothing = evaluate([], [], [])
    assert nothing.n_utts == 0 and nothing.cer() == 0.0
    assert math.isnan(nothing.recall()) and math.isnan(nothing.false_alarm_rate())
    # an empty reference is a hotword-free utterance
    fa = evaluate([""], ["达西"], ["达西"])
    assert (fa.n_no_hotword_utts, fa.false_alarm_utts) == (1, 1)


def test_per_utterance_vs_global_hotwords() -> None:
    refs = ["达西来了", "伊丽莎白走了"]
    per = evaluate(refs, refs, [["达西"], ["达西"]])
    assert (per.hotword_ref, per.n_no_hotword_utts) == (1, 1)
    glob = evaluate(refs, refs, ["达西", "伊丽莎白"])
    assert (glob.hotword_ref, glob.n_no_hotword_utts) == (2, 0)
    assert glob.recall() == 1.0 and glob.precision() == 1.0
    shared = ["达西", "伊丽莎白"]
    assert evaluate(refs, refs, [shared, shared]).to_dict() == glob.to_dict()
    tuples = evaluate(refs, refs, (("达西",), ("伊丽莎白",)))
    assert tuples.hotword_ref == 2
    objs = evaluate(refs, refs, [Hotword("达西"), Hotword("伊丽莎白", aliases=("伊丽沙白",))])
    assert objs.hotword_ref == 2


@pytest.mark.parametrize(
    "hotwords",
    [
        [["达西"]],  # one list for two utterances
        ["达西", ["伊丽莎白"]],  # mixed
        "达西",  # a bare string
        [1, 2],
    ],
)
def test_bad_hotwords_shape(hotwords: object) -> None:
    with pytest.raises(InputError):
        evaluate(["达西", "伊丽莎白"], ["达西", "伊丽莎白"], hotwords)  # type: ignore[arg-type]


def test_length_mismatch() -> None:
    with pytest.raises(InputError, match="2 references but 1 outputs"):
        evaluate(["a", "b"], ["a"], [])
    with pytest.raises(InputError, match="hypotheses"):
        evaluate(["a"], ["a"], [], hypotheses=["a", "b"])
    with pytest.raises(InputError, match="ids"):
        evaluate(["a"], ["a"], [], ids=[])


def test_normalisation_applies_to_texts_and_hotwords() -> None:
    r = evaluate(["我用 PyTorch，好。"], ["我用pytorch好"], ["ＰｙＴｏｒｃｈ"])
    assert r.edits() == 0 and r.hotword_hits == 1
    raw = evaluate(["我用 PyTorch，好。"], ["我用pytorch好"], ["PyTorch"], normalize=None)
    assert raw.edits() > 0 and raw.hotword_hits == 0
    custom = evaluate(["ABC"], ["abc"], [], normalize=str.lower)
    assert custom.edits() == 0


def test_false_alarms_and_damage_with_hypotheses() -> None:
    refs = ["今天天气好", "今天达西好", "达西来了", "他说达西"]
    hyps = ["今天天气好", "今天达西好", "大西来了", "他说大西"]
    outs = ["今天达西好", "今天达西好", "达西来了", "他说大西"]
    # the second reference has no hotword "伊丽莎白"... use per-utterance lists to vary it
    hws = [["达西"], ["伊丽莎白", "达西达"], ["达西"], ["达西"]]
    r = evaluate(refs, outs, hws, hypotheses=hyps, ids=["a", "b", "c", "d"])
    # no-hotword utterances: a (gained 达西: FA) and b (no active hotword gained: not FA)
    assert r.n_no_hotword_utts == 2
    assert r.false_alarm_utts == 1
    assert r.false_alarm_rate() == 0.5
    # damaged: a (0 -> 2 edits); c improved; d unchanged
    assert r.damaged_utts == 1 and r.damaged_rate() == pytest.approx(1 / 4)
    assert [u.damaged for u in r.utterances] == [True, False, False, False]
    assert [u.edits_before for u in r.utterances] == [0, 0, 1, 1]
    assert [u.id for u in r.utterances] == ["a", "b", "c", "d"]
    assert r.recall() == 0.5  # c hit, d missed
    assert r.before is not None
    assert r.before.recall() == 0.0
    assert r.before.false_alarm_utts == 0 and r.before.damaged_utts == 0
    assert r.before.before is None


def test_false_alarm_relative_to_hypothesis() -> None:
    # the hypothesis already held 达西 where the reference has none: not fusion's fault
    r = evaluate(["今天大西好"], ["今天达西好"], ["达西"], hypotheses=["今天达西好"])
    assert r.false_alarm_utts == 0
    # without hypotheses any hotword in a hotword-free output is a false alarm
    r2 = evaluate(["今天大西好"], ["今天达西好"], ["达西"])
    assert r2.false_alarm_utts == 1
    assert math.isnan(r2.damaged_rate())
    assert r2.damaged_ci() == (0.0, 1.0)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (0, 0, 0.0, 1.0),
    ],
)
def test_wilson_interval(k: int, n: int, lo: float, hi: float) -> None:
    got = interval(k, n)
    assert got[0] == pytest.approx(lo, abs=1e-4)
    assert got[1] == pytest.approx(hi, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(3, 2), (-1, 2), (0, -1)])
def test_interval_rejects_bad_counts(k: int, n: int) -> None:
    with pytest.raises(InputError):
        interval(k, n)


def test_report_cis_and_json() -> None:
    r = evaluate(["达西来了"] * 4, ["达西来了", "大西来了", "达西来了", "达西来了"], ["达西"])
    assert r.recall() == 0.75
    assert r.recall_ci() == interval(3, 4)
    d = r.to_dict(utterances=True)
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["metrics"]["recall"] == 0.75
    assert back["counts"]["hotword_hits"] == 3
    assert len(back["utterances"]) == 4
    assert back["metrics"]["damaged_rate"] is None


@settings(max_examples=60, deadline=None)
@given(
    ref=st.text(alphabet="达西来了大先生", max_size=12),
    out=st.text(alphabet="达西来了大先生", max_size=12),
)
def test_counts_are_consistent(ref: str, out: str) -> None:
    r = evaluate([ref], [out], ["达西", "达西先生", "来"])
    assert r.edits() == Levenshtein.distance(ref, out)
    assert r.biased_edits() + r.unbiased_edits() == r.edits()
    assert r.biased_ref_chars + r.unbiased_ref_chars == len(ref)
    assert r.hotword_hits <= min(r.hotword_ref, r.hotword_out)
