"""Every bad input of the issue, with its required outcome, in one table.

An outcome is either the text ``fuse()`` must return (it works; unchanged where nothing
matches) or ``(error class, key phrase)``: a :class:`HotfuseError` subclass whose message
says what to do.
"""

from __future__ import annotations

import logging
import math
import random
from typing import Any

import pytest

from hotfuse import Hotword, fuse
from hotfuse.errors import (
    ConfigError,
    FrontendOutputError,
    HotfuseError,
    InputError,
    LengthMismatchError,
)

ELIZA = "伊丽沙白这会儿真太高兴了"
FIXED = "伊丽莎白这会儿真太高兴了"
WORDS = ["伊丽莎白", "达西"]


def _generated_names(n: int) -> list[str]:
    rng = random.Random(3000)
    surnames = "张王赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
    given = "伟芳敏静强磊军勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲兰凤洁梅琳素云莲真环"
    names: set[str] = set()
    while len(names) < n:
        names.add(rng.choice(surnames) + "".join(rng.choice(given) for _ in range(2)))
    return sorted(names)


_BIG_QUIET = ("今天天气很好，我们一起去公园散步吧。" * 6000)[:99_993] + "伊丽沙白来了。"
_BIG_BUSY = ("今天天气很好，伊丽沙白和达稀一起去公园散步吧。" * 5000)[:100_000]

Outcome = str | tuple[type[HotfuseError], str]

