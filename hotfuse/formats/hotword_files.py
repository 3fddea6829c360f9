r"""Other tools' hotword lists, read and written as those tools really write them.

:func:`import_lexicon` reads a list into a :class:`~hotfuse.Lexicon`, :func:`export_lexicon`
writes one back; :func:`guess_format` names the format of a file it is shown. All readers
accept a UTF-8 BOM, CRLF or CR line ends, trailing spaces and a missing final newline; in
the line-based formats a line whose first character is ``#`` is a comment. Entries a
format cannot express are left out of an export and reported. Sources of each syntax are
cited in ``tests/data/hotwords/README.md`` (one fixture per layout).

==================  =========================================================================
format              syntax (hotfuse weight ``w``)
==================  =========================================================================
``plain``           one term a line (weight 1.0; ``w <= 0`` left out of an export)
``capswriter``      CapsWriter-Offline / asr-hotword ``hot.txt``: ``term | alias | alias ~~~
                    context | context``; aliases become aliases, the words after ``~~~``
                    (near which CapsWriter does not replace) become ``block_contexts``; a
                    rule line ``find = replace`` (``hot-rule.txt``) with a literal ``find``
                    is an alias of ``replace``, one with a regular expression or an empty
                    replacement (a deletion such as ``\[noise\]   =``) is skipped, counted
                    in a warning
``capswriter-rule`` ``hot-rule.txt`` export: one literal rule ``alias = term`` per alias
``funasr``          import: any of FunASR's three conventions: the runtime SDK's
                    ``word weight`` lines (a trailing number is the weight, ``f / 20``), the
                    Python ``AutoModel``'s one hotword a line, or the websocket client's
                    JSON dict ``{"阿里巴巴": 20}``. Export ``variant``: ``automodel``
                    (default: one term a line, no weight: ``AutoModel`` reads a trailing
                    number as part of the hotword), ``runtime`` (``word round(20 w)``) or
                    ``json`` (the websocket dict)
``sherpa-onnx``     ``words :score`` (score ``1.5 w``, omitted at 1.0); ``#threshold`` is
                    dropped (keyword spotting only), ``@phrase`` gives the term;
                    lines written as model pieces (``▁HEL LO``, ``语 音 识 别``) are joined
                    back into words; pinyin pieces without ``@phrase`` are skipped with a
                    warning. Export ``variant``: ``text`` (default; sherpa-onnx >= 1.9.13
                    tokenises itself) or ``cjkchar`` (characters separated by spaces, for
                    older releases and ``cjkchar`` models; BPE models need their
                    ``bpe.model``: run ``sherpa-onnx text2token`` on the ``text`` export)
``aliyun``          NLS ``WordWeights`` JSON map ``{"词": 2}`` or ``word<TAB>weight`` lines
                    (integer [-6, 5], 2 usual: ``a > 0: a / 2``, else ``a``), a
                    ``GetAsrVocab`` response (unwrapped), a ``[{"word", "weight"}]`` list
                    (same scale), or a Model Studio (百炼) list ``[{"text", "weight",
                    "lang"}]`` whose weights are [1, 5] with 4 recommended (``m / 4``;
                    ``lang`` kept as a ``lang:xx`` tag). Export ``variant``: ``tsv``
                    (default), ``wordweights``, ``words`` or ``model-studio``
``tencent``         ``word|weight`` lines or one comma-separated ``word|weight,...`` list
                    (integer [1, 10] ``t / 5``; 11 = super hotword -> 3.0; 100 -> 5.0)
``csv``             header ``text,weight,aliases,pinyin,block_contexts,tags``; list cells
                    use ``;``
``toml``            hotfuse's own lexicon file
==================  =========================================================================
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from hotfuse.errors import InputError, LexiconError
from hotfuse.lexicon import (
    MAX_ENTRY_CHARS,
    MAX_LEXICON_ENTRIES,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Hotword,
    Lexicon,
    Severity,
    _check_lexicon_size,
    _deepest_line,
    _entry_issues,
    _hotword_to_fields,
    _Located,
    _merge_many,
    _split_pinyin,
    _too_many_entries,
)

__all__ = [
    "CSV_FIELDS",
    "FUNASR_SCALE",
    "MODEL_STUDIO_SCALE",
    "SHERPA_DEFAULT_SCORE",
    "VARIANTS",
    "LexiconFormat",
    "detect_variant",
    "export_lexicon",
    "guess_format",
    "import_lexicon",
]

logger = logging.getLogger("hotfuse")


class LexiconFormat(StrEnum):
    """The file formats :func:`import_lexicon` and :func:`export_lexicon` understand."""

    TOML = "toml"
    PLAIN = "plain"
    FUNASR = "funasr"
    SHERPA_ONNX = "sherpa-onnx"
    CSV = "csv"
    CAPSWRITER = "capswriter"
    CAPSWRITER_RULE = "capswriter-rule"
    ALIYUN = "aliyun"
    TENCENT = "tencent"


#: Export variants per format (the first is the default).
VARIANTS: dict[str, tuple[str, ...]] = {
    "funasr": ("automodel", "runtime", "json"),
    "sherpa-onnx": ("text", "cjkchar", "bpe", "cjkchar+bpe"),
    "aliyun": ("tsv", "wordweights", "words", "model-studio"),
    "tencent": ("lines", "inline"),
}
FUNASR_SCALE = 20.0
SHERPA_DEFAULT_SCORE = 1.5
NLS_SCALE = 2.0
MODEL_STUDIO_SCALE = 4.0
CSV_FIELDS = ("text", "weight", "aliases", "pinyin", "block_contexts", "tags")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_REGEX_META = set("\\^$.|?*+()[]{}")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
# the "=" of a CapsWriter rule "find = replace": whitespace before it, whitespace or the
# end after it (fixed width, so a search is linear on long runs of spaces)
_RULE_SEP_RE = re.compile(r"\s=(?=\s|$)")
_TOML_ENTRY_RE = re.compile(r"^[ \t]*\[\[[ \t]*entry[ \t]*\]\]", re.MULTILINE)
_TONE_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")


def _clean_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, stripped line) for every non-blank line, BOM/CRLF tolerant."""
    text = text.removeprefix("\ufeff")
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s:
            out.append((i, s))
    return out


