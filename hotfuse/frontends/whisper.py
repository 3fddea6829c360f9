"""openai-whisper results: ``model.transcribe()``'s dict.

Shape (openai-whisper 20250625, ``whisper/transcribe.py`` and ``whisper/timing.py``):
``{"text", "segments": [{"id", "seek", "start", "end", "text", "tokens", "temperature",
"avg_logprob", "compression_ratio", "no_speech_prob", "words"?}], "language"}``, where
``words`` (with ``word_timestamps=True``) is ``[{"word", "start", "end", "probability"}]``.

* With words, each word is one token: its text without surrounding spaces and
  punctuation (``" world."`` -> ``world``), its times in seconds, and its confidence the
  word's ``probability`` (already in [0, 1]; clipped).
* Without words, the segment text is tokenised (one token per CJK character / Latin
  word); every token gets the segment-level confidence ``exp(avg_logprob)`` clipped to
  [0, 1] (the geometric mean of the segment's token probabilities), the first token the
  segment's start and the last its end.
* The transcript text is the segments' texts joined, as Whisper's ``text`` is.

Write-back returns a deep copy: each segment's ``text`` fused; its ``words`` keep the
original entries for unchanged words, and a replacement becomes one word (times of the
replaced span, its confidence as ``probability``); the top-level ``text`` is the original
one with the replacements applied (the fused segments joined when it cannot be matched).
``tokens`` (token ids) are left as they were: hotfuse does not re-encode.

Example:
    >>> from hotfuse.frontends.whisper import WhisperFrontend
    >>> raw = {"text": "你好", "segments": [{"start": 0.0, "end": 1.0, "text": "你好",
    ...        "avg_logprob": -0.25}]}
    >>> [round(t.confidence, 3) for t in WhisperFrontend().to_transcript(raw).tokens]
    [0.779, 0.779]
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    MISSING,
    OffsetMap,
    Unit,
    align_spans,
    check_source,
    clip_prob,
    dump_like,
    fused_units,
    get,
    has,
    load_json,
    number,
    prob_from_log,
    rewrite_text,
    unchanged_copy,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, is_cjk, tokenize

__all__ = ["NewWord", "WhisperFrontend", "parse_segments", "rebuild_segments"]

log = logging.getLogger("hotfuse")


def _core(word: str) -> tuple[int, int]:
    """Offsets of a word's letters/digits/CJK, without spaces and punctuation around them."""
    keep = [i for i, ch in enumerate(word) if ch.isalnum() or is_cjk(ch)]
    if not keep:
        return 0, 0
    return keep[0], keep[-1] + 1


@dataclass
class Parsed:
    """A Whisper-shaped result read into a transcript, with the way back."""

    transcript: Transcript
    seg_ranges: list[tuple[int, int]] = field(default_factory=list)  # char range per segment
    token_word: list[tuple[int, int] | None] = field(default_factory=list)  # (seg, word)


