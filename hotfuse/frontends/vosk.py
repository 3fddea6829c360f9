"""Vosk results: the JSON of ``Result()``, ``FinalResult()`` and ``PartialResult()``.

Shape (vosk-api 0.3.75, ``src/recognizer.cc``): with ``SetWords(True)`` a final result
is ``{"result": [{"conf", "end", "start", "word"}], "text": "w1 w2"}``; with
``SetPartialWords(True)`` a partial one is ``{"partial": "w1 w2", "partial_result":
[...]}``; with ``SetMaxAlternatives(n)`` it is ``{"alternatives": [{"confidence",
"result": [{"end", "start", "word"}], "text"}]}``. The JSON string or the parsed dict
are both accepted.

* Each word is one token (Chinese Vosk models print multi-character words); the
  transcript text joins them the natural way (no space between CJK words).
* ``conf`` is the word's MBR posterior, a probability: clipped to [0, 1]. Times are in
  seconds already.
* ``alternatives``: the first (best) one is read; its ``confidence`` is a lattice score,
  not a probability, so its tokens have no confidence.
* Only ``text`` / ``partial`` (words not enabled): the text is split on spaces, no times.

Write-back returns the same shape (a JSON string for a string): unchanged words keep
their entries, a replacement becomes one word (the replaced span's times, its
confidence as ``conf``), and ``text``/``partial`` is the words joined by spaces.

Example:
    >>> from hotfuse.frontends.vosk import VoskFrontend
    >>> VoskFrontend().to_transcript('{"partial": "北京 欢迎 你"}').text
    '北京欢迎你'
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    check_source,
    clip_prob,
    dump_like,
    fused_units,
    load_json,
    number,
    unchanged_copy,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript

__all__ = ["VoskFrontend"]

_NAME = "vosk"


def _target(raw: Mapping[str, object]) -> tuple[Mapping[str, object], str, str | None]:
    """The dict holding the words, its text key and its word-list key."""
    if isinstance(raw.get("alternatives"), list):
        alts = raw["alternatives"]
        if not alts or not isinstance(alts[0], Mapping):  # type: ignore[index]
            msg = f"{_NAME} result: 'alternatives' is empty; expected [{{'text', 'result'}}]"
            raise FrontendOutputError(msg)
        return alts[0], "text", "result"  # type: ignore[index]
    if "partial" in raw or "partial_result" in raw:
        return raw, "partial", "partial_result"
    return raw, "text", "result"


def _parse(raw: Mapping[str, object]) -> Transcript:
    target, text_key, words_key = _target(raw)
    words = target.get(words_key) if words_key else None
    text = target.get(text_key)
    if words is None:
        if not isinstance(text, str):
            msg = (
                f"{_NAME} result: missing {text_key!r}; expected "
                '{"result": [{"conf", "end", "start", "word"}], "text": "..."}'
            )
            raise FrontendOutputError(msg)
        return Transcript.from_tokens([Token(w) for w in text.split()])
    if not isinstance(words, Sequence) or isinstance(words, str):
        msg = f"{_NAME} result: {words_key!r} must be a list of {{conf, end, start, word}}"
        raise FrontendOutputError(msg)
    tokens = []
    for i, w in enumerate(words):
        if not isinstance(w, Mapping) or not isinstance(w.get("word"), str):
            msg = (
                f"{_NAME} result: {words_key}[{i}] has no 'word' string; expected "
                '{"conf": 0.9, "end": 1.2, "start": 0.9, "word": "..."}'
            )
            raise FrontendOutputError(msg)
        if not w["word"].strip():
            continue
        start = number(w.get("start"), f"{words_key}[{i}].start", _NAME)
        end = number(w.get("end"), f"{words_key}[{i}].end", _NAME)
        conf = None
        if w.get("conf") is not None:
            conf = clip_prob(number(w["conf"], f"{words_key}[{i}].conf", _NAME))
        start = max(start, 0.0)
        tokens.append(Token(w["word"].strip(), start, max(end, start), conf))
    return Transcript.from_tokens(tokens)


class VoskFrontend:
    """Vosk recognizer JSON (string or dict)."""

    name = _NAME

    def detect(self, raw: object) -> bool:
        """A mapping with ``result``/``partial``/``partial_result``/``alternatives``, or
        ``{"text": ...}`` alone (a final result without ``SetWords``; FunASR results
        always carry ``key``)."""
        raw, _ = load_json(raw)
        if not isinstance(raw, Mapping):
            return False
        if set(raw) == {"text"} and isinstance(raw["text"], str):
            return True
        if isinstance(raw.get("alternatives"), list):
            return True
        if "partial" in raw or "partial_result" in raw:
            return True
        res = raw.get("result")
        return isinstance(res, list) and all(isinstance(w, Mapping) and "word" in w for w in res)

    def to_transcript(self, raw: object) -> Transcript:
        """Words -> tokens, ``conf`` -> confidence."""
        raw, _ = load_json(raw)
        if not isinstance(raw, Mapping):
            msg = f"{_NAME} result: expected a JSON object, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        return _parse(raw)

    def write_back(self, raw: object, result: FuseResult) -> object:
        """The same JSON shape with fused words and text."""
        original = raw
        raw, was_json = load_json(raw)
        if not isinstance(raw, Mapping):
            msg = f"{_NAME} result: expected a JSON object, got {type(raw).__name__}"
            raise FrontendOutputError(msg)
        source = _parse(raw)
        check_source(source, result, self.name)
        if not result.replacements:
            return unchanged_copy(raw, was_json, original)
        out = copy.deepcopy(dict(raw))
        alts = out.get("alternatives")
        target = alts[0] if isinstance(alts, list) else out
        _, text_key, words_key = _target(raw)
        old = target.get(words_key) if words_key else None
        kept = (
            [w for w in old if isinstance(w, Mapping) and str(w.get("word", "")).strip()]
            if isinstance(old, list)
            else None
        )
        units = fused_units(source, result)
        if kept is not None and words_key is not None:
            with_conf = any("conf" in w for w in kept)
            new_words: list[object] = []
            for u in units:
                if u.origin is not None:
                    new_words.append(copy.deepcopy(kept[u.origin]))
                    continue
                entry: dict[str, object] = {}
                if with_conf:
                    entry["conf"] = None if u.confidence is None else round(u.confidence, 6)
                entry["end"] = None if u.end is None else round(u.end, 6)
                entry["start"] = None if u.start is None else round(u.start, 6)
                entry["word"] = u.text
                new_words.append(entry)
            target[words_key] = new_words
        target[text_key] = " ".join(u.text for u in units)
        return dump_like(out, was_json, original)
