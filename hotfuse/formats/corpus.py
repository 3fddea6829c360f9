"""Corpus files: Kaldi ``text``, JSONL hypotheses and hotword lists, read and written.

One line reader serves ``hotfuse fuse -i``, ``eval`` and ``tune``: :func:`iter_lines`
decodes a file (or standard input) one line at a time, so a huge file is read in constant
memory, in order, and a line that is not UTF-8 is reported with its number. The
collecting readers (:func:`read_texts`, :func:`read_hypotheses`, :func:`read_hotwords`)
are built on it for evaluation; :func:`iter_fuse_input` streams the records of
``hotfuse fuse -i``.

Every reader names the file and line of a problem (:class:`~hotfuse.errors.DataError`
with ``path`` and ``line_no``) and never skews numbers silently: anything it tolerates
(a byte-order mark, CRLF line ends, blank lines, empty transcripts, unknown JSON keys,
duplicate hotwords) is counted in ``warnings`` and logged once per kind on the
``hotfuse`` logger.

Formats:

* **Kaldi text**: ``utt_id`` then the transcript after a tab or spaces, one utterance a
  line, UTF-8. Ids are unique.
* **JSONL texts / hypotheses**: one object a line, ``{"id": ..., "text": ...}`` with
  optional ``"confidences"`` and ``"timestamps"`` (``[[start, end], ...]`` in seconds,
  one per token or per character), or ``"tokens": [{"text", "start", "end",
  "confidence"}, ...]``.
* **Hotwords**: a list file (one term a line, ``#`` starts a comment; the same terms for
  every utterance) or JSONL ``{"id": ..., "hotwords": [...]}`` (terms per utterance; an
  entry may be a string or a mapping of :class:`~hotfuse.lexicon.Hotword` fields).

``-`` as a path means standard input (readers) or standard output (writers).

Example:
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "text").write_text("u1\\t伊丽莎白来了\\nu2 达西 走了\\n", encoding="utf-8")
    >>> refs = read_texts(d / "text")
    >>> refs.ids, refs.items
    (('u1', 'u2'), ('伊丽莎白来了', '达西 走了'))
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Generic, Literal, TypeVar, cast

from hotfuse.errors import DataError, HotfuseError
from hotfuse.lexicon import Hotword
from hotfuse.transcript import Token, Transcript

__all__ = [
    "FUSE_FORMATS",
    "MAX_LINE_BYTES",
    "Aligned",
    "HotwordSet",
    "InputRecord",
    "Records",
    "align_ids",
    "detect_format",
    "guess_fuse_format",
    "iter_fuse_input",
    "iter_lines",
    "parse_fuse_lines",
    "read_correction_pairs",
    "read_hotwords",
    "read_hypotheses",
    "read_texts",
    "write_jsonl",
    "write_kaldi_text",
]

logger = logging.getLogger("hotfuse")

T = TypeVar("T")
U = TypeVar("U")

PathLike = str | os.PathLike[str]
Format = Literal["kaldi", "jsonl"]
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# "original" and "replacements" are what hotfuse writes beside a fused transcript
_HYP_KEYS = {"id", "text", "confidences", "timestamps", "tokens", "original", "replacements"}
_TOKEN_KEYS = {"text", "start", "end", "confidence"}


@dataclass(frozen=True)
class Records(Generic[T]):
    """Items keyed by utterance id, in file order, with the warnings met while reading.

    Attributes:
        ids: the utterance ids, unique, in file order.
        items: one item per id.
        path: the file read (``"-"`` for standard input), or None when built in memory.
        warnings: one message per kind of tolerated problem, with its count.
    """

    ids: tuple[str, ...]
    items: tuple[T, ...]
    path: str | None = None
    warnings: tuple[str, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.items):
            msg = f"Records has {len(self.ids)} ids but {len(self.items)} items"
            raise DataError(msg, path=self.path)
        self._index.update((k, i) for i, k in enumerate(self.ids))
        if len(self._index) != len(self.ids):
            dup = next(k for k, n in Counter(self.ids).items() if n > 1)
            msg = f"utterance id {dup!r} appears more than once; ids must be unique"
            raise DataError(msg, path=self.path)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, utt_id: object) -> bool:
        return utt_id in self._index

    def __getitem__(self, utt_id: str) -> T:
        return self.items[self._index[utt_id]]

    def get(self, utt_id: str) -> T | None:
        """The item of ``utt_id``, or None when absent."""
        k = self._index.get(utt_id)
        return None if k is None else self.items[k]

    def as_dict(self) -> dict[str, T]:
        """``{id: item}`` in file order."""
        return dict(zip(self.ids, self.items, strict=True))


@dataclass(frozen=True)
class HotwordSet:
    """Hotwords from a file: one list for every utterance, or one list per utterance.

    Attributes:
        global_words: the list for every utterance (a list file), else None.
        per_utterance: ``{id: hotwords}`` (a JSONL file), else None.
        path: the file read.
        warnings: tolerated problems with their counts.
    """

    global_words: tuple[Hotword, ...] | None
    per_utterance: Mapping[str, tuple[Hotword, ...]] | None
    path: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def is_global(self) -> bool:
        """True when one list applies to every utterance."""
        return self.global_words is not None

    def all_words(self) -> tuple[Hotword, ...]:
        """Every distinct hotword (first occurrence wins), in file order."""
        if self.global_words is not None:
            return self.global_words
        seen: dict[str, Hotword] = {}
        for words in (self.per_utterance or {}).values():
            for w in words:
                seen.setdefault(w.text, w)
        return tuple(seen.values())

    def for_ids(
        self, ids: Sequence[str], *, missing: Literal["error", "empty"] = "error"
    ) -> list[tuple[Hotword, ...]]:
        """One hotword list per id.

        Args:
            ids: the utterance ids, in evaluation order.
            missing: for a per-utterance file without an entry for some id: ``"error"``
                raises, ``"empty"`` gives that utterance no active hotword (counted and
                logged as a warning).

        Raises:
            DataError: an id has no entry and ``missing`` is ``"error"``.
        """
        if self.global_words is not None:
            return [self.global_words] * len(ids)
        table = self.per_utterance or {}
        absent = [i for i in ids if i not in table]
        if absent:
            shown = ", ".join(repr(i) for i in absent[:5])
            more = f" and {len(absent) - 5} more" if len(absent) > 5 else ""
            if missing == "error":
                msg = (
                    f"{len(absent)} utterance(s) have no hotword entry ({shown}{more}); add "
                    "them (an empty list is fine) or allow missing entries"
                )
                raise DataError(msg, path=self.path)
            logger.warning(
                "%s: %d utterance(s) have no hotword entry (%s%s); scored with no active hotword",
                self.path,
                len(absent),
                shown,
                more,
            )
        return [table.get(i, ()) for i in ids]


# ---------------------------------------------------------------------- low-level reading
@dataclass
class _Lines:
    path: str
    lines: list[tuple[int, str]]  # (1-based line number, text without line end)
    warnings: Counter[str] = field(default_factory=Counter)


def _display(path: PathLike) -> str:
    return os.fspath(path)


def _stdin_readline() -> Callable[[int], bytes]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return cast("Callable[[int], bytes]", buffer.readline)
    text = sys.stdin  # a text stream (tests replace sys.stdin)
    return lambda size: text.readline(size).encode("utf-8", "surrogateescape")


MAX_LINE_BYTES = 4 * 2**20
"""The longest line a reader accepts (4 MiB, line end excluded). A longer line is reported
with its number and skipped without being held in memory, so memory stays bounded for any
file; an hour of speech as JSONL with per-token times is about 1 MiB."""


def _raw_lines(readline: Callable[[int], bytes]) -> Iterator[bytes | int]:
    """Lines of a binary stream with their line ends; an overlong line is consumed in
    pieces and given as its length in bytes instead."""
    while raw := readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        while raw and not raw.endswith(b"\n"):
            raw = readline(2**20)
            size += len(raw)
        yield size - raw.endswith(b"\n")


def _open_binary(path: PathLike) -> BinaryIO:
    name = _display(path)
    try:
        return open(name, "rb")
    except FileNotFoundError:
        msg = "file not found; check the path"
        raise DataError(msg, path=name) from None
    except IsADirectoryError:
        msg = "is a directory; give the path of a file"
        raise DataError(msg, path=name) from None
    except OSError as exc:
        msg = f"cannot read the file ({exc.strerror})"
        raise DataError(msg, path=name) from None


def iter_lines(
    path: PathLike, warnings: Counter[str] | None = None
) -> Iterator[tuple[int, str | DataError]]:
    """Stream ``(line number, text)`` pairs of a UTF-8 file (``-``: standard input).

    Reads one line at a time (constant memory; a line from a pipe is yielded as soon as it
    arrives). A leading byte-order mark and CRLF line ends are removed and counted in
    ``warnings``. A line that is not UTF-8, or longer than :data:`MAX_LINE_BYTES`, gives
    ``(line number, DataError)`` instead of text, so the caller can stop or report it and
    go on.

    Raises:
        DataError: the file cannot be opened.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfa\\r\\n\\xff\\nc")
    >>> [x if isinstance(x, str) else f"error on line {x.line_no}" for _, x in iter_lines(p)]
    ['a', 'error on line 2', 'c']
    """
    name = _display(path)
    counts = warnings if warnings is not None else Counter()
    fh = None if name == "-" else _open_binary(path)
    try:
        readline = _stdin_readline() if fh is None else fh.readline
        for no, raw in enumerate(_raw_lines(readline), start=1):
            if isinstance(raw, int):
                msg = (
                    f"the line is {raw:,} bytes long, over the limit of {MAX_LINE_BYTES:,}; "
                    "skipped: split it into utterances"
                )
                yield no, DataError(msg, path=name, line_no=no)
                continue
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
                counts["UTF-8 byte-order mark at the start (ignored)"] += 1
            if raw.endswith(b"\r"):
                raw = raw[:-1]
                counts["line(s) end with CRLF (Windows line ends, accepted)"] += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                msg = (
                    f"not valid UTF-8 (byte {exc.start + 1} of the line, "
                    f"{raw[exc.start : exc.start + 1]!r}); convert the file to UTF-8, "
                    "e.g. iconv -f GBK -t UTF-8"
                )
                yield no, DataError(msg, path=name, line_no=no)
                continue
            yield no, text
    except OSError as exc:
        msg = f"cannot read the file ({exc.strerror})"
        raise DataError(msg, path=name) from None
    finally:
        if fh is not None:
            fh.close()


def _split_lines(path: PathLike) -> _Lines:
    """Every line of a file, for the collecting readers; bad UTF-8 raises, naming the line."""
    out = _Lines(_display(path), [])
    for no, text in iter_lines(path, out.warnings):
        if isinstance(text, DataError):
            raise text
        out.lines.append((no, text))
    return out


def _finish_warnings(path: str, counts: Counter[str]) -> tuple[str, ...]:
    msgs = []
    for what, n in counts.items():
        msg = f"{path}: {what}: {n}"
        logger.warning("%s", msg)
        msgs.append(msg)
    return tuple(msgs)


def detect_format(path: PathLike) -> Format:
    """``"jsonl"`` for a ``.jsonl``/``.ndjson``/``.json`` file or one whose first non-blank
    line starts with ``{``; else ``"kaldi"``.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "hyp"
    >>> _ = p.write_text('{"id": "u1", "text": "你好"}\\n', encoding="utf-8")
    >>> detect_format(p)
    'jsonl'
    """
    name = _display(path)
    if name != "-" and Path(name).suffix.lower() in _JSONL_SUFFIXES:
        return "jsonl"
    if name == "-":
        return "kaldi"
    try:
        with open(name, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "kaldi"  # the reader reports the problem with its path
    head = head.removeprefix(b"\xef\xbb\xbf")
    for line in head.split(b"\n"):
        if line.strip():
            return "jsonl" if line.lstrip().startswith(b"{") else "kaldi"
    return "kaldi"


# ---------------------------------------------------------------------- Kaldi text
def _parse_kaldi(lines: _Lines) -> tuple[list[str], list[str], dict[str, int]]:
    ids: list[str] = []
    texts: list[str] = []
    seen: dict[str, int] = {}
    for no, line in lines.lines:
        if not line.strip():
            lines.warnings["blank line(s) skipped"] += 1
            continue
        if line[0].isspace():
            msg = "the line starts with whitespace; expected 'utt_id transcript'"
            raise DataError(msg, path=lines.path, line_no=no)
        parts = line.split(maxsplit=1)
        utt = parts[0]
        text = parts[1].strip() if len(parts) > 1 else ""
        if utt in seen:
            msg = f"duplicate utterance id {utt!r} (first on line {seen[utt]}); ids must be unique"
            raise DataError(msg, path=lines.path, line_no=no)
        if not text:
            lines.warnings["utterance(s) with an empty transcript (kept as empty)"] += 1
        seen[utt] = no
        ids.append(utt)
        texts.append(text)
    return ids, texts, seen


# ---------------------------------------------------------------------- JSONL
def _parse_jsonl(lines: _Lines, *, results: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """The objects of a JSONL file with their line numbers; with ``results``, a line that
    is a list holding one object (a dumped FunASR ``generate()`` result) gives that one."""
    out: list[tuple[int, dict[str, Any]]] = []
    for no, line in lines.lines:
        if not line.strip():
            lines.warnings["blank line(s) skipped"] += 1
            continue
        try:
            obj = _loads(line)
        except DataError as exc:
            raise DataError(exc.reason, path=lines.path, line_no=no) from None
        if results and isinstance(obj, list) and len(obj) == 1 and isinstance(obj[0], dict):
            obj = obj[0]
        if not isinstance(obj, dict):
            msg = f"expected a JSON object, got {type(obj).__name__}"
            raise DataError(msg, path=lines.path, line_no=no)
        out.append((no, obj))
    return out


def _record_id(obj: Mapping[str, Any], path: str, no: int, seen: dict[str, int]) -> str:
    """The line's ``id`` (or, where it has none, FunASR's ``key``), checked and unique."""
    which = "id" if "id" in obj or "key" not in obj else "key"
    if which not in obj:
        msg = 'the object has no "id"; every line needs {"id": "utt_id", ...} (or FunASR\'s "key")'
        raise DataError(msg, path=path, line_no=no)
    raw = obj[which]
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        msg = f'"{which}" must be a string, got {raw!r}'
        raise DataError(msg, path=path, line_no=no)
    utt = str(raw)
    if not utt or any(ch.isspace() for ch in utt):
        msg = f'"{which}" {utt!r} must be non-empty and hold no whitespace'
        raise DataError(msg, path=path, line_no=no)
    if utt in seen:
        msg = f"duplicate utterance id {utt!r} (first on line {seen[utt]}); ids must be unique"
        raise DataError(msg, path=path, line_no=no)
    seen[utt] = no
    return utt


def _transcript(obj: Mapping[str, Any], path: str, no: int, warn: Counter[str]) -> Transcript:
    unknown = sorted(set(obj) - _HYP_KEYS)
    if unknown:
        warn[f"record(s) with unknown keys ignored ({', '.join(unknown)})"] += 1
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        msg = f'"text" must be a string, got {type(text).__name__}'
        raise DataError(msg, path=path, line_no=no)
    try:
        if "tokens" in obj:
            raw_tokens = obj["tokens"]
            if not isinstance(raw_tokens, list):
                msg = '"tokens" must be a list of {"text", "start", "end", "confidence"}'
                raise DataError(msg, path=path, line_no=no)
            tokens = []
            for k, tok in enumerate(raw_tokens):
                if not isinstance(tok, dict) or "text" not in tok:
                    msg = f'tokens[{k}] must be an object with at least "text", got {tok!r}'
                    raise DataError(msg, path=path, line_no=no)
                extra = sorted(set(tok) - _TOKEN_KEYS)
                if extra:
                    warn[f"token(s) with unknown keys ignored ({', '.join(extra)})"] += 1
                tokens.append(
                    Token(tok["text"], tok.get("start"), tok.get("end"), tok.get("confidence"))
                )
            return Transcript.from_tokens(tokens, text)
        if text is None:
            msg = 'the object has neither "text" nor "tokens"'
            raise DataError(msg, path=path, line_no=no)
        return Transcript.from_text(text, obj.get("confidences"), obj.get("timestamps"))
    except DataError:
        raise
    except HotfuseError as exc:
        msg = str(exc)
        raise DataError(msg, path=path, line_no=no) from None


# ---------------------------------------------------------------------- public readers
def read_texts(path: PathLike) -> Records[str]:
    """Utterance texts from Kaldi text or JSONL (``{"id", "text"}``), e.g. references.

    Raises:
        DataError: unreadable file, bad UTF-8, duplicate ids, malformed lines; the
            message names the path and line.
    """
    if detect_format(path) == "jsonl":
        hyps = read_hypotheses(path)
        return Records(hyps.ids, tuple(t.text for t in hyps.items), hyps.path, hyps.warnings)
    lines = _split_lines(path)
    ids, texts, _ = _parse_kaldi(lines)
    warnings = _finish_warnings(lines.path, lines.warnings)
    return Records(tuple(ids), tuple(texts), lines.path, warnings)


def read_hypotheses(path: PathLike) -> Records[Transcript]:
    """Recognizer output as :class:`Transcript` objects, from JSONL or Kaldi text.

    JSONL lines carry ``text`` with optional ``confidences``/``timestamps``, or a
    ``tokens`` list; Kaldi text gives transcripts without confidences.

    Raises:
        DataError: as :func:`read_texts`, plus confidences/timestamps that do not fit the
            text (the message says which lengths disagree).
    """
    lines = _split_lines(path)
    if detect_format(path) == "kaldi":
        ids, texts, seen = _parse_kaldi(lines)
        items = []
        for utt, text in zip(ids, texts, strict=True):
            try:
                items.append(Transcript.from_text(text))
            except HotfuseError as exc:  # pragma: no cover - from_text accepts any str
                msg = str(exc)
                raise DataError(msg, path=lines.path, line_no=seen[utt]) from None
        warnings = _finish_warnings(lines.path, lines.warnings)
        return Records(tuple(ids), tuple(items), lines.path, warnings)
    seen_ids: dict[str, int] = {}
    out_ids: list[str] = []
    out_items: list[Transcript] = []
    for no, obj in _parse_jsonl(lines, results=True):
        out_ids.append(_record_id(obj, lines.path, no, seen_ids))
        if not _recognizer_result(obj):
            out_items.append(_transcript(obj, lines.path, no, lines.warnings))
        else:  # a recognizer's own result (FunASR, Whisper, sherpa-onnx...) with an id
            out_items.append(_result_transcript(obj, lines, no))
    warnings = _finish_warnings(lines.path, lines.warnings)
    return Records(tuple(out_ids), tuple(out_items), lines.path, warnings)


def _recognizer_result(obj: dict[str, Any]) -> bool:
    """Whether a hypothesis line holds a recognizer's result rather than hotfuse's record
    (a record with a misspelt key stays a record, so the key is named in a warning): one a
    specific frontend (Whisper, WeNet, sherpa-onnx...) recognizes, or FunASR's, told by
    its ``key`` or ``timestamp``."""
    if _own_record(obj):
        return False
    if _funasr_key_text(obj):
        return True
    from hotfuse import frontends
    from hotfuse.errors import FrontendOutputError

    try:
        name = frontends.detect_frontend(obj).name
    except FrontendOutputError:
        return False
    if name == "funasr":
        return "key" in obj or "timestamp" in obj
    return name != "text"


def _result_transcript(obj: dict[str, Any], lines: _Lines, no: int) -> Transcript:
    """A recognizer's result on a hypothesis line, read by its frontend."""
    try:
        _, tr = _parse_json_line(obj, lines.path, no, lines.warnings)
    except DataError as exc:
        raise DataError(exc.reason, path=lines.path, line_no=no) from None
    return tr