def _fmt_weight(w: float) -> str:
    return f"{w:g}"


def _bad_line(msg: str, path: str | None, line_no: int | None) -> LexiconError:
    return LexiconError(msg, path=path, line_no=line_no)


def _number(token: str, what: str, path: str | None, line_no: int) -> float:
    if not _NUMBER_RE.match(token):
        msg = f"{what} {token!r} is not a number"
        raise _bad_line(msg, path, line_no)
    value = float(token)
    if not math.isfinite(value):
        msg = f"{what} {token!r} is not a finite number"
        raise _bad_line(msg, path, line_no)
    return value


def _checked_weight(w: float, path: str | None, line_no: int | None, original: str) -> float:
    if not WEIGHT_MIN <= w <= WEIGHT_MAX:
        msg = (
            f"weight {original} maps to {w:g}, outside hotfuse's [{WEIGHT_MIN:g}, "
            f"{WEIGHT_MAX:g}]; lower it in the source file"
        )
        raise _bad_line(msg, path, line_no)
    return w


class _Skipped:
    """Lines a reader leaves out, counted by reason and logged once per reason."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.first: dict[str, int] = {}

    def add(self, reason: str, line_no: int) -> None:
        self.counts[reason] += 1
        self.first.setdefault(reason, line_no)

    def log(self, where: str | None) -> None:
        for reason, n in self.counts.items():
            logger.warning(
                "%s: %d line(s) skipped: %s (first: line %d)",
                where or "<input>",
                n,
                reason,
                self.first[reason],
            )


# --------------------------------------------------------------------------- weights
def _nls_to_hotfuse(a: float) -> float:
    return a / NLS_SCALE if a > 0 else a


def _hotfuse_to_nls(w: float) -> int:
    if w > 0:
        return int(min(5, max(1, round(NLS_SCALE * w))))
    return int(min(0, max(-6, round(w))))


def _model_studio_to_hotfuse(m: float) -> float:
    return m / MODEL_STUDIO_SCALE


def _hotfuse_to_model_studio(w: float) -> int:
    return int(min(5, max(1, round(MODEL_STUDIO_SCALE * w))))


def _tencent_to_hotfuse(t: float, path: str | None, line_no: int) -> float:
    if t == 100:
        return 5.0
    if t == 11:
        return 3.0
    if 1 <= t <= 10:
        return t / 5.0
    msg = f"Tencent hotword weight {t:g} is not in 1-10, 11 or 100"
    raise _bad_line(msg, path, line_no)


def _hotfuse_to_tencent(w: float) -> int:
    if w >= 5:
        return 100
    if w >= 3:
        return 11
    return int(min(10, max(1, round(5 * w))))


# --------------------------------------------------------------------------- readers
Rows = Iterator[tuple[int, Hotword]]


def _entry(no: int, text: str, **fields: Any) -> Hotword:
    """A Hotword of line ``no``; a value it refuses is a LexiconError naming that line
    (:func:`import_lexicon` adds the file)."""
    try:
        return Hotword(text, **fields)
    except InputError as exc:
        raise LexiconError(str(exc), line_no=no) from None


def _read_plain(lines: list[tuple[int, str]]) -> Rows:
    for no, line in lines:
        if not line.startswith("#"):
            yield no, _entry(no, line)


def _read_funasr(text: str, lines: list[tuple[int, str]], path: str | None) -> Rows:
    body = text.removeprefix("\ufeff")  # JSON allows the blank lines around it
    if body.strip().startswith("{"):  # the websocket client's JSON dict
        for no, word, weight in _json_items(body, path, "FunASR"):
            if weight <= 0:
                msg = f"FunASR weight {weight:g} of {word!r} must be positive"
                raise _bad_line(msg, path, no)
            w = _checked_weight(weight / FUNASR_SCALE, path, no, f"{weight:g}")
            yield no, _entry(no, word, weight=w)
        return
    for no, line in lines:
        if line.startswith("#"):
            continue
        parts = line.rsplit(None, 1)
        if len(parts) == 2 and _NUMBER_RE.match(parts[1]):
            f = _number(parts[1], "FunASR weight", path, no)
            if f <= 0:
                msg = f"FunASR weight {parts[1]} must be positive"
                raise _bad_line(msg, path, no)
            w = _checked_weight(f / FUNASR_SCALE, path, no, parts[1])
            yield no, _entry(no, parts[0].strip(), weight=w)
        else:
            yield no, _entry(no, line)


def _is_cjk(token: str) -> bool:
    return bool(token) and all(_CJK_CHAR_RE.match(c) for c in token)


def _join_pieces(tokens: list[str]) -> str:
    """Model pieces back to words: ``▁`` starts a Latin word, other Latin pieces continue
    it, CJK characters stand alone; Latin words are spaced, CJK runs are not."""
    units: list[str] = []
    kinds: list[bool] = []  # True: CJK
    pieces = any("▁" in t for t in tokens)
    for tok in tokens:
        if _is_cjk(tok):
            units.append(tok)
            kinds.append(True)
            continue
        starts = tok.startswith("▁")
        piece = tok.replace("▁", "")
        if not piece:
            continue
        if pieces and not starts and units and not kinds[-1]:
            units[-1] += piece
        else:
            units.append(piece)
            kinds.append(False)
    out = ""
    for k, (unit, cjk) in enumerate(zip(units, kinds, strict=True)):
        if k and not cjk and not kinds[k - 1]:
            out += " "
        out += unit
    return out


def _read_sherpa(lines: list[tuple[int, str]], path: str | None, skipped: _Skipped) -> Rows:
    for no, line in lines:
        if line.startswith("#"):
            continue
        words: list[str] = []
        score: float | None = None
        phrase: str | None = None
        for tok in line.split():
            if tok.startswith(":") and len(tok) > 1 and words:
                score = _number(tok[1:], "sherpa-onnx score", path, no)
            elif tok == ":" or (tok.startswith(":") and not words):
                msg = f"sherpa-onnx score in {line!r} is not a number (write: word :2.0)"
                raise _bad_line(msg, path, no)
            elif tok.startswith("#") and len(tok) > 1 and words:
                continue  # a keyword-spotting trigger threshold: nothing to fuse with
            elif tok.startswith("@") and len(tok) > 1:
                phrase = tok[1:]
            elif score is not None:
                msg = f"the score must come after the words in {line!r} (write: word :2.0)"
                raise _bad_line(msg, path, no)
            else:
                words.append(tok)
        if phrase is not None:
            word = phrase
        elif any(c in _TONE_MARKS for c in "".join(words)):
            skipped.add("pinyin model pieces without @phrase (add @词 to name the term)", no)
            continue
        else:
            word = _join_pieces(words)
        if not word:
            continue
        weight = 1.0
        if score is not None:
            weight = _checked_weight(score / SHERPA_DEFAULT_SCORE, path, no, f"{score:g}")
        yield no, _entry(no, word, weight=weight)


def _split_bar(part: str) -> list[str]:
    return [p.strip() for p in part.split("|") if p.strip()]


def _read_capswriter(lines: list[tuple[int, str]], skipped: _Skipped) -> Rows:
    for no, line in lines:
        if line.startswith("#"):
            continue
        rule = _RULE_SEP_RE.search(line)
        if rule and "|" not in line:
            find_s, repl_s = line[: rule.start()].strip(), line[rule.end() :].strip()
            if not repl_s:
                skipped.add("CapsWriter deletion rules (an empty replacement)", no)
            elif any(c in _REGEX_META for c in find_s):
                skipped.add("CapsWriter regular-expression rules (hotfuse aliases are literal)", no)
            else:
                yield no, _entry(no, repl_s, aliases=(find_s,))
            continue
        body, _, context = line.partition("~~~")
        terms = _split_bar(body)
        if not terms:
            skipped.add("CapsWriter lines with no term before '~~~'", no)
            continue
        aliases = tuple(a for a in dict.fromkeys(terms[1:]) if a != terms[0])
        yield no, _entry(no, terms[0], aliases=aliases, block_contexts=tuple(_split_bar(context)))


def _read_tencent(lines: list[tuple[int, str]], path: str | None) -> Rows:
    for no, line in lines:
        if line.startswith("#"):
            continue
        for item in (p.strip() for p in line.split(",")) if "|" in line else [line]:
            if not item:
                continue
            word, sep, token = item.rpartition("|")
            if not sep:
                yield no, _entry(no, item)
                continue
            if not word.strip():
                msg = f"no word before '|' in {item!r}"
                raise _bad_line(msg, path, no)
            value = _number(token.strip(), "Tencent weight", path, no)
            w = _checked_weight(_tencent_to_hotfuse(value, path, no), path, no, token.strip())
            yield no, _entry(no, word.strip(), weight=w)


def _first_line(text: str) -> int:
    """The line of the first non-blank character (where a JSON document starts)."""
    return text[: len(text) - len(text.lstrip())].count("\n") + 1


def _line_index(text: str) -> dict[str, int]:
    """Every JSON string on a line -> its first line number (one pass; for error lines)."""
    out: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
            out.setdefault(m.group(1), i)
    return out


def _json_load(text: str, path: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON: {exc.msg} (column {exc.colno})"
        raise _bad_line(msg, path, exc.lineno) from None
    except RecursionError:
        msg = "invalid JSON: arrays or objects nested too deeply for a hotword list"
        raise LexiconError(msg, path=path, line_no=_deepest_line(text)) from None


def _json_or_none(text: str) -> Any:
    """The JSON value of ``text``, or None when it is not JSON (for guessing formats)."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None


