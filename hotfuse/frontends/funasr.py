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
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hotfuse.errors import FrontendOutputError
from hotfuse.frontends._base import (
    TAG,
    OffsetMap,
    PieceMap,
    PieceWord,
    Unit,
    check_source,
    clip_prob,
    dump_like,
    fill_times,
    fused_units,
    load_json,
    load_json_field,
    locate,
    number,
    piece_transcript,
    rewrite_text,
    split_unit,
    strip_tags,
    unchanged_copy,
    write_pieces,
)
from hotfuse.result import FuseResult
from hotfuse.transcript import Token, Transcript, tokenize

__all__ = ["FunasrFrontend"]

log = logging.getLogger("hotfuse")

_TAG = TAG
_SPACED = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff] +[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_OTHER_FORMATS = ("segments", "tokens", "result", "partial", "partial_result", "nbest")
_NAME = "funasr"


def _strip_tags(text: str) -> tuple[str, list[tuple[int, str]], str]:
    """Text without tags, each tag with its offset in that text, and a masked copy."""
    return strip_tags(text, _TAG)


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
    style: str  # spaced | surface | chars | words | text | nano | sentences
    tags: list[tuple[int, str]] = field(default_factory=list)
    mask: str = ""
    conf_key: str | None = None
    sentences: list[_Sentence] | None = None
    text_key: str = "text"
    ts_json: bool = False
    times_lost: bool = False
    nano: PieceMap | None = None


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
        visible = [i for i, ch in enumerate(stripped) if not ch.isspace()]
        if len(visible) == n and times is not None:
            # one pair per visible character, punctuation included (SenseVoice before
            # its 'words' key, FunASR onnxruntime records)
            at = {ci: k for k, ci in enumerate(visible)}
            toks = []
            for s, e in spans:
                c = None
                if confs is not None and len(confs) == n:
                    c = min(
                        (v for v in confs[at[s] : at[e - 1] + 1] if v is not None), default=None
                    )
                toks.append(Token(stripped[s:e], times[at[s]][0], times[at[e - 1]][1], c))
            return Transcript(stripped, tuple(toks), tuple(spans)), "chars"
        log.warning(
            "funasr result: %d timestamp pairs for %d tokens (%d visible characters) in "
            "%r; times dropped (write-back leaves 'timestamp' as it was)",
            n,
            len(spans),
            len(visible),
            stripped[:40],
        )
        if confs is not None and len(confs) == n:
            confs = None
    elif _SPACED.search(stripped):  # Paraformer without timestamps: "欢 迎 大 家"
        split = stripped.split()
        if confs is None or len(confs) == len(split):
            return Transcript.from_tokens(make(split)), "spaced"
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


def _text_key(item: Mapping[str, object]) -> str:
    return "preds" if "text" not in item and isinstance(item.get("preds"), str) else "text"


def _is_nano(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(e, Mapping) and "token" in e and "start_time" in e for e in value)
    )


def _parse(item: Mapping[str, object]) -> _Parsed:
    key = _text_key(item)
    text = item.get(key)
    if not isinstance(text, str):
        msg = (
            f"{_NAME} result: missing 'text' string (got {type(text).__name__}); expected "
            "{'key': ..., 'text': '...', 'timestamp': [[start_ms, end_ms], ...]}"
        )
        raise FrontendOutputError(msg)
    stripped, tags, mask = _strip_tags(text)
    conf_key, confs = _confidences(item)
    if _is_nano(item.get("timestamps")):
        return _parse_nano(item, stripped, tags, mask, key)
    raw_ts = item.get("timestamp")
    ts = load_json_field(raw_ts, "'timestamp'", _NAME)  # the websocket server's string
    info = item.get("sentence_info")
    if ts is None and isinstance(info, list) and info:
        parsed = _parse_sentences(item, stripped, tags, mask, info, conf_key, confs)
        parsed.text_key = key
        return parsed
    times = _pairs(ts, "timestamp") if ts is not None else None
    if times is not None and confs is not None and len(confs) != len(times):
        msg = (
            f"{_NAME} result: {len(confs)} confidences but {len(times)} timestamp pairs; "
            "give one probability per token"
        )
        raise FrontendOutputError(msg)
    transcript, style = _tokens_for(stripped, times, item.get("words"), confs)
    lost = times is not None and not transcript.has_times and bool(times)
    return _Parsed(
        transcript, style, tags, mask, conf_key, None, key, isinstance(raw_ts, str), lost
    )


