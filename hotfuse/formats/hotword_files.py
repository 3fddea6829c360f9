"""Other tools' hotword lists: :func:`import_lexicon` and :func:`export_lexicon`.

:func:`import_lexicon` and :func:`export_lexicon` convert the lists other tools use. All
readers accept a UTF-8 BOM, CRLF or CR line ends, trailing spaces and a missing final
newline; ``#`` starts a comment line in the line-based formats. Weights map as follows
(hotfuse weight ``w``; entries a format cannot express are left out of an export and
reported):

================  ============================  ===================  ====================
format            one line / row                their scale          to hotfuse / back
================  ============================  ===================  ====================
``plain``         ``word``                      none                 1.0 / ``w <= 0`` left
                                                                     out
``funasr``        ``word weight`` (weight       positive; FunASR     ``f / 20`` /
                  optional; the last token      runtime examples     ``round(20 w)`` >= 1;
                  is the weight if numeric)     use 20               ``w <= 0`` left out
``sherpa-onnx``   ``word :score`` (score        per-token boost,     ``s / 1.5`` /
                  optional; CJK characters      default              ``1.5 w`` (omitted at
                  may be space-separated)       ``hotwords_score``   1.0); ``w <= 0`` left
                                                1.5                  out
``csv``           header ``text,weight,         hotfuse's own        unchanged
                  aliases,pinyin,
                  block_contexts,tags``; list
                  cells use ``;``
``capswriter``    CapsWriter-Offline            none                 1.0 / terms only,
                  ``hot.txt``: one term per                          ``w <= 0`` left out
                  line; ``hot-rule.txt`` lines
                  ``find = replace`` with a
                  literal ``find`` become
                  aliases of ``replace``
``capswriter-     ``alias = text`` (export of   none                 aliases only
rule``            aliases as literal rules)
``aliyun``        ``word<TAB>weight`` or JSON   integer [-6, 5], 2   ``a > 0: a / 2``,
                  (``{"word": weight}`` map or  is the usual value,  ``a <= 0: a`` /
                  list of ``{"text"|"word",     -6 = avoid           ``w > 0:
                  "weight"}``)                                       round(2 w)`` in
                                                                     [1, 5], else
                                                                     ``round(w)`` in
                                                                     [-6, 0]
``tencent``       ``word|weight``               integer [1, 10];     ``t / 5``; 11 -> 3.0;
                                                11 = super hotword;  100 -> 5.0 / ``w >=
                                                100 = homophone      5: 100``, ``w >= 3:
                                                replacement          11``, else
                                                                     ``round(5 w)`` in
                                                                     [1, 10]; ``w <= 0``
                                                                     left out
``toml``          this module's lexicon file    hotfuse's own        unchanged
================  ============================  ===================  ====================
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from hotfuse.errors import InputError, LexiconError
from hotfuse.lexicon import (
    MAX_ENTRY_CHARS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Hotword,
    Lexicon,
    _merge_hotwords,
    _split_pinyin,
)

__all__ = [
    "CSV_FIELDS",
    "FUNASR_SCALE",
    "SHERPA_DEFAULT_SCORE",
    "LexiconFormat",
    "export_lexicon",
    "import_lexicon",
]

logger = logging.getLogger("hotfuse")


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


FUNASR_SCALE = 20.0
SHERPA_DEFAULT_SCORE = 1.5
CSV_FIELDS = ("text", "weight", "aliases", "pinyin", "block_contexts", "tags")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_REGEX_META = set("\\^$.|?*+()[]{}")
_CJK_GAP_RE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def _bad_line(msg: str, path: str | None, line_no: int) -> LexiconError:
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


def _checked_weight(w: float, path: str | None, line_no: int, original: str) -> float:
    if not WEIGHT_MIN <= w <= WEIGHT_MAX:
        msg = (
            f"weight {original} maps to {w:g}, outside hotfuse's [{WEIGHT_MIN:g}, "
            f"{WEIGHT_MAX:g}]; lower it in the source file"
        )
        raise _bad_line(msg, path, line_no)
    return w


def _aliyun_to_hotfuse(a: float) -> float:
    return a / 2.0 if a > 0 else a


def _hotfuse_to_aliyun(w: float) -> int:
    if w > 0:
        return int(min(5, max(1, round(2 * w))))
    return int(min(0, max(-6, round(w))))


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


def _read_plain(lines: list[tuple[int, str]]) -> Iterator[tuple[int, Hotword]]:
    for no, line in lines:
        if not line.startswith("#"):
            yield no, Hotword(line)


def _read_funasr(lines: list[tuple[int, str]], path: str | None) -> Iterator[tuple[int, Hotword]]:
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
            yield no, Hotword(parts[0].strip(), weight=w)
        else:
            yield no, Hotword(line)


def _read_sherpa(lines: list[tuple[int, str]], path: str | None) -> Iterator[tuple[int, Hotword]]:
    for no, line in lines:
        if line.startswith("#"):
            continue
        m = re.match(r"^(.*?)\s+:(\S+)$", line)
        word, weight = line, 1.0
        if m:
            word = m.group(1)
            score = _number(m.group(2), "sherpa-onnx score", path, no)
            weight = _checked_weight(score / SHERPA_DEFAULT_SCORE, path, no, m.group(2))
        elif re.search(r"\s:\S*$", line):
            msg = f"sherpa-onnx score in {line!r} is not a number (write: word :2.0)"
            raise _bad_line(msg, path, no)
        word = _CJK_GAP_RE.sub("", word.strip())
        yield no, Hotword(word, weight=weight)


def _read_capswriter(lines: list[tuple[int, str]]) -> Iterator[tuple[int, Hotword]]:
    for no, line in lines:
        if line.startswith("#"):
            continue
        rule = re.split(r"\s+=\s+", line, maxsplit=1)
        if len(rule) == 2:
            find_s, repl_s = rule[0].strip(), rule[1].strip()
            if not repl_s or any(c in _REGEX_META for c in find_s):
                logger.warning(
                    "line %d: CapsWriter rule %r is a regular expression or deletes text; "
                    "skipped (hotfuse aliases are literal)",
                    no,
                    line,
                )
                continue
            yield no, Hotword(repl_s, aliases=(find_s,))
        else:
            yield no, Hotword(line)


def _read_keyed(
    lines: list[tuple[int, str]],
    sep: str,
    convert: Callable[[float, int], float],
    label: str,
    path: str | None,
) -> Iterator[tuple[int, Hotword]]:
    for no, line in lines:
        if line.startswith("#"):
            continue
        whitespace = sep == "\t" and "\t" not in line
        parts = line.rsplit(None, 1) if whitespace else line.rsplit(sep, 1)
        if len(parts) != 2 or not parts[0].strip():
            if sep == "|":
                yield no, Hotword(line)
                continue
            parts = [line, ""]
        word, token = parts[0].strip(), parts[1].strip()
        if not token:
            yield no, Hotword(word)
            continue
        value = _number(token, f"{label} weight", path, no)
        yield no, Hotword(word, weight=_checked_weight(convert(value, no), path, no, token))


def _read_aliyun(text: str, path: str | None) -> Iterator[tuple[int, Hotword]]:
    stripped = text.removeprefix("\ufeff").strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            msg = f"invalid JSON: {exc.msg} (column {exc.colno})"
            raise _bad_line(msg, path, exc.lineno) from None
        items: list[tuple[Any, Any]]
        if isinstance(data, dict):
            items = list(data.items())
        elif isinstance(data, list):
            items = []
            for obj in data:
                if not isinstance(obj, dict):
                    msg = "JSON list items must be objects with 'text' (or 'word') and 'weight'"
                    raise LexiconError(msg, path=path)
                items.append((obj.get("text", obj.get("word")), obj.get("weight", 2)))
        else:
            msg = "JSON must be an object {word: weight} or a list of {text, weight}"
            raise LexiconError(msg, path=path)
        lines = stripped.splitlines()
        for word, weight in items:
            no = next((i + 1 for i, ln in enumerate(lines) if f'"{word}"' in ln), 1)
            if (
                not isinstance(word, str)
                or isinstance(weight, bool)
                or not isinstance(weight, int | float)
            ):
                msg = f"bad JSON item {word!r}: {weight!r}; expected a word and a number"
                raise _bad_line(msg, path, no)
            w = _checked_weight(_aliyun_to_hotfuse(float(weight)), path, no, str(weight))
            yield no, Hotword(word, weight=w)
        return
    yield from _read_keyed(
        _clean_lines(text), "\t", lambda a, _n: _aliyun_to_hotfuse(a), "Aliyun", path
    )


def _split_cell(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；]", cell) if p.strip()]


def _read_csv(text: str, path: str | None) -> Iterator[tuple[int, Hotword]]:
    body = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(body, newline=""))
    header: list[str] | None = None
    for row in reader:
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
            hw = Hotword(
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

    Duplicate words are merged (first weight wins, aliases united).

    >>> lex = import_lexicon("\\ufeff重庆 40\\r\\n达西\\r\\n", "funasr")
    >>> [(h.text, h.weight) for h in lex.hotwords]
    [('重庆', 2.0), ('达西', 1.0)]

    Raises:
        LexiconError: a line cannot be read; ``line_no`` says which.
    """
    fmt = LexiconFormat(fmt)
    where = str(path) if path is not None else None
    if fmt is LexiconFormat.TOML:
        return Lexicon.loads(text, path=path).with_meta(name=name or None)
    lines = _clean_lines(text)
    rows: Iterable[tuple[int, Hotword]]
    if fmt is LexiconFormat.PLAIN:
        rows = _read_plain(lines)
    elif fmt is LexiconFormat.FUNASR:
        rows = _read_funasr(lines, where)
    elif fmt is LexiconFormat.SHERPA_ONNX:
        rows = _read_sherpa(lines, where)
    elif fmt in (LexiconFormat.CAPSWRITER, LexiconFormat.CAPSWRITER_RULE):
        rows = _read_capswriter(lines)
    elif fmt is LexiconFormat.ALIYUN:
        rows = _read_aliyun(text, where)
    elif fmt is LexiconFormat.TENCENT:
        rows = _read_keyed(
            lines, "|", lambda t, n: _tencent_to_hotfuse(t, where, n), "Tencent", where
        )
    else:
        rows = _read_csv(text, where)
    merged: dict[str, Hotword] = {}
    lines_of: dict[str, int] = {}
    try:
        for no, hw in rows:
            if len(hw.text) > MAX_ENTRY_CHARS:
                msg = f"{len(hw.text)} characters (limit {MAX_ENTRY_CHARS}): is this a hotword?"
                raise _bad_line(msg, where, no)
            if hw.text in merged:
                merged[hw.text] = _merge_hotwords(merged[hw.text], hw)
            else:
                merged[hw.text] = hw
                lines_of[hw.text] = no
    except InputError as exc:
        raise LexiconError(str(exc), path=where) from None
    p = Path(path) if path is not None else None
    return Lexicon(name=name, hotwords=tuple(merged.values()), path=p, lines=lines_of)


