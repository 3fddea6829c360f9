"""Syllable normalisation, readings, phrase-aware hotword pinyin, the cost table."""

from __future__ import annotations

import json
import re

import pytest

from hotfuse.phonetics import (
    DEFAULT_COSTS,
    CostTable,
    char_readings,
    hotword_pinyin,
    is_polyphone,
    syllable,
    word_frequency,
)


@pytest.mark.parametrize(
    ("tone3", "expected"),
    [
        ("zhuang1", ("zh", "uang", 1)),
        ("ZHUANG1", ("zh", "uang", 1)),
        (" ma1 ", ("m", "a", 1)),
        ("shi4", ("sh", "i", 4)),
        ("ri4", ("r", "i", 4)),
        ("a1", ("", "a", 1)),
        ("ang2", ("", "ang", 2)),
        ("er", ("", "er", 5)),  # no digit: neutral tone
        ("zi5", ("z", "i", 5)),
        ("zhong0", ("zh", "ong", 5)),  # 0 is the neutral tone too
        # y/w folded into the final
        ("yi1", ("", "i", 1)),
        ("ya1", ("", "ia", 1)),
        ("ye3", ("", "ie", 3)),
        ("yan", ("", "ian", 5)),
        ("yin1", ("", "in", 1)),
        ("ying2", ("", "ing", 2)),
        ("yong3", ("", "iong", 3)),
        ("you3", ("", "iou", 3)),
        ("yu2", ("", "v", 2)),
        ("yue4", ("", "ve", 4)),
        ("yuan2", ("", "van", 2)),
        ("yun2", ("", "vn", 2)),
        ("wu3", ("", "u", 3)),
        ("wa1", ("", "ua", 1)),
        ("wo", ("", "uo", 5)),
        ("wei4", ("", "uei", 4)),
        ("wen4", ("", "uen", 4)),
        ("weng1", ("", "ueng", 1)),
        # ü spelt v, ü or u:, and the u after j/q/x
        ("lv4", ("l", "v", 4)),
        ("lü4", ("l", "v", 4)),
        ("lu:4", ("l", "v", 4)),
        ("nv3", ("n", "v", 3)),
        ("ju", ("j", "v", 5)),
        ("qun2", ("q", "vn", 2)),
        ("xue2", ("x", "ve", 2)),
        # abbreviated finals expanded
        ("liu2", ("l", "iou", 2)),
        ("gui4", ("g", "uei", 4)),
        ("dun4", ("d", "uen", 4)),
        # syllabic nasals
        ("m2", ("", "m", 2)),
        ("n2", ("", "n", 2)),
        ("ng2", ("", "ng", 2)),
        ("hm", ("", "hm", 5)),
    ],
)
def test_syllable(tone3: str, expected: tuple[str, str, int]) -> None:
    assert syllable(tone3) == expected


def test_char_readings_polyphones_most_usual_first() -> None:
    assert char_readings("重") == ("zhong4", "chong2", "tong2")
    assert char_readings("行")[:2] == ("xing2", "hang2")
    assert char_readings("长") == ("zhang3", "chang2")
    assert char_readings("了")[0] == "le5"


@pytest.mark.parametrize("ch", ["a", "1", "，", "😀", "", "ab", "中国"])
def test_char_readings_of_non_chinese_or_not_one_character(ch: str) -> None:
    assert char_readings(ch) == ()


def test_common_characters_read_as_numbered_tone_syllables() -> None:
    pattern = re.compile(r"[a-z]+[1-5]")
    for ch in "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主":
        readings = char_readings(ch)
        assert readings and all(pattern.fullmatch(r) for r in readings), (ch, readings)


def test_all_readings_are_numbered_tone_syllables() -> None:
    """Readings written with combining marks (呣 m̀, 欸 ê̄) are normalised too."""
    pattern = re.compile(r"[a-zê]+[1-5]")
    assert char_readings("呣")[1] == "m4"
    for ch in "呣嘸欸誒":
        assert all(pattern.fullmatch(r) for r in char_readings(ch)), (ch, char_readings(ch))


def test_is_polyphone() -> None:
    assert is_polyphone("重") and is_polyphone("行") and is_polyphone("长")
    assert not is_polyphone("中")  # zhong1 / zhong4 differ only by tone
    assert not is_polyphone("好") and not is_polyphone("a")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("重庆", ("chong2", "qing4")),
        ("银行", ("yin2", "hang2")),
        ("银行行长", ("yin2", "hang2", "hang2", "zhang3")),
        ("长城", ("chang2", "cheng2")),
        ("伊丽莎白", ("yi1", "li4", "sha1", "bai2")),
        ("B站", ("", "zhan4")),  # characters without a reading give "" and stay aligned
        ("GPT4", ("", "", "", "")),
    ],
)
def test_hotword_pinyin_is_phrase_aware(word: str, expected: tuple[str, ...]) -> None:
    assert hotword_pinyin(word) == expected


def test_word_frequency() -> None:
    assert word_frequency("明白") > 10_000
    assert 0 < word_frequency("伊丽莎白") < 1_000
    assert word_frequency("伊丽沙白") == 0
    assert word_frequency("") == 0


# ------------------------------------------------------------------ costs
def c(a: str, b: str, table: CostTable = DEFAULT_COSTS) -> float:
    return table.cost(syllable(a), syllable(b))


def test_identical_syllables_cost_nothing() -> None:
    assert c("zhang1", "zhang1") == 0.0