def parse_segments(segments: Sequence[object], text: object, frontend: str) -> Parsed:
    """Read Whisper segments (dicts or objects with the same fields) into a transcript.

    Words are placed on the segment's text by alignment; a word whose letters are not
    in the text (or a punctuation-only word) keeps no token and is written back where it
    was; text no word covers is kept without times (one warning).
    """
    if not segments:
        if not isinstance(text, str):
            msg = f"{frontend} result: no segments and no 'text' string"
            raise FrontendOutputError(msg)
        return Parsed(Transcript.from_text(text))
    parts: list[str] = []
    tokens: list[Token] = []
    spans: list[tuple[int, int]] = []
    token_word: list[tuple[int, int] | None] = []
    seg_ranges: list[tuple[int, int]] = []
    offset = 0
    uncovered: list[str] = []
    for i, seg in enumerate(segments):
        seg_text = get(seg, "text")
        if not isinstance(seg_text, str):
            msg = (
                f"{frontend} result: segments[{i}] has no 'text' string; expected "
                "segments of {start, end, text, words?: [{word, start, end, probability}]}"
            )
            raise FrontendOutputError(msg)
        seg_start = get(seg, "start", None)
        seg_end = get(seg, "end", None)
        words = get(seg, "words", None)
        located: list[tuple[Token, tuple[int, int], tuple[int, int] | None]] = []
        if isinstance(words, Sequence) and not isinstance(words, str) and words:
            cores: list[tuple[int, Token]] = []
            for wi, w in enumerate(words):
                wtext = get(w, "word")
                if not isinstance(wtext, str):
                    msg = (
                        f"{frontend} result: segments[{i}].words[{wi}] has no 'word' "
                        "string; expected {word, start, end, probability}"
                    )
                    raise FrontendOutputError(msg)
                a, b = _core(wtext)
                if a == b:
                    continue
                ws = number(get(w, "start"), f"segments[{i}].words[{wi}].start", frontend)
                we = number(get(w, "end"), f"segments[{i}].words[{wi}].end", frontend)
                p = get(w, "probability", None)
                conf = None
                if p is not None:
                    conf = clip_prob(number(p, f"segments[{i}].words[{wi}].probability", frontend))
                ws = max(ws, 0.0)
                cores.append((wi, Token(wtext[a:b], ws, max(we, ws), conf)))
            where = align_spans([tok.text for _, tok in cores], seg_text)
            prev = 0
            for (wi, tok), sp in zip(cores, where, strict=True):
                if sp is None or sp[0] < prev:
                    continue
                located.append(
                    (
                        Token(seg_text[sp[0] : sp[1]], tok.start, tok.end, tok.confidence),
                        sp,
                        (i, wi),
                    )
                )
                prev = sp[1]
            covered = [sp for _, sp, _ in located]
            pos = 0
            extra: list[tuple[Token, tuple[int, int], tuple[int, int] | None]] = []
            for a, b in [*covered, (len(seg_text), len(seg_text))]:
                for s, e in tokenize(seg_text[pos:a]):
                    extra.append((Token(seg_text[pos + s : pos + e]), (pos + s, pos + e), None))
                    uncovered.append(seg_text[pos + s : pos + e])
                pos = max(pos, b)
            located = sorted(located + extra, key=lambda x: x[1][0])
        else:
            lp = get(seg, "avg_logprob", None)
            conf = None
            if lp is not None:
                conf = prob_from_log(number(lp, f"segments[{i}].avg_logprob", frontend))
            seg_spans = tokenize(seg_text)
            t0 = (
                number(seg_start, f"segments[{i}].start", frontend)
                if seg_start is not None
                else None
            )
            t1 = number(seg_end, f"segments[{i}].end", frontend) if seg_end is not None else None
            for k, (s, e) in enumerate(seg_spans):
                ts = max(t0, 0.0) if k == 0 and t0 is not None else None
                te = t1 if k == len(seg_spans) - 1 and t1 is not None else None
                if ts is not None and te is not None and te < ts:
                    te = ts
                located.append((Token(seg_text[s:e], ts, te, conf), (s, e), None))
        for tok, (s, e), where_ in located:
            tokens.append(tok)
            spans.append((offset + s, offset + e))
            token_word.append(where_)
        parts.append(seg_text)
        seg_ranges.append((offset, offset + len(seg_text)))
        offset += len(seg_text)
    if uncovered:
        log.warning(
            "%s result: no word covers %r of the segment text; that text is kept and has no times",
            frontend,
            " ".join(uncovered)[:40],
        )
    transcript = Transcript("".join(parts), tuple(tokens), tuple(spans))
    return Parsed(transcript, seg_ranges, token_word)


@dataclass(frozen=True, slots=True)
class NewWord:
    """A word of a rebuilt segment: ``origin`` is (segment, word) of a kept word, or None."""

    word: str
    start: float | None
    end: float | None
    probability: float | None
    origin: tuple[int, int] | None