def _coerce_hotword(value: object, path: str, no: int) -> Hotword:
    try:
        return Hotword.coerce(value)
    except HotfuseError as exc:
        msg = str(exc)
        raise DataError(msg, path=path, line_no=no) from None


def read_hotwords(path: PathLike) -> HotwordSet:
    """A hotword list file (global) or a JSONL file of per-utterance lists.

    List file: one term a line; a line whose first non-space character is ``#`` is a
    comment, and so is the rest of a line after whitespace followed by ``#``. Blank lines
    are skipped; a repeated term is kept once (counted as a warning).

    Raises:
        DataError: bad UTF-8, bad JSON, missing ids, a ``hotwords`` value that is not a
            list, or a term that is not a string or Hotword mapping.
    """
    lines = _split_lines(path)
    if detect_format(path) == "kaldi":
        words: dict[str, Hotword] = {}
        for no, line in lines.lines:
            term = line.strip()
            if term.startswith("#"):
                continue
            for sep in (" #", "\t#"):
                if sep in term:
                    term = term.split(sep, 1)[0].strip()
            if not term:
                continue
            hw = _coerce_hotword(term, lines.path, no)
            if hw.text in words:
                lines.warnings["repeated hotword(s) kept once"] += 1
                continue
            words[hw.text] = hw
        warnings = _finish_warnings(lines.path, lines.warnings)
        return HotwordSet(tuple(words.values()), None, lines.path, warnings)
    table: dict[str, tuple[Hotword, ...]] = {}
    seen: dict[str, int] = {}
    for no, obj in _parse_jsonl(lines):
        utt = _record_id(obj, lines.path, no, seen)
        raw = obj.get("hotwords")
        if not isinstance(raw, list):
            msg = f'"hotwords" must be a list of terms, got {raw!r}'
            raise DataError(msg, path=lines.path, line_no=no)
        uniq: dict[str, Hotword] = {}
        for item in raw:
            hw = _coerce_hotword(item, lines.path, no)
            uniq.setdefault(hw.text, hw)
        table[utt] = tuple(uniq.values())
    warnings = _finish_warnings(lines.path, lines.warnings)
    return HotwordSet(None, table, lines.path, warnings)