def export_lexicon(lexicon: Lexicon, fmt: LexiconFormat | str) -> tuple[str, list[Hotword]]:
    """Write a lexicon in another tool's format (weights mapped, see the table).

    Returns:
        The text, and the entries left out because the format cannot express them
        (suppressed words with weight <= 0 in boost-only formats; entries without aliases
        for ``capswriter-rule``).

    >>> text, left_out = export_lexicon(Lexicon(hotwords=("重庆", Hotword("达西", weight=2))),
    ...                                 "tencent")
    >>> print(text, end="")
    重庆|5
    达西|10
    """
    fmt = LexiconFormat(fmt)
    if fmt is LexiconFormat.TOML:
        return lexicon.dumps(), []
    out: list[str] = []
    skipped: list[Hotword] = []
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
    for hw in lexicon.hotwords:
        if fmt is LexiconFormat.CAPSWRITER_RULE:
            if not hw.aliases or hw.weight <= 0:
                skipped.append(hw)
            for alias in hw.aliases if hw.weight > 0 else ():
                out.append(f"{re.escape(alias)} = {hw.text}")
            continue
        if fmt is LexiconFormat.ALIYUN:
            out.append(f"{hw.text}\t{_hotfuse_to_aliyun(hw.weight)}")
            continue
        if hw.weight <= 0:
            skipped.append(hw)
            continue
        if fmt in (LexiconFormat.PLAIN, LexiconFormat.CAPSWRITER):
            out.append(hw.text)
        elif fmt is LexiconFormat.FUNASR:
            out.append(f"{hw.text} {max(1, round(hw.weight * FUNASR_SCALE))}")
        elif fmt is LexiconFormat.SHERPA_ONNX:
            if hw.weight == 1.0:
                out.append(hw.text)
            else:
                out.append(f"{hw.text} :{round(hw.weight * SHERPA_DEFAULT_SCORE, 4):g}")
        else:  # tencent
            out.append(f"{hw.text}|{_hotfuse_to_tencent(hw.weight)}")
    return "".join(line + "\n" for line in out), skipped
