"""WeNet results: the C++ runtime's JSON and the ``wenet`` Python package's dict.

Shapes (wenet-e2e/wenet, commit 01546996, Dec 2025):

* runtime (``runtime/core/api/wenet_api.cc``, used by the ``wenetruntime`` binding;
  ``runtime/core/websocket/websocket_server.cc``): ``{"type": "final_result", "nbest":
  [{"sentence": "...", "word_pieces": [{"word", "start", "end"}]}]}``. The websocket
  server sends ``{"status", "type", "nbest": "<the nbest list as a JSON string>"}`` with
  integer milliseconds; the C API (since wenet PR #1961, 2023) divides by 1000 and prints
  float seconds. So integer times are read as milliseconds and float times as seconds. A
  bare nbest list is accepted too. The first (best) hypothesis is read; the runtime prints
  no scores, so tokens have no confidence.
* Python package (``wenet/cli/model.py`` up to wenet 3.1, ``model.transcribe(wav,
  tokens_info=True)``): ``{"text", "confidence", "tokens": [{"token", "start", "end",
  "confidence"}]}``, times in seconds (3 decimals) and per-token confidences in [0, 1]
  (2 decimals).

Pieces (``▁``-marked BPE for English models, characters for Chinese) are grouped into
words as sherpa-onnx's are (:func:`hotfuse.frontends._base.group_pieces`); a word's
confidence is the minimum over its pieces, its times span them. ``▁`` in the Python
package's ``text`` reads as a space.

Write-back returns the same shape (JSON string in, JSON string out; a string ``nbest``
stays a string): the best hypothesis's ``sentence`` / the ``text`` is fused, unchanged
words keep their piece entries, a replacement is one piece per CJK character (a Latin
word as one piece), its time split evenly over them, in the input's time unit.

Example:
    >>> from hotfuse.frontends.wenet import WenetFrontend
    >>> raw = {"nbest": [{"sentence": "你好", "word_pieces": [{"word": "你", "start": 0,
    ...        "end": 280}, {"word": "好", "start": 280, "end": 520}]}], "type": "final_result"}
    >>> [(t.text, t.start, t.end) for t in WenetFrontend().to_transcript(raw).tokens]
    [('你', 0.0, 0.28), ('好', 0.28, 0.52)]
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    OffsetMap,
    PieceMap,
    PieceWord,
    Unit,
    check_source,
    clip_prob,
    dump_like,
    group_pieces,
    insert_tags,
    load_json,
    number,
    piece_transcript,
    rewrite_text,
    strip_tags,
    unchanged_copy,
    write_pieces,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, is_cjk

__all__ = ["WenetFrontend"]

_NAME = "wenet"
_MARKUP = re.compile(r"</?is>")  # the label checker's marks around inserted words


@dataclass
class _Parsed:
    pm: PieceMap
    words: list[PieceWord]
    pieces: list[Mapping[str, object]]
    kind: str  # runtime | package
    ms: bool
    marker: str
    tags: list[tuple[int, str]]
    mask: str

    @property
    def transcript(self) -> Transcript:
        return self.pm.transcript


def _is_hyp_list(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(h, Mapping) and "sentence" in h for h in value)
    )


def _nbest(raw: object) -> tuple[list[object], bool] | None:
    """The nbest list, and whether it was a JSON string inside the message."""
    if _is_hyp_list(raw):
        return raw, False  # type: ignore[return-value]
    if isinstance(raw, Mapping) and "nbest" in raw:
        value = raw["nbest"]
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError:
                return None
            return (parsed, True) if isinstance(parsed, list) else None
        if isinstance(value, list):
            return value, False
    return None


def _is_package(raw: object) -> bool:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("text"), str):
        return False
    toks = raw.get("tokens")
    return isinstance(toks, list) and all(isinstance(t, Mapping) and "token" in t for t in toks)


def _time(value: object, where: str, ms: bool) -> float:
    v = number(value, where, _NAME)
    return max(v / 1000 if ms else v, 0.0)  # divide: 1400 / 1000 == 1.4, 1400 * 0.001 is not


def _build(
    words: list[PieceWord],
    pieces: list[Mapping[str, object]],
    text: str,
    ms: bool,
    where: str,
) -> PieceMap:
    tokens = []
    for w in words:
        first, last = pieces[w.indices[0]], pieces[w.indices[-1]]
        start = end = None
        if first.get("start") is not None:
            start = _time(first["start"], f"{where}.start", ms)
        if last.get("end") is not None:
            end = _time(last["end"], f"{where}.end", ms)
            if start is not None and end < start:
                end = start
        confs = [
            clip_prob(number(pieces[i]["confidence"], f"{where}.confidence", _NAME))
            for i in w.indices
            if pieces[i].get("confidence") is not None
        ]
        conf = min(c for c in confs if c is not None) if confs else None
        tokens.append(Token(w.text, start, end, conf))
    return piece_transcript(words, tokens, text, len(pieces), _NAME)


def _marker(pieces: Sequence[str]) -> str:
    return "▁" if any(p.startswith("▁") for p in pieces) else ""


def _parse(raw: object) -> _Parsed:
    if _is_package(raw):
        assert isinstance(raw, Mapping)
        pieces = list(raw["tokens"])
        names = [str(p["token"]) for p in pieces]
        text = str(raw["text"]).replace("▁", " ")
        lead = len(text) - len(text.lstrip(" ")) if str(raw["text"]).startswith("▁") else 0
        words = group_pieces(names, text)
        pm = _build(words, pieces, text[lead:], False, "tokens[]")
        return _Parsed(pm, words, pieces, "package", False, _marker(names), [], "")
    got = _nbest(raw)
    if got is None:
        msg = (
            f"{_NAME} result: expected the runtime's {{'nbest': [{{'sentence', "
            "'word_pieces'}]}} or the Python package's {'text', 'tokens': [{'token', "
            "'start', 'end', 'confidence'}]}"
        )
        raise FrontendOutputError(msg)
    nbest, _ = got
    if not nbest:
        msg = f"{_NAME} result: 'nbest' is empty; nothing was recognized"
        raise FrontendOutputError(msg)
    hyp = nbest[0]
    if not isinstance(hyp, Mapping) or not isinstance(hyp.get("sentence"), str):
        msg = f"{_NAME} result: nbest[0] has no 'sentence' string"
        raise FrontendOutputError(msg)
    sentence, tags, mask = strip_tags(str(hyp["sentence"]), _MARKUP)
    wp = hyp.get("word_pieces")
    if not isinstance(wp, list) or not wp:
        t = Transcript.from_text(sentence)
        return _Parsed(
            PieceMap(t, tuple(() for _ in t.tokens), 0), [], [], "runtime", True, "", tags, mask
        )
    for i, p in enumerate(wp):
        if not isinstance(p, Mapping) or not isinstance(p.get("word"), str):
            msg = f"{_NAME} result: word_pieces[{i}] must be {{'word', 'start', 'end'}}"
            raise FrontendOutputError(msg)
    values = [p.get(k) for p in wp for k in ("start", "end") if p.get(k) is not None]
    ms = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    names = [str(p["word"]) for p in wp]
    words = group_pieces(names, sentence)
    pm = _build(words, wp, sentence, ms, "word_pieces[]")
    return _Parsed(pm, words, wp, "runtime", ms, _marker(names), tags, mask)


class WenetFrontend:
    """WeNet runtime JSON and ``wenet`` Python package results."""

    name = _NAME

    def detect(self, raw: object) -> bool:
        """An ``nbest`` message/list, or ``text`` with ``tokens`` of ``{"token"...}``."""
        raw, _ = load_json(raw)
        return _is_package(raw) or _nbest(raw) is not None

    def to_transcript(self, raw: object) -> Transcript:
        """The best hypothesis (runtime) or the package result."""
        raw, _ = load_json(raw)
        return _parse(raw).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """The same shape with the fused sentence/text and pieces (the input itself when
        nothing was replaced)."""
        original = raw
        raw, was_json = load_json(raw)
        p = _parse(raw)
        check_source(p.transcript, result, self.name)
        if not result.replacements:
            return unchanged_copy(raw, was_json, original)
        key = "token" if p.kind == "package" else "word"

        def keep(i: int) -> dict[str, object]:
            return copy.deepcopy(dict(p.pieces[i]))

        def new(u: Unit, first: int | None) -> dict[str, object]:
            return self._piece(u, key, p, first)

        new_pieces = write_pieces(p.pm, result, keep, new)
        if p.kind == "package":
            out = copy.deepcopy(dict(raw))  # type: ignore[call-overload]
            old_text = str(raw["text"])  # type: ignore[index]
            text = result.text
            if "▁" in old_text:
                lead = "▁" if old_text.startswith("▁") else ""
                text = lead + text.replace(" ", "▁")
            out["text"] = text
            out["tokens"] = new_pieces
            return dump_like(out, was_json, original)
        got = _nbest(raw)
        assert got is not None
        nbest, nbest_json = got
        new_nbest = copy.deepcopy(nbest)
        hyp = dict(new_nbest[0])  # type: ignore[call-overload]
        sentence = str(hyp["sentence"])
        if p.tags:
            fused = rewrite_text(sentence, p.transcript, result, mask=p.mask)
            hyp["sentence"] = (
                fused if fused is not None else insert_tags(result.text, p.tags, OffsetMap(result))
            )
        else:
            hyp["sentence"] = result.text
        if p.pieces:
            hyp["word_pieces"] = new_pieces
        new_nbest[0] = hyp
        if isinstance(raw, Mapping):
            out = copy.deepcopy(dict(raw))
            out["nbest"] = (
                json.dumps(new_nbest, ensure_ascii=False, separators=(",", ":"))
                if nbest_json
                else new_nbest
            )
            return dump_like(out, was_json, original)
        return dump_like(new_nbest, was_json, original)

    @staticmethod
    def _piece(u: Unit, key: str, p: _Parsed, first: int | None) -> dict[str, object]:
        text = u.text
        if first is not None:
            name = str(p.pieces[first].get(key, ""))
            text = name[: len(name) - len(name.lstrip("▁"))] + text
        elif p.marker and not all(is_cjk(ch) for ch in text):
            text = p.marker + text
        entry: dict[str, object] = {key: text}
        if p.kind == "package":
            entry["start"] = None if u.start is None else round(u.start, 3)
            entry["end"] = None if u.end is None else round(u.end, 3)
            entry["confidence"] = None if u.confidence is None else round(u.confidence, 2)
        elif p.ms:
            entry["start"] = None if u.start is None else round(u.start * 1000)
            entry["end"] = None if u.end is None else round(u.end * 1000)
        else:
            entry["start"] = None if u.start is None else round(u.start, 3)
            entry["end"] = None if u.end is None else round(u.end, 3)
        return entry
