"""Transcripts: recognized text with optional per-token times and confidences.

A :class:`Transcript` is the text a recognizer produced plus the tokens it is made of.
Tokens are whatever unit the recognizer scores: one CJK character (Paraformer), a whole
word (Vosk, Whisper) or a sub-word piece (sherpa-onnx BPE). Each token knows where it sits
in the text (half-open character offsets), so punctuation, spaces and case outside tokens
survive fusion byte for byte.

Example:
    >>> from hotfuse import Transcript
    >>> t = Transcript.from_text("用 PyTorch 训练", confidences=[0.9, 0.4, 0.8, 0.7])
    >>> [(tok.text, tok.confidence) for tok in t.tokens]
    [('用', 0.9), ('PyTorch', 0.4), ('训', 0.8), ('练', 0.7)]
    >>> t.spans
    ((0, 1), (2, 9), (10, 11), (11, 12))
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from hotfuse.errors import InputError, LengthMismatchError

__all__ = ["Token", "Transcript", "is_cjk", "plain_token", "split_time", "tokenize"]


def is_cjk(ch: str) -> bool:
    """True for a character that is one syllable / one token on its own (Han, kana, hangul).

    >>> is_cjk("中"), is_cjk("a"), is_cjk("，")
    (True, False, False)
    """
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= cp <= 0x4DBF  # Extension A
        or 0x20000 <= cp <= 0x2EBEF  # Extensions B-F
        or 0xF900 <= cp <= 0xFAFF  # Compatibility Ideographs
        or 0x3040 <= cp <= 0x30FF  # Hiragana, Katakana
        or 0xAC00 <= cp <= 0xD7AF  # Hangul syllables
        or cp == 0x3007  # 〇
    )


def _is_word_char(ch: str) -> bool:
    """Letters and digits of alphabetic scripts (ASCII, full-width, accented Latin...)."""
    return ch.isalnum() and not is_cjk(ch)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into token spans: one per CJK character, one per Latin/digit word.

    A word is a run of letters/digits, which may hold an apostrophe or a dot between two
    of them (``don't``, ``3.5``). Everything else (spaces, punctuation, emoji) separates
    tokens and belongs to none.

    >>> tokenize("我用GPT-4o, 3.5倍")
    [(0, 1), (1, 2), (2, 5), (6, 8), (10, 13), (13, 14)]
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for run in _CJK_RUN.finditer(text):  # a run of CJK characters: one token each
        s, e = run.span()
        if pos < s:
            _tokenize_other(text, pos, s, spans)
        spans.extend(zip(range(s, e), range(s + 1, e + 1), strict=True))
        pos = e
    if pos < len(text):
        _tokenize_other(text, pos, len(text), spans)
    return spans


#: A run of the characters :func:`is_cjk` accepts (its ranges; tests/test_transcript.py
#: checks the two agree on every code point).
_CJK_RUN = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ebef\uf900-\ufaff"
    "\u3040-\u30ff\uac00-\ud7af\u3007]+"
)


def _tokenize_other(text: str, i: int, n: int, spans: list[tuple[int, int]]) -> None:
    """The tokens of ``text[i:n]``, which holds no CJK character (:func:`tokenize`)."""
    while i < n:
        if _is_word_char(text[i]):
            j = i + 1
            while j < n:
                if _is_word_char(text[j]) or (
                    text[j] in "'.’"
                    and j + 1 < n
                    and _is_word_char(text[j + 1])
                    and _is_word_char(text[j - 1])
                ):
                    j += 1
                else:
                    break
            spans.append((i, j))
            i = j
        else:
            i += 1


def _check_prob(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where}: confidence must be a number in [0, 1] or None, got {value!r}"
        raise InputError(msg)
    v = float(value)
    if math.isnan(v) or v < 0.0 or v > 1.0:
        msg = (
            f"{where}: confidence {v!r} is outside [0, 1]; convert log-probabilities "
            "with math.exp() or use the recognizer's frontend (hotfuse.frontends)"
        )
        raise InputError(msg)
    return v


def _check_time(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where}: time must be a number of seconds or None, got {value!r}"
        raise InputError(msg)
    v = float(value)
    if not math.isfinite(v) or v < 0.0:
        msg = f"{where}: time {v!r} must be a finite, non-negative number of seconds"
        raise InputError(msg)
    return v


@dataclass(frozen=True, slots=True)
class Token:
    """One recognized unit.

    Attributes:
        text: the token as it appears in the transcript text.
        start: start time in seconds, or None.
        end: end time in seconds, or None.
        confidence: the recognizer's probability for this token in [0, 1], or None.
    """

    text: str
    start: float | None = None
    end: float | None = None
    confidence: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text:
            msg = f"Token.text must be a non-empty string, got {self.text!r}"
            raise InputError(msg)
        if self.confidence is not None:
            object.__setattr__(self, "confidence", _check_prob(self.confidence, "Token"))
        if self.start is not None:
            object.__setattr__(self, "start", _check_time(self.start, "Token.start"))
        if self.end is not None:
            object.__setattr__(self, "end", _check_time(self.end, "Token.end"))
        if self.start is not None and self.end is not None and self.end < self.start:
            msg = f"Token {self.text!r}: end {self.end} is before start {self.start}"
            raise InputError(msg)


@dataclass(frozen=True, slots=True)
class Transcript:
    """Text plus the tokens it is made of.

    Build one with :meth:`from_text` (tokenises the text itself) or :meth:`from_tokens`
    (tokens from a recognizer; the text is given or joined from them). ``spans[i]`` is the
    half-open character range of ``tokens[i]`` in ``text``; spans are increasing and do
    not overlap. Characters in no span (spaces, punctuation) are never changed by fusion.
    """

    text: str
    tokens: tuple[Token, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    _char_token: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            msg = f"Transcript.text must be a string, got {type(self.text).__name__}"
            raise InputError(msg)
        if len(self.tokens) != len(self.spans):
            msg = (
                f"Transcript has {len(self.tokens)} tokens but {len(self.spans)} spans; "
                "use Transcript.from_text() or Transcript.from_tokens() to build one"
            )
            raise LengthMismatchError(msg, expected=len(self.tokens), got=len(self.spans))
        owner = [-1] * len(self.text)
        prev_end = 0
        for k, (tok, (s, e)) in enumerate(zip(self.tokens, self.spans, strict=True)):
            if not (prev_end <= s < e <= len(self.text)) or self.text[s:e] != tok.text:
                msg = (
                    f"token {k} {tok.text!r} does not sit at {s}:{e} of the text "
                    f"({self.text[s:e]!r}); spans must be increasing and match the text"
                )
                raise InputError(msg)
            for i in range(s, e):
                owner[i] = k
            prev_end = e
        object.__setattr__(self, "_char_token", tuple(owner))

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_text(
        cls,
        text: str,
        confidences: Sequence[float | None] | None = None,
        timestamps: Sequence[Sequence[float] | None] | None = None,
    ) -> Transcript:
        """Tokenise ``text`` (one token per CJK character or Latin/digit word).

        Args:
            text: the recognized text; spaces and punctuation are kept as they are.
            confidences: one value per token, or one per character of the tokens (a Latin
                word then takes the minimum over its letters), or one per non-space
                character (punctuation values are ignored). Values in [0, 1] or None.
            timestamps: ``(start, end)`` in seconds, one pair per token (or per token
                character, as for confidences).

        Raises:
            LengthMismatchError: a list has a length that fits none of the above; the
                message names both lengths.

        >>> Transcript.from_text("你好", confidences=[0.5, 0.25]).tokens[1]
        Token(text='好', start=None, end=None, confidence=0.25)
        """
        if not isinstance(text, str):
            msg = f"text must be a string, got {type(text).__name__}"
            raise InputError(msg)
        if confidences is None and timestamps is None:  # plain text: nothing to check
            if _CJK_RUN.fullmatch(text) is not None:  # CJK only: one token a character
                n = len(text)
                spans = list(zip(range(n), range(1, n + 1), strict=True))
                return cls._trusted(text, tuple(map(plain_token, text)), spans)
            spans = tokenize(text)
            return cls._trusted(text, tuple(map(plain_token, [text[s:e] for s, e in spans])), spans)
        spans = tokenize(text)
        confs = _per_token(text, spans, confidences, "confidences", _min_or_none)
        times = _per_token(text, spans, timestamps, "timestamps", _span_or_none)
        tokens = []
        for k, (s, e) in enumerate(spans):
            start = end = None
            tm = times[k] if times is not None else None
            if tm is not None:
                start, end = _pair(tm, k)  # type: ignore[arg-type]
            c = confs[k] if confs is not None else None
            tokens.append(Token(text[s:e], start, end, c))  # type: ignore[arg-type]
        return cls(text, tuple(tokens), tuple(spans))

    @classmethod
    def _trusted(
        cls, text: str, tokens: tuple[Token, ...], spans: Sequence[tuple[int, int]]
    ) -> Transcript:
        """A transcript whose spans are known to be increasing and to match ``tokens``
        (the engine's own: tokenised text, a fused text); skips ``__post_init__``'s check."""
        if len(spans) == len(text):  # one character per token (most Chinese text)
            owner: Sequence[int] = range(len(text))
        else:
            owner = [-1] * len(text)
            for k, (s, e) in enumerate(spans):
                if e - s == 1:
                    owner[s] = k
                else:
                    owner[s:e] = [k] * (e - s)
        out = object.__new__(cls)
        object.__setattr__(out, "text", text)
        object.__setattr__(out, "tokens", tokens)
        object.__setattr__(out, "spans", tuple(spans))
        object.__setattr__(out, "_char_token", tuple(owner))
        return out

    @classmethod
    def from_tokens(cls, tokens: Iterable[Token], text: str | None = None) -> Transcript:
        """Build a transcript from recognizer tokens.

        Args:
            tokens: the tokens in order.
            text: the text they appear in. Each token is looked up in order (separators
                such as spaces and punctuation may stand between them). When None, the
                tokens are joined, with a space between two alphabetic tokens.

        >>> t = Transcript.from_tokens([Token("hi", 0.0, 0.2), Token("you", 0.2, 0.4), Token("世")])
        >>> t.text, t.spans
        ('hi you世', ((0, 2), (3, 6), (6, 7)))
        """
        toks = tuple(tokens)
        for tok in toks:
            if not isinstance(tok, Token):
                msg = f"from_tokens() takes Token objects, got {type(tok).__name__}"
                raise InputError(msg)
        spans: list[tuple[int, int]] = []
        if text is None:
            parts: list[str] = []
            pos = 0
            for tok in toks:
                if parts and _is_word_char(parts[-1][-1]) and _is_word_char(tok.text[0]):
                    parts.append(" ")
                    pos += 1
                parts.append(tok.text)
                spans.append((pos, pos + len(tok.text)))
                pos += len(tok.text)
            return cls("".join(parts), toks, tuple(spans))
        if not isinstance(text, str):
            msg = f"text must be a string or None, got {type(text).__name__}"
            raise InputError(msg)
        pos = 0
        for k, tok in enumerate(toks):
            at = text.find(tok.text, pos)
            if at < 0:
                msg = f"token {k} {tok.text!r} not found in the text after offset {pos}"
                raise InputError(msg)
            spans.append((at, at + len(tok.text)))
            pos = at + len(tok.text)
        return cls(text, toks, tuple(spans))

    # ------------------------------------------------------------------ readers
    @property
    def has_confidences(self) -> bool:
        """True when at least one token carries a confidence."""
        for t in self.tokens:  # noqa: SIM110 (a generator in any() costs 3x as much a token)
            if t.confidence is not None:
                return True
        return False

    @property
    def has_times(self) -> bool:
        """True when at least one token carries a start or end time."""
        return any(t.start is not None or t.end is not None for t in self.tokens)

    def token_at(self, char_index: int) -> int:
        """Index of the token covering ``text[char_index]``, or -1 for a separator."""
        return self._char_token[char_index]

    def char_confidences(self) -> list[float | None]:
        """One confidence per character of ``text`` (a token's value on all its chars)."""
        out: list[float | None] = [None] * len(self.text)
        for tok, (s, e) in zip(self.tokens, self.spans, strict=True):
            for i in range(s, e):
                out[i] = tok.confidence
        return out

    def span_confidence(self, start: int, end: int) -> float | None:
        """Mean confidence of the tokens overlapping ``text[start:end]`` (None if unknown)."""
        vals = []
        seen = set()
        for i in range(start, end):
            k = self._char_token[i]
            if k >= 0 and k not in seen:
                seen.add(k)
                c = self.tokens[k].confidence
                if c is not None:
                    vals.append(c)
        return sum(vals) / len(vals) if vals else None

    def span_times(self, start: int, end: int) -> tuple[float | None, float | None]:
        """Start and end time of ``text[start:end]``, splitting partial tokens by chars."""
        first: float | None = None
        last: float | None = None
        ks = sorted({k for k in self._char_token[start:end] if k >= 0})
        for k in ks:
            s, e = self.spans[k]
            ts, te = _split_times(self.tokens[k], s, e, max(s, start), min(e, end))
            if first is None and ts is not None:
                first = ts
            if te is not None:
                last = te
        return first, last

    def __len__(self) -> int:
        return len(self.tokens)

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=1 << 15)
def plain_token(text: str) -> Token:
    """``Token(text)`` without times or confidence, one shared instance per text (tokens
    are frozen values; plain transcripts hold mostly the same few thousand characters).

    >>> plain_token("好") == Token("好") and plain_token("好") is plain_token("好")
    True
    """
    return Token(text)


def split_time(t0: float, t1: float, part: int, whole: int) -> float:
    """The time ``part/whole`` of the way from ``t0`` to ``t1`` (``t0 <= t1``), exactly
    ``t0`` and ``t1`` at the ends and never outside them (no overflow near 1e308).

    >>> split_time(1.0, 2.0, 1, 4), split_time(0.1, 0.7, 3, 3)
    (1.25, 0.7)
    """
    if part <= 0:
        return t0
    if part >= whole:
        return t1
    return min(max(t0 + (t1 - t0) * (part / whole), t0), t1)


def _split_times(tok: Token, s: int, e: int, a: int, b: int) -> tuple[float | None, float | None]:
    """Times of characters a..b of a token spanning s..e, proportional to characters."""
    if tok.start is None or tok.end is None:
        return (tok.start if a == s else None, tok.end if b == e else None)
    n = e - s
    return split_time(tok.start, tok.end, a - s, n), split_time(tok.start, tok.end, b - s, n)


def _pair(value: Sequence[float] | None, k: int) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    try:
        start, end = value
    except (TypeError, ValueError):
        msg = f"timestamps[{k}] must be a (start, end) pair in seconds, got {value!r}"
        raise InputError(msg) from None
    return start, end


def _check_conf_value(value: object, i: int) -> None:
    _check_prob(value, f"confidences[{i}]")


def _check_time_value(value: object, i: int) -> None:
    if value is None:
        return
    start, end = _pair(value, i)  # type: ignore[arg-type]
    a = _check_time(start, f"timestamps[{i}] start")
    b = _check_time(end, f"timestamps[{i}] end")
    if a is not None and b is not None and b < a:
        msg = f"timestamps[{i}]: end {b} is before start {a}"
        raise InputError(msg)


def _min_or_none(values: list[object]) -> object:
    nums = [v for v in values if v is not None]
    if not nums:
        return None
    return min(nums)  # type: ignore[type-var]


def _span_or_none(values: list[object]) -> object:
    pairs = [v for v in values if v is not None]
    if not pairs:
        return None
    first = _pair(pairs[0], 0)  # type: ignore[arg-type]
    last = _pair(pairs[-1], 0)  # type: ignore[arg-type]
    return (first[0], last[1])


def _per_token(
    text: str,
    spans: list[tuple[int, int]],
    values: Sequence[object] | None,
    name: str,
    reduce: object,
) -> list[object] | None:
    """Map a per-token, per-token-character or per-non-space-character list to tokens."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        msg = f"{name} must be a list with one value per token, got {type(values).__name__}"
        raise InputError(msg)
    vals = list(values)
    n_tok = len(spans)
    if len(vals) == n_tok:
        return vals
    n_chars = sum(e - s for s, e in spans)
    nonspace = [i for i, ch in enumerate(text) if not ch.isspace()]
    red = reduce  # a callable list -> value
    if len(vals) in (n_chars, len(nonspace)):
        # every value is checked, those of separators (which are ignored) too
        check = _check_conf_value if name == "confidences" else _check_time_value
        for i, v in enumerate(vals):
            check(v, i)
    if len(vals) == n_chars:
        out: list[object] = []
        pos = 0
        for s, e in spans:
            out.append(red(vals[pos : pos + e - s]))  # type: ignore[operator]
            pos += e - s
        return out
    if len(vals) == len(nonspace):
        index = {ci: vi for vi, ci in enumerate(nonspace)}
        return [red([vals[index[i]] for i in range(s, e)]) for s, e in spans]  # type: ignore[operator]
    msg = (
        f"{name} has {len(vals)} values but the text has {n_tok} tokens "
        f"({n_chars} token characters, {len(nonspace)} non-space characters); "
        "give one value per token or per character"
    )
    raise LengthMismatchError(msg, expected=n_tok, got=len(vals))