def _json_items(text: str, path: str | None, label: str) -> Iterator[tuple[int, str, float]]:
    data = _json_load(text, path)
    if not isinstance(data, dict):
        msg = f"{label} JSON must be an object {{word: weight}}"
        raise LexiconError(msg, path=path, line_no=_first_line(text))
    where = _line_index(text)
    for word, weight in data.items():
        no = where.get(word, _first_line(text))
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            msg = f"bad JSON item {word!r}: {weight!r}; expected a word and a number"
            raise _bad_line(msg, path, no)
        yield no, word, float(weight)


def _aliyun_variant(data: Any) -> str:
    if isinstance(data, dict):
        return "wordweights"
    if isinstance(data, list) and data and all(isinstance(o, dict) for o in data):
        if any("text" in o for o in data):
            return "model-studio"
        return "words"
    return "wordweights"


def _read_aliyun(text: str, path: str | None) -> Rows:
    body = text.removeprefix("\ufeff")  # JSON allows the blank lines around it
    first = _first_line(body)
    if not body.strip().startswith(("{", "[")):
        yield from _read_aliyun_tsv(_clean_lines(text), path)
        return
    data = _json_load(body, path)
    if isinstance(data, dict) and isinstance(data.get("Vocab"), dict):  # GetAsrVocab
        data = data["Vocab"]
    if isinstance(data, dict) and "WordWeights" in data:
        data = data["WordWeights"]
        if isinstance(data, str):  # the API sends the map as a JSON string
            data = _json_load(data, path)
    where = _line_index(body)
    variant = _aliyun_variant(data)
    items: list[tuple[Any, Any, Any]]
    if isinstance(data, dict):
        items = [(word, weight, None) for word, weight in data.items()]
    elif isinstance(data, list):
        items = []
        for obj in data:
            if not isinstance(obj, dict):
                msg = "JSON list items must be objects with 'text' (or 'word') and 'weight'"
                raise LexiconError(msg, path=path, line_no=first)
            default = MODEL_STUDIO_SCALE if variant == "model-studio" else NLS_SCALE
            word = obj.get("text", obj.get("word"))
            items.append((word, obj.get("weight", default), obj.get("lang")))
    else:
        msg = (
            "JSON must be a {word: weight} map, a GetAsrVocab response or a list of {text, weight}"
        )
        raise LexiconError(msg, path=path, line_no=first)
    for word, weight, lang in items:
        no = where.get(word, first) if isinstance(word, str) else first
        if (
            not isinstance(word, str)
            or isinstance(weight, bool)
            or not isinstance(weight, int | float)
        ):
            msg = f"bad JSON item {word!r}: {weight!r}; expected a word and a number"
            raise _bad_line(msg, path, no)
        if variant == "model-studio":
            if not 1 <= weight <= 5:
                msg = f"Model Studio weight {weight!r} of {word!r} is outside [1, 5]"
                raise _bad_line(msg, path, no)
            w = _model_studio_to_hotfuse(float(weight))
        else:
            w = _nls_to_hotfuse(float(weight))
        tags = (f"lang:{lang}",) if isinstance(lang, str) and lang else ()
        yield no, _entry(no, word, weight=_checked_weight(w, path, no, str(weight)), tags=tags)


