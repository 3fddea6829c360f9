"""Transcript and Token: tokenisation, confidences, times, validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfuse.errors import HotfuseError, InputError, LengthMismatchError
from hotfuse.transcript import Token, Transcript, is_cjk, tokenize


def words(text: str) -> list[str]:
    return [text[s:e] for s, e in tokenize(text)]


# ------------------------------------------------------------------ tokenisation
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你好世界", ["你", "好", "世", "界"]),
        ("我用GPT-4o, 3.5倍", ["我", "用", "GPT", "4o", "3.5", "倍"]),
        ("用 PyTorch 训练", ["用", "PyTorch", "训", "练"]),
        ("你好，世界！", ["你", "好", "世", "界"]),
        ("好😀好", ["好", "好"]),
        ("don't stop", ["don't", "stop"]),
        ("ＡＢＣ１２３中", ["ＡＢＣ１２３", "中"]),  # full-width letters/digits are one word
        ("café 咖啡", ["café", "咖", "啡"]),
        ("2024年", ["2024", "年"]),
        ("〇一", ["〇", "一"]),
        ("a.b. c", ["a.b", "c"]),  # a dot only inside a word
        ("", []),
        ("   ，。！？", []),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def _tokenize_char_by_char(text: str) -> list[tuple[int, int]]:
    """The tokenisation rule, one character at a time (what tokenize must agree with)."""

    def word(ch: str) -> bool:
        return ch.isalnum() and not is_cjk(ch)

    spans, i = [], 0
    while i < len(text):
        if is_cjk(text[i]):
            spans.append((i, i + 1))
            i += 1
        elif word(text[i]):
            j = i + 1
            while j < len(text) and (
                word(text[j])
                or (
                    text[j] in "'.’"
                    and j + 1 < len(text)
                    and word(text[j + 1])
                    and word(text[j - 1])
                )
            ):
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


@given(
    st.text(
        alphabet=st.sampled_from(list("伊丽莎白か한〇aZé1２.'’- ，😀")) | st.characters(),
        max_size=30,
    )
)
def test_tokenize_is_the_rule_char_by_char(text: str) -> None:
    """tokenize takes runs of CJK characters whole (a regular expression); the tokens
    are the ones the rule gives character by character."""
    assert tokenize(text) == _tokenize_char_by_char(text)


@given(
    st.text(alphabet=st.sampled_from(list("伊丽莎白か한〇𠀀aZ1 ，")), max_size=30)
    | st.text(alphabet=st.sampled_from(list("伊丽莎白か한〇𠀀")), max_size=30)
)
def test_plain_text_transcripts_are_the_checked_ones(text: str) -> None:
    """from_text on plain text (CJK only, or anything) gives the transcript the checked
    constructor builds from tokenize's spans."""
    spans = tokenize(text)
    want = Transcript(text, tuple(Token(text[s:e]) for s, e in spans), tuple(spans))
    got = Transcript.from_text(text)
    assert got == want
    assert [got.token_at(i) for i in range(len(text))] == [
        want.token_at(i) for i in range(len(text))
    ]


def test_the_cjk_run_pattern_is_is_cjk() -> None:
    from hotfuse.transcript import _CJK_RUN

    bad = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and (_CJK_RUN.fullmatch(chr(cp)) is not None) != is_cjk(chr(cp))
    ]
    assert bad == []


def test_is_cjk() -> None:
    assert is_cjk("中") and is_cjk("𠀀") and is_cjk("か")
    assert not is_cjk("a") and not is_cjk("，") and not is_cjk("1") and not is_cjk("😀")


def test_from_text_spans_index_the_text() -> None:
    t = Transcript.from_text("我用 py torch，很好")
    assert [t.text[s:e] for s, e in t.spans] == [tok.text for tok in t.tokens]
    assert t.token_at(0) == 0
    assert t.token_at(2) == -1  # the space belongs to no token
    assert str(t) == "我用 py torch，很好"
    assert len(t) == 6


# ------------------------------------------------------------------ confidences
def confs(t: Transcript) -> list[float | None]:
    return [tok.confidence for tok in t.tokens]


def test_confidences_per_token() -> None:
    t = Transcript.from_text("用 PyTorch 训练", confidences=[0.9, 0.4, 0.8, 0.7])
    assert confs(t) == [0.9, 0.4, 0.8, 0.7]
    assert t.has_confidences and not t.has_times


