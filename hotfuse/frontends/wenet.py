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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    PieceWord,
    Unit,
    check_source,
    clip_prob,
    dump_like,
    fused_units,
    group_pieces,
    load_json,
    locate,
    number,
    split_unit,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, is_cjk

__all__ = ["WenetFrontend"]

_NAME = "wenet"


@dataclass
class _Parsed:
    transcript: Transcript
    words: list[PieceWord]
    pieces: list[Mapping[str, object]]
    kind: str  # runtime | package
    ms: bool
    marker: str


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


def _build(
    words: list[PieceWord],
    pieces: list[Mapping[str, object]],
    text: str,
    scale: float,
    key: str,
    where: str,
) -> Transcript:
    tokens = []
    for w in words:
        first, last = pieces[w.indices[0]], pieces[w.indices[-1]]
        start = end = None
        if first.get("start") is not None:
            start = max(number(first["start"], f"{where}.start", _NAME) * scale, 0.0)
        if last.get("end") is not None:
            end = number(last["end"], f"{where}.end", _NAME) * scale
            if start is not None and end < start:
                end = start
        confs = [
            clip_prob(number(pieces[i]["confidence"], f"{where}.confidence", _NAME))
            for i in w.indices
            if pieces[i].get("confidence") is not None
        ]
        conf = min(c for c in confs if c is not None) if confs else None
        tokens.append(Token(w.text, start, end, conf))
    found = locate(tokens, text)
    return found if found is not None else Transcript.from_tokens(tokens)


def _marker(pieces: Sequence[str]) -> str:
    return "▁" if any(p.startswith("▁") for p in pieces) else ""


def _parse(raw: object) -> _Parsed:
    if _is_package(raw):
        assert isinstance(raw, Mapping)
        pieces = list(raw["tokens"])
        names = [str(p["token"]) for p in pieces]
        words = group_pieces(names)
        text = str(raw["text"]).replace("▁", " ")
        t = _build(words, pieces, text, 1.0, "token", "tokens[]")
        return _Parsed(t, words, pieces, "package", False, _marker(names))
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
    sentence = str(hyp["sentence"])
    wp = hyp.get("word_pieces")
    if not isinstance(wp, list) or not wp:
        return _Parsed(Transcript.from_text(sentence), [], [], "runtime", True, "")
    for i, p in enumerate(wp):
        if not isinstance(p, Mapping) or not isinstance(p.get("word"), str):
            msg = f"{_NAME} result: word_pieces[{i}] must be {{'word', 'start', 'end'}}"
            raise FrontendOutputError(msg)
    values = [p.get(k) for p in wp for k in ("start", "end") if p.get(k) is not None]
    ms = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    names = [str(p["word"]) for p in wp]
    words = group_pieces(names)
    t = _build(words, wp, sentence, 0.001 if ms else 1.0, "word", "word_pieces[]")
    return _Parsed(t, words, wp, "runtime", ms, _marker(names))


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
        """The same shape with the fused sentence/text and pieces."""
        raw, was_json = load_json(raw)
        p = _parse(raw)
        check_source(p.transcript, result, self.name)
        units = fused_units(p.transcript, result)
        new_pieces: list[dict[str, object]] = []
        key = "token" if p.kind == "package" else "word"
        for u in units:
            if u.origin is not None and p.words:
                new_pieces.extend(
                    copy.deepcopy(dict(p.pieces[i])) for i in p.words[u.origin].indices
                )
                continue
            for piece in split_unit(u, p.transcript):
                new_pieces.append(self._piece(piece, key, p))
        if p.kind == "package":
            out = copy.deepcopy(dict(raw))  # type: ignore[call-overload]
            text = result.text
            if "▁" in str(raw["text"]):  # type: ignore[index]
                text = "▁" + text.replace(" ", "▁")
            out["text"] = text
            out["tokens"] = new_pieces
            return dump_like(out, was_json)
        got = _nbest(raw)
        assert got is not None
        nbest, nbest_json = got
        new_nbest = copy.deepcopy(nbest)
        hyp = dict(new_nbest[0])  # type: ignore[call-overload]
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
            return dump_like(out, was_json)
        return dump_like(new_nbest, was_json)

    @staticmethod
    def _piece(u: Unit, key: str, p: _Parsed) -> dict[str, object]:
        text = u.text
        if p.marker and not all(is_cjk(ch) for ch in text):
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
            entry["start"] = u.start
            entry["end"] = u.end
        return entry
