"""FunASR results: Paraformer, SeACo-Paraformer and SenseVoice dicts.

``AutoModel.generate()`` returns a list with one dict per input: ``key``, ``text`` and,
with timestamps, ``timestamp`` (``[[start_ms, end_ms], ...]``, one pair per token). How
the tokens are read out of ``text``:

* Paraformer/SeACo without punctuation print the tokens space separated
  (``"欢 迎 大 家 hello"``): the words are the tokens, and the transcript text joins them
  the natural way (no space between CJK characters, one between Latin words).
* With a punctuation model the text is punctuated (``"欢迎大家，hello。"``) and the
  timestamps cover the tokens only: one pair per CJK character / Latin word of the text.
* SenseVoice with ``output_timestamp=True`` adds ``words``, one per timestamp pair.
* SenseVoice's tags (``<|zh|><|NEUTRAL|><|Speech|><|woitn|>``, any ``<|...|>``) are removed
  from the transcript text; write-back puts them back where they were.
* ``sentence_info`` (VAD + punctuation or speaker models: ``text``, ``start``, ``end``
  in ms, ``timestamp``) supplies the times when the top level has no ``timestamp``: per
  token when a sentence's pairs match its tokens, else the sentence's start and end on
  its first and last token.

Scores: FunASR prints none. A per-token list under ``confidence`` (or
``token_confidence``), as hotfuse's Paraformer runner adds, is read as probabilities in
[0, 1]. Times are milliseconds and become seconds.

Write-back returns a deep copy with the fused ``text`` (same spacing style, tags restored),
one ``timestamp`` pair per fused token (a replaced span's time split over its characters),
``confidence``/``words`` rebuilt when present, and ``sentence_info`` texts and pairs
updated. A one-element list gives a one-element list.

Example:
    >>> from hotfuse.frontends.funasr import FunasrFrontend
    >>> t = FunasrFrontend().to_transcript(
    ...     [{"key": "a", "text": "<|zh|><|NEUTRAL|>你好。", "timestamp": [[0, 120], [120, 300]]}])
    >>> t.text, t.tokens[1]
    ('你好。', Token(text='好', start=0.12, end=0.3, confidence=None))
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    OffsetMap,
    Unit,
    check_source,
    clip_prob,
    dump_like,
    fill_times,
    fused_units,
    load_json,
    locate,
    number,
    rewrite_text,
    split_unit,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, tokenize

__all__ = ["FunasrFrontend"]

log = logging.getLogger("hotfuse")

_TAG = re.compile(r"<\|[^|<>]*\|>")
_OTHER_FORMATS = ("segments", "tokens", "result", "partial", "partial_result", "nbest")
_NAME = "funasr"


def _strip_tags(text: str) -> tuple[str, list[tuple[int, str]], str]:
    """Text without tags, each tag with its offset in that text, and a masked copy."""
    tags: list[tuple[int, str]] = []
    out: list[str] = []
    pos = 0
    removed = 0
    for m in _TAG.finditer(text):
        out.append(text[pos : m.start()])
        tags.append((m.start() - removed, m.group()))
        removed += m.end() - m.start()
        pos = m.end()
    out.append(text[pos:])
    mask = _TAG.sub(lambda m: "\0" * (m.end() - m.start()), text)
    return "".join(out), tags, mask


def _pairs(value: object, where: str) -> list[tuple[float, float]]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        msg = (
            f"{_NAME} result: {where} must be a list of [start_ms, end_ms] pairs, "
            f"got {type(value).__name__}"
        )
        raise FrontendOutputError(msg)
    out = []
    for i, pair in enumerate(value):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            msg = f"{_NAME} result: {where}[{i}] must be a [start_ms, end_ms] pair, got {pair!r}"
            raise FrontendOutputError(msg)
        s = number(pair[0], f"{where}[{i}][0]", _NAME) / 1000.0
        e = number(pair[1], f"{where}[{i}][1]", _NAME) / 1000.0
        out.append((max(s, 0.0), max(e, s, 0.0)))
    return out


def _confidences(item: Mapping[str, object]) -> tuple[str | None, list[float | None] | None]:
    for key in ("confidence", "token_confidence"):
        if key not in item:
            continue
        value = item[key]
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            msg = (
                f"{_NAME} result: {key!r} must be a list with one probability per token, "
                f"got {type(value).__name__}"
            )
            raise FrontendOutputError(msg)
        out: list[float | None] = []
        for i, v in enumerate(value):
            if v is None:
                out.append(None)
                continue
            p = number(v, f"{key}[{i}]", _NAME)
            if p < -1e-6 or p > 1 + 1e-6:
                msg = (
                    f"{_NAME} result: {key}[{i}] = {p} is not a probability in [0, 1]; "
                    "convert log-probabilities with math.exp() first"
                )
                raise FrontendOutputError(msg)
            out.append(clip_prob(p))
        return key, out
    return None, None


@dataclass
class _Sentence:
    tokens: range
    tags: list[tuple[int, str]]


@dataclass
class _Parsed:
    transcript: Transcript
    style: str  # spaced | surface | words | text | sentences
    tags: list[tuple[int, str]] = field(default_factory=list)
    mask: str = ""
    conf_key: str | None = None
    sentences: list[_Sentence] | None = None


def _tokens_for(
    stripped: str,
    times: list[tuple[float, float]] | None,
    words: object,
    confs: list[float | None] | None,
) -> tuple[Transcript, str]:
    """Tokens of one text with one time pair per token (or none)."""
    n = len(times) if times is not None else None

    def make(texts: Sequence[str]) -> list[Token]:
        out = []
        for k, t in enumerate(texts):
            s = e = None
            if times is not None:
                s, e = times[k]
            c = confs[k] if confs is not None else None
            out.append(Token(t, s, e, c))
        return out

    if n is not None:
        if (
            isinstance(words, list)
            and len(words) == n
            and all(isinstance(w, str) and w.strip() for w in words)
        ):
            found = locate(make([w.strip() for w in words]), stripped)
            if found is not None:
                return found, "words"
        split = stripped.split()
        if len(split) == n and n > 1 and " " in stripped.strip():
            return Transcript.from_tokens(make(split)), "spaced"
        spans = tokenize(stripped)
        if len(spans) == n:
            return Transcript(
                stripped, tuple(make([stripped[s:e] for s, e in spans])), tuple(spans)
            ), "surface"
        log.warning(
            "funasr result: %d timestamp pairs for %d tokens in %r; times dropped",
            n,
            len(spans),
            stripped[:40],
        )
    if confs is not None and len(confs) != len(tokenize(stripped)):
        msg = (
            f"{_NAME} result: {len(confs)} confidences for {len(tokenize(stripped))} "
            f"tokens in {stripped[:40]!r}; give one probability per token"
        )
        raise FrontendOutputError(msg)
    return Transcript.from_text(stripped, confidences=confs), "text"


def _one(raw: object) -> tuple[Mapping[str, object], bool]:
    """The single result dict, and whether it came wrapped in a list."""
    if isinstance(raw, Mapping):
        return raw, False
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        if len(raw) == 1 and isinstance(raw[0], Mapping):
            return raw[0], True
        if len(raw) == 0:
            msg = f"{_NAME} result: the list is empty; expected [{{'key', 'text', ...}}]"
            raise FrontendOutputError(msg)
        msg = (
            f"{_NAME} result: the list holds {len(raw)} results; convert each one: "
            "[to_transcript(r) for r in results]"
        )
        raise FrontendOutputError(msg)
    msg = (
        f"{_NAME} result: expected a dict with 'text' (or a list of one), got {type(raw).__name__}"
    )
    raise FrontendOutputError(msg)


def _parse(item: Mapping[str, object]) -> _Parsed:
    text = item.get("text")
    if not isinstance(text, str):
        msg = (
            f"{_NAME} result: missing 'text' string (got {type(text).__name__}); expected "
            "{'key': ..., 'text': '...', 'timestamp': [[start_ms, end_ms], ...]}"
        )
        raise FrontendOutputError(msg)
    stripped, tags, mask = _strip_tags(text)
    conf_key, confs = _confidences(item)
    ts = item.get("timestamp")
    info = item.get("sentence_info")
    if ts is None and isinstance(info, list) and info:
        return _parse_sentences(item, stripped, tags, mask, info, conf_key, confs)
    times = _pairs(ts, "timestamp") if ts is not None else None
    if times is not None and confs is not None and len(confs) != len(times):
        msg = (
            f"{_NAME} result: {len(confs)} confidences but {len(times)} timestamp pairs; "
            "give one probability per token"
        )
        raise FrontendOutputError(msg)
    transcript, style = _tokens_for(stripped, times, item.get("words"), confs)
    return _Parsed(transcript, style, tags, mask, conf_key)


def _parse_sentences(
    item: Mapping[str, object],
    stripped: str,
    tags: list[tuple[int, str]],
    mask: str,
    info: list[object],
    conf_key: str | None,
    confs: list[float | None] | None,
) -> _Parsed:
    tokens: list[Token] = []
    sentences: list[_Sentence] = []
    for i, sent in enumerate(info):
        if not isinstance(sent, Mapping) or not isinstance(sent.get("text"), str):
            msg = (
                f"{_NAME} result: sentence_info[{i}] must be a dict with a 'text' string, "
                "'start' and 'end' in ms"
            )
            raise FrontendOutputError(msg)
        s_text, s_tags, _ = _strip_tags(str(sent["text"]))
        spans = tokenize(s_text)
        pairs = sent.get("timestamp")
        times = _pairs(pairs, f"sentence_info[{i}].timestamp") if pairs else []
        start = sent.get("start")
        end = sent.get("end")
        t0 = number(start, f"sentence_info[{i}].start", _NAME) / 1000 if start is not None else None
        t1 = number(end, f"sentence_info[{i}].end", _NAME) / 1000 if end is not None else None
        first = len(tokens)
        for k, (s, e) in enumerate(spans):
            ts: float | None
            te: float | None
            if len(times) == len(spans):
                ts, te = times[k]
            else:
                ts = t0 if k == 0 else None
                te = t1 if k == len(spans) - 1 else None
            tokens.append(Token(s_text[s:e], ts, te))
        sentences.append(_Sentence(range(first, len(tokens)), s_tags))
    if confs is not None:
        if len(confs) != len(tokens):
            msg = (
                f"{_NAME} result: {len(confs)} confidences for {len(tokens)} tokens; "
                "give one probability per token"
            )
            raise FrontendOutputError(msg)
        tokens = [Token(t.text, t.start, t.end, c) for t, c in zip(tokens, confs, strict=True)]
    found = locate(tokens, stripped)
    if found is not None:
        return _Parsed(found, "sentences", tags, mask, conf_key, sentences)
    joined = " ".join(_strip_tags(str(s["text"]))[0] for s in info if isinstance(s, Mapping))
    found = locate(tokens, joined)
    if found is None:  # pragma: no cover - tokens come from these very texts
        msg = f"{_NAME} result: sentence_info tokens not found in its texts"
        raise FrontendOutputError(msg)
    return _Parsed(found, "sentences-joined", [], "", conf_key, sentences)


def _insert_tags(text: str, tags: list[tuple[int, str]], omap: OffsetMap | None) -> str:
    for pos, tag in sorted(tags, key=lambda t: t[0], reverse=True):
        p = omap.pos(pos) if omap is not None else 0
        text = text[:p] + tag + text[p:]
    return text


class FunasrFrontend:
    """FunASR ``generate()`` results (a dict, or a list holding one)."""

    name = _NAME

    def detect(self, raw: object) -> bool:
        """A dict with a ``text`` string and none of the other recognizers' keys."""
        raw, _ = load_json(raw)
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        return (
            isinstance(raw, Mapping)
            and isinstance(raw.get("text"), str)
            and not any(k in raw for k in _OTHER_FORMATS)
        )

    def to_transcript(self, raw: object) -> Transcript:
        """Read ``text``, ``timestamp`` (ms), ``sentence_info`` and ``confidence``."""
        raw, _ = load_json(raw)
        item, _ = _one(raw)
        return _parse(item).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """A copy of the result dict(s) with fused text, timestamps and sentences."""
        raw, was_json = load_json(raw)
        item, wrapped = _one(raw)
        p = _parse(item)
        source = p.transcript
        check_source(source, result, self.name)
        omap = OffsetMap(result)
        units = fused_units(source, result)
        pieces: list[Unit] = []
        for u in units:
            pieces.extend([u] if u.origin is not None else split_unit(u, source))
        out = copy.deepcopy(dict(item))
        text = str(item["text"])
        if p.style == "spaced":
            out["text"] = "".join(tag for _, tag in p.tags) + " ".join(u.text for u in pieces)
        elif p.style in ("surface", "words", "text", "sentences"):
            new = rewrite_text(text, source, result, mask=p.mask)
            out["text"] = new if new is not None else _insert_tags(result.text, p.tags, omap)
        else:  # sentences-joined: rebuilt below from the sentences
            pass
        has_times = "timestamp" in item and item["timestamp"] is not None
        if has_times:
            out["timestamp"] = [[round(s * 1000), round(e * 1000)] for s, e in fill_times(pieces)]
        if p.style == "words" and isinstance(item.get("words"), list):
            out["words"] = [u.text for u in pieces]
        if p.conf_key is not None:
            out[p.conf_key] = [u.confidence for u in pieces]
        info = item.get("sentence_info")
        if isinstance(info, list) and info:
            new_info = self._sentences(info, p, source, result, omap, pieces)
            if new_info is not None:
                out["sentence_info"] = new_info
                if p.style == "sentences-joined":
                    out["text"] = " ".join(str(s.get("text", "")) for s in new_info)
        if wrapped:
            return dump_like([out], was_json)
        return dump_like(out, was_json)

    def _sentences(
        self,
        info: list[object],
        p: _Parsed,
        source: Transcript,
        result: FuseResult,
        omap: OffsetMap,
        pieces: list[Unit],
    ) -> list[dict[str, object]] | None:
        ranges: list[range] = []
        if p.sentences is not None:
            ranges = [s.tokens for s in p.sentences]
        else:  # top-level timestamps: sentences cover consecutive tokens
            pos = 0
            for sent in info:
                pairs = sent.get("timestamp") if isinstance(sent, Mapping) else None
                n = len(pairs) if isinstance(pairs, list) else 0
                ranges.append(range(pos, pos + n))
                pos += n
            if pos != len(source.tokens):
                log.warning(
                    "funasr result: sentence_info covers %d of %d tokens; left unchanged",
                    pos,
                    len(source.tokens),
                )
                return None
        out: list[dict[str, object]] = []
        for sent, ks in zip(info, ranges, strict=True):
            new = copy.deepcopy(dict(sent)) if isinstance(sent, Mapping) else {}
            if len(ks) == 0:
                out.append(new)
                continue
            a = omap.pos(source.spans[ks.start][0])
            b = omap.pos(source.spans[ks.stop - 1][1])
            mine = [u for u in pieces if a <= u.span[0] < b]
            for key in ("text", "sentence", "raw_text"):
                value = new.get(key)
                if key == "raw_text" and isinstance(value, str):  # space-separated tokens
                    new[key] = " ".join(u.text for u in mine)
                elif isinstance(value, str):
                    _, _, mask = _strip_tags(value)
                    re_text = rewrite_text(value, source, result, ks, mask=mask)
                    if re_text is None:  # spaced raw_text ("欢 迎"): rebuild from tokens
                        re_text = " ".join(u.text for u in mine)
                    new[key] = re_text
                elif isinstance(value, list):
                    new[key] = [u.text for u in mine]
            if isinstance(new.get("timestamp"), list) and new["timestamp"]:
                new["timestamp"] = [[round(s * 1000), round(e * 1000)] for s, e in fill_times(mine)]
            out.append(new)
        return out