def _read_aliyun_tsv(lines: list[tuple[int, str]], path: str | None) -> Rows:
    for no, line in lines:
        if line.startswith("#"):
            continue
        parts = line.rsplit("\t", 1) if "\t" in line else line.rsplit(None, 1)
        if len(parts) != 2 or not _NUMBER_RE.match(parts[1].strip()):
            if len(parts) == 2 and "\t" in line:
                _number(parts[1].strip(), "Aliyun weight", path, no)
            yield no, _entry(no, line)
            continue
        value = _number(parts[1].strip(), "Aliyun weight", path, no)
        w = _checked_weight(_nls_to_hotfuse(value), path, no, parts[1].strip())
        yield no, _entry(no, parts[0].strip(), weight=w)


def _split_cell(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；]", cell) if p.strip()]


def _csv_rows(reader: Any, path: str | None) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``; what the csv module refuses as a LexiconError."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            msg = f"unreadable CSV: {exc}"
            if "field limit" in str(exc):
                msg = (
                    f"a CSV cell is longer than {csv.field_size_limit() // 1024} KiB; a cell "
                    "holds one term or a few ';'-separated values (check the quotes)"
                )
            raise _bad_line(msg, path, reader.line_num) from None
        yield row


def _read_csv(text: str, path: str | None) -> Iterator[tuple[int, Hotword]]:
    body = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(body, newline=""))
    header: list[str] | None = None
    for row in _csv_rows(reader, path):
        no = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            candidate = [c.strip().lower() for c in row]
            if "text" in candidate:
                unknown = [c for c in candidate if c and c not in CSV_FIELDS]
                if unknown:
                    msg = f"unknown CSV columns {unknown}; known: {', '.join(CSV_FIELDS)}"
                    raise _bad_line(msg, path, no)
                header = candidate
                continue
            header = list(CSV_FIELDS[: len(row)])
        if row[0].strip().startswith("#"):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        word = cells.get("text", "")
        if not word:
            msg = "empty 'text' cell"
            raise _bad_line(msg, path, no)
        weight = 1.0
        if cells.get("weight"):
            weight = _checked_weight(
                _number(cells["weight"], "weight", path, no), path, no, cells["weight"]
            )
        pinyin = _split_pinyin(cells["pinyin"]) if cells.get("pinyin") else None
        try:
            hw = _entry(
                no,
                word,
                weight=weight,
                aliases=tuple(_split_cell(cells.get("aliases", ""))),
                pinyin=pinyin,
                block_contexts=tuple(_split_cell(cells.get("block_contexts", ""))),
                tags=tuple(_split_cell(cells.get("tags", ""))),
            )
        except InputError as exc:
            raise _bad_line(str(exc), path, no) from None
        yield no, hw


