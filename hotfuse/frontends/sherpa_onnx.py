"""sherpa-onnx results: ``OfflineRecognitionResult`` and ``OnlineRecognizerResult``.

Shapes (sherpa-onnx 1.13.4, ``sherpa-onnx/python/csrc/offline-stream.cc`` and
``online-recognizer.cc``; ``str(result)`` prints the same fields as JSON):

* offline (``stream.result``): ``text``, ``tokens``, ``timestamps`` (start of each token
  in seconds), ``durations`` (TDT models), ``ys_log_probs`` (log-probability of each
  token, transducer models), ``lang``, ``emotion``, ``event``, ``words``;
* online (``recognizer.get_result_all(stream)``): ``text``, ``tokens``, ``timestamps``
  (relative to ``start_time``, the start of the current segment), ``ys_probs`` (token
  log-probabilities despite the name), ``lm_probs``, ``context_scores``, ``segment``,
  ``start_time``, ``is_final``.

The objects, or dicts of the same fields (the parsed ``str(result)``), are accepted.

* Tokens are sub-word pieces. They are grouped into words the way sherpa-onnx writes the
  text: a piece starting with ``▁`` (printed as a space by sherpa-onnx) starts a word,
  ``xx@@`` continues into the next piece (Paraformer), a CJK character is a word, byte
  pieces (``<0xE4>``) are decoded, tags (``<|zh|>``) dropped.
* A word starts at its first piece's time and ends where the next word starts (or at the
  last piece's start + duration with TDT durations; the final word has no end otherwise).
  Online times get ``start_time`` added.
* Confidence: ``exp(log-prob)`` of each piece, a word taking the minimum over its pieces.
  Models that print no log-probs (CTC, Paraformer, SenseVoice, Whisper) give none.

Write-back returns a dict in the ``str(result)`` JSON shape (the result objects are
read-only): ``text`` fused; unchanged words keep their pieces, times and log-probs; a
replacement is written as one piece per CJK character (a Latin word as one piece with the
input's word-start marker), its time split evenly over them and its confidence's log as
``ys_log_probs``/``ys_probs``; ``lm_probs``/``context_scores`` of new pieces are 0 and
``words`` (FST word ids) is emptied, as it no longer matches.

Example:
    >>> from hotfuse.frontends.sherpa_onnx import SherpaOnnxFrontend
    >>> t = SherpaOnnxFrontend().to_transcript({"text": " HELLO 世界", "tokens": [" HE", "LLO",
    ...     "世", "界"], "timestamps": [0.2, 0.36, 0.6, 0.8], "ys_log_probs": [-0.1, -0.5, 0, 0]})
    >>> [(w.text, w.start, w.end, round(w.confidence, 3)) for w in t.tokens]
    [('HELLO', 0.2, 0.6, 0.607), ('世', 0.6, 0.8, 1.0), ('界', 0.8, None, 1.0)]
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    MISSING,
    PieceMap,
    PieceWord,
    Unit,
    check_source,
    dump_like,
    get,
    group_pieces,
    has,
    is_byte_level,
    load_json,
    load_json_field,
    number,
    piece_transcript,
    prob_from_log,
    to_glyphs,
    unchanged_copy,
    write_pieces,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, is_cjk

__all__ = ["SherpaOnnxFrontend"]

log = logging.getLogger("hotfuse")

_NAME = "sherpa_onnx"
_OFFLINE_FIELDS = (
    "lang",
    "emotion",
    "event",
    "text",
    "timestamps",
    "durations",
    "tokens",
    "ys_log_probs",
    "words",
    "segment_timestamps",
    "segment_durations",
    "segment_texts",
)
_ONLINE_FIELDS = (
    "text",
    "tokens",
    "timestamps",
    "ys_probs",
    "lm_probs",
    "context_scores",
    "segment",
    "words",
    "start_time",
    "is_final",
    "is_eof",
)


def _floats(raw: object, name: str) -> list[float] | None:
    value = load_json_field(get(raw, name, None), repr(name), _NAME)  # 2023: a JSON string
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        try:
            value = list(value)  # type: ignore[call-overload]
        except TypeError:
            msg = f"{_NAME} result: {name!r} must be a list of numbers"
            raise FrontendOutputError(msg) from None
    return [number(v, f"{name}[{i}]", _NAME) for i, v in enumerate(value)]


@dataclass
class _Parsed:
    pm: PieceMap
    words: list[PieceWord]
    online: bool
    tokens: list[str]
    timestamps: list[float] | None
    logp_key: str | None
    logp: list[float] | None
    durations: list[float] | None
    offset: float

    @property
    def transcript(self) -> Transcript:
        return self.pm.transcript


def _parse(raw: object) -> _Parsed:
    text = get(raw, "text")
    tokens = load_json_field(get(raw, "tokens"), "'tokens'", _NAME)
    if not isinstance(text, str):
        msg = (
            f"{_NAME} result: missing 'text' string; expected an OfflineRecognitionResult "
            "or OnlineRecognizerResult (text, tokens, timestamps, ys_log_probs)"
        )
        raise FrontendOutputError(msg)
    if tokens is MISSING or tokens is None:
        tokens = []
    if isinstance(tokens, str) or not isinstance(tokens, Sequence):
        msg = f"{_NAME} result: 'tokens' must be a list of strings"
        raise FrontendOutputError(msg)
    pieces = [str(t) for t in tokens]
    online = has(raw, "ys_probs") or has(raw, "start_time") or has(raw, "is_final")
    offset = 0.0
    if online and get(raw, "start_time", None) is not None:
        offset = number(get(raw, "start_time"), "start_time", _NAME)
    times = _floats(raw, "timestamps")
    if times is not None and len(times) != len(pieces):
        if times:
            log.warning(
                "sherpa_onnx result: %d timestamps for %d tokens; times dropped",
                len(times),
                len(pieces),
            )
        times = None
    durations = _floats(raw, "durations")
    if durations is not None and len(durations) != len(pieces):
        durations = None
    logp_key = "ys_probs" if online else "ys_log_probs"
    logp = _floats(raw, logp_key)
    if logp is not None and len(logp) != len(pieces):
        if logp:
            log.warning(
                "sherpa_onnx result: %d %s for %d tokens; confidences dropped",
                len(logp),
                logp_key,
                len(pieces),
            )
        logp = None
    words = group_pieces(pieces, text)
    toks: list[Token] = []
    for w_i, w in enumerate(words):
        start = end = None
        if times is not None:
            start = max(times[w.indices[0]] + offset, 0.0)
            last = w.indices[-1]
            if durations is not None:
                end = times[last] + durations[last] + offset
            elif w_i + 1 < len(words):
                end = times[words[w_i + 1].indices[0]] + offset
            if end is not None and end < start:
                end = start
        conf = None
        if logp is not None:
            probs = [prob_from_log(logp[i]) for i in w.indices]
            conf = (
                min(p for p in probs if p is not None)
                if any(p is not None for p in probs)
                else None
            )
        toks.append(Token(w.text, start, end, conf))
    pm = piece_transcript(words, toks, text, len(pieces), _NAME)
    return _Parsed(
        pm,
        words,
        online,
        pieces,
        times,
        logp_key if logp is not None else None,
        logp,
        durations,
        offset,
    )


class SherpaOnnxFrontend:
    """sherpa-onnx offline/online recognition results (objects or dicts)."""

    name = _NAME

    def detect(self, raw: object) -> bool:
        """``text`` plus a ``tokens`` list of strings and ``timestamps``."""
        raw, _ = load_json(raw)
        if not (has(raw, "text") and has(raw, "tokens") and has(raw, "timestamps")):
            return False
        tokens = get(raw, "tokens")
        return isinstance(tokens, Sequence) and all(isinstance(t, str) for t in tokens)

    def to_transcript(self, raw: object) -> Transcript:
        """Pieces -> words, times in seconds, exp(log-prob) confidences."""
        raw, _ = load_json(raw)
        return _parse(raw).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """A dict of the ``str(result)`` JSON shape with the fused text and pieces.

        When nothing was replaced the input comes back as it was (the same object for a
        result object, the same string for its JSON).
        """
        original = raw
        raw, was_json = load_json(raw)
        p = _parse(raw)
        check_source(p.transcript, result, self.name)
        if not result.replacements:
            return unchanged_copy(raw, was_json, original)
        fields = _ONLINE_FIELDS if p.online else _OFFLINE_FIELDS
        if isinstance(raw, Mapping):
            fields = tuple(raw)  # the input's own keys, in its order
        out: dict[str, object] = {}
        for name in fields:
            value = get(raw, name, MISSING)
            if value is not MISSING:
                out[name] = (
                    list(value)
                    if isinstance(value, Sequence) and not isinstance(value, str)
                    else value
                )
        if isinstance(raw, dict):
            for k, v in raw.items():
                out.setdefault(k, v)
        extra = {k: _floats(raw, k) for k in ("lm_probs", "context_scores")} if p.online else {}
        extras = [k for k, v in extra.items() if v is not None and len(v) == len(p.tokens) and v]

        def keep(i: int) -> dict[str, object]:
            entry: dict[str, object] = {"token": p.tokens[i]}
            if p.timestamps is not None:
                entry["time"] = p.timestamps[i]
            if p.durations is not None:
                entry["dur"] = p.durations[i]
            if p.logp is not None:
                entry["logp"] = p.logp[i]
            for k in extras:
                entry[k] = extra[k][i]  # type: ignore[index]
            return entry

        glyphs = is_byte_level(p.tokens)

        def new(piece: Unit, first: int | None) -> dict[str, object]:
            text = piece.text
            if glyphs:  # write the hotword in the pieces' own byte-level alphabet
                space = first is not None and p.tokens[first].startswith("Ġ")
                text = to_glyphs((" " if space else "") + text)
            elif first is not None:  # the replaced piece's word-start marker ("▁", " ")
                mark = p.tokens[first][: len(p.tokens[first]) - len(p.tokens[first].lstrip("▁ "))]
                text = mark + text
            elif not all(is_cjk(ch) for ch in text) and _marker(p.tokens):
                text = _marker(p.tokens) + text
            start = piece.start if piece.start is not None else 0.0
            entry: dict[str, object] = {"token": text, "time": round(start - p.offset, 4)}
            if p.durations is not None:
                dur = 0.0
                if piece.start is not None and piece.end is not None:
                    dur = piece.end - piece.start
                entry["dur"] = round(dur, 4)
            if p.logp is not None:
                conf = piece.confidence
                entry["logp"] = math.log(max(conf, 1e-10)) if conf is not None else 0.0
            for k in extras:
                entry[k] = 0.0
            return entry

        entries: list[dict[str, object]] = write_pieces(p.pm, result, keep, new)  # type: ignore[assignment]
        out["text"] = result.text
        out["tokens"] = [e["token"] for e in entries]
        if p.timestamps is not None:
            times = [e["time"] for e in entries]
            out["timestamps"] = (
                "[" + ", ".join(f"{t:.2f}" for t in times) + "]"
                if isinstance(get(raw, "timestamps"), str)  # 2023 sherpa-onnx: a string
                else times
            )
        if p.durations is not None:
            out["durations"] = [e["dur"] for e in entries]
        if p.logp_key is not None:
            out[p.logp_key] = [e["logp"] for e in entries]
        for k in extras:
            out[k] = [e[k] for e in entries]
        if "words" in out:
            out["words"] = []
        return dump_like(out, was_json, original)


def _marker(pieces: Sequence[str]) -> str:
    if any(p.startswith("▁") for p in pieces):
        return "▁"
    if any(p.startswith(" ") for p in pieces):
        return " "
    return ""
