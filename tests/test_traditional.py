"""Simplified hotwords in Traditional spans (Whisper writes both), and the reverse."""

from __future__ import annotations

import pytest

from hotfuse import Fuser, fuse
from hotfuse._data import data_table
from hotfuse.fuser import _same_char

CASES = [
    ("我在騰訊公司上班", ["腾讯"], "我在腾讯公司上班"),
    ("中國隊贏了", ["中国队"], "中国队贏了"),
    ("我在腾讯公司", ["騰訊"], "我在騰訊公司"),  # a Traditional hotword in Simplified text
    ("今天天氣很好", ["腾讯"], "今天天氣很好"),  # nothing like it: unchanged
]


@pytest.mark.parametrize(("text", "words", "expected"), CASES)
def test_traditional_spans_take_the_hotword(text: str, words: list[str], expected: str) -> None:
    assert fuse(text, words).text == expected


def test_script_variants_count_as_characters_already_right() -> None:
    # 騰訊 and 腾讯 are the same two characters: the candidate scores as a full overlap,
    # above a homophone written with other characters (藤迅)
    trad = Fuser(["腾讯"]).fuse("我在騰訊上班").replacements[0].score
    homophone = Fuser(["腾讯"]).fuse("我在藤迅上班").replacements[0].score
    assert trad > homophone


def test_the_variant_table() -> None:
    table = data_table("t2s.tsv.gz")
    assert len(table) > 4000
    assert table["騰"] == "腾" and table["國"] == "国"
    assert _same_char("騰", "腾") and _same_char("腾", "騰") and _same_char("a", "a")
    assert not _same_char("腾", "藤") and not _same_char("a", "A")
