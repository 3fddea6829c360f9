"""Confidence quality (AUROC, reliability), isotonic calibration, learned confusions."""

from __future__ import annotations

import math
import random

import pytest

from hotfuse.calibration import (
    Calibration,
    auroc,
    char_labels,
    labelled_chars,
    learn_confusions,
    reliability,
)
from hotfuse.errors import ConfigError
from hotfuse.phonetics import DEFAULT_COSTS, CostTable, final_distance, initial_distance
from hotfuse.transcript import Token, Transcript


def test_char_labels_follow_the_alignment() -> None:
    hyp = Transcript.from_tokens(
        [Token("伊丽", confidence=0.9), Token("沙白", confidence=0.4), Token("了", confidence=0.8)]
    )
    labels = char_labels("伊丽莎白", hyp)
    # 伊 丽 right, 沙 wrong (substitution), 白 right, 了 wrong (insertion)
    assert labels == [(0.9, True), (0.9, True), (0.4, False), (0.4, True), (0.8, False)]


def test_char_labels_skip_tokens_without_confidence() -> None:
    hyp = Transcript.from_tokens([Token("你"), Token("好", confidence=0.7)])
    assert char_labels("你好", hyp) == [(0.7, True)]


def test_auroc_extremes_ties_and_empty_class() -> None:
    assert auroc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert auroc([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert math.isnan(auroc([0.1, 0.2], [True, True]))


def test_auroc_matches_pairwise_definition() -> None:
    rng = random.Random(3)
    conf = [round(rng.random(), 1) for _ in range(200)]
    ok = [rng.random() < c for c in conf]
    pos = [c for c, o in zip(conf, ok, strict=True) if o]
    neg = [c for c, o in zip(conf, ok, strict=True) if not o]
    pairs = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    assert auroc(conf, ok) == pytest.approx(pairs / (len(pos) * len(neg)))


def test_reliability_bins() -> None:
    rows = reliability([0.05, 0.15, 0.95, 1.0], [False, True, True, True], bins=10)
    assert len(rows) == 10
    assert rows[0]["count"] == 1 and rows[0]["accuracy"] == 0.0
    assert rows[9]["count"] == 2 and rows[9]["accuracy"] == 1.0
    assert math.isnan(rows[5]["accuracy"])
    with pytest.raises(ConfigError):
        reliability([0.5], [True], bins=0)


def test_calibration_is_monotone_and_recovers_a_known_curve() -> None:
    rng = random.Random(0)
    conf = [rng.random() for _ in range(5000)]
    # true probability of being right is conf ** 2 (over-confident recognizer)
    ok = [rng.random() < c * c for c in conf]
    cal = Calibration.fit(conf, ok)
    assert list(cal.values) == sorted(cal.values)
    assert cal(0.5) == pytest.approx(0.25, abs=0.08)
    assert cal(0.95) == pytest.approx(0.9, abs=0.08)
    assert 0.02 <= cal(0.0) <= cal(1.0) <= 0.98
    assert Calibration.from_dict(cal.to_dict()) == cal


def test_calibration_apply_keeps_text_and_times() -> None:
    tr = Transcript.from_tokens(
        [Token("你", 0.0, 0.2, 0.9), Token("好", 0.2, 0.4, None), Token("吗", 0.4, 0.5, 0.1)]
    )
    cal = Calibration(knots=(0.5, 1.0), values=(0.2, 0.8))
    out = cal.apply(tr)
    assert out.text == tr.text
    assert [t.confidence for t in out.tokens] == [0.8, None, 0.2]
    assert [(t.start, t.end) for t in out.tokens] == [(t.start, t.end) for t in tr.tokens]


def test_calibration_rejects_bad_tables() -> None:
    with pytest.raises(ConfigError):
        Calibration(knots=(0.5, 0.2), values=(0.1, 0.2))
    with pytest.raises(ConfigError):
        Calibration.from_dict({"knots": [0.5]})
    with pytest.raises(ConfigError):
        Calibration.fit([], [])


def test_labelled_chars_pools_a_corpus() -> None:
    hyps = [Transcript.from_text("你好", confidences=[0.9, 0.2])]
    assert labelled_chars(["你号"], hyps) == ([0.9, 0.2], [True, False])


def test_learn_confusions_counts_han_substitutions_only() -> None:
    refs = ["腾讯公司", "腾讯科技", "二零一八年"]
    hyps = ["彭讯公司", "同讯科技", "2018年"]
    c = learn_confusions(refs, hyps)
    assert c.substitutions == 2  # digits written for numerals are not sound confusions
    assert c.initials == {("p", "t"): 1}
    assert c.finals == {("eng", "ong"): 1}
    inits, finals = c.frequent(min_count=1, min_share=0.0)
    assert inits == (("p", "t"),) and finals == (("eng", "ong"),)
    assert c.frequent(min_count=2) == ((), ())


def test_feature_distances_are_graded() -> None:
    # aspiration alone is closer than a change of place, which is closer than both
    assert initial_distance("b", "p") < initial_distance("b", "d") < initial_distance("b", "k")
    assert initial_distance("", "x") == 0.6
    # a nasal coda change is closer than a nucleus change
    assert final_distance("in", "ing") < final_distance("an", "en") < final_distance("a", "u")
    assert final_distance("eng", "e") == pytest.approx(0.3)
    assert final_distance("xx", "a") == 1.2


def test_feature_scale_only_lowers_unlisted_pairs() -> None:
    graded = CostTable(feature_scale=1.0)
    assert DEFAULT_COSTS.feature_scale == 0.0
    t, p = ("t", "eng", 2), ("p", "eng", 2)
    assert DEFAULT_COSTS.cost(t, p) == pytest.approx(0.9)
    assert graded.cost(t, p) == pytest.approx(0.45)
    # listed fuzzy pairs keep their cost; unrelated sounds stay capped by the other_* cost
    zh, z = ("zh", "ang", 1), ("z", "ang", 1)
    assert graded.cost(zh, z) == DEFAULT_COSTS.cost(zh, z)
    far_a, far_b = ("b", "a", 1), ("x", "iong", 1)
    assert graded.cost(far_a, far_b) == DEFAULT_COSTS.cost(far_a, far_b)
    assert CostTable.from_dict(graded.to_dict()) == graded


def test_fuse_config_takes_a_calibration_table_and_round_trips() -> None:
    from hotfuse import FuseConfig
    from hotfuse.calibration import Calibration
    from hotfuse.errors import ConfigError

    cfg = FuseConfig(calibration={"knots": [0.5, 1.0], "values": [0.2, 0.9]})
    assert cfg.calibration == Calibration((0.5, 1.0), (0.2, 0.9))
    assert FuseConfig.coerce(cfg.to_dict()) == cfg
    assert "calibration" not in FuseConfig().to_dict()
    with pytest.raises(ConfigError, match="knots"):
        FuseConfig(calibration={"knots": [0.5, 1.0], "values": [0.9, 0.2]})
    with pytest.raises(ConfigError, match="calibration"):
        FuseConfig(calibration=[0.5, 0.9])  # type: ignore[arg-type]


def test_the_scorer_sees_calibrated_confidences_and_results_report_raw_ones() -> None:
    from hotfuse import FuseConfig, fuse

    confs = [0.97, 0.96, 0.95, 0.97, 0.95, 0.96, 0.93]  # the demo's confident 陈静
    assert fuse("我们去找陈静吧", ["程晶"], confidences=confs).text == "我们去找陈静吧"
    # a recognizer whose 0.95 means "right half the time" (as its calibration says)
    cal = {"knots": [0.955, 1.0], "values": [0.3, 0.98]}
    r = fuse("我们去找陈静吧", ["程晶"], confidences=confs, config=FuseConfig(calibration=cal))
    assert r.text == "我们去找程晶吧"
    assert r.replacements[0].confidence == pytest.approx((0.95 + 0.96) / 2)
