"""Fusion behaviour: decisions, selection, output fidelity, config, caching, pickling."""

from __future__ import annotations

import itertools
import json
import logging
import math
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hotfuse import (
    ConfigError,
    FuseConfig,
    Fuser,
    FuseResult,
    Hotword,
    InputError,
    Token,
    Transcript,
    fuse,
    load_config,
)
from hotfuse.formats.config import write_config
from hotfuse.fuser import _cached_fuser, _select
from hotfuse.match import Candidate, MatchKind

DATA = Path(__file__).parent / "data"


def sentences() -> list[dict[str, Any]]:
    lines = (DATA / "sentences.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# ------------------------------------------------------------------ real sentences
@pytest.mark.parametrize("case", sentences(), ids=lambda c: str(c["note"]))
def test_real_sentences(case: dict[str, Any]) -> None:
    """(transcript, hotwords, expected) on real sentences with first-pass errors."""
    result = fuse(case["text"], case["hotwords"], confidences=case.get("confidences"))
    assert result.text == case["expected"]
    assert result.changed == (case["text"] != case["expected"])
    assert result.source.text == case["text"]


@pytest.mark.parametrize(
    ("text", "hotwords", "expected"),
    [
        # homophone name errors are fixed
        ("伊丽沙白这会儿真太高兴了", ["伊丽莎白", "达西"], "伊丽莎白这会儿真太高兴了"),
        ("达稀先生昨天拜访了宾利先生", ["达西", "宾利", "伊丽莎白"], "达西先生昨天拜访了宾利先生"),
        # a correct common word next to a similar hotword is left alone
        ("大西洋的风浪很大", ["达西", "伊丽莎白"], "大西洋的风浪很大"),
        # nothing similar: unchanged
        ("今天天气很好", ["伊丽莎白", "达西"], "今天天气很好"),
        # every occurrence is fixed
        ("伊丽沙白， 伊丽沙白", ["伊丽莎白"], "伊丽莎白， 伊丽莎白"),
        # text outside the replaced span is byte-identical: punctuation, spaces, case
        ("Hello, 伊丽沙白！ OK?  yes", ["伊丽莎白"], "Hello, 伊丽莎白！ OK?  yes"),
        ("我们用 py torch 训练", ["PyTorch"], "我们用 PyTorch 训练"),
        # never across punctuation
        ("伊丽，沙白来了", ["伊丽莎白"], "伊丽，沙白来了"),
        ("伊丽。沙白", ["伊丽莎白"], "伊丽。沙白"),
        # the hotword itself is left alone
        ("伊丽莎白来了", ["伊丽莎白"], "伊丽莎白来了"),
    ],
)  # fmt: skip
def test_fuse_table(text: str, hotwords: list[str], expected: str) -> None:
    assert fuse(text, hotwords).text == expected


def test_replacement_fields() -> None:
    r = fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白", "达西"])
    (rep,) = r.replacements
    assert (rep.start, rep.end, rep.original, rep.hotword) == (0, 4, "伊丽沙白", "伊丽莎白")
    assert r.source.text[rep.start : rep.end] == rep.original
    assert rep.score >= r.config.threshold
    assert rep.confidence is None
    assert "pinyin" in rep.reason


# ------------------------------------------------------------------ confidence
CHEN = "对陈森就是这么说的"  # a real sentence (reference 陈深) with a near-homophone
CHEN_WORDS = ["陈深", "菲菲"]
LOW = [0.95, 0.97, 0.3, 0.96, 0.97, 0.95, 0.96, 0.97, 0.98]
HIGH = [0.95, 0.97, 0.99, 0.96, 0.97, 0.95, 0.96, 0.97, 0.98]


def test_low_confidence_replaces_and_high_confidence_keeps_the_same_span() -> None:
    low = fuse(CHEN, CHEN_WORDS, confidences=LOW)
    high = fuse(CHEN, CHEN_WORDS, confidences=HIGH)
    assert low.text == "对陈深就是这么说的"
    assert high.text == CHEN
    f = Fuser(CHEN_WORDS)
    score = {
        name: next(c.score for c in f.candidates(CHEN, confidences=confs) if c.original == "陈森")
        for name, confs in (("low", LOW), ("mid", [0.6] * 9), ("high", HIGH))
    }
    assert score["low"] > score["mid"] > score["high"]


def test_demo_confidence_cases_hold() -> None:
    from hotfuse.demo import DEMO_CASES

    cases = [c for c in DEMO_CASES if c.confidences and "confidence" in c.title]
    assert len(cases) >= 2
    for case in cases:
        result = Fuser(case.hotwords).fuse(
            Transcript.from_text(case.text, confidences=case.confidences)
        )
        assert result.changed == case.title.startswith("low"), case.title


def test_use_confidence_false_ignores_confidences() -> None:
    plain = fuse(CHEN, CHEN_WORDS)
    ignored = fuse(CHEN, CHEN_WORDS, confidences=HIGH, use_confidence=False)
    assert ignored.text == plain.text
    assert ignored.replacements[0].score == plain.replacements[0].score


def test_threshold_is_the_bar() -> None:
    assert fuse("伊丽沙白来了", ["伊丽莎白"], threshold=10.0).text == "伊丽沙白来了"
    assert fuse("陈森就是这么说的", ["陈深"], threshold=-5.0).text == "陈深就是这么说的"


# ------------------------------------------------------------------ weights
def test_weight_zero_or_negative_never_inserts() -> None:
    for w in (0.0, -1.0):
        assert fuse("伊丽沙白来了", [Hotword("伊丽莎白", weight=w)]).text == "伊丽沙白来了"


@pytest.mark.parametrize("weight", [1e-310, 5e-324, 1e-200])
def test_tiny_positive_weight_scores_without_overflow(weight: float) -> None:
    """A weight near zero gives a very negative score: its probability is 0, not an
    OverflowError from the logistic (issue 16, finding 3)."""
    fuser = Fuser([Hotword("伊丽莎白", weight=weight)])
    assert fuser.fuse("伊丽沙白来了").text == "伊丽沙白来了"
    cands = fuser.candidates("伊丽沙白来了")
    assert any(c.original == "伊丽沙白" and "below threshold" in c.reason for c in cands)
    for c in cands:
        assert c.score < math.log(weight) + 20 and c.probability == 0.0 and not c.accepted


def test_weight_zero_still_protects_its_occurrences() -> None:
    text = "伊丽沙白银行来了"
    assert fuse(text, ["伊丽莎白"]).text == "伊丽莎白银行来了"
    assert fuse(text, ["伊丽莎白", Hotword("白银", weight=0.0)]).text == text


def test_larger_weight_lowers_the_bar() -> None:
    """score = model + log(weight): pick weights just below and above the bar."""
    text = "陈森就是这么说的"
    base = Fuser([Hotword("陈深", weight=1.0)])
    s1 = base.candidates(text)[0].score
    bar = base.config.threshold
    weak, strong = math.exp(bar - s1 - 0.5), math.exp(bar - s1 + 0.5)
    assert fuse(text, [Hotword("陈深", weight=weak)]).text == text
    assert fuse(text, [Hotword("陈深", weight=strong)]).text == "陈深就是这么说的"
    s5 = Fuser([Hotword("陈深", weight=5.0)]).candidates(text)[0].score
    assert s5 - s1 == pytest.approx(math.log(5.0), abs=1e-3)


# ------------------------------------------------------------------ protection, blocking
def test_exact_occurrence_of_another_hotword_is_never_broken() -> None:
    text = "伊丽沙白银行来了"
    assert fuse(text, ["伊丽莎白", "白银"]).text == text
    reasons = [c.reason for c in Fuser(["伊丽莎白", "白银"]).candidates(text)]
    assert any("overlaps the exact hotword '白银'" in r for r in reasons)


def test_blocking_context() -> None:
    text = "大西洋的风浪很大"
    eager = Hotword("达西", weight=100.0)
    assert fuse(text, [eager]).text == "达西洋的风浪很大"  # without the block it would go
    blocked = Hotword("达西", weight=100.0, block_contexts=("大西洋",))
    assert fuse(text, [blocked]).text == text
    (cand,) = Fuser([blocked]).candidates(text)
    assert not cand.accepted and "inside blocking context '大西洋'" in cand.reason


# ------------------------------------------------------------------ selection
def test_best_non_overlapping_set_not_greedy_left_to_right() -> None:
    """伊丽沙白 (starts first) and 白家轩 overlap on 白; the stronger one wins."""
    f = Fuser(["伊丽莎白", "白嘉轩"])
    text = "伊丽沙白家轩来了"
    cands = {(c.original, c.hotword): c for c in f.candidates(text)}
    left, right = cands[("伊丽沙白", "伊丽莎白")], cands[("白家轩", "白嘉轩")]
    assert left.score >= f.config.threshold and right.score > left.score
    assert f.fuse(text).text == "伊丽沙白嘉轩来了"
    assert "overlaps a better candidate" in left.reason and not left.accepted
    assert right.accepted


def _cand(start: int, end: int, score: float, word: str = "x") -> Candidate:
    return Candidate(
        start, end, "o" * (end - start), word, MatchKind.PINYIN, 0.0, 2, 2, word, score=score
    )


def test_selection_maximises_total_margin() -> None:
    long = _cand(0, 4, 3.0, "long")  # margin 2: the best single candidate
    a, b = _cand(0, 2, 2.5, "a"), _cand(2, 4, 2.5, "b")  # margins 1.5 + 1.5 = 3
    chosen = _select([long, a, b], 1.0)
    assert [c.hotword for c in chosen] == ["a", "b"]
    chosen = _select([long, _cand(0, 2, 1.5), _cand(2, 4, 1.5)], 1.0)
    assert [c.hotword for c in chosen] == ["long"]
    assert _select([], 1.0) == []


# ------------------------------------------------------------------ output fidelity
def test_timed_tokens_keep_times_inside_the_replaced_range() -> None:
    times = [(0.2 * i, 0.2 * i + 0.2) for i in range(6)]
    r = fuse(
        "伊丽沙白来了", ["伊丽莎白"], timestamps=times, confidences=[0.9, 0.8, 0.3, 0.7, 0.9, 0.9]
    )
    toks = r.transcript.tokens
    assert [t.text for t in toks] == list("伊丽莎白来了")
    for tok in toks[:4]:
        assert tok.start is not None and tok.end is not None
        assert 0.0 - 1e-9 <= tok.start <= tok.end <= 0.8 + 1e-9
        assert tok.confidence is None  # not invented on new tokens
    assert toks[0].start == pytest.approx(0.0) and toks[3].end == pytest.approx(0.8)
    assert toks[4:] == r.source.tokens[4:]  # untouched tokens kept as they were
    (rep,) = r.replacements
    assert rep.confidence == pytest.approx((0.9 + 0.8 + 0.3 + 0.7) / 4)


def test_partially_covered_tokens_split_their_time_in_proportion() -> None:
    toks = [Token("说伊丽", 0.0, 0.6, 0.5), Token("沙白来", 0.6, 1.2, 0.4)]
    r = fuse(Transcript.from_tokens(toks), ["伊丽莎白"])
    assert r.text == "说伊丽莎白来"
    out = r.transcript.tokens
    assert [t.text for t in out] == ["说", "伊", "丽", "莎", "白", "来"]
    assert (out[0].start, out[0].confidence) == (0.0, 0.5)
    assert out[0].end == pytest.approx(0.2)
    assert out[-1].start == pytest.approx(1.0) and out[-1].end == pytest.approx(1.2)
    assert out[-1].confidence == 0.4
    assert out[1].start == pytest.approx(0.2) and out[4].end == pytest.approx(1.0)
    assert [t.confidence for t in out[1:5]] == [None] * 4
    assert r.replacements[0].confidence == pytest.approx(0.45)


def test_split_times_stay_inside_the_span_exactly() -> None:
    """Split times end exactly at the span's end (0.37 + (1.72 - 0.37) * 4 / 4 is one ulp
    after 1.72) and never overflow near the float limit (issue 16, finding 5)."""
    r = fuse(
        "伊丽沙白", ["伊丽莎白"], timestamps=[(0.37, 1.0), (1.0, 1.2), (1.2, 1.5), (1.5, 1.72)]
    )
    toks = r.transcript.tokens
    assert toks[0].start == 0.37 and toks[-1].end == 1.72
    for a, b in itertools.pairwise(toks):
        assert a.start is not None and a.end is not None and b.start is not None
        assert 0.37 <= a.start <= a.end == b.start <= 1.72
    huge = fuse("伊丽沙白来了", ["伊丽莎白"], timestamps=[(0.0, 1.7e308)] * 6)
    assert huge.text == "伊丽莎白来了"
    for tok in huge.transcript.tokens:
        assert tok.start is not None and tok.end is not None
        assert 0.0 <= tok.start <= tok.end <= 1.7e308
    assert huge.transcript.tokens[3].end == 1.7e308


def test_decreasing_times_go_through_and_new_tokens_get_none(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recognizer's decreasing times are kept as they are; the inserted hotword gets no
    times (nothing consistent to split) and one warning says so (finding 5)."""
    import importlib

    monkeypatch.setattr(importlib.import_module(Fuser.__module__), "_TIMES_WARNED", False)
    times = [(5.0, 6.0), (4.0, 5.0), (3.0, 4.0), (1.0, 2.0), (0.0, 1.0), (0.0, 0.0)]
    with caplog.at_level(logging.WARNING, logger="hotfuse"):
        for _ in range(3):
            r = fuse("伊丽沙白来了", ["伊丽莎白"], timestamps=times)
    assert r.text == "伊丽莎白来了"
    toks = r.transcript.tokens
    assert [(t.start, t.end) for t in toks[:4]] == [(None, None)] * 4
    assert toks[4:] == r.source.tokens[4:]  # the raw times, unchanged
    warnings = [rec for rec in caplog.records if "times decrease" in rec.getMessage()]
    assert len(warnings) == 1


def test_fused_transcript_spans_match_its_text() -> None:
    r = fuse("我们用 py torch 训练，伊丽沙白！", ["PyTorch", "伊丽莎白"])
    tr = r.transcript
    assert r.text == tr.text == "我们用 PyTorch 训练，伊丽莎白！"
    assert [tr.text[s:e] for s, e in tr.spans] == [t.text for t in tr.tokens]
    assert "PyTorch" in [t.text for t in tr.tokens]


def test_no_replacement_returns_the_source_unchanged() -> None:
    tr = Transcript.from_text("今天天气很好", confidences=[0.5] * 6)
    r = fuse(tr, ["伊丽莎白"])
    assert r.text == tr.text and r.transcript == tr and r.source is tr
    assert r.replacements == () and not r.changed


# ------------------------------------------------------------------ one-character hotwords
@pytest.fixture
def hotfuse_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog that also works after cli.main() turned off propagation on "hotfuse"."""
    logger = logging.getLogger("hotfuse")
    logger.addHandler(caplog.handler)
    old = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(old)


def test_one_character_hotword_exact_aliases_only_with_a_warning(
    hotfuse_log: pytest.LogCaptureFixture,
) -> None:
    hw = Hotword("云", aliases=("芸",))
    f = Fuser([hw])
    assert any("one-character hotword '云'" in r.getMessage() for r in hotfuse_log.records)
    assert f.fuse("我叫芸").text == "我叫云"
    assert f.fuse("我叫晕").text == "我叫晕"  # a homophone is not enough


# ------------------------------------------------------------------ explain
def test_explain() -> None:
    r = fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白"])
    lines = r.explain().splitlines()
    assert lines[0] == "before: 伊丽沙白这会儿真太高兴了"
    assert lines[1] == "after:  伊丽莎白这会儿真太高兴了"
    assert lines[2] == " " * 8 + "^" * 8  # four wide characters
    assert lines[3].startswith("  [0:4] 伊丽沙白 -> 伊丽莎白  score +")
    assert "pinyin" in lines[3]
    nothing = fuse("今天天气很好", ["伊丽莎白"]).explain()
    assert nothing.splitlines() == [
        "before: 今天天气很好",
        "after:  今天天气很好",
        "  (no replacement)",
    ]


def test_explain_marks_the_second_replacement_after_a_length_change() -> None:
    r = fuse("我们用 py torch 和伊丽沙白", ["PyTorch", "伊丽莎白"])
    marks = r.explain().splitlines()[2]
    assert marks == " " * 8 + " " * 4 + " " * 3 + "^" * 7 + " " * 3 + "^" * 8


def test_explain_shows_confidence() -> None:
    r = fuse(CHEN, CHEN_WORDS, confidences=LOW)
    assert "confidence" in r.explain().splitlines()[3]


# ------------------------------------------------------------------ Fuser
def test_fuser_pickles_to_an_equal_behaving_object() -> None:
    f = Fuser(["伊丽莎白", Hotword("Claude", aliases=("克劳德",))], threshold=0.5)
    g = pickle.loads(pickle.dumps(f))
    assert g.hotwords == f.hotwords and g.config == f.config
    for text in ("伊丽沙白来了", "交给克劳德", "今天天气很好"):
        assert g.fuse(text) == f.fuse(text)
    assert "2 hotwords" in repr(g)


def test_fuse_caches_compiled_lexicons() -> None:
    words = ["伊丽莎白", "达西"]
    cfg = FuseConfig()
    first = _cached_fuser(words, cfg)
    assert _cached_fuser(list(words), FuseConfig()) is first
    assert _cached_fuser(words, FuseConfig(threshold=2.0)) is not first
    fuse("伊丽沙白", words)
    assert _cached_fuser(words, cfg) is first


def test_fuse_many_keeps_order() -> None:
    f = Fuser(["伊丽莎白", "达西"])
    out = f.fuse_many(["达稀先生", "今天", "伊丽沙白"])
    assert [r.text for r in out] == ["达西先生", "今天", "伊丽莎白"]


def test_fuser_without_hotwords_changes_nothing() -> None:
    assert Fuser([]).fuse("伊丽沙白").text == "伊丽沙白"
    assert Fuser([]).candidates("伊丽沙白") == ()


def test_candidates_reasons() -> None:
    f = Fuser(["伊丽莎白", "达西"])
    cands = f.candidates("伊丽沙白和大西洋")
    by = {(c.original, c.hotword): c for c in cands}
    good = by[("伊丽沙白", "伊丽莎白")]
    assert good.accepted and good.reason.startswith("pinyin distance 0.00/syllable")
    common = by[("大西", "达西")]
    assert not common.accepted
    assert "below threshold" in common.reason and "original is a word" in common.reason
    assert all(0.0 <= c.probability <= 1.0 for c in cands)
    assert all(c.score == c.score for c in cands)  # no NaN left


def test_transcript_with_extra_confidences_is_an_error() -> None:
    with pytest.raises(InputError, match="already has them"):
        fuse(Transcript.from_text("你好"), ["伊丽莎白"], confidences=[0.5, 0.5])


# ------------------------------------------------------------------ config
@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"threshold": math.nan}, "finite number"),
        ({"threshold": "1"}, "finite number"),
        ({"threshold": 100.0}, "outside"),
        ({"max_distance": -0.1}, "outside"),
        ({"latin_max_distance": 2.0}, "outside"),
        ({"use_confidence": "yes"}, "true or false"),
        ({"threshold": True}, "finite number"),
    ],
)
def test_config_validation(kwargs: dict[str, Any], phrase: str) -> None:
    with pytest.raises(ConfigError) as info:
        FuseConfig(**kwargs)
    assert phrase in str(info.value)
    assert isinstance(info.value, ValueError)