# ---------------------------------------------------------------------- id alignment
@dataclass(frozen=True)
class Aligned(Generic[T, U]):
    """References and hypotheses paired by id, in reference order.

    Attributes:
        ids: the ids evaluated.
        refs: the reference item per id.
        hyps: the hypothesis item per id (None for a missing one under ``"empty"``).
        missing: reference ids without a hypothesis.
        extra: hypothesis ids without a reference (ignored).
    """

    ids: tuple[str, ...]
    refs: tuple[T, ...]
    hyps: tuple[U | None, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]


def _some(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:5])
    return shown + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def align_ids(
    refs: Records[T],
    hyps: Records[U],
    *,
    missing: Literal["error", "skip", "empty"] = "error",
) -> Aligned[T, U]:
    """Pair references and hypotheses by utterance id.

    Args:
        refs: the references (their order is the evaluation order).
        hyps: the hypotheses.
        missing: what to do when the id sets differ. ``"error"`` raises; ``"skip"``
            evaluates only the shared ids; ``"empty"`` keeps every reference and gives a
            missing hypothesis as None (score it as an empty output). Under ``"skip"`` and
            ``"empty"`` the missing and extra ids are counted and logged as warnings.

    Raises:
        DataError: the id sets differ and ``missing`` is ``"error"``, or no id is shared.

    >>> r = Records(("u1", "u2"), ("甲", "乙"))
    >>> h = Records(("u2", "u1"), ("乙", "甲"))
    >>> align_ids(r, h).hyps
    ('甲', '乙')
    """
    missing_ids = tuple(i for i in refs.ids if i not in hyps)
    extra_ids = tuple(i for i in hyps.ids if i not in refs)
    where = hyps.path
    if missing_ids or extra_ids:
        parts = []
        if missing_ids:
            parts.append(
                f"{len(missing_ids)} reference id(s) have no hypothesis ({_some(missing_ids)})"
            )
        if extra_ids:
            parts.append(
                f"{len(extra_ids)} hypothesis id(s) have no reference ({_some(extra_ids)})"
            )
        what = "; ".join(parts)
        if missing == "error":
            msg = (
                f"{what}; fix the files, or choose to skip missing utterances or score them "
                "as empty output"
            )
            raise DataError(msg, path=where)
        logger.warning(
            "%s: %s (%s)",
            where,
            what,
            "skipped" if missing == "skip" else "missing hypotheses scored as empty",
        )
    if missing == "skip" or missing == "error":
        ids = tuple(i for i in refs.ids if i in hyps)
    else:
        ids = refs.ids
    if refs.ids and not ids:
        msg = "no utterance id is shared by the references and the hypotheses; wrong files?"
        raise DataError(msg, path=where)
    return Aligned(
        ids=ids,
        refs=tuple(refs[i] for i in ids),
        hyps=tuple(hyps.get(i) for i in ids),
        missing=missing_ids,
        extra=extra_ids,
    )