def import_lexicon(
    text: str,
    fmt: LexiconFormat | str,
    *,
    path: str | os.PathLike[str] | None = None,
    name: str = "",
) -> Lexicon:
    """Read another tool's hotword list into a Lexicon (weights mapped, see the table).

    Duplicate words are merged (first weight wins, aliases united). Lines a format holds
    but hotfuse cannot use (CapsWriter regex and deletion rules, pinyin pieces) are
    skipped with one warning per kind.

    >>> lex = import_lexicon("\\ufeff重庆 40\\r\\n达西\\r\\n", "funasr")
    >>> [(h.text, h.weight) for h in lex.hotwords]
    [('重庆', 2.0), ('达西', 1.0)]
    >>> lex = import_lexicon("CapsWriter | Caps Rider ~~~ 骑手\\n", "capswriter")
    >>> h = lex.hotwords[0]; (h.text, h.aliases, h.block_contexts)
    ('CapsWriter', ('Caps Rider',), ('骑手',))

    Raises:
        LexiconError: a line cannot be read; ``line_no`` says which.
    """
    fmt = LexiconFormat(fmt)
    where = str(path) if path is not None else None
    _check_lexicon_size(text, where)
    if fmt is LexiconFormat.TOML:
        return Lexicon.loads(text, path=path).with_meta(name=name or None)
    lines = _clean_lines(text)
    skipped = _Skipped()
    rows: Iterable[tuple[int, Hotword]]
    if fmt is LexiconFormat.PLAIN:
        rows = _read_plain(lines)
    elif fmt is LexiconFormat.FUNASR:
        rows = _read_funasr(text, lines, where)
    elif fmt is LexiconFormat.SHERPA_ONNX:
        rows = _read_sherpa(lines, where, skipped)
    elif fmt in (LexiconFormat.CAPSWRITER, LexiconFormat.CAPSWRITER_RULE):
        rows = _read_capswriter(lines, skipped)
    elif fmt is LexiconFormat.ALIYUN:
        rows = _read_aliyun(text, where)
    elif fmt is LexiconFormat.TENCENT:
        rows = _read_tencent(lines, where)
    else:
        rows = _read_csv(text, where)
    merged: dict[str, list[Hotword]] = {}  # duplicates merged once, at the end
    lines_of: dict[str, int] = {}
    no = count = 0
    try:
        for no, hw in rows:
            count += 1
            if count > MAX_LEXICON_ENTRIES:
                raise _too_many_entries(where, no)
            for term in (hw.text, *hw.aliases):
                if len(term) > MAX_ENTRY_CHARS:
                    msg = (
                        f"{term[:12]}...: {len(term)} characters (limit {MAX_ENTRY_CHARS}): "
                        "is this a hotword?"
                    )
                    raise _bad_line(msg, where, no)
            if hw.text in merged:
                merged[hw.text].append(hw)
            else:
                merged[hw.text] = [hw]
                lines_of[hw.text] = no
        hotwords = tuple(_merge_many(same) for same in merged.values())
        for hw in hotwords:  # what a lexicon file refuses (pinyin syntax, ...) too
            _, issues = _entry_issues(
                _hotword_to_fields(hw), _Located(lines_of[hw.text], {}), where
            )
            errors = [i for i in issues if i.severity is Severity.ERROR]
            if errors:
                raise errors[0].to_error()
    except LexiconError as exc:
        if exc.path is None and where is not None:  # raised by a reader: add the file
            raise LexiconError(exc.reason, path=where, line_no=exc.line_no) from None
        raise
    except InputError as exc:
        raise LexiconError(str(exc), path=where, line_no=no or None) from None
    skipped.log(where)
    p = Path(path) if path is not None else None
    return Lexicon(name=name, hotwords=hotwords, path=p, lines=lines_of)