def test_config_coerce() -> None:
    assert FuseConfig.coerce(None) == FuseConfig()
    cfg = FuseConfig.coerce({"threshold": 2, "use_confidence": False})
    assert cfg.threshold == 2.0 and isinstance(cfg.threshold, float) and not cfg.use_confidence
    assert FuseConfig.coerce(cfg, threshold=3.0).threshold == 3.0
    assert FuseConfig.coerce(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match="unknown FuseConfig fields"):
        FuseConfig.coerce({"treshold": 2})
    with pytest.raises(ConfigError, match="unknown FuseConfig fields"):
        FuseConfig.coerce(None, treshold=2)
    with pytest.raises(ConfigError, match="a FuseConfig, a mapping or None"):
        FuseConfig.coerce(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown FuseConfig fields"):
        fuse("伊丽沙白", ["伊丽莎白"], treshold=2)


def test_fusers_built_without_a_config_share_one_default_config() -> None:
    # the default config is built once; overrides and subclasses still get their own
    a, b = Fuser(["伊丽莎白"]), Fuser(["达西"])
    assert a.config is b.config and a.config == FuseConfig()
    assert FuseConfig.coerce(None, threshold=2.0) is not a.config
    assert FuseConfig.coerce(None, threshold=2.0).threshold == 2.0
    assert a.config.threshold == FuseConfig().threshold  # the shared one is untouched


def test_config_is_frozen_and_recorded_on_the_result() -> None:
    cfg = FuseConfig(threshold=0.5)
    with pytest.raises(AttributeError):
        cfg.threshold = 2.0  # type: ignore[misc]
    r: FuseResult = fuse("伊丽沙白", ["伊丽莎白"], config=cfg)
    assert r.config == cfg


def test_load_config_round_trips_write_config(tmp_path: Path) -> None:
    cfg = FuseConfig(threshold=1.75, use_confidence=False, max_distance=0.4)
    path = tmp_path / "config.toml"
    write_config(path, cfg, {"utterances": 3})
    assert load_config(path) == cfg
    nested = tmp_path / "nested.toml"
    nested.write_text("[fuse]\nthreshold = 2.5\n", encoding="utf-8")
    assert load_config(nested) == FuseConfig(threshold=2.5)


def test_load_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="hotfuse tune"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("threshold = = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("treshold = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown FuseConfig fields"):
        load_config(unknown)


# ------------------------------------------------------------------ work stays linear
def _lines_executed(fn: Callable[[], object]) -> int:
    """Lines of hotfuse code run by ``fn()``: a measure of work that does not depend on
    the machine's speed (no timings in unit tests)."""
    import sys

    import hotfuse

    package = str(Path(hotfuse.__file__).parent)
    count = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(package) else None

    sys.settrace(calls)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def test_work_grows_linearly_with_replacements_and_blocking_contexts() -> None:
    """Each candidate reads only the protected occurrences and blocking contexts near it
    (issue 16, finding 4: the scans over the whole text were quadratic)."""
    fuser = Fuser(["伊丽莎白", Hotword("达西", block_contexts=("大西洋",))], threshold=-5.0)
    fuser.fuse("伊丽沙白")  # load the dictionaries outside the measurement
    sentence = "大西洋的伊丽沙白和大西。"
    small = _lines_executed(lambda: fuser.fuse(sentence * 40))
    large = fuser.fuse(sentence * 160)
    assert large.text == fuser.fuse(sentence).text * 160
    assert _lines_executed(lambda: fuser.fuse(sentence * 160)) < 4.4 * small


def test_long_hotwords_cost_no_more_than_the_longest_phonetic_ones() -> None:
    """A hotword over MAX_PHONETIC_SYLLABLES characters is matched exactly, so the work
    per window stays bounded whatever the hotword's length (finding 4)."""
    import random

    from hotfuse.match import MAX_PHONETIC_SYLLABLES

    rng = random.Random(4)
    pool = "伊丽莎白达西宾利汪芳李娜重庆银行长沙白丽莉利西洋宾冰粒王方拿虫青亲"
    text = "".join(rng.choice(pool) for _ in range(200))
    words = {m: "".join(rng.choice(pool) for _ in range(m)) for m in (32, 64, 128)}
    work = {m: _lines_executed(lambda w=w: Fuser([w]).fuse(text)) for m, w in words.items()}
    assert MAX_PHONETIC_SYLLABLES == 32
    assert work[64] <= work[32] and work[128] <= work[32]
    # still matched exactly, its width and spacing variants too
    long = words[64]
    spaced = "他说" + " ".join(long) + "。"
    assert Fuser([long]).fuse(spaced).text == "他说" + long + "。"


def test_upper_bound_is_the_cheap_score_written_out() -> None:
    """The pruning bound is the score with the cheap features, the most favourable values
    of the others and, with confidences, the candidate's own ``conf`` feature, plus its
    slack (summed in another order, it may differ from that sum by a few ulps, never by
    more than the slack); each call of a cached shape gives the same bound."""
    from hotfuse.fuser import _BOUND_SLACK, _FREQ_LOG_MAX, _LATIN_KINDS, _changed_confidence

    f = Fuser([Hotword("伊丽莎白", weight=2.0), "达西", "PyTorch", Hotword("腾讯", weight=0.5)])
    text = "伊丽沙白和大西用派托奇 py torch 同讯"
    plain = Transcript.from_text(text)
    confs = [0.3 + 0.6 * ((7 * i) % 10) / 10 for i in range(len(plain.tokens))]
    with_conf = Transcript.from_text(text, confidences=confs)
    checked = 0
    for tr in (plain, with_conf):
        for c in f._index.candidates(tr):
            hw = f._by_text[c.hotword]
            latin = c.kind in _LATIN_KINDS
            bounds = []
            for coefs in (f.config.model.no_conf, f.config.model.with_conf):
                cheap = {
                    "distance": c.distance,
                    "log_len": math.log(max(1, c.n_units if not latin else 2)),
                    "indel": 1.0 if c.span_units != c.n_units and not latin else 0.0,
                    "alias": 1.0 if c.kind == MatchKind.ALIAS_EXACT else 0.0,
                    "alias_pinyin": 1.0 if c.kind == MatchKind.ALIAS_PINYIN else 0.0,
                    "latin": 1.0 if latin else 0.0,
                    "log_lexicon": math.log(4),
                    "spoken": 1.0 if c.kind == MatchKind.SPOKEN else 0.0,
                    "phones": 1.0 if c.kind == MatchKind.PHONES else 0.0,
                    "reading": 1.0 if c.kind == MatchKind.READING else 0.0,
                }
                z = coefs.get("bias", 0.0) + math.log(hw.weight)
                z += sum(coefs.get(k, 0.0) * v for k, v in cheap.items())
                z += max(coefs.get("overlap", 0.0), 0.0)
                for k in ("orig_freq", "cross_freq", "en_freq"):
                    z += max(coefs.get(k, 0.0), 0.0) * _FREQ_LOG_MAX
                bounds.append(z)
            scored = tr if tr.has_confidences else None
            conf = None if scored is None else _changed_confidence(c, tr, hw.text)
            want, slack = bounds[0], _BOUND_SLACK
            if conf is not None:
                w = f.config.model.with_conf.get("conf", 0.0)
                p = min(max(conf, 1e-4), 1 - 1e-4)
                want, slack = bounds[1] + w * math.log(p / (1 - p)), 2 * _BOUND_SLACK
            got = f._upper_bound(c, hw, scored)
            assert want + slack / 2 <= got <= want + slack + 1e-12
            assert f._upper_bound(c, hw, scored) == got
            checked += 1
    assert checked >= 8


def test_the_pruned_decisions_are_the_unpruned_ones_with_confidences() -> None:
    """No candidate the bound prunes could have been accepted: on texts with confidences
    (low, high and mixed), the accepted candidates of the pruned scan are those of the
    unpruned one (explain mode: no limits, no bound), with the same scores."""
    import random

    rng = random.Random(7)
    words = ["伊丽莎白", "达西", "宾利", "汪芳", "PyTorch", "腾讯会议", "重庆"]
    f = Fuser(words)
    texts = ["伊丽沙白和达稀在崇庆开腾讯会仪", "宾莉说 py torch 很好用", "汪方和一丽莎白来了"]
    seen = 0
    for _ in range(60):
        text = rng.choice(texts)
        n = len(Transcript.from_text(text).tokens)
        confs = [rng.choice([0.05, 0.3, 0.6, 0.95, 0.999]) for _ in range(n)]
        tr = Transcript.from_text(text, confidences=confs)
        full = {
            (c.start, c.end, c.hotword): c.score for c in f._decide(tr, explain=True) if c.accepted
        }
        got = {(c.start, c.end, c.hotword): c.score for c in f._decide(tr) if c.accepted}
        assert got == full
        seen += len(full)
    assert seen > 30


@pytest.mark.parametrize("confidences", [None, [0.9, 0.3, 0.2, 0.95, 0.9, 0.9, 0.8, 0.9]])
def test_candidate_scores_are_the_models_score_of_their_features(
    confidences: list[float] | None,
) -> None:
    """The fuser's fast scorer gives what ScoringModel.score gives on features()."""
    from hotfuse.config import SCORE_ORDER, ScoringModel
    from hotfuse.fuser import features
    from hotfuse.transcript import Transcript

    words = [Hotword("伊丽莎白", weight=2.0), "达西先生", "彭伯里"]
    f = Fuser(words)
    transcript = Transcript.from_text("伊丽沙白见到大溪", confidences=confidences)
    cands = f.candidates(transcript)
    assert cands
    scored = f.config.scoring_view(transcript)
    model = f.config.model
    for c in cands:
        hw = next(h for h in f.hotwords if h.text == c.hotword)
        x = features(c, scored, hw, f._n_active)
        assert ("conf" in x) == (confidences is not None)
        coefs = model.with_conf if "conf" in x else model.no_conf
        logit = coefs.get("bias", 0.0) + sum(coefs.get(k, 0.0) * v for k, v in x.items())
        want = logit + math.log(hw.weight)
        assert c.score == round(want, 4)
        assert model.score(x, has_conf="conf" in x) == logit
        values = [x[k] for k in SCORE_ORDER[:-1]]
        z = model.score_values(values, has_conf="conf" in x, conf=x.get("conf"))
        assert z + math.log(hw.weight) == want
    # a model's weights are read when it is made, bias and conf included
    m = ScoringModel(with_conf={"bias": 1.0, "conf": 2.0}, no_conf={"bias": -1.0})
    zeros = [0.0] * (len(SCORE_ORDER) - 1)
    assert m.score_values(zeros, has_conf=True, conf=0.5) == 2.0
    assert m.score_values(zeros, has_conf=False, conf=0.5) == -1.0
    assert m.score({"conf": 0.5}, has_conf=True) == 2.0


# ------------------------------------------------------------ feature helpers (issue 15)
def _cross_freq_by_definition(text: str, start: int, end: int, lo: int, hi: int) -> int:
    """The largest count of a dictionary word within ``lo..hi`` that a span boundary cuts
    (starts before it and ends after it, at most 3 characters out), not inside the span."""
    from hotfuse._tables import word_count

    best = 0
    for b in (start, end):
        for i in range(max(lo, b - 3), b):
            for j in range(b + 1, min(hi, b + 3) + 1):
                if not (i >= start and j <= end):
                    best = max(best, word_count(text[i:j]))
    return best


def test_feature_helpers_are_their_definitions() -> None:
    """The cached boundary counts, the regex CJK run and the counted same characters give
    what their plain definitions give, on random texts of words, Traditional forms,
    Latin letters and punctuation."""
    import random

    from hotfuse.fuser import _cjk_run, _cross_freq, _same_char, _same_chars
    from hotfuse.transcript import is_cjk

    rng = random.Random(15)
    pieces = [
        *("明白", "伊丽莎白", "北京", "大学生", "騰訊", "腾讯", "的"),
        *("a", "GPU", " ", "，", "〇"),
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7)))
        start = rng.randrange(len(text))
        end = rng.randrange(start + 1, len(text) + 1)
        lo, hi = start, end
        while lo > max(0, start - 3) and is_cjk(text[lo - 1]):
            lo -= 1
        while hi < min(len(text), end + 3) and is_cjk(text[hi]):
            hi += 1
        assert _cjk_run(text, start, end) == (lo, hi), (text, start, end)
        assert _cross_freq(text, start, end, lo, hi) == _cross_freq_by_definition(
            text, start, end, lo, hi
        ), (text, start, end)
        other = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 3)))
        span = text[start:end]
        assert _same_chars(span, other) == sum(
            1 for a, b in zip(span, other, strict=False) if _same_char(a, b)
        )