# ---------------------------------------------------------------------- writers
def _atomic_write(path: PathLike, text: str) -> None:
    name = _display(path)
    if name == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from hotfuse._files import atomic_write_text

    atomic_write_text(name, text, error=DataError)


def write_kaldi_text(path: PathLike, entries: Iterable[tuple[str, str]]) -> None:
    """Write ``utt_id<TAB>text`` lines atomically (``-``: standard output).

    Raises:
        DataError: an id is empty or holds whitespace, or a text holds a line break.
    """
    out = []
    for utt, text in entries:
        if not utt or any(ch.isspace() for ch in utt):
            msg = f"utterance id {utt!r} must be non-empty and hold no whitespace"
            raise DataError(msg, path=_display(path))
        if "\n" in text or "\r" in text:
            msg = f"the text of {utt!r} holds a line break; Kaldi text is one utterance a line"
            raise DataError(msg, path=_display(path))
        out.append(f"{utt}\t{text}\n")
    _atomic_write(path, "".join(out))


def write_jsonl(path: PathLike, records: Iterable[Mapping[str, Any]]) -> None:
    """Write one JSON object a line (UTF-8, not ASCII-escaped), atomically.

    Raises:
        DataError: a record holds a value JSON cannot encode (NaN included).
    """
    out = []
    for k, rec in enumerate(records):
        try:
            out.append(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")
        except (TypeError, ValueError) as exc:
            msg = f"record {k} cannot be written as JSON: {exc}"
            raise DataError(msg, path=_display(path)) from None
    _atomic_write(path, "".join(out))


# ---------------------------------------------------------------------- fuse -i input
@dataclass(frozen=True, slots=True)
class InputRecord:
    """One utterance of ``hotfuse fuse`` input.

    Attributes:
        line_no: its line in the input (1-based).
        id: the utterance id (Kaldi text, or a JSONL ``id``/``key``), else None.
        transcript: what to fuse.
        format: ``"plain"``, ``"kaldi"``, ``"json"`` (hotfuse's own record) or
            ``"recognizer"`` (a recognizer's result): how the result is written back.
        raw: for ``"recognizer"``, the parsed result, to write the fused text back into.
        line: for ``"recognizer"``, the line as read, to give back when nothing changes.
    """

    line_no: int
    id: str | None
    transcript: Transcript
    format: str
    raw: Any = None
    line: str | None = None


FUSE_FORMATS = ("auto", "text", "kaldi", "jsonl")
#: ``"FILE:LINE"`` of the ``fuse -i`` line being read (or written back), for log filters
#: that put the location on a frontend's warnings; None elsewhere.
READING: contextvars.ContextVar[str | None] = contextvars.ContextVar("READING", default=None)
_KALDI_ID = re.compile(r"^[A-Za-z0-9_\-.:/]*[0-9_\-][A-Za-z0-9_\-.:/]*$")
_SAMPLE = 20


def iter_fuse_input(path: PathLike, fmt: str = "auto") -> Iterator[InputRecord | DataError]:
    """Stream the records of ``hotfuse fuse -i PATH`` (``-``: standard input), in order.

    The format is decided once for the whole input (``fmt``: ``"text"``, one transcript a
    line; ``"kaldi"``, ``utt_id transcript``; ``"jsonl"``; or ``"auto"``, see
    :func:`guess_fuse_format`). A line that cannot be read gives a :class:`DataError`
    naming it, and reading goes on.
    """
    name = _display(path)
    if fmt not in FUSE_FORMATS:
        msg = f"unknown input format {fmt!r}; choose from {', '.join(FUSE_FORMATS)}"
        raise DataError(msg, path=name)
    lines = iter_lines(path)
    if fmt == "auto":
        head: list[tuple[int, str | DataError]] = []
        texts: list[str] = []
        limit = 1 if name == "-" else _SAMPLE  # a pipeline cannot wait for more lines
        for item in lines:
            head.append(item)
            if isinstance(item[1], str) and item[1].strip():
                texts.append(item[1])
                if len(texts) >= limit:
                    break
        fmt = guess_fuse_format(name, texts)
        logger.info("%s: read as %s (use --format to choose)", name, fmt)
        lines = itertools.chain(head, lines)
    return parse_fuse_lines(lines, fmt, name)


def guess_fuse_format(name: str, sample: Sequence[str]) -> str:
    """The format of ``fuse -i`` input from its name and first non-blank lines.

    ``jsonl`` for a ``.jsonl``/``.ndjson``/``.json`` file or a first line holding a JSON
    object or array; ``kaldi`` for a file (not standard input) whose sampled lines all start with an
    id-like field (ASCII letters and digits, holding a digit, ``_`` or ``-``: ``utt001``,
    ``BAC009S0002W0122``) followed by text; else ``text``. Decided once per input, so a
    transcript such as ``我们用 py torch 训练`` is never split into an id and a text.

    >>> guess_fuse_format("hyp.txt", ["u1 伊丽沙白来了", "u2\t达稀先生"])
    'kaldi'
    >>> guess_fuse_format("hyp.txt", ["我们用 py torch 训练", "u2 达稀先生"])
    'text'
    >>> guess_fuse_format("-", ['{"text": "你好"}'])
    'jsonl'
    """
    if name != "-" and Path(name).suffix.lower() in _JSONL_SUFFIXES:
        return "jsonl"
    if not sample:
        return "text"
    first = sample[0].strip()
    if first.startswith("{") or _json_array(first):  # an array: WeNet nbest, FunASR lists
        return "jsonl"
    if name == "-":
        return "text"

    def kaldi_like(line: str) -> bool:
        parts = line.strip().split(maxsplit=1)
        return len(parts) == 2 and not line[:1].isspace() and bool(_KALDI_ID.match(parts[0]))

    return "kaldi" if all(kaldi_like(line) for line in sample) else "text"


def parse_fuse_lines(
    lines: Iterable[tuple[int, str | DataError]], fmt: str, src: str
) -> Iterator[InputRecord | DataError]:
    """Records of one format from numbered lines (see :func:`iter_fuse_input`); a line that
    cannot be read gives a :class:`DataError` naming it.

    Blank lines hold no record in JSONL and Kaldi input and are skipped; in plain text a
    blank or whitespace-only line is an empty transcript and comes back as it was, so the
    output has as many lines as the input and stays aligned with it.
    """
    warn: Counter[str] = Counter()
    for no, line in lines:
        if isinstance(line, DataError):
            yield line
            continue
        if not line.strip() and fmt != "text":
            continue
        token = READING.set(f"{src}:{no}")  # a frontend's warnings name the line
        try:
            item: InputRecord | DataError = _fuse_record(no, line, fmt, src, warn)
        except DataError as exc:
            item = exc if exc.line_no is not None else DataError(exc.reason, path=src, line_no=no)
        except (HotfuseError, ValueError, TypeError, KeyError) as exc:
            item = DataError(str(exc), path=src, line_no=no)
        finally:
            READING.reset(token)
        yield item
    _finish_warnings(src, warn)


def _fuse_record(no: int, line: str, fmt: str, src: str, warn: Counter[str]) -> InputRecord:
    if fmt == "jsonl":
        stripped = line.strip()
        if not stripped.startswith(("{", "[")):
            msg = "not a JSON object; this input is read as JSONL (use --format text or kaldi)"
            raise DataError(msg)
        obj = _loads(stripped)
        uid, tr = _parse_json_line(obj, src, no, warn)
        if isinstance(obj, dict) and _own_record(obj):
            return InputRecord(no, uid, tr, "json")
        return InputRecord(no, uid, tr, "recognizer", obj, line.rstrip("\r\n"))
    if fmt == "kaldi":
        parts = line.strip().split(maxsplit=1)
        text = parts[1] if len(parts) > 1 else ""
        return InputRecord(no, parts[0], Transcript.from_text(text.strip()), "kaldi")
    return InputRecord(no, None, Transcript.from_text(line), "plain")


_OWN_KEYS = frozenset({"id", "key", "text", "tokens", "confidences", "timestamps"})


def _loads(line: str) -> Any:
    """One JSON value; what is wrong with it as a :class:`DataError` without a location."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        hint = "one JSON object per line"
        if exc.msg.startswith("Invalid control character"):
            hint = "control characters such as NUL or a tab must be escaped in JSON (\\u0000)"
        msg = f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno}); {hint}"
        raise DataError(msg) from None
    except RecursionError:
        msg = "not readable: JSON nested too deeply (a transcript record is a few levels deep)"
        raise DataError(msg) from None


def _json_array(line: str) -> bool:
    """A line holding a JSON array (WeNet's nbest list, a dumped FunASR result list)."""
    if not line.startswith("["):
        return False
    try:
        return isinstance(_loads(line), list)
    except DataError:
        return False


def _own_record(obj: dict[str, Any]) -> bool:
    """hotfuse's own JSONL shape: ``text`` with optional token dicts, confidences, times.

    ``{"key", "text"}`` alone is FunASR's result (SenseVoice's, or Paraformer's without
    timestamps; its text may hold SenseVoice's ``<|zh|>`` tags): its frontend reads it and
    it comes back as FunASR wrote it, ``key`` and all.
    """
    toks = obj.get("tokens")
    if _funasr_key_text(obj):
        return False
    return (
        set(obj) <= _OWN_KEYS
        and isinstance(obj.get("text"), str)
        and (toks is None or isinstance(toks, list))
        and all(isinstance(t, dict) and "text" in t for t in toks or ())
    )


def _funasr_key_text(obj: dict[str, Any]) -> bool:
    """``{"key", "text"}`` alone: FunASR's result, not hotfuse's record."""
    return "key" in obj and set(obj) <= {"key", "text"}


def _record_uid(obj: Any) -> str | None:
    """The ``id`` (or FunASR's ``key``) of a record: a string or an integer, or None."""
    if not isinstance(obj, dict):
        return None
    raw = obj.get("id", obj.get("key"))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        which = "id" if "id" in obj else "key"
        msg = f'"{which}" must be a string or an integer, got {type(raw).__name__}'
        raise DataError(msg)
    return str(raw)


def _parse_json_line(
    obj: Any, src: str, no: int, warn: Counter[str]
) -> tuple[str | None, Transcript]:
    uid = _record_uid(obj)
    own = {k: v for k, v in obj.items() if k not in ("id", "key")} if isinstance(obj, dict) else {}
    if own.get("tokens", 0) in (None, []):
        del own["tokens"]  # no tokens: the text with optional confidences and times
    if isinstance(obj, dict) and _own_record(obj):
        return uid, _transcript(own, src, no, warn)
    # a recognizer's own result (sherpa-onnx str(result), Vosk, WeNet, FunASR...)
    from hotfuse import frontends
    from hotfuse.errors import FrontendOutputError

    try:
        return uid, frontends.to_transcript(obj)
    except FrontendOutputError as exc:
        if isinstance(obj, dict) and obj and set(obj) <= _OWN_KEYS:
            _transcript(own, src, no, warn)  # hotfuse's own keys: say which value is wrong
        msg = f"a JSONL line must be an object with a 'text' field or a recognizer result: {exc}"
        raise DataError(msg) from None
    except RecursionError:
        msg = "not readable: JSON nested too deeply (a transcript record is a few levels deep)"
        raise DataError(msg) from None


# ---------------------------------------------------------------------- correction pairs
def read_correction_pairs(path: PathLike) -> list[tuple[str, str]]:
    """(recognized, corrected) pairs from JSONL (``{"recognized", "corrected"}``, or
    ``{"hyp", "ref"}``) or CapsWriter's ``hot-rectify.txt`` (blocks of a recognized and a
    corrected line separated by ``---``; ``#`` lines are comments), for
    ``hotfuse lexicon learn``.

    Raises:
        DataError: a record or block without both texts; the message names the line.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "hot-rectify.txt"
    >>> _ = p.write_text("# 纠错历史\\n原锯子\\n原句子\\n---\\n", encoding="utf-8")
    >>> read_correction_pairs(p)
    [('原锯子', '原句子')]
    """
    lines = _split_lines(path)
    name = lines.path
    first = next((t for _, t in lines.lines if t.strip()), "")
    if detect_format(path) == "jsonl" or first.lstrip().startswith("{"):
        out = []
        for no, obj in _parse_jsonl(lines):
            rec = obj.get("recognized", obj.get("hyp"))
            cor = obj.get("corrected", obj.get("ref"))
            if not isinstance(rec, str) or not isinstance(cor, str):
                msg = 'each line needs string "recognized" and "corrected" (or "hyp" and "ref")'
                raise DataError(msg, path=name, line_no=no)
            out.append((rec, cor))
        return out
    pairs: list[tuple[str, str]] = []
    block: list[tuple[int, str]] = []

    def close(at: int) -> None:
        if not block:
            return
        if len(block) != 2:
            msg = (
                f"a correction block needs 2 lines (recognized, then corrected), this one has "
                f"{len(block)}; separate blocks with ---"
            )
            raise DataError(msg, path=name, line_no=block[0][0])
        pairs.append((block[0][1], block[1][1]))
        block.clear()

    for no, text in lines.lines:
        s = text.strip()
        if s == "---":
            close(no)
        elif s and not s.startswith("#"):
            block.append((no, s))
    close(len(lines.lines))
    return pairs