def rebuild_segments(
    parsed: Parsed, result: FuseResult, segments: Sequence[object], frontend: str
) -> list[tuple[str, list[NewWord]]]:
    """Fused text and words of each segment.

    Every word of the input is kept in place unless a replacement covers it; a
    replacement becomes one new word with the replaced span's times. Text that no word
    covered stays uncovered.
    """
    check_source(parsed.transcript, result, frontend)
    omap = OffsetMap(result)
    units = fused_units(parsed.transcript, result)
    fused = result.text
    out: list[tuple[str, list[NewWord]]] = []
    for i, (a0, b0) in enumerate(parsed.seg_ranges):
        a, b = omap.pos(a0), omap.pos(b0)
        seg_text = fused[a:b]
        mine: list[Unit] = [u for u in units if a <= u.span[0] < b]
        seg_words = get(segments[i], "words", None)
        n_words = len(seg_words) if isinstance(seg_words, Sequence) else 0
        owned = {w[1] for w in parsed.token_word if w is not None and w[0] == i}
        loose = [wi for wi in range(n_words) if wi not in owned]
        li = 0
        words: list[NewWord] = []
        consumed: set[int] = set()
        groups = _word_groups(mine, parsed.token_word, i)

        def flush(
            upto: int, i: int = i, loose: list[int] = loose, words: list[NewWord] = words
        ) -> None:
            nonlocal li
            while li < len(loose) and loose[li] < upto:
                words.append(NewWord("", None, None, None, (i, loose[li])))
                li += 1

        for j, u in enumerate(mine):
            if u.origin is not None:
                where = parsed.token_word[u.origin]
                if where is not None:
                    flush(where[1])
                    words.append(NewWord("", u.start, u.end, u.confidence, where))
                continue
            replaced = sorted(
                w[1] for k in u.replaced if (w := parsed.token_word[k]) is not None and w[0] == i
            )
            if n_words and not replaced:
                continue  # text no word covered: it stays uncovered
            body, t0, t1 = u.text, u.start, u.end
            s, e = u.span[0] - a, u.span[1] - a
            if replaced:
                if set(replaced) <= consumed:
                    continue  # a second replacement inside words already rewritten
                replaced = groups[j]
                flush(replaced[0])
                consumed.update(replaced)
                # the new word spans the whole words it touches: their untouched
                # characters stay in it, and their times bound it
                ks = [
                    k
                    for k, w in enumerate(parsed.token_word)
                    if w is not None and w[0] == i and w[1] in replaced
                ]
                src = parsed.transcript
                s = omap.pos(src.spans[ks[0]][0]) - a
                e = omap.pos(src.spans[ks[-1]][1]) - a
                body = seg_text[s:e]
                first, last = src.tokens[ks[0]], src.tokens[ks[-1]]
                t0 = first.start if first.start is not None else t0
                t1 = last.end if last.end is not None else t1
            lead = " " if s > 0 and seg_text[s - 1].isspace() else ""
            nxt = mine[j + 1].span[0] - a if j + 1 < len(mine) else len(seg_text)
            trail = ""
            for ch in seg_text[e:nxt]:
                if ch.isspace():
                    break
                trail += ch
            if trail and j + 1 < len(mine) and mine[j + 1].origin is not None:
                nw = parsed.token_word[mine[j + 1].origin]  # type: ignore[index]
                if nw is not None:
                    orig = get(_word(segments, nw), "word", "")
                    if isinstance(orig, str) and orig.lstrip().startswith(trail):
                        trail = ""
            if trail and any(
                _core(str(get(_word(segments, (i, wi)), "word", ""))) == (0, 0)
                and str(get(_word(segments, (i, wi)), "word", "")).strip() == trail
                for wi in loose[li:]
            ):
                trail = ""  # a punctuation word of its own follows and is kept
            words.append(NewWord(lead + body + trail, t0, t1, u.confidence, None))
        flush(n_words)
        out.append((seg_text, words))
    return out