def guess_format(text: str, path: str | os.PathLike[str] | None = None) -> str | None:
    """The hotword-list format ``text`` most likely is, or None when nothing fits.

    >>> guess_format("阿里巴巴 20\\n达摩院 30\\n")
    'funasr'
    >>> guess_format("CapsWriter | Caps Rider\\n")
    'capswriter'
    >>> guess_format("[[entry]]\\ntext = '重庆'\\n")
    'toml'
    """
    suffix = Path(path).suffix.lower() if path is not None else ""
    body = text.removeprefix("\ufeff").strip()
    if suffix == ".toml" or _TOML_ENTRY_RE.search(body):
        return "toml"
    if suffix == ".csv" or body.lower().startswith("text,"):
        return "csv"
    if body.startswith(("{", "[")):
        data = _json_or_none(body)
        if data is None:
            return None
        if isinstance(data, dict) and not ({"Vocab", "WordWeights"} & set(data)):
            return (
                "funasr"
                if all(isinstance(v, int | float) and v > 5 for v in data.values())
                else "aliyun"
            )
        return "aliyun"
    lines = [ln for _, ln in _clean_lines(body) if not ln.startswith("#")]
    if not lines:
        return None
    if any("~~~" in ln or " | " in ln for ln in lines) or any(
        _RULE_SEP_RE.search(ln, 1) for ln in lines
    ):
        return "capswriter"
    if any(re.search(r"\s:[\d.]+$", ln) or "▁" in ln for ln in lines):
        return "sherpa-onnx"
    if all(re.search(r"\|\d+$", ln) or "|" not in ln for ln in lines) and any(
        "|" in ln for ln in lines
    ):
        return "tencent"
    if any("\t" in ln and _NUMBER_RE.match(ln.rsplit("\t", 1)[1].strip()) for ln in lines):
        return "aliyun"
    if any(
        len(ln.rsplit(None, 1)) == 2 and _NUMBER_RE.match(ln.rsplit(None, 1)[1]) for ln in lines
    ):
        return "funasr"
    return "plain"


