"""faster-whisper results: ``Segment`` objects with ``Word`` objects.

``WhisperModel.transcribe()`` returns ``(segments, info)``; ``segments`` is a generator of
``Segment`` (faster-whisper 1.2.1, ``faster_whisper/transcribe.py``: dataclasses
``Segment(id, seek, start, end, text, tokens, avg_logprob, compression_ratio,
no_speech_prob, words, temperature)`` and ``Word(start, end, word, probability)``;
before 1.1 they were NamedTuples with the same fields). Fields are read by attribute, so
either kind works, and so does a ``(segments, info)`` tuple.

Scores and times follow :mod:`hotfuse.frontends.whisper`: a word's ``probability``
(clipped to [0, 1]) per word token, else ``exp(avg_logprob)`` per segment; seconds.

Write-back returns a new list of segments of the input's own class (``dataclasses.replace``
or ``_replace``) with fused ``text`` and ``words`` (new words built with the class of the
input's words); a ``(segments, info)`` tuple gives ``(new_segments, info)``. A generator
can be read only once: pass ``list(segments)`` to write back.

Example:
    >>> from collections import namedtuple
    >>> Seg = namedtuple("Seg", "start end text words avg_logprob")
    >>> from hotfuse.frontends.faster_whisper import FasterWhisperFrontend
    >>> FasterWhisperFrontend().to_transcript([Seg(0.0, 1.0, "你好", None, 0.0)]).text
    '你好'
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import check_source, dump_like, get, has, load_json
from hotfuse.frontends.whisper import NewWord, parse_segments, rebuild_segments
from hotfuse.result import FuseResult
from hotfuse.transcript import Transcript

__all__ = ["FasterWhisperFrontend"]

_NAME = "faster_whisper"


_SEGMENT_KEYS = ("words", "seek", "avg_logprob", "tokens", "no_speech_prob")


def _is_segment(obj: object) -> bool:
    """A ``Segment`` object, or its ``dataclasses.asdict`` / ``_asdict`` dict."""
    if isinstance(obj, Mapping):
        return (
            isinstance(obj.get("text"), str)
            and "start" in obj
            and "end" in obj
            and any(k in obj for k in _SEGMENT_KEYS)
            and "segments" not in obj
        )
    return (
        not isinstance(obj, str | bytes)
        and has(obj, "text")
        and has(obj, "start")
        and has(obj, "end")
        and has(obj, "words")
    )


def _is_info(obj: object) -> bool:
    return has(obj, "language_probability") or has(obj, "transcription_options")


def _split(raw: object) -> tuple[object, object | None, bool]:
    """(segments, info or None, was a (segments, info) tuple)."""
    if isinstance(raw, tuple) and len(raw) == 2 and _is_info(raw[1]):
        return raw[0], raw[1], True
    return raw, None, False


def _replace(obj: object, **changes: object) -> object:
    if isinstance(obj, Mapping):
        new_dict = copy.deepcopy(dict(obj))
        new_dict.update(changes)
        return new_dict
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **changes)
    rep = getattr(obj, "_replace", None)
    if callable(rep):
        return rep(**changes)
    new = copy.copy(obj)
    try:
        for k, v in changes.items():
            setattr(new, k, v)
    except AttributeError as exc:
        msg = f"{_NAME}: cannot build a changed copy of {type(obj).__name__}: {exc}"
        raise FrontendOutputError(msg) from None
    return new


def _new_word(template: object, w: NewWord) -> object:
    """A new word of the kind the segment's words are (an object class, or a dict)."""
    start = None if w.start is None else round(w.start, 2)
    end = None if w.end is None else round(w.end, 2)
    if isinstance(template, Mapping):
        return {"start": start, "end": end, "word": w.word, "probability": w.probability}
    word_cls: Any = type(template)
    return word_cls(start=start, end=end, word=w.word, probability=w.probability)


class FasterWhisperFrontend:
    """faster-whisper segments: ``Segment``/``Word`` objects (any class with those
    attributes) or their dict form (``dataclasses.asdict``), a list or a single one."""

    name = _NAME

    def detect(self, raw: object) -> bool:
        """Segments in a list, one segment dict, a ``(segments, info)`` tuple or the
        generator ``transcribe()`` returns."""
        raw, _ = load_json(raw)
        segs, info, _ = _split(raw)
        if isinstance(segs, Mapping):
            return _is_segment(segs)
        if isinstance(segs, list | tuple):
            return bool(segs) and all(_is_segment(s) for s in segs)
        if info is not None and isinstance(segs, Iterator):
            return True
        code = getattr(segs, "gi_code", None)  # the generator transcribe() returns
        return "faster_whisper" in str(getattr(code, "co_filename", ""))

    def to_transcript(self, raw: object) -> Transcript:
        """Read the segments (a generator is consumed)."""
        raw, _ = load_json(raw)
        segs = self._segments(raw)
        return parse_segments(segs, "", self.name).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """New segments of the same kind with fused text and words (the input itself
        when nothing was replaced)."""
        original = raw
        raw, was_json = load_json(raw)
        segs_in, info, was_tuple = _split(raw)
        if isinstance(segs_in, Iterator):
            msg = (
                "faster_whisper: the segments are a generator, already consumed by fusion; "
                "call segments = list(segments) before fusing and pass that list"
            )
            raise FrontendOutputError(msg)
        segs = self._segments(raw)
        parsed = parse_segments(segs, "", self.name)
        check_source(parsed.transcript, result, self.name)
        if not result.replacements:
            if was_json:
                return original
            if isinstance(segs_in, Mapping):
                return copy.deepcopy(segs_in)
            same: object = type(segs_in)(segs) if isinstance(segs_in, list | tuple) else segs
            return (same, info) if was_tuple else same
        rebuilt = rebuild_segments(parsed, result, segs, self.name)
        out = []
        for seg, (seg_text, words) in zip(segs, rebuilt, strict=True):
            old_words = get(seg, "words", None)
            if isinstance(old_words, Sequence) and old_words:
                new_words = []
                for w in words:
                    if w.origin is not None:
                        kept = old_words[w.origin[1]]
                        new_words.append(copy.deepcopy(kept) if isinstance(kept, Mapping) else kept)
                    else:
                        new_words.append(_new_word(old_words[0], w))
                out.append(_replace(seg, text=seg_text, words=new_words))
            else:
                out.append(_replace(seg, text=seg_text))
        value: object = out[0] if isinstance(segs_in, Mapping) else out
        if was_tuple:
            return (out, info)
        return dump_like(value, was_json, original)

    def _segments(self, raw: object) -> list[object]:
        segs, _, _ = _split(raw)
        if isinstance(segs, Mapping):
            segs = [segs]
        if isinstance(segs, str | bytes) or not isinstance(segs, Iterable):
            msg = (
                f"{_NAME} result: expected segments (objects with start, end, text, words), "
                f"got {type(segs).__name__}"
            )
            raise FrontendOutputError(msg)
        out = list(segs)
        for i, s in enumerate(out):
            if not _is_segment(s):
                msg = (
                    f"{_NAME} result: segments[{i}] ({type(s).__name__}) lacks start, end, "
                    "text or words; expected faster_whisper.transcribe.Segment or its "
                    "dataclasses.asdict() dict"
                )
                raise FrontendOutputError(msg)
        return out