def _parse_nano(
    item: Mapping[str, object],
    stripped: str,
    tags: list[tuple[int, str]],
    mask: str,
    key: str,
) -> _Parsed:
    """Fun-ASR-Nano: ``timestamps`` of ``{token, start_time, end_time, score}`` in seconds,
    placed on the LLM's text by alignment (its CTC tokens need not spell it)."""
    entries = item["timestamps"]
    assert isinstance(entries, list)
    words: list[PieceWord] = []
    toks: list[Token] = []
    for i, e in enumerate(entries):
        body = str(e.get("token", "")).strip()
        if not body or not any(ch.isalnum() for ch in body):
            continue
        t0 = max(number(e.get("start_time"), f"timestamps[{i}].start_time", _NAME), 0.0)
        t1 = max(number(e.get("end_time"), f"timestamps[{i}].end_time", _NAME), t0)
        score = e.get("score")
        conf = (
            clip_prob(number(score, f"timestamps[{i}].score", _NAME)) if score is not None else None
        )
        words.append(PieceWord(body, (i,)))
        toks.append(Token(body, t0, t1, conf))
    pm = piece_transcript(words, toks, stripped, len(entries), _NAME)
    return _Parsed(pm.transcript, "nano", tags, mask, None, None, key, nano=pm)


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
            and isinstance(raw.get(_text_key(raw)), str)
            and not any(k in raw for k in _OTHER_FORMATS)
        )

    def to_transcript(self, raw: object) -> Transcript:
        """Read ``text``, ``timestamp`` (ms), ``sentence_info`` and ``confidence``."""
        raw, _ = load_json(raw)
        item, _ = _one(raw)
        return _parse(item).transcript

    def write_back(self, raw: object, result: FuseResult) -> object:
        """A copy of the result dict(s) with fused text, timestamps and sentences (the
        input itself when nothing was replaced)."""
        original = raw
        raw, was_json = load_json(raw)
        item, wrapped = _one(raw)
        p = _parse(item)
        source = p.transcript
        check_source(source, result, self.name)
        if not result.replacements:
            return unchanged_copy(raw, was_json, original)
        omap = OffsetMap(result)
        units = fused_units(source, result)
        pieces: list[Unit] = []
        for u in units:
            pieces.extend([u] if u.origin is not None else split_unit(u, source))
        out = copy.deepcopy(dict(item))
        key = p.text_key
        text = str(item[key])
        if p.style == "spaced":
            out[key] = "".join(tag for _, tag in p.tags) + " ".join(u.text for u in pieces)
        elif p.style != "sentences-joined":  # that one is rebuilt below from the sentences
            new = rewrite_text(text, source, result, mask=p.mask)
            out[key] = new if new is not None else _insert_tags(result.text, p.tags, omap)
        if p.style == "nano" and p.nano is not None:
            entries = item["timestamps"]
            assert isinstance(entries, list)
            out["timestamps"] = write_pieces(
                p.nano,
                result,
                lambda i: copy.deepcopy(entries[i]),
                lambda u, _first: {
                    "token": u.text,
                    "start_time": None if u.start is None else round(u.start, 3),
                    "end_time": None if u.end is None else round(u.end, 3),
                    "score": u.confidence,
                },
            )
        has_times = "timestamp" in item and item["timestamp"] is not None and not p.times_lost
        if has_times:
            if p.style == "chars":
                pairs = self._char_pairs(item, result, omap)
            else:
                pairs = [[round(s * 1000), round(e * 1000)] for s, e in fill_times(pieces)]
            out["timestamp"] = json.dumps(pairs, separators=(",", ":")) if p.ts_json else pairs
        elif p.times_lost:
            log.warning(
                "funasr result: 'timestamp' is written back as it was; its pairs could "
                "not be mapped to the text"
            )
        if p.style == "words" and isinstance(item.get("words"), list):
            out["words"] = [u.text for u in pieces]
        if p.conf_key is not None and p.style != "chars":
            out[p.conf_key] = [u.confidence for u in pieces]
        for list_key, pairs_key in (("sentence_info", "timestamp"), ("stamp_sents", "ts_list")):
            info = item.get(list_key)
            if isinstance(info, list) and info:
                new_info = self._sentences(info, p, source, result, omap, pieces, pairs_key)
                if new_info is not None:
                    out[list_key] = new_info
                    if p.style == "sentences-joined":
                        out[key] = " ".join(str(s.get("text", "")) for s in new_info)
        if wrapped:
            return dump_like([out], was_json, original)
        return dump_like(out, was_json, original)

    @staticmethod
    def _char_pairs(
        item: Mapping[str, object], result: FuseResult, omap: OffsetMap
    ) -> list[list[int]]:
        """One ``[start_ms, end_ms]`` per visible character of the fused text: the
        recognizer's own pair outside replacements, the replaced span's time split
        evenly over a hotword's characters."""
        old = load_json_field(item["timestamp"], "'timestamp'", _NAME)
        assert isinstance(old, list)
        src = result.source.text
        at = {ci: k for k, ci in enumerate(i for i, ch in enumerate(src) if not ch.isspace())}
        fused = result.text
        out: list[list[int]] = []
        regions = omap.regions
        for f, ch in enumerate(fused):
            if ch.isspace():
                continue
            b = omap.back(f)
            if b is not None:
                out.append(list(old[at[b]]))
                continue
            r, fa, fb, _ = next(reg for reg in regions if reg[1] <= f < reg[2])
            ks = [at[i] for i in range(r.start, r.end) if i in at]
            t0 = float(old[ks[0]][0]) if ks else 0.0
            t1 = float(old[ks[-1]][1]) if ks else t0
            vis = [i for i in range(fa, fb) if not fused[i].isspace()]
            j, n = vis.index(f), len(vis)
            out.append([round(t0 + (t1 - t0) * j / n), round(t0 + (t1 - t0) * (j + 1) / n)])
        return out

    def _sentences(
        self,
        info: list[object],
        p: _Parsed,
        source: Transcript,
        result: FuseResult,
        omap: OffsetMap,
        pieces: list[Unit],
        pairs_key: str = "timestamp",
    ) -> list[dict[str, object]] | None:
        ranges: list[range] = []
        if p.sentences is not None:
            ranges = [s.tokens for s in p.sentences]
        else:  # top-level timestamps: sentences cover consecutive tokens
            pos = 0
            for sent in info:
                pairs = sent.get(pairs_key) if isinstance(sent, Mapping) else None
                n = len(pairs) if isinstance(pairs, list) else 0
                ranges.append(range(pos, pos + n))
                pos += n
            if pos != len(source.tokens):
                log.warning(
                    "funasr result: the sentences cover %d of %d tokens; left unchanged",
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
            for key in ("text", "sentence", "raw_text", "text_seg"):
                value = new.get(key)
                if key in ("raw_text", "text_seg") and isinstance(value, str):  # spaced tokens
                    new[key] = " ".join(u.text for u in mine)
                elif isinstance(value, str):
                    _, _, mask = _strip_tags(value)
                    re_text = rewrite_text(value, source, result, ks, mask=mask)
                    if re_text is None:  # spaced raw_text ("欢 迎"): rebuild from tokens
                        re_text = " ".join(u.text for u in mine)
                    new[key] = re_text
                elif isinstance(value, list):
                    new[key] = [u.text for u in mine]
            if isinstance(new.get(pairs_key), list) and new[pairs_key]:
                new[pairs_key] = [[round(s * 1000), round(e * 1000)] for s, e in fill_times(mine)]
            out.append(new)
        return out