def test_confidences_per_token_character_latin_word_takes_the_minimum() -> None:
    per_char = [0.9, 0.4, 0.3, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7]  # 用 P y t o r c h 训 练
    t = Transcript.from_text("用 PyTorch 训练", confidences=per_char)
    assert confs(t) == [0.9, 0.3, 0.8, 0.7]


def test_confidences_per_non_space_character_skip_punctuation() -> None:
    t = Transcript.from_text("你好，世界", confidences=[0.9, 0.8, 0.1, 0.7, 0.6])
    assert confs(t) == [0.9, 0.8, 0.7, 0.6]


def test_confidences_may_hold_none() -> None:
    t = Transcript.from_text("你好", confidences=[None, 0.5])
    assert confs(t) == [None, 0.5]
    assert t.span_confidence(0, 2) == 0.5
    assert t.span_confidence(0, 1) is None


@pytest.mark.parametrize(("n", "text"), [(3, "你好"), (1, "你好"), (5, "用 PyTorch 训练")])
def test_length_mismatch_names_both_lengths(n: int, text: str) -> None:
    with pytest.raises(LengthMismatchError) as info:
        Transcript.from_text(text, confidences=[0.5] * n)
    n_tokens = len(tokenize(text))
    assert info.value.got == n and info.value.expected == n_tokens
    message = str(info.value)
    assert f"{n} values" in message and f"{n_tokens} tokens" in message
    assert "one value per token" in message
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, "0.5", True])
def test_confidence_out_of_range_or_not_a_number(bad: object) -> None:
    with pytest.raises(InputError, match="confidence"):
        Transcript.from_text("你好", confidences=[0.5, bad])  # type: ignore[list-item]


def test_log_probabilities_are_rejected_with_advice() -> None:
    with pytest.raises(InputError, match=r"math\.exp"):
        Transcript.from_text("你好", confidences=[-0.1, -2.3])


def test_confidences_must_be_a_list() -> None:
    with pytest.raises(InputError, match="list"):
        Transcript.from_text("你好", confidences="0.5")  # type: ignore[arg-type]


def test_span_confidence_is_the_mean_of_overlapping_tokens() -> None:
    t = Transcript.from_text("用 PyTorch 训练", confidences=[0.9, 0.4, 0.8, 0.6])
    assert t.span_confidence(10, 12) == pytest.approx(0.7)
    assert t.span_confidence(3, 5) == pytest.approx(0.4)  # part of a token: its value
    assert t.span_confidence(0, 12) == pytest.approx((0.9 + 0.4 + 0.8 + 0.6) / 4)
    assert t.span_confidence(1, 2) is None  # a space only
    assert Transcript.from_text("你好").span_confidence(0, 2) is None


def test_char_confidences() -> None:
    t = Transcript.from_text("你 好", confidences=[0.2, 0.4])
    assert t.char_confidences() == [0.2, None, 0.4]


# ------------------------------------------------------------------ times
def test_timestamps_per_token_and_span_times() -> None:
    t = Transcript.from_text("你好 world", timestamps=[(0.0, 0.2), (0.2, 0.4), (0.5, 1.0)])
    assert [(tok.start, tok.end) for tok in t.tokens] == [(0.0, 0.2), (0.2, 0.4), (0.5, 1.0)]
    assert t.has_times
    assert t.span_times(0, 2) == (0.0, 0.4)
    assert t.span_times(1, 8) == (0.2, 1.0)


def test_span_times_split_a_partial_token_in_proportion_to_characters() -> None:
    t = Transcript.from_text("world", timestamps=[(1.0, 2.0)])
    start, end = t.span_times(1, 3)  # "or": characters 1..3 of 5
    assert start == pytest.approx(1.2) and end == pytest.approx(1.6)


def test_span_times_without_times() -> None:
    assert Transcript.from_text("你好").span_times(0, 2) == (None, None)


def test_timestamps_per_token_character() -> None:
    t = Transcript.from_text("a你", timestamps=[(0.0, 0.1), (0.1, 0.3)])
    assert (t.tokens[0].start, t.tokens[0].end) == (0.0, 0.1)
    t = Transcript.from_text("ab 你", timestamps=[(0.0, 0.1), (0.1, 0.2), (0.3, 0.4)])
    assert [(tok.start, tok.end) for tok in t.tokens] == [(0.0, 0.2), (0.3, 0.4)]


