"""Shared helpers of the frontends: field access, score/time conversion, write-back units.

Frontends read recognizer results by duck typing (a mapping key or an attribute of the same
name), so no recognizer package is imported here. Write-back starts from
:func:`fused_units`: the fused transcript's tokens, each tied to the source token it is a
copy of (``origin``), or grouped into one new unit per replacement, so that a frontend can
keep the recognizer's own entries (and their extra fields) for every unchanged token.
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from hotfuse.errors import FrontendOutputError, InputError
from hotfuse.result import FuseResult, Replacement
from hotfuse.transcript import Token, Transcript, is_cjk, tokenize

__all__ = [
    "MISSING",
    "OffsetMap",
    "PieceMap",
    "PieceWord",
    "Unit",
    "align_spans",
    "check_source",
    "clip_prob",
    "dump_like",
    "fill_times",
    "fused_units",
    "get",
    "group_pieces",
    "has",
    "insert_tags",
    "is_byte_level",
    "load_json",
    "load_json_field",
    "locate",
    "number",
    "piece_transcript",
    "prob_from_log",
    "rewrite_text",
    "split_unit",
    "strip_tags",
    "to_glyphs",
    "unchanged_copy",
    "write_pieces",
]

log = logging.getLogger("hotfuse")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: object = _Missing()


# --------------------------------------------------------------------------- reading
def load_json(raw: object) -> tuple[object, bool]:
    """Parse ``raw`` when it is a JSON object/array string (Vosk's ``Result()``, ...).

    Returns the parsed value and True, or ``raw`` unchanged and False.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw, False
    if isinstance(raw, str):
        s = raw.strip()
        if s[:1] in ("{", "["):
            try:
                return json.loads(s), True
            except (json.JSONDecodeError, RecursionError):  # not JSON, or nested too deep
                return raw, False
    return raw, False


def dump_like(value: object, was_json: bool, original: object = None) -> object:
    """Serialise ``value`` back to JSON when the input came as a JSON string, compact when
    ``original`` was (``{"a":1}``, as C++ ``nlohmann::json::dump()`` writes it)."""
    if not was_json:
        return value
    compact = isinstance(original, str) and '":' in original and '": ' not in original
    seps = (",", ":") if compact else None
    return json.dumps(value, ensure_ascii=False, separators=seps)


def load_json_field(value: object, where: str, frontend: str) -> object:
    """A field the recognizer double-encoded (a JSON list inside a JSON message).

    FunASR's websocket server sends ``"timestamp": "[[100,200],[200,500]]"``, 2023
    sherpa-onnx printed ``"timestamps": "[0.00, 0.20]"``, WeNet's websocket ``nbest`` is a
    JSON string: such a string is parsed; any other value is returned as it is.

    Raises:
        FrontendOutputError: the string is not valid JSON.
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        msg = (
            f"{frontend} result: {where} is a string but not the JSON list it should hold "
            f"({exc.msg} at {exc.pos}): {value[:40]!r}"
        )
        raise FrontendOutputError(msg) from None


def unchanged_copy(raw: object, was_json: bool, original: object) -> object:
    """What write-back returns when nothing was replaced: the recognizer's own result.

    A JSON string gives the very same string; any other value a deep copy (so the caller
    may change it without touching ``raw``), or the objects themselves when they cannot
    be copied (read-only recognizer result objects).
    """
    if was_json:
        return original
    try:
        return copy.deepcopy(raw)
    except Exception:  # objects of a recognizer binding (pybind11) that refuse copying
        return raw


def has(obj: object, name: str) -> bool:
    """True when ``obj`` has key or attribute ``name``."""
    if isinstance(obj, Mapping):
        return name in obj
    return not isinstance(obj, str | bytes) and hasattr(obj, name)


def get(obj: object, name: str, default: object = MISSING) -> object:
    """``obj[name]`` for a mapping, else ``getattr(obj, name)``; ``default`` when absent."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    if isinstance(obj, str | bytes):
        return default
    return getattr(obj, name, default)


def number(value: object, where: str, frontend: str) -> float:
    """A finite float, or FrontendOutputError naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:  # numpy scalars and the like
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            msg = f"{frontend} result: {where} must be a number, got {value!r}"
            raise FrontendOutputError(msg) from None
    else:
        v = float(value)
    if not math.isfinite(v):
        msg = f"{frontend} result: {where} must be a finite number, got {value!r}"
        raise FrontendOutputError(msg)
    return v


def clip_prob(value: float | None) -> float | None:
    """Clip a probability-like score into [0, 1]; NaN/None give None."""
    if value is None or math.isnan(value):
        return None
    return min(1.0, max(0.0, value))


def prob_from_log(value: float | None) -> float | None:
    """``exp(log_prob)`` clipped into [0, 1] (a log-prob above 0 is rounding noise)."""
    if value is None or math.isnan(value):
        return None
    if value >= 0.0:
        return 1.0
    return math.exp(value)


def locate(tokens: Sequence[Token], text: str) -> Transcript | None:
    """``Transcript.from_tokens(tokens, text)``, or None when a token is not in ``text``."""
    pos = 0
    for tok in tokens:
        at = text.find(tok.text, pos)
        if at < 0:
            return None
        pos = at + len(tok.text)
    return Transcript.from_tokens(tokens, text)


# --------------------------------------------------------------------------- sub-words
_BYTE_PIECE_LEN = 6  # "<0xE4>"


def _byte_of(piece: str) -> int | None:
    if len(piece) == _BYTE_PIECE_LEN and piece.startswith("<0x") and piece.endswith(">"):
        try:
            return int(piece[3:5], 16)
        except ValueError:
            return None
    return None


def _gpt2_byte_glyphs() -> dict[str, int]:
    """GPT-2's byte-level alphabet: the printable character standing for each byte."""
    keep = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    table = {chr(b): b for b in keep}
    extra = 0
    for b in range(256):
        if b not in keep:
            table[chr(256 + extra)] = b
            extra += 1
    return table


_GLYPHS = _gpt2_byte_glyphs()
_BYTE_GLYPH = {b: ch for ch, b in _GLYPHS.items()}


def is_byte_level(pieces: Sequence[str]) -> bool:
    """True for byte-level BPE pieces (GPT-2 glyphs standing for UTF-8 bytes)."""
    return _glyph_bytes(pieces) is not None


def to_glyphs(text: str) -> str:
    """``text`` as one byte-level BPE piece: ``to_glyphs(" 伊")`` is ``'Ġä¼Ĭ'``."""
    return "".join(_BYTE_GLYPH[b] for b in text.encode("utf-8"))


def _glyph_bytes(pieces: Sequence[str]) -> list[bytes] | None:
    """The bytes of byte-level BPE pieces (``'ä¼Ĭ'`` is the UTF-8 of ``伊``), or None
    when the pieces are not that (a CJK character, or glyphs that do not decode)."""
    if not pieces or not any(any(0x80 <= ord(ch) < 0x180 for ch in p) for p in pieces):
        return None
    if not all(all(ch in _GLYPHS for ch in p) for p in pieces):
        return None
    out = [bytes(_GLYPHS[ch] for ch in p) for p in pieces]
    try:
        b"".join(out).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return out


def _group_glyphs(pieces: Sequence[str], raw: list[bytes]) -> list[PieceWord]:
    """Words of byte-level BPE pieces: bytes are gathered until they decode; a CJK
    character is a word, Latin words start at a space (``Ġ``)."""
    words: list[PieceWord] = []
    buf = bytearray()
    idx: list[int] = []
    for k, b in enumerate(raw):
        buf.extend(b)
        idx.append(k)
        try:
            text = buf.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a character split over pieces: wait for its last byte
        inner = tuple(idx)
        buf.clear()
        idx.clear()
        fresh = text[:1].isspace()
        for ch_text in _split_cjk(text.strip()):
            if not any(c.isalnum() or is_cjk(c) for c in ch_text):
                continue
            glue = (
                words
                and not fresh
                and not is_cjk(ch_text[0])
                and not is_cjk(words[-1].text[-1])
                and _is_wordish(words[-1].text[-1])
            )
            if glue:
                words[-1] = PieceWord(words[-1].text + ch_text, words[-1].indices + inner)
            else:
                words.append(PieceWord(ch_text, inner))
            fresh = True
    return words


def _split_cjk(text: str) -> list[str]:
    """``"伊丽ab"`` -> ``["伊", "丽", "ab"]``: CJK characters alone, other runs whole."""
    out: list[str] = []
    for ch in text:
        if is_cjk(ch) or not out or is_cjk(out[-1][-1]) or ch.isspace():
            out.append(ch)
        else:
            out[-1] += ch
    return [w for w in (w.strip() for w in out) if w]


@dataclass(frozen=True, slots=True)
class PieceWord:
    """A word (or CJK character) made of sub-word pieces ``indices`` of the result."""

    text: str
    indices: tuple[int, ...]


def _starts_word(piece: str) -> bool:
    return piece[:1] in ("▁", " ")


def _is_wordish(ch: str) -> bool:
    return ch.isalnum() and not is_cjk(ch)


def _space_starts(items: Sequence[tuple[str, tuple[int, ...]]], text: str | None) -> set[int]:
    """Pieces that follow a space in ``text`` (only when no piece carries a marker)."""
    if text is None or any(_starts_word(p) or p.endswith("@@") for p, _ in items):
        return set()
    low = text.casefold()
    out: set[int] = set()
    pos = 0
    for piece, idx in items:
        body = piece.casefold()
        if not body:
            continue
        at = low.find(body, pos)
        if at < 0:
            return set()
        if at > 0 and low[at - 1].isspace():
            out.add(idx[0])
        pos = at + len(body)
    return out


def group_pieces(pieces: Sequence[str], text: str | None = None) -> list[PieceWord]:
    """Group sub-word pieces into words, the way the recognizer joins them into text.

    * SentencePiece: a piece starting with ``▁`` (or a space, as sherpa-onnx prints it)
      starts a new word; other Latin pieces continue the previous Latin word.
    * ``@@`` (FunASR/sherpa Paraformer BPE): a piece ending in ``@@`` continues into the
      next piece.
    * A CJK piece is a word on its own; runs of byte-fallback pieces (``<0xE4>``) are
      decoded as UTF-8 first.
    * Tags (``<|zh|>``), punctuation and lone markers make no word and belong to none:
      :func:`write_pieces` keeps them in place.
    * Whole-word pieces without any marker (WeNet English runtimes): when ``text`` is
      given, a piece that follows a space there starts a new word.
    """
    # 1. decode byte-fallback runs and byte-level BPE glyphs into text pieces
    glyphs = _glyph_bytes(pieces)
    if glyphs is not None:
        return _group_glyphs(pieces, glyphs)
    items: list[tuple[str, tuple[int, ...]]] = []
    k = 0
    n = len(pieces)
    while k < n:
        b = _byte_of(pieces[k])
        if b is None:
            items.append((pieces[k], (k,)))
            k += 1
            continue
        j = k
        buf = bytearray()
        while j < n and (bj := _byte_of(pieces[j])) is not None:
            buf.append(bj)
            j += 1
        items.append((buf.decode("utf-8", errors="replace"), tuple(range(k, j))))
        k = j
    at_style = any(p.endswith("@@") for p, _ in items)
    spaced = _space_starts(items, text)
    words: list[PieceWord] = []
    cont = False  # the previous piece asked to be continued (@@) / is an open Latin word
    for piece, idx in items:
        glue = piece.endswith("@@")
        body = piece[:-2] if glue else piece
        fresh = _starts_word(body) or idx[0] in spaced
        body = body.lstrip("▁ ")
        if (
            not body
            or (body.startswith("<|") and body.endswith("|>"))
            or not any(ch.isalnum() or is_cjk(ch) for ch in body)
        ):
            # tags, punctuation, lone markers: no word of their own; write-back keeps
            # them where they are (see write_pieces), also when a neighbour is replaced
            cont = False
            continue
        if all(is_cjk(ch) for ch in body):
            words.append(PieceWord(body, idx))  # a CJK character (or a multi-char piece)
            cont = False
            continue
        joinable = (
            words
            and not fresh
            and cont
            and (at_style or (_is_wordish(body[0]) and _is_wordish(words[-1].text[-1])))
        )
        if joinable:
            last = words[-1]
            words[-1] = PieceWord(last.text + body, last.indices + idx)
        else:
            words.append(PieceWord(body, idx))
        cont = glue if at_style else _is_wordish(body[-1])
    return words


# --------------------------------------------------------------------------- write-back
def check_source(source: Transcript, result: FuseResult, frontend: str) -> None:
    """Make sure ``result`` was fused from the transcript this raw result converts to."""
    if not isinstance(result, FuseResult):
        msg = f"write_back() takes the FuseResult that fuse() returned, got {type(result).__name__}"
        raise InputError(msg)
    if result.source.text != source.text:
        msg = (
            f"this FuseResult was not made from this {frontend} result: its source text "
            f"{result.source.text!r} differs from {source.text!r}; pass the raw result "
            "you fused"
        )
        raise InputError(msg)


class OffsetMap:
    """Maps character offsets of the source text to the fused text.

    A position inside a replaced span maps to the end of its hotword, so a segment
    boundary that falls inside a replacement gives the whole replacement to the earlier
    segment.
    """

    def __init__(self, result: FuseResult) -> None:
        reps = sorted(result.replacements, key=lambda r: r.start)
        src = result.source.text
        parts: list[str] = []
        pos = 0
        shift = 0
        self._regions: list[tuple[Replacement, int, int, int]] = []  # rep, fa, fb, shift before
        for r in reps:
            if r.start < pos or r.end < r.start or r.end > len(src):
                msg = f"replacement [{r.start}:{r.end}] overlaps another or leaves the text"
                raise InputError(msg)
            parts.append(src[pos : r.start])
            parts.append(r.hotword)
            fa = r.start + shift
            self._regions.append((r, fa, fa + len(r.hotword), shift))
            shift += len(r.hotword) - (r.end - r.start)
            pos = r.end
        parts.append(src[pos:])
        if "".join(parts) != result.text:
            msg = (
                "FuseResult.text is not its source text with its replacements applied; "
                "pass the FuseResult that fuse() returned unchanged"
            )
            raise InputError(msg)
        self.total_shift = shift

    @property
    def regions(self) -> list[tuple[Replacement, int, int, int]]:
        """``(replacement, fused_start, fused_end, shift_before)`` in text order."""
        return self._regions

    def pos(self, p: int) -> int:
        """Fused offset of source offset ``p``."""
        shift = 0
        for r, _fa, fb, before in self._regions:
            if p <= r.start:
                return p + before
            if p < r.end:
                return fb
            shift = before + len(r.hotword) - (r.end - r.start)
        return p + shift

    def back(self, a: int) -> int | None:
        """Source offset of fused offset ``a`` outside every replacement, else None."""
        shift = 0
        for _r, fa, fb, before in self._regions:
            if a <= fa:
                return a - before
            if a < fb:
                return None
            shift = before + (fb - fa) - (_r.end - _r.start)
        return a - shift


@dataclass(frozen=True, slots=True)
class Unit:
    """One token of the fused transcript, as a frontend writes it back.

    ``origin`` is the index of the source token it copies (None for text that fusion
    wrote or cut); ``span`` its offsets in the fused text; ``replaced`` the source tokens
    a replacement unit stands for.
    """

    text: str
    start: float | None
    end: float | None
    confidence: float | None
    origin: int | None
    span: tuple[int, int]
    replaced: tuple[int, ...] = ()


def _min_conf(values: Iterable[float | None]) -> float | None:
    nums = [v for v in values if v is not None]
    return min(nums) if nums else None


def fused_units(source: Transcript, result: FuseResult) -> list[Unit]:
    """The fused tokens as units: copies of source tokens, or one unit per replacement.

    A replacement's unit takes its times from the fused tokens (or, when the fuser gave
    none, from the source span it replaced) and its confidence from the fused tokens
    (or else the recognizer's mean confidence over the replaced span).
    """
    omap = OffsetMap(result)
    fused = result.transcript
    by_span = {span: k for k, span in enumerate(source.spans)}
    units: list[Unit] = []
    group: list[int] = []
    group_rep: tuple[Replacement, int, int, int] | None = None

    def flush() -> None:
        nonlocal group, group_rep
        if group_rep is None or not group:
            group, group_rep = [], None
            return
        r = group_rep[0]
        toks = [fused.tokens[j] for j in group]
        a, b = fused.spans[group[0]][0], fused.spans[group[-1]][1]
        t0 = next((t.start for t in toks if t.start is not None), None)
        t1 = next((t.end for t in reversed(toks) if t.end is not None), None)
        if t0 is None or t1 is None:
            s0, s1 = source.span_times(r.start, r.end)
            t0 = s0 if t0 is None else t0
            t1 = s1 if t1 is None else t1
        conf = _min_conf(t.confidence for t in toks)
        if conf is None:
            conf = source.span_confidence(r.start, r.end)
        replaced = tuple(k for k, (s, e) in enumerate(source.spans) if s < r.end and e > r.start)
        units.append(Unit(fused.text[a:b], t0, t1, conf, None, (a, b), replaced))
        group, group_rep = [], None

    for j, (a, b) in enumerate(fused.spans):
        region = next(
            (reg for reg in omap.regions if reg[1] < b and a < reg[2]),
            None,
        )
        if region is not None:
            if group_rep is not region:
                flush()
                group_rep = region
            group.append(j)
            continue
        flush()
        tok = fused.tokens[j]
        sa = omap.back(a)
        origin = None
        if sa is not None:
            k = by_span.get((sa, sa + (b - a)))
            if k is not None and source.tokens[k].text == tok.text:
                origin = k
        units.append(Unit(tok.text, tok.start, tok.end, tok.confidence, origin, (a, b)))
    flush()
    return units


def split_unit(unit: Unit, source: Transcript | None = None) -> list[Unit]:
    """Split a unit into one unit per CJK character / Latin word.

    When the replacement has as many tokens as the source tokens it replaced (``伊丽沙白``
    -> ``伊丽莎白``), each piece takes the time of the source token in its place;
    otherwise the unit's time is split in proportion to characters.
    """
    spans = tokenize(unit.text)
    if len(spans) <= 1:
        return [unit]
    n = len(unit.text)
    same = source is not None and len(unit.replaced) == len(spans)
    out = []
    for i, (s, e) in enumerate(spans):
        t0 = t1 = None
        if same and source is not None:
            tok = source.tokens[unit.replaced[i]]
            t0, t1 = tok.start, tok.end
        elif unit.start is not None and unit.end is not None:
            t0 = unit.start + (unit.end - unit.start) * s / n
            t1 = unit.start + (unit.end - unit.start) * e / n
        out.append(
            Unit(
                unit.text[s:e],
                t0,
                t1,
                unit.confidence,
                None,
                (unit.span[0] + s, unit.span[0] + e),
                unit.replaced,
            )
        )
    return out


def fill_times(units: Sequence[Unit]) -> list[tuple[float, float]]:
    """``(start, end)`` per unit, a missing time taken from its neighbour (0 at the start)."""
    out: list[tuple[float, float]] = []
    prev = 0.0
    for k, u in enumerate(units):
        start = u.start
        if start is None:
            start = prev
        end = u.end
        if end is None:
            nxt = next((v.start for v in units[k + 1 :] if v.start is not None), None)
            end = nxt if nxt is not None and nxt >= start else start
        end = max(end, start)
        out.append((start, end))
        prev = end
    return out


def rewrite_text(
    text: str,
    source: Transcript,
    result: FuseResult,
    tokens: range | None = None,
    mask: str | None = None,
) -> str | None:
    """Apply the replacements to another rendering of the source (a sentence, tagged text).

    The source tokens ``tokens`` (all by default) are looked up in order in ``text`` (or in
    ``mask``, a same-length copy with tags blanked out); each replacement then rewrites the
    stretch of ``text`` from its first to its last token. A replacement that starts before
    ``tokens`` only removes its characters here (the earlier rendering holds the hotword).
    Returns None when a token is not found.
    """
    ks = range(len(source.tokens)) if tokens is None else tokens
    hay = text if mask is None else mask
    where: dict[int, int] = {}
    pos = 0
    for k in ks:
        at = hay.find(source.tokens[k].text, pos)
        if at < 0:
            return None
        where[k] = at
        pos = at + len(source.tokens[k].text)
    edits: list[tuple[int, int, str]] = []
    for r in result.replacements:
        over = [k for k, (s, e) in enumerate(source.spans) if s < r.end and e > r.start]
        inside = [k for k in over if k in where]
        if not inside:
            continue
        k0, k1 = inside[0], inside[-1]
        s0, _e0 = source.spans[k0]
        s1, e1 = source.spans[k1]
        a = where[k0] + max(0, r.start - s0)
        b = where[k1] + (min(e1, r.end) - s1)
        edits.append((a, b, r.hotword if over[0] == k0 else ""))
    for a, b, new in sorted(edits, reverse=True):
        text = text[:a] + new + text[b:]
    return text


# --------------------------------------------------------------------------- markup
TAG = re.compile(r"<\|[^|<>]*\|>")  # SenseVoice / Whisper special tokens: <|zh|>, <|HAPPY|>


def strip_tags(text: str, pattern: re.Pattern[str] = TAG) -> tuple[str, list[tuple[int, str]], str]:
    """Text without markup, each tag with its offset in that text, and a masked copy.

    The masked copy has the length of ``text`` with every tag blanked to NULs, for
    :func:`rewrite_text`.

    >>> strip_tags("<|zh|><|NEUTRAL|>你好")[:2]
    ('你好', [(0, '<|zh|>'), (0, '<|NEUTRAL|>')])
    """
    tags: list[tuple[int, str]] = []
    out: list[str] = []
    pos = 0
    removed = 0
    for m in pattern.finditer(text):
        out.append(text[pos : m.start()])
        tags.append((m.start() - removed, m.group()))
        removed += m.end() - m.start()
        pos = m.end()
    out.append(text[pos:])
    mask = pattern.sub(lambda m: "\0" * (m.end() - m.start()), text)
    return "".join(out), tags, mask


def insert_tags(text: str, tags: Sequence[tuple[int, str]], omap: OffsetMap | None) -> str:
    """Put tags taken out by :func:`strip_tags` back into the fused ``text``."""
    for _, (pos, tag) in sorted(enumerate(tags), key=lambda t: (t[1][0], t[0]), reverse=True):
        p = omap.pos(pos) if omap is not None else pos
        text = text[:p] + tag + text[p:]
    return text


# --------------------------------------------------------------------------- alignment
def align_spans(pieces: Sequence[str], text: str) -> list[tuple[int, int] | None]:
    """Where each of ``pieces`` sits in ``text``, by a character alignment.

    The recognizer's text is the truth; its tokens may not spell it (inverse text
    normalization, a homophone replacer, byte-level glyph tokens). A piece maps to the
    stretch of ``text`` its characters align with (case-insensitively) when they align
    one to one and in one run; otherwise to None.

    >>> align_spans(["今", "天", "二", "十", "号"], "今天20号")
    [(0, 1), (1, 2), None, None, (4, 5)]
    """
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for piece in pieces:  # the common case: the pieces spell the text, in order
        at = text.find(piece, pos) if piece else -1
        if at < 0 or any(ch.isalnum() for ch in text[pos:at]):
            break
        spans.append((at, at + len(piece)))
        pos = at + len(piece)
    else:
        return spans
    joined: list[str] = []
    owner: list[int] = []
    for k, piece in enumerate(pieces):
        joined.extend(piece)
        owner.extend([k] * len(piece))
    a = "".join(joined).casefold()
    b = text.casefold()
    if len(a) != len(joined) or len(b) != len(text):  # casefold changed lengths (ß)
        a, b = "".join(joined), text
    where = [-1] * len(a)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for blk in matcher.get_matching_blocks():
        for i in range(blk.size):
            where[blk.a + i] = blk.b + i
    out: list[tuple[int, int] | None] = []
    i = 0
    for piece in pieces:
        idx = where[i : i + len(piece)]
        i += len(piece)
        if idx and idx[0] >= 0 and all(x == idx[0] + j for j, x in enumerate(idx)):
            out.append((idx[0], idx[0] + len(piece)))
        else:
            out.append(None)
    return out


@dataclass(frozen=True, slots=True)
class PieceMap:
    """A transcript read from sub-word pieces, with the pieces behind each token.

    ``token_pieces[k]`` are the piece indices of token ``k`` (empty for text the pieces
    did not spell, which has no times); pieces in no token (tags, punctuation, pieces
    that could not be aligned) are written back where they were.
    """

    transcript: Transcript
    token_pieces: tuple[tuple[int, ...], ...]
    n_pieces: int


def piece_transcript(
    words: Sequence[PieceWord],
    tokens: Sequence[Token],
    text: str | None,
    n_pieces: int,
    frontend: str,
) -> PieceMap:
    """Place word tokens (one per word) on the recognizer's ``text`` by alignment.

    Words that do not align keep no token: the text they stand for is tokenised without
    times, with one warning naming it. ``text`` None joins the tokens instead.
    """
    if text is None:
        t = Transcript.from_tokens(tokens)
        return PieceMap(t, tuple(w.indices for w in words), n_pieces)
    spans = align_spans([tok.text for tok in tokens], text)
    placed: list[tuple[tuple[int, int], Token, tuple[int, ...]]] = []
    prev_end = 0
    for sp, tok, w in zip(spans, tokens, words, strict=True):
        if sp is None or sp[0] < prev_end:
            continue
        placed.append(
            (sp, Token(text[sp[0] : sp[1]], tok.start, tok.end, tok.confidence), w.indices)
        )
        prev_end = sp[1]
    out_tokens: list[Token] = []
    out_spans: list[tuple[int, int]] = []
    out_pieces: list[tuple[int, ...]] = []
    lost: list[str] = []

    def gap(a: int, b: int) -> None:
        for s, e in tokenize(text[a:b]):
            out_tokens.append(Token(text[a + s : a + e]))
            out_spans.append((a + s, a + e))
            out_pieces.append(())
            lost.append(text[a + s : a + e])

    pos = 0
    for (s, e), tok, idx in placed:
        gap(pos, s)
        out_tokens.append(tok)
        out_spans.append((s, e))
        out_pieces.append(idx)
        pos = e
    gap(pos, len(text))
    if lost:
        log.warning(
            "%s result: the tokens do not spell %r of the text %r (inverse text "
            "normalization or a replacer?); that text is kept and has no times",
            frontend,
            "".join(lost)[:40],
            text[:40],
        )
    return PieceMap(
        Transcript(text, tuple(out_tokens), tuple(out_spans)), tuple(out_pieces), n_pieces
    )


def write_pieces(
    pm: PieceMap,
    result: FuseResult,
    keep: Callable[[int], object],
    new: Callable[[Unit, int | None], object],
) -> list[object]:
    """The written-back piece entries, in order.

    Pieces of unchanged tokens and pieces of no token are kept (``keep(i)``); each
    replacement gives new entries, one per CJK character / Latin word of the hotword
    (``new(unit, first)``, where ``first`` is the index of the first piece it replaces,
    or None, so the new entry can copy its word-start marker).
    """
    source = pm.transcript
    owned = {i for idx in pm.token_pieces for i in idx}
    loose = [i for i in range(pm.n_pieces) if i not in owned]
    out: list[object] = []
    li = 0

    def flush(upto: int) -> None:
        nonlocal li
        while li < len(loose) and loose[li] < upto:
            out.append(keep(loose[li]))
            li += 1

    for u in fused_units(source, result):
        if u.origin is not None:
            idx = pm.token_pieces[u.origin]
            if idx:
                flush(idx[0])
                out.extend(keep(i) for i in idx)
            continue
        replaced = sorted(i for k in u.replaced for i in pm.token_pieces[k])
        if u.replaced and not replaced:
            continue  # text the pieces never spelled: the loose pieces stay as they were
        first = replaced[0] if replaced else None
        if first is not None:
            flush(first)
        for n, piece in enumerate(split_unit(u, source)):
            out.append(new(piece, first if n == 0 else None))
    flush(pm.n_pieces)
    return out