@pytest.mark.parametrize(
    ("fuzzy", "other"),
    [
        (("zhang1", "zang1"), ("zhang1", "bang1")),  # z/zh vs an unrelated initial
        (("chi1", "ci1"), ("chi1", "di1")),
        (("shi4", "si4"), ("shi4", "mi4")),
        (("nan2", "lan2"), ("nan2", "gan2")),
        (("fu2", "hu2"), ("fu2", "tu2")),
        (("ran2", "lan2"), ("ran2", "kan2")),
        (("ban1", "bang1"), ("ban1", "bo1")),  # an/ang vs an unrelated final
        (("fen1", "feng1"), ("fen1", "fa1")),
        (("lin2", "ling2"), ("lin2", "lu2")),
        (("lian2", "liang2"), ("lian2", "lou2")),
        (("guan1", "guang1"), ("guan1", "gei1")),
    ],
)
def test_fuzzy_pairs_are_cheaper_than_other_differences(
    fuzzy: tuple[str, str], other: tuple[str, str]
) -> None:
    assert 0.0 < c(*fuzzy) < c(*other)


def test_tone_is_cheaper_than_any_initial_or_final_difference() -> None:
    tone = c("ban1", "ban3")
    assert tone == pytest.approx(DEFAULT_COSTS.tone_cost)
    assert 0.0 < tone < c("ban1", "pan1") and tone < c("ban1", "bang1")
    assert 0.0 < c("ban1", "ban5") < tone  # a neutral tone is cheaper still


def test_costs_are_symmetric_and_capped() -> None:
    for a, b in [("zhang1", "zang3"), ("ba1", "bian1"), ("zhang1", "mi3"), ("yu2", "yi2")]:
        assert c(a, b) == c(b, a)
        assert c(a, b) <= DEFAULT_COSTS.max_cost
    assert c("zhang1", "mi3") == DEFAULT_COSTS.max_cost


def test_medial_only_difference() -> None:
    assert c("ban1", "bian1") == pytest.approx(DEFAULT_COSTS.medial_final_cost)
    assert c("ba1", "bian1") == pytest.approx(DEFAULT_COSTS.other_final_cost)


def test_cost_table_is_tunable() -> None:
    strict = CostTable(tone_cost=0.6, fuzzy_initials=frozenset())
    assert c("ban1", "ban3", strict) == pytest.approx(0.6)
    assert c("zhang1", "zang1", strict) == pytest.approx(strict.other_initial_cost)


def test_cost_table_round_trips_through_a_dict_and_json() -> None:
    table = CostTable(tone_cost=0.3, indel_cost=0.8)
    data = json.loads(json.dumps(table.to_dict()))
    assert CostTable.from_dict(data) == table
    assert CostTable.from_dict({}) == DEFAULT_COSTS
    assert data["fuzzy_initials"] == sorted(data["fuzzy_initials"])


# --------------------------------------------------------------------------- shared table
_ODD_TARGETS = [("x", "yz", 3), ("q", "ueng", 5), ("", "ng", 5), ("zh", "uong", 1)]


@pytest.mark.parametrize(
    "costs",
    [
        DEFAULT_COSTS,
        CostTable(feature_scale=0.8, tone_cost=0.0, max_cost=0.9, indel_cost=0.4),
        # the neutral-tone cost apart from the other-tone cost, and a cap sums reach
        CostTable(tone_cost=0.3, neutral_tone_cost=0.05, max_cost=0.7),
    ],
    ids=["default", "tuned", "neutral-apart"],
)
def test_substitution_rows_equal_the_cost_table(costs: CostTable) -> None:
    """Every entry of a shared row is CostTable.cost of that reading (all 1,500-odd
    readings), for a sample of real targets and targets no character is read as."""
    from hotfuse.phonetics import SubstitutionTable, _inventory, coarse_key

    readings = _inventory().syllables
    table = SubstitutionTable(costs)
    # every tone of a sample of toneless bases (a row is read off its base's cost lists,
    # shared by its tones), and targets no character is read as
    bases = {(h[0], h[1]) for h in readings[::9]}
    targets = [(i, f, tone) for i, f in sorted(bases) for tone in (1, 2, 3, 4, 5)]
    targets += _ODD_TARGETS
    for target in targets:
        row = table.row(target)
        assert len(row) == len(readings) + 1
        assert row[table.no_reading] == costs.max_cost
        bad = [h for i, h in enumerate(readings) if row[i] != costs.cost(h, target)]
        assert bad == [], (target, bad[:3])
        other = [costs.cost(h, target) for h in readings if coarse_key(h) != coarse_key(target)]
        assert table.floor(target) <= min(other)  # a lower bound for other-key readings
    assert table.floor(syllable("zhang1")) == min(
        costs.cost(h, syllable("zhang1")) for h in readings if coarse_key(h) != "z-an"
    )  # the bound is reached here: zheng1 is a fuzzy final (ang/eng) away


def test_substitution_table_is_shared_and_reading_ids_follow_char_readings() -> None:
    from hotfuse.phonetics import _inventory, reading_ids, substitution_table

    assert substitution_table() is substitution_table(CostTable())
    assert substitution_table(CostTable(tone_cost=0.2)) is not substitution_table()
    inv = _inventory().syllables
    for ch in "重行沙伊a，😀〇":
        assert tuple(inv[i] for i in reading_ids(ch)) == tuple(
            syllable(r) for r in char_readings(ch)
        )