def detect_variant(text: str, fmt: LexiconFormat | str) -> str | None:
    """The export variant that writes ``text``'s layout back (None: the default does).

    >>> detect_variant('[{"text": "阙里人家", "weight": 4}]', "aliyun")
    'model-studio'
    >>> detect_variant("阿里巴巴 20\\n", "funasr")
    'runtime'
    """
    fmt = LexiconFormat(fmt)
    body = text.removeprefix("\ufeff").strip()
    lines = [ln for _, ln in _clean_lines(body) if not ln.startswith("#")]
    if fmt is LexiconFormat.ALIYUN and body.startswith(("{", "[")):
        data = _json_or_none(body)
        if data is None:
            return None
        if isinstance(data, dict) and isinstance(data.get("Vocab"), dict):
            return "wordweights"
        return _aliyun_variant(data)
    if fmt is LexiconFormat.FUNASR:
        if body.startswith("{"):
            return "json"
        if lines and all(
            len(p := ln.rsplit(None, 1)) == 2 and _NUMBER_RE.match(p[1]) for ln in lines
        ):
            return "runtime"
        return None
    if fmt is LexiconFormat.SHERPA_ONNX and lines:
        words = [[t for t in ln.split() if not t.startswith((":", "#", "@"))] for ln in lines]
        if all(w and all(_is_cjk(t) and len(t) == 1 for t in w) for w in words):
            return "cjkchar"  # every line is single characters separated by spaces
    if fmt is LexiconFormat.TENCENT and len(lines) == 1 and "," in lines[0]:
        return "inline"
    return None


def _variant(fmt: LexiconFormat, variant: str | None) -> str:
    choices = VARIANTS.get(str(fmt), ())
    if variant is None:
        return choices[0] if choices else ""
    if variant not in choices:
        known = ", ".join(choices) if choices else "none"
        msg = f"format {fmt} has no variant {variant!r}; variants: {known}"
        raise LexiconError(msg)
    return variant


def _spaced_chars(text: str) -> str:
    """``语音识别`` -> ``语 音 识 别`` (sherpa-onnx cjkchar); Latin words stay whole."""
    out: list[str] = []
    for word in text.split():
        out.extend(re.findall(rf"[{_CJK}]|[^{_CJK}]+", word))
    return " ".join(out)