CASES: list[Any] = [
    # ---- transcripts that work
    pytest.param("", WORDS, {}, "", id="empty text"),
    pytest.param("   \t ", WORDS, {}, "   \t ", id="whitespace text"),
    pytest.param("，。！？……", WORDS, {}, "，。！？……", id="punctuation only"),
    pytest.param("12345 678 3.14", WORDS, {}, "12345 678 3.14", id="digits"),
    pytest.param("😀😀伊丽沙白😀", WORDS, {}, "😀😀伊丽莎白😀", id="emoji"),
    pytest.param("ＡＢＣ，伊丽沙白！", WORDS, {}, "ＡＢＣ，伊丽莎白！", id="full-width"),
    pytest.param("伊麗沙白這會兒真太高興了", WORDS, {}, "伊丽莎白這會兒真太高興了",
                 id="traditional"),
    pytest.param("伊丽沙白", ["伊麗莎白"], {}, "伊麗莎白", id="traditional hotword"),
    pytest.param("こんにちは伊丽沙白안녕 ok", WORDS, {}, "こんにちは伊丽莎白안녕 ok",
                 id="mixed scripts"),
    pytest.param(_BIG_QUIET, WORDS, {}, _BIG_QUIET[:-7] + "伊丽莎白来了。",
                 id="100k chars, one error"),
    pytest.param(
        _BIG_BUSY,
        WORDS,
        {},
        _BIG_BUSY.replace("伊丽沙白", "伊丽莎白").replace("达稀", "达西"),
        id="100k chars, thousands of errors",
    ),
    # ---- transcripts that are errors
    pytest.param(None, WORDS, {}, (InputError, "pass the recognized text"), id="None text"),
    pytest.param(123, WORDS, {}, (FrontendOutputError, "or a Transcript"), id="int text"),
    pytest.param(b"abc", WORDS, {}, (FrontendOutputError, "or a Transcript"), id="bytes text"),
    pytest.param(["伊丽沙白"], WORDS, {}, (FrontendOutputError, "pass frontend="), id="list text"),
    # ---- hotwords that work
    pytest.param(ELIZA, [], {}, ELIZA, id="empty hotword list"),
    pytest.param(ELIZA, ["伊丽莎白", "伊丽莎白", " 伊丽莎白 "], {}, FIXED, id="duplicate hotwords"),
    pytest.param(ELIZA, [*_generated_names(3000), "伊丽莎白"], {}, FIXED, id="3000 hotwords"),
    pytest.param(ELIZA, ["，。", "😀"], {}, ELIZA, id="punctuation and emoji hotwords"),
    pytest.param("我有2024个", ["2024"], {}, "我有2024个", id="digit hotword"),
    # ---- hotwords that are errors
    pytest.param(ELIZA, None, {}, (InputError, "pass a list of strings"), id="None hotwords"),
    pytest.param(ELIZA, "伊丽莎白", {}, (InputError, "wrap it in a list"), id="single string"),
    pytest.param(ELIZA, b"x", {}, (InputError, "wrap it in a list"), id="bytes hotwords"),
    pytest.param(ELIZA, 5, {}, (InputError, "list of strings"), id="int hotwords"),
    pytest.param(ELIZA, [""], {}, (InputError, "non-empty string"), id="empty-string hotword"),
    pytest.param(ELIZA, ["  "], {}, (InputError, "non-empty string"), id="blank hotword"),
    pytest.param(ELIZA, [1], {}, (InputError, "a string, a Hotword or a mapping"),
                 id="int hotword"),
    pytest.param(
        ELIZA, [{"text": "伊丽莎白", "alias": ["x"]}], {}, (InputError, "alias"), id="bad mapping"
    ),
    pytest.param(
        ELIZA, [Hotword("伊丽莎白", aliases=("伊丽沙白",))], {}, FIXED, id="alias hotword"
    ),
    # ---- confidences
    pytest.param("你好", WORDS, {"confidences": [1.5, 0.2]}, (InputError, "math.exp()"),
                 id="confidence above 1"),
    pytest.param("你好", WORDS, {"confidences": [-0.2, 0.2]}, (InputError, "outside [0, 1]"),
                 id="confidence below 0"),
    pytest.param("你好", WORDS, {"confidences": [math.nan, 0.2]}, (InputError, "outside [0, 1]"),
                 id="NaN confidence"),
    pytest.param("你好", WORDS, {"confidences": [0.2]},
                 (LengthMismatchError, "one value per token"), id="too few confidences"),
    pytest.param("你好", WORDS, {"confidences": [0.2] * 3},
                 (LengthMismatchError, "3 values but the text has 2 tokens"),
                 id="too many confidences"),
    pytest.param("你好", WORDS, {"confidences": "0.5"}, (InputError, "must be a list"),
                 id="confidences as a string"),
    # ---- values given for separators are checked too (issue 16, finding 6)
    pytest.param("你好，", WORDS, {"confidences": [0.5, 0.5, "garbage"]},
                 (InputError, "confidences[2]"), id="garbage separator confidence"),
    pytest.param("你好，", WORDS, {"confidences": [0.5, 0.5, 7.0]},
                 (InputError, "outside [0, 1]"), id="separator confidence above 1"),
    pytest.param("你好，", WORDS, {"confidences": [0.5, 0.5, None]}, "你好，",
                 id="None separator confidence"),
    pytest.param("你好，", WORDS, {"timestamps": [(0, 1), (1, 2), "garbage"]},
                 (InputError, "timestamps[2]"), id="garbage separator time"),
    pytest.param("你好，", WORDS, {"timestamps": [(0, 1), (1, 2), (3, 1)]},
                 (InputError, "before start"), id="reversed separator time"),
    pytest.param("abc", WORDS, {"timestamps": [(0, 1), (1, "x"), (2, 3)]},
                 (InputError, "number of seconds"), id="bad time inside a word"),
    # ---- times (finding 5): what cannot be a time is rejected at once ...
    pytest.param("你好", WORDS, {"timestamps": [(0, 1), (1, math.inf)]},
                 (InputError, "finite"), id="infinite time"),
    pytest.param("你好", WORDS, {"timestamps": [(0, 1), (-1, 2)]},
                 (InputError, "non-negative"), id="negative time"),
    # ... a recognizer's odd but possible times go through
    pytest.param(ELIZA, WORDS, {"timestamps": [(11 - i, 12 - i) for i in range(12)]}, FIXED,
                 id="decreasing times"),
    pytest.param(ELIZA, WORDS, {"timestamps": [(0, 0)] * 12}, FIXED, id="zero times"),
    pytest.param(ELIZA, WORDS, {"timestamps": [(1e308, 1.7e308)] * 12}, FIXED,
                 id="times near the float limit"),
    pytest.param(ELIZA, WORDS, {"timestamps": [(i * 0.3, i * 0.3 + 1) for i in range(12)]},
                 FIXED, id="overlapping times"),
    # ---- invisible characters in hotwords (finding 6)
    pytest.param("你\u200b好", [{"text": "伊丽莎白", "aliases": ["\u200b"]}], {},
                 (InputError, "U+200B"), id="zero-width alias"),
    pytest.param("你\x00好", [{"text": "伊丽莎白", "aliases": ["\x00"]}], {},
                 (InputError, "U+0000"), id="NUL alias"),
    pytest.param(ELIZA, ["伊丽\u202e莎白"], {}, (InputError, "U+202E"), id="bidi in a hotword"),
    pytest.param(ELIZA, [{"text": "达西", "block_contexts": ["马\u200d达西"]}], {},
                 (InputError, "U+200D"), id="zero-width joiner in a blocking context"),
    # ---- a JSON-looking text nested too deep is text (finding 7)
    pytest.param('{"a":' * 50_000 + "1" + "}" * 50_000, WORDS, {},
                 '{"a":' * 50_000 + "1" + "}" * 50_000, id="deeply nested JSON text"),
    # ---- config
    pytest.param(ELIZA, WORDS, {"threshold": math.inf}, (ConfigError, "finite number"),
                 id="infinite threshold"),
    pytest.param(ELIZA, WORDS, {"treshold": 1.0}, (ConfigError, "known:"), id="misspelt option"),
    # hostile configs (issue 16, finding 10): wrong types, negative or NaN costs
    pytest.param(ELIZA, WORDS, {"costs": 5}, (ConfigError, "table of costs"), id="costs = 5"),
    pytest.param(ELIZA, WORDS, {"costs": {"bogus": 1}}, (ConfigError, "unknown costs"),
                 id="unknown cost"),
    pytest.param(ELIZA, WORDS, {"costs": {"indel_cost": -1.0}}, (ConfigError, "above 0"),
                 id="negative indel cost"),
    pytest.param(ELIZA, WORDS, {"costs": {"tone_cost": -0.5}}, (ConfigError, "0 or more"),
                 id="negative tone cost"),
    pytest.param(ELIZA, WORDS, {"costs": {"fuzzy_final_cost": math.nan}},
                 (ConfigError, "finite number"), id="NaN cost"),
    pytest.param(ELIZA, WORDS, {"costs": {"max_cost": "1"}}, (ConfigError, "finite number"),
                 id="cost as a string"),
    pytest.param(ELIZA, WORDS, {"costs": {"fuzzy_initials": [["z"]]}}, (ConfigError, "pairs"),
                 id="one-item fuzzy pair"),
    pytest.param(ELIZA, WORDS, {"costs": {"fuzzy_initials": [["z", "z"]]}},
                 (ConfigError, "two different strings"), id="fuzzy pair of one initial"),
    pytest.param(ELIZA, WORDS, {"model": "x"}, (ConfigError, "table of coefficients"),
                 id="model = x"),
    pytest.param(ELIZA, WORDS, {"model": {"with_conf": 3, "no_conf": {}}},
                 (ConfigError, "with_conf"), id="model table of the wrong type"),
    pytest.param(ELIZA, WORDS, {"model": {"with_conf": {"bias": True}, "no_conf": {}}},
                 (ConfigError, "finite number"), id="boolean coefficient"),
    pytest.param(ELIZA, WORDS, {"costs": {"tone_cost": 0.2}}, FIXED, id="a valid cost"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "hotwords", "kwargs", "outcome"), CASES)
def test_bad_input(
    text: Any,
    hotwords: Any,
    kwargs: dict[str, Any],
    outcome: Outcome,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if isinstance(outcome, str):
        with caplog.at_level(logging.DEBUG, logger="hotfuse"):
            result = fuse(text, hotwords, **kwargs)
        assert not [r for r in caplog.records if "RecursionError" in r.getMessage()]
        assert result.text == outcome
        assert result.source.text == text
        for rep in result.replacements:
            assert text[rep.start : rep.end] == rep.original
    else:
        error, phrase = outcome
        with pytest.raises(error) as info:
            fuse(text, hotwords, **kwargs)
        assert isinstance(info.value, HotfuseError)
        assert phrase in str(info.value), str(info.value)