def _word_groups(
    units: Sequence[Unit], token_word: Sequence[tuple[int, int] | None], seg: int
) -> dict[int, list[int]]:
    """Words of segment ``seg`` each replacement unit rewrites: replacements that touch
    a common word (``大|是大|是`` with ``大是`` twice) share one new word, so the words
    of a chain are merged."""
    touched: list[tuple[int, set[int]]] = []
    for j, u in enumerate(units):
        if u.origin is None and u.replaced:
            ws = {w[1] for k in u.replaced if (w := token_word[k]) is not None and w[0] == seg}
            if ws:
                touched.append((j, ws))
    out: dict[int, list[int]] = {}
    chain: list[tuple[int, set[int]]] = []

    def close() -> None:
        words = sorted(set().union(*(ws for _, ws in chain)))
        for j, _ in chain:
            out[j] = words

    for j, ws in touched:
        if chain and not (ws & set().union(*(w for _, w in chain))):
            close()
            chain = []
        chain.append((j, ws))
    if chain:
        close()
    return out


def _word(segments: Sequence[object], where: tuple[int, int]) -> object:
    words = get(segments[where[0]], "words")
    if not isinstance(words, Sequence):  # pragma: no cover - parse_segments read them
        msg = f"segment {where[0]} lost its words between reading and writing back"
        raise FrontendOutputError(msg)
    return words[where[1]]


def _segments_of(raw: object, frontend: str) -> Sequence[object]:
    segs = get(raw, "segments")
    if segs is MISSING or not isinstance(segs, Sequence) or isinstance(segs, str):
        msg = (
            f"{frontend} result: missing 'segments' list; expected "
            "{'text': ..., 'segments': [{'start', 'end', 'text', 'words'?}], 'language'}"
        )
        raise FrontendOutputError(msg)
    return segs


class WhisperFrontend:
    """openai-whisper ``transcribe()`` dicts (or their JSON)."""

    name = "whisper"

    def detect(self, raw: object) -> bool:
        """A mapping with ``text`` and a ``segments`` list."""
        raw, _ = load_json(raw)
        return (
            isinstance(raw, Mapping)
            and has(raw, "segments")
            and isinstance(raw.get("segments"), list)
            and isinstance(raw.get("text", ""), str)
        )

    def to_transcript(self, raw: object) -> Transcript:
        """Words -> tokens (probability), or segment tokens with exp(avg_logprob)."""
        raw, _ = load_json(raw)
        if not isinstance(raw, Mapping):
            msg = f"whisper result: expected a dict, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        return parse_segments(_segments_of(raw, self.name), raw.get("text"), self.name).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """A copy with fused segment texts and words, and the fused top-level text (the
        input itself when nothing was replaced)."""
        original = raw
        raw, was_json = load_json(raw)
        if not isinstance(raw, Mapping):
            msg = f"whisper result: expected a dict, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        segments = _segments_of(raw, self.name)
        parsed = parse_segments(segments, raw.get("text"), self.name)
        check_source(parsed.transcript, result, self.name)
        if not result.replacements:
            return unchanged_copy(raw, was_json, original)
        out = copy.deepcopy(dict(raw))
        if not segments:
            check_source(parsed.transcript, result, self.name)
            out["text"] = result.text
            return dump_like(out, was_json, original)
        rebuilt = rebuild_segments(parsed, result, segments, self.name)
        new_segments = []
        for seg, (seg_text, words) in zip(segments, rebuilt, strict=True):
            new = copy.deepcopy(dict(seg))  # type: ignore[call-overload]
            new["text"] = seg_text
            if isinstance(seg, Mapping) and seg.get("words"):
                new_words = []
                for w in words:
                    if w.origin is not None:
                        new_words.append(copy.deepcopy(dict(_word(segments, w.origin))))  # type: ignore[call-overload]
                    else:
                        new_words.append(
                            {
                                "word": w.word,
                                "start": None if w.start is None else round(w.start, 2),
                                "end": None if w.end is None else round(w.end, 2),
                                "probability": w.probability,
                            }
                        )
                new["words"] = new_words
            new_segments.append(new)
        out["segments"] = new_segments
        joined = "".join(str(s["text"]) for s in new_segments)
        top = raw.get("text")
        if isinstance(top, str) and top != parsed.transcript.text:
            rewritten = rewrite_text(top, parsed.transcript, result)
            joined = rewritten if rewritten is not None else joined
        out["text"] = joined
        return dump_like(out, was_json, original)