def export_lexicon(
    lexicon: Lexicon, fmt: LexiconFormat | str, *, variant: str | None = None
) -> tuple[str, list[Hotword]]:
    """Write a lexicon in another tool's format (weights mapped, see the table).

    Args:
        lexicon: what to write.
        fmt: the format.
        variant: the format's flavour (:data:`VARIANTS`; the first is the default).

    Returns:
        The text, and the entries left out because the format cannot express them
        (suppressed words with weight <= 0 in boost-only formats; entries without aliases
        for ``capswriter-rule``).

    >>> text, left_out = export_lexicon(Lexicon(hotwords=("重庆", Hotword("达西", weight=2))),
    ...                                 "tencent")
    >>> print(text, end="")
    重庆|5
    达西|10

    Raises:
        LexiconError: an unknown variant, or one hotfuse cannot write (sherpa-onnx BPE).
    """
    fmt = LexiconFormat(fmt)
    var = _variant(fmt, variant)
    if fmt is LexiconFormat.TOML:
        return lexicon.dumps(), []
    if fmt is LexiconFormat.CSV:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for hw in lexicon.hotwords:
            writer.writerow(
                [
                    hw.text,
                    _fmt_weight(hw.weight),
                    ";".join(hw.aliases),
                    " ".join(hw.pinyin or ()),
                    ";".join(hw.block_contexts),
                    ";".join(hw.tags),
                ]
            )
        return buf.getvalue(), []
    if fmt is LexiconFormat.SHERPA_ONNX and var in ("bpe", "cjkchar+bpe"):
        msg = (
            f"hotfuse cannot tokenise for a {var} model (that needs its bpe.model): export "
            f"--variant text, then run: sherpa-onnx text2token --tokens tokens.txt "
            f"--tokens-type {var} --bpe-model bpe.model IN OUT"
        )
        raise LexiconError(msg)
    if fmt is LexiconFormat.ALIYUN and var != "tsv":
        return _export_aliyun_json(lexicon, var)
    if fmt is LexiconFormat.FUNASR and var == "json":
        kept = [hw for hw in lexicon.hotwords if hw.weight > 0]
        data = {hw.text: max(1, round(hw.weight * FUNASR_SCALE)) for hw in kept}
        skipped = [hw for hw in lexicon.hotwords if hw.weight <= 0]
        return json.dumps(data, ensure_ascii=False) + "\n", skipped
    out: list[str] = []
    skipped = []
    for hw in lexicon.hotwords:
        if fmt is LexiconFormat.CAPSWRITER_RULE:
            if not hw.aliases or hw.weight <= 0:
                skipped.append(hw)
            for alias in hw.aliases if hw.weight > 0 else ():
                out.append(f"{re.escape(alias)} = {hw.text}")
            continue
        if fmt is LexiconFormat.ALIYUN:
            out.append(f"{hw.text}\t{_hotfuse_to_nls(hw.weight)}")
            continue
        if hw.weight <= 0:
            skipped.append(hw)
            continue
        if fmt is LexiconFormat.PLAIN:
            out.append(hw.text)
        elif fmt is LexiconFormat.CAPSWRITER:
            line = " | ".join((hw.text, *hw.aliases))
            if hw.block_contexts:
                line += " ~~~ " + " | ".join(hw.block_contexts)
            out.append(line)
        elif fmt is LexiconFormat.FUNASR:
            if var == "runtime":
                out.append(f"{hw.text} {max(1, round(hw.weight * FUNASR_SCALE))}")
            else:
                out.append(hw.text)
        elif fmt is LexiconFormat.SHERPA_ONNX:
            words = _spaced_chars(hw.text) if var == "cjkchar" else hw.text
            if hw.weight == 1.0:
                out.append(words)
            else:
                out.append(f"{words} :{round(hw.weight * SHERPA_DEFAULT_SCORE, 4):g}")
        else:  # tencent
            out.append(f"{hw.text}|{_hotfuse_to_tencent(hw.weight)}")
    if fmt is LexiconFormat.TENCENT and var == "inline":
        return ",".join(out) + "\n", skipped
    return "".join(line + "\n" for line in out), skipped


def _export_aliyun_json(lexicon: Lexicon, variant: str) -> tuple[str, list[Hotword]]:
    skipped: list[Hotword] = []
    data: Any
    if variant == "wordweights":
        data = {hw.text: _hotfuse_to_nls(hw.weight) for hw in lexicon.hotwords}
    elif variant == "words":
        data = [{"word": hw.text, "weight": _hotfuse_to_nls(hw.weight)} for hw in lexicon.hotwords]
    else:  # model-studio: weights 1-5 only, so suppressed words cannot be written
        data = []
        for hw in lexicon.hotwords:
            if hw.weight <= 0:
                skipped.append(hw)
                continue
            item: dict[str, Any] = {"text": hw.text, "weight": _hotfuse_to_model_studio(hw.weight)}
            lang = next((t[5:] for t in hw.tags if t.startswith("lang:")), None)
            if lang:
                item["lang"] = lang
            data.append(item)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n", skipped