@pytest.mark.parametrize(
    ("timestamps", "phrase"),
    [
        ([(0.0, 0.2), (0.2,)], "(start, end) pair"),
        ([(0.3, 0.2), (0.3, 0.4)], "before start"),
        ([(-1.0, 0.2), (0.3, 0.4)], "non-negative"),
        ([(0.0, 0.2), (0.3, math.nan)], "non-negative"),
        ([(0.0, 0.2), ("a", 0.4)], "number of seconds"),
    ],
)
def test_bad_timestamps(timestamps: list[tuple[object, ...]], phrase: str) -> None:
    with pytest.raises(InputError) as info:
        Transcript.from_text("你好", timestamps=timestamps)  # type: ignore[arg-type]
    assert phrase in str(info.value)


def test_timestamps_length_mismatch() -> None:
    with pytest.raises(LengthMismatchError, match="timestamps has 1 values"):
        Transcript.from_text("你好", timestamps=[(0.0, 0.2)])


# ------------------------------------------------------------------ from_tokens
def test_from_tokens_without_text_joins_with_spaces_between_words() -> None:
    toks = [Token("hello", 0.0, 0.4), Token("world", 0.4, 0.8), Token("世", 0.8, 1.0)]
    t = Transcript.from_tokens(toks)
    assert t.text == "hello world世"
    assert t.spans == ((0, 5), (6, 11), (11, 12))
    assert t.tokens == tuple(toks)


def test_from_tokens_with_text_finds_each_token_in_order() -> None:
    toks = [Token("你好", confidence=0.5), Token("世界", confidence=0.9)]
    t = Transcript.from_tokens(toks, "你好，世界！")
    assert t.spans == ((0, 2), (3, 5))
    assert t.span_confidence(3, 4) == 0.9


def test_from_tokens_with_subword_pieces() -> None:
    toks = [Token("Py"), Token("Tor"), Token("ch")]
    t = Transcript.from_tokens(toks, "PyTorch")
    assert t.spans == ((0, 2), (2, 5), (5, 7))


def test_from_tokens_errors() -> None:
    with pytest.raises(InputError, match="not found"):
        Transcript.from_tokens([Token("你"), Token("坏")], "你好")
    with pytest.raises(InputError, match="Token objects"):
        Transcript.from_tokens(["你"])  # type: ignore[list-item]
    with pytest.raises(InputError, match="string or None"):
        Transcript.from_tokens([Token("你")], 5)  # type: ignore[arg-type]


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"text": ""}, "non-empty string"),
        ({"text": "好", "confidence": 2.0}, "outside [0, 1]"),
        ({"text": "好", "start": 1.0, "end": 0.5}, "before start"),
        ({"text": "好", "start": -0.5}, "non-negative"),
        ({"text": "好", "start": 0.0, "end": math.inf}, "finite"),
        ({"text": "好", "start": math.inf}, "finite"),
        ({"text": 5}, "non-empty string"),
    ],
)
def test_token_validation(kwargs: dict[str, object], phrase: str) -> None:
    with pytest.raises(InputError) as info:
        Token(**kwargs)  # type: ignore[arg-type]
    assert phrase in str(info.value)


def test_token_converts_ints() -> None:
    tok = Token("好", 0, 1, 1)
    assert (tok.start, tok.end, tok.confidence) == (0.0, 1.0, 1.0)
    assert isinstance(tok.confidence, float)


def test_transcript_validation() -> None:
    with pytest.raises(LengthMismatchError, match="from_text"):
        Transcript("你好", (Token("你"),), ())
    with pytest.raises(InputError, match="spans must be increasing"):
        Transcript("你好", (Token("你"), Token("好")), ((1, 2), (0, 1)))
    with pytest.raises(InputError, match="does not sit"):
        Transcript("你好", (Token("好"),), ((0, 1),))
    with pytest.raises(InputError, match="must be a string"):
        Transcript(None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be a string"):
        Transcript.from_text(b"abc")  # type: ignore[arg-type]


def test_every_error_is_a_hotfuse_error() -> None:
    with pytest.raises(HotfuseError):
        Transcript.from_text(123)  # type: ignore[arg-type]


def test_transcripts_are_frozen_and_comparable() -> None:
    a = Transcript.from_text("你好", confidences=[0.5, 0.5])
    b = Transcript.from_text("你好", confidences=[0.5, 0.5])
    assert a == b
    with pytest.raises(AttributeError):
        a.text = "x"  # type: ignore[misc]
