"""Hotwords and lexicons: the TOML lexicon format, validation, import/export, safe writes.

A :class:`Hotword` is one domain term with the hints fusion may use: a weight, aliases
(known misrecognitions or spoken forms), explicit pinyin for polyphones and blocking
contexts. A :class:`Lexicon` is a named collection of hotwords kept in a TOML file.

Weight scale: ``1.0`` is the default evidence bar. Larger weights ask for less evidence
(the decision threshold is lowered by ``log(weight)``: weight 2 is roughly "accept a match
twice as unlikely"), smaller positive weights ask for more. ``0`` or a negative weight
means never insert this word; occurrences already in the transcript are left alone and
still protected from being overwritten by other hotwords. A lexicon file accepts weights
in ``[-10, 10]`` (:data:`WEIGHT_MIN`, :data:`WEIGHT_MAX`).

The lexicon file
----------------
UTF-8 TOML with two optional top-level keys, ``name`` and ``description``, and one
``[[entry]]`` table per hotword. Entry fields:

==================  =================================================================
``text``            required; the term as it should appear in the output
``weight``          optional number in [-10, 10], default 1.0 (<= 0: never insert)
``aliases``         optional list of strings that should become ``text``
``pinyin``          optional numbered-tone readings, one per Chinese character:
                    ``"chong2 qing4"`` or ``["chong2", "qing4"]`` (``v`` for ü)
``block_contexts``  optional list of words inside which ``text`` is never inserted
``tags``            optional list of free labels
==================  =================================================================

Any other key is an error (a misspelt ``alias`` would otherwise be silently ignored).
Worked example (``lexicons/china-places.toml`` style)::

    name = "meeting-0412"
    description = "participants and products for the 12 April review"

    # people
    [[entry]]
    text = "伊丽莎白"
    aliases = ["伊丽沙白"]        # a known misrecognition

    [[entry]]
    text = "重庆"
    pinyin = "chong2 qing4"       # 重 is a polyphone: say which reading
    tags = ["place"]

    [[entry]]
    text = "达西"
    weight = 2.0                  # accept weaker evidence for this one
    block_contexts = ["马达西边"]

Loading, editing and saving keep the user's comments and order (the file is edited
round-trip with tomlkit; only the fields that change are touched):

>>> lex = Lexicon.loads('name = "demo"\\n[[entry]]\\ntext = "重庆"  # city\\n')
>>> lex = lex.add(Hotword("达西", weight=2.0))
>>> print(lex.dumps())
name = "demo"
[[entry]]
text = "重庆"  # city
<BLANKLINE>
[[entry]]
text = "达西"
weight = 2.0
<BLANKLINE>

Validation (:meth:`Lexicon.validate`, ``hotfuse lexicon check``) reports :class:`Issue`
objects with a file and line number. Errors (the lexicon is unusable as written): bad
TOML, unknown fields, wrong types, empty or duplicate entries, weights out of range,
entries longer than :data:`MAX_ENTRY_CHARS` characters, malformed pinyin or a pinyin
count that does not match the Chinese characters. Warnings (usable, but risky):
one-character entries, very common words (jieba frequency >= :data:`COMMON_WORD_FREQ`, a
false-alarm risk; entries with weight < 1 are taken as acknowledged), two entries that
sound the same (pinyin collision), polyphonic
characters whose reading was guessed (add an explicit ``pinyin``), pinyin that is not a
known reading of its character, aliases that repeat an entry.

Import and export
-----------------
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

Safe writes: :meth:`Lexicon.save` writes a temporary file in the same directory, fsyncs
it and renames it over the original (:func:`atomic_write_text`), so a crash or ``kill
-9`` mid-write leaves the old file intact and any error keeps the original.
:func:`locked_update` wraps a read-modify-write in a ``FILE.lock`` file lock so that
concurrent writers (ten ``hotfuse lexicon add`` processes) all land.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from hotfuse.errors import InputError, LexiconError

__all__ = [
    "COMMON_WORD_FREQ",
    "MAX_ENTRY_CHARS",
    "WEIGHT_MAX",
    "WEIGHT_MIN",
    "Hotword",
    "Issue",
    "Lexicon",
    "LexiconFormat",
    "Severity",
    "atomic_write_text",
    "coerce_hotwords",
    "export_lexicon",
    "import_lexicon",
    "locked_update",
    "read_text_file",
]

logger = logging.getLogger("hotfuse")

WEIGHT_MIN = -10.0
WEIGHT_MAX = 10.0
MAX_ENTRY_CHARS = 32
COMMON_WORD_FREQ = 10_000
ENTRY_KEY = "entry"
ENTRY_FIELDS = ("text", "weight", "aliases", "pinyin", "block_contexts", "tags")
TOP_LEVEL_KEYS = ("name", "description", ENTRY_KEY)


def _str_tuple(value: object, field_name: str, word: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        items = tuple(cast("Iterable[object]", value))
    except TypeError:
        msg = f"hotword {word!r}: {field_name} must be a list of strings, got {value!r}"
        raise InputError(msg) from None
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            msg = f"hotword {word!r}: {field_name} holds {item!r}; use non-empty strings"
            raise InputError(msg)
        out.append(item.strip())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Hotword:
    """One domain term.

    Attributes:
        text: the term as it should appear in the output (``"伊丽莎白"``, ``"PyTorch"``).
        weight: evidence scale, default 1.0 (see the module docstring); <= 0 never inserts.
        aliases: other written or spoken forms that should become ``text``
            (``"克劳德"`` for ``"Claude"``); an exact alias occurrence is strong evidence.
        pinyin: explicit readings, one numbered-tone syllable per character of ``text``
            (``("chong2", "qing4")`` for ``"重庆"``); None derives them with pypinyin.
        block_contexts: words inside which a span must not be replaced (for ``"达西"``,
            ``"马达西边"`` keeps ``"达西"`` untouched when it is inside that word).
        tags: free labels (category, source) carried through to results.

    >>> Hotword("重庆", pinyin="chong2 qing4").pinyin
    ('chong2', 'qing4')
    """

    text: str
    weight: float = 1.0
    aliases: tuple[str, ...] = ()
    pinyin: tuple[str, ...] | str | None = None  # a string is split; stored as a tuple
    block_contexts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            msg = f"a hotword must be a non-empty string, got {self.text!r}"
            raise InputError(msg)
        object.__setattr__(self, "text", self.text.strip())
        w = self.weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            msg = f"hotword {self.text!r}: weight must be a finite number, got {w!r}"
            raise InputError(msg)
        object.__setattr__(self, "weight", float(w))
        object.__setattr__(self, "aliases", _str_tuple(self.aliases, "aliases", self.text))
        object.__setattr__(
            self, "block_contexts", _str_tuple(self.block_contexts, "block_contexts", self.text)
        )
        object.__setattr__(self, "tags", _str_tuple(self.tags, "tags", self.text))
        if self.pinyin is not None:
            py = self.pinyin
            if isinstance(py, str):
                py = tuple(py.replace(",", " ").split())
            object.__setattr__(self, "pinyin", _str_tuple(py, "pinyin", self.text))

    @classmethod
    def coerce(cls, value: object) -> Hotword:
        """A Hotword from a Hotword, a string or a mapping of Hotword fields."""
        if isinstance(value, Hotword):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, dict):
            try:
                return cls(**value)
            except TypeError as exc:
                msg = f"bad hotword mapping {value!r}: {exc}"
                raise InputError(msg) from None
        msg = (
            f"a hotword must be a string, a Hotword or a mapping, got {type(value).__name__}"
            f" ({value!r})"
        )
        raise InputError(msg)


def coerce_hotwords(hotwords: object) -> tuple[Hotword, ...]:
    """Normalise a hotword argument into Hotwords, merging duplicates (first one wins).

    Accepts an iterable of strings / Hotwords / mappings, any object with a
    ``hotwords`` attribute holding such an iterable (a :class:`Lexicon`), or a
    :class:`pathlib.Path` to a lexicon file (a plain string is taken as a mistake, not
    a path: wrap a word in a list).

    >>> [h.text for h in coerce_hotwords(["达西", " 达西 ", "伊丽莎白"])]
    ['达西', '伊丽莎白']
    """
    if hotwords is None:
        msg = "hotwords is None; pass a list of strings (it may be empty) or a Lexicon"
        raise InputError(msg)
    if isinstance(hotwords, os.PathLike):
        return Lexicon.load(hotwords).hotwords
    inner = getattr(hotwords, "hotwords", None)
    if inner is not None and not isinstance(hotwords, str | bytes):
        hotwords = inner
    if isinstance(hotwords, str | bytes):
        msg = (
            f"hotwords must be a list of words, not a single string ({hotwords!r}); "
            "wrap it in a list: [word]"
        )
        raise InputError(msg)
    if not isinstance(hotwords, Iterable):
        msg = f"hotwords must be a list of strings or a Lexicon, got {type(hotwords).__name__}"
        raise InputError(msg)
    seen: dict[str, Hotword] = {}
    for item in hotwords:
        hw = Hotword.coerce(item)
        seen.setdefault(hw.text, hw)
    return tuple(seen.values())


# =========================================================================== issues
class Severity(StrEnum):
    """How bad an :class:`Issue` is: errors stop a load, warnings are listed."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One validation finding, located in its file.

    >>> str(Issue(Severity.WARNING, "single-char", "one character", "a.toml", 3, "云"))
    'a.toml:3: warning[single-char]: one character'
    """

    severity: Severity
    code: str
    message: str
    path: str | None = None
    line_no: int | None = None
    entry: str | None = None

    def __str__(self) -> str:
        where = self.path or "<lexicon>"
        if self.line_no is not None:
            where = f"{where}:{self.line_no}"
        return f"{where}: {self.severity}[{self.code}]: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the fields."""
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line_no": self.line_no,
            "entry": self.entry,
        }

    def to_error(self) -> LexiconError:
        """The :class:`~hotfuse.errors.LexiconError` this issue stands for."""
        return LexiconError(self.message, path=self.path, line_no=self.line_no)


# =========================================================================== helpers
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SYLLABLE_RE = re.compile(r"^[a-z]+[1-5]$")
_PARSE_POS_RE = re.compile(r"\s+at line \d+ col \d+$")


def _han_chars(text: str) -> list[str]:
    return _HAN_RE.findall(text)


def _split_pinyin(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(value)


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


# =========================================================================== raw entries
@dataclass(frozen=True, slots=True)
class _Located:
    """Where an entry and its fields sit in the source text."""

    line_no: int | None
    field_lines: Mapping[str, int]

    def line(self, field_name: str | None = None) -> int | None:
        if field_name is not None and field_name in self.field_lines:
            return self.field_lines[field_name]
        return self.line_no


def _locate_entries(source: str, entries: Sequence[Mapping[str, Any]]) -> list[_Located]:
    """Line numbers of each ``[[entry]]`` table and of the fields inside it."""
    lines = source.removeprefix("\ufeff").splitlines()
    header = re.compile(r"^\s*\[\[\s*" + ENTRY_KEY + r"\s*\]\]")
    any_header = re.compile(r"^\s*\[")
    starts = [i for i, line in enumerate(lines) if header.match(line)]
    out: list[_Located] = []
    if len(starts) == len(entries):
        for start in starts:
            stop = len(lines)
            for j in range(start + 1, len(lines)):
                if any_header.match(lines[j]):
                    stop = j
                    break
            fields: dict[str, int] = {}
            for j in range(start + 1, stop):
                m = re.match(r"^\s*([A-Za-z0-9_\-\"']+)\s*=", lines[j])
                if m:
                    fields.setdefault(m.group(1).strip("\"'"), j + 1)
            out.append(_Located(start + 1, fields))
        return out
    # inline tables or an unusual layout: fall back to the line holding the text value
    for entry in entries:
        text = entry.get("text") if isinstance(entry, Mapping) else None
        found: int | None = None
        if isinstance(text, str) and text:
            for j, line in enumerate(lines):
                if text in line:
                    found = j + 1
                    break
        out.append(_Located(found, {}))
    return out


def _plain(value: Any) -> Any:
    """tomlkit items -> plain Python values."""
    unwrap = getattr(value, "unwrap", None)
    if callable(unwrap):
        return unwrap()
    return value


def _entry_issues(raw: Any, loc: _Located, path: str | None) -> tuple[Hotword | None, list[Issue]]:
    """Type-check one raw entry; the Hotword when it is usable."""
    issues: list[Issue] = []

    def err(code: str, msg: str, field_name: str | None = None, entry: str | None = None) -> None:
        issues.append(Issue(Severity.ERROR, code, msg, path, loc.line(field_name), entry))

    if not isinstance(raw, Mapping):
        err("bad-type", f"an [[{ENTRY_KEY}]] must be a table, got {type(raw).__name__}")
        return None, issues
    text = raw.get("text")
    label = text if isinstance(text, str) else None
    for key in raw:
        if key not in ENTRY_FIELDS:
            hint = " (did you mean 'aliases'?)" if key in ("alias", "alia") else ""
            err(
                "unknown-field",
                f"unknown field {key!r} in entry {label!r}{hint}; "
                f"known fields: {', '.join(ENTRY_FIELDS)}",
                key,
                label,
            )
    if "text" not in raw:
        err("empty-entry", "entry has no 'text'; add text = \"...\" or delete the table")
        return None, issues
    if not isinstance(text, str):
        err("bad-type", f"'text' must be a string, got {text!r}", "text")
        return None, issues
    if not text.strip():
        err("empty-entry", "entry has an empty 'text'; fill it in or delete the table", "text")
        return None, issues
    text = text.strip()
    weight: Any = raw.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        err("bad-type", f"{text}: 'weight' must be a number, got {weight!r}", "weight", text)
        weight = 1.0
    elif not math.isfinite(weight) or not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        err(
            "weight-range",
            f"{text}: weight {weight!r} is outside [{WEIGHT_MIN:g}, {WEIGHT_MAX:g}]; "
            "use 1.0 for normal, 2-5 for strong boosts, <= 0 to never insert",
            "weight",
            text,
        )
        weight = 1.0
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("aliases", "block_contexts", "tags"):
        value = raw.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            err("bad-type", f"{text}: {name!r} must be a list of strings", name, text)
            value = []
        if any(not v.strip() for v in value):
            err("empty-entry", f"{text}: {name!r} holds an empty string; remove it", name, text)
            value = [v for v in value if v.strip()]
        lists[name] = tuple(v.strip() for v in value)
    pinyin: tuple[str, ...] | None = None
    if "pinyin" in raw:
        value = raw["pinyin"]
        if isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            pinyin = _split_pinyin(value)
        else:
            err("bad-type", f"{text}: 'pinyin' must be a string or a list of strings",
                "pinyin", text)  # fmt: skip
    if len(text) > MAX_ENTRY_CHARS:
        err(
            "too-long",
            f"{text[:12]}...: {len(text)} characters (limit {MAX_ENTRY_CHARS}); a hotword is a "
            "term, not a sentence: split it",
            "text",
            text,
        )
    if pinyin is not None:
        hans = _han_chars(text)
        bad = [s for s in pinyin if not _SYLLABLE_RE.match(s)]
        if bad:
            err(
                "pinyin-syntax",
                f"{text}: pinyin {' '.join(bad)!r} is not numbered-tone pinyin; write "
                'lowercase syllables with tone digits 1-5, v for ü, e.g. "chong2 qing4"',
                "pinyin",
                text,
            )
        elif not hans:
            err("pinyin-count", f"{text}: has no Chinese characters, so no 'pinyin'; remove it",
                "pinyin", text)  # fmt: skip
        elif len(pinyin) != len(hans):
            err(
                "pinyin-count",
                f"{text}: pinyin has {len(pinyin)} syllables for {len(hans)} Chinese "
                f"characters ({''.join(hans)}); give one syllable per character",
                "pinyin",
                text,
            )
    if any(i.severity is Severity.ERROR for i in issues):
        return None, issues
    hw = Hotword(
        text,
        weight=float(weight),
        aliases=lists["aliases"],
        pinyin=pinyin,
        block_contexts=lists["block_contexts"],
        tags=lists["tags"],
    )
    return hw, issues


def _hotword_to_fields(hw: Hotword) -> dict[str, Any]:
    """The non-default fields of a hotword, in file order."""
    out: dict[str, Any] = {"text": hw.text}
    if hw.weight != 1.0:
        out["weight"] = hw.weight
    if hw.aliases:
        out["aliases"] = list(hw.aliases)
    if hw.pinyin is not None:
        out["pinyin"] = " ".join(hw.pinyin)
    if hw.block_contexts:
        out["block_contexts"] = list(hw.block_contexts)
    if hw.tags:
        out["tags"] = list(hw.tags)
    return out


def _same_value(field_name: str, old: Any, new: Any) -> bool:
    old = _plain(old)
    if field_name == "pinyin":
        if isinstance(old, str | list):
            return _split_pinyin(old) == _split_pinyin(new)
        return False
    if field_name in ("aliases", "block_contexts", "tags"):
        if isinstance(old, str):
            old = [old]
        return isinstance(old, list) and [str(v).strip() for v in old] == list(new)
    if field_name == "weight":
        return isinstance(old, int | float) and not isinstance(old, bool) and float(old) == new
    return bool(old == new)


def _sync_table(table: Any, hw: Hotword) -> None:
    """Make one tomlkit entry table describe ``hw``, touching only what changed."""
    import tomlkit

    wanted = _hotword_to_fields(hw)
    for key in ENTRY_FIELDS:
        if key in wanted:
            if key in table and _same_value(key, table[key], wanted[key]):
                continue
            value: Any = wanted[key]
            if key == "pinyin" and key in table and isinstance(_plain(table[key]), list):
                value = list(hw.pinyin or ())
            if isinstance(value, list):
                arr = tomlkit.array()
                arr.extend(value)
                value = arr
            table[key] = value
        elif key in table and key != "text":
            del table[key]


def _render(source: str | None, name: str, description: str, hotwords: Sequence[Hotword]) -> str:
    """TOML text for a lexicon, edited round-trip from ``source`` when there is one."""
    import tomlkit

    doc: Any
    if source is None:
        doc = tomlkit.document()
        if name:
            doc["name"] = name
        if description:
            doc["description"] = description
        if hotwords:
            doc.add(tomlkit.nl())
    else:
        doc = tomlkit.parse(source.removeprefix("\ufeff"))
        for key, value in (("name", name), ("description", description)):
            if value and _plain(doc.get(key)) != value:
                doc[key] = value
            elif not value and key in doc:
                del doc[key]
    aot: Any = doc.get(ENTRY_KEY)
    if aot is None or not isinstance(aot, tomlkit.items.AoT):
        if aot is not None:  # an inline array of tables: rewrite it as [[entry]] tables
            del doc[ENTRY_KEY]
        aot = None
    by_text = {hw.text: hw for hw in hotwords}
    kept: set[str] = set()
    if aot is not None:
        for i in range(len(aot) - 1, -1, -1):
            table = aot[i]
            text = _plain(table.get("text"))
            text = text.strip() if isinstance(text, str) else text
            if not isinstance(text, str) or text not in by_text or text in kept:
                del aot[i]
                continue
            kept.add(text)
    if aot is not None:
        for table in aot:
            text = str(_plain(table["text"])).strip()
            _sync_table(table, by_text[text])
    new = [hw for hw in hotwords if hw.text not in kept]
    if new:
        if aot is None:
            aot = tomlkit.aot()
            if doc.as_string().strip() and not doc.as_string().endswith("\n\n"):
                doc.add(tomlkit.nl())
            doc.append(ENTRY_KEY, aot)
        for hw in new:
            table = tomlkit.table()
            for key, plain_value in _hotword_to_fields(hw).items():
                item: Any = plain_value
                if isinstance(plain_value, list):
                    item = tomlkit.array()
                    item.extend(plain_value)
                table[key] = item
            if len(aot) and not aot[-1].as_string().endswith("\n\n"):
                aot[-1].add(tomlkit.nl())
            aot.append(table)
    elif aot is not None and len(aot) == 0:
        del doc[ENTRY_KEY]
    text = str(doc.as_string())
    return text if text.endswith("\n") or not text else text + "\n"


# =========================================================================== Lexicon
def _merge_hotwords(a: Hotword, b: Hotword) -> Hotword:
    """``a`` with ``b``'s extra aliases, contexts and tags; a's weight and pinyin win."""

    def union(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x + y))

    return replace(
        a,
        aliases=union(a.aliases, b.aliases),
        pinyin=a.pinyin if a.pinyin is not None else b.pinyin,
        block_contexts=union(a.block_contexts, b.block_contexts),
        tags=union(a.tags, b.tags),
    )


@dataclass(frozen=True)
class Lexicon:
    """A named, ordered collection of hotwords, usually loaded from a TOML file.

    Immutable: :meth:`add`, :meth:`remove` and :meth:`merge` return new lexicons that
    remember the source text, so :meth:`save` / :meth:`dumps` keep comments and order.
    ``fuse()``, ``Fuser`` and :func:`coerce_hotwords` accept a Lexicon directly (they read
    :attr:`hotwords`).

    >>> lex = Lexicon.loads('[[entry]]\\ntext = "重庆"\\npinyin = "chong2 qing4"\\n')
    >>> [(h.text, h.pinyin) for h in lex.hotwords]
    [('重庆', ('chong2', 'qing4'))]
    >>> [h.text for h in lex.add("达西").remove("重庆").hotwords]
    ['达西']
    """

    name: str = ""
    description: str = ""
    hotwords: tuple[Hotword, ...] = ()
    path: Path | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False, repr=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    load_issues: tuple[Issue, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hotwords", coerce_hotwords(self.hotwords))

    # ------------------------------------------------------------------ reading
    @classmethod
    def load(cls, path: str | os.PathLike[str], *, strict: bool = True) -> Lexicon:
        """Read a lexicon file.

        Args:
            path: the TOML file.
            strict: raise :class:`~hotfuse.errors.LexiconError` on the first error
                (default). With False, unusable entries are skipped and every problem is
                kept in :attr:`load_issues` (what ``hotfuse lexicon check`` does).

        Raises:
            LexiconError: the file is missing, unreadable or (when strict) invalid; the
                error's ``path`` and ``line_no`` say where.
        """
        p = Path(path)
        text = read_text_file(
            p, missing=f"no such lexicon file; create it with: hotfuse lexicon new {p}"
        )
        return cls.loads(text, path=p, strict=strict)

    @classmethod
    def loads(
        cls, text: str, *, path: str | os.PathLike[str] | None = None, strict: bool = True
    ) -> Lexicon:
        """Parse lexicon TOML text (see :meth:`load`).

        >>> Lexicon.loads('[[entry]]\\ntext = "a"\\nwieght = 2\\n')
        Traceback (most recent call last):
        ...
        hotfuse.errors.LexiconError: line 3: unknown field 'wieght' in entry 'a'; known fields: text, weight, aliases, pinyin, block_contexts, tags
        """  # noqa: E501
        import tomlkit
        from tomlkit.exceptions import ParseError

        p = Path(path) if path is not None else None
        where = str(p) if p is not None else None
        source = text.removeprefix("\ufeff")
        try:
            doc = tomlkit.parse(source)
        except ParseError as exc:
            reason = _PARSE_POS_RE.sub("", str(exc))
            issue = Issue(Severity.ERROR, "toml-syntax", f"invalid TOML: {reason}", where, exc.line)
            if strict:
                raise issue.to_error() from None
            return cls(path=p, source=None, load_issues=(issue,))
        data = doc.unwrap()
        issues: list[Issue] = []
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                m = re.search(rf"^\s*\[*\s*{re.escape(key)}\s*[\]=]", source, re.MULTILINE)
                line_no = source.count("\n", 0, m.start()) + 1 if m else None
                issues.append(
                    Issue(
                        Severity.ERROR,
                        "unknown-field",
                        f"unknown top-level key {key!r}; a lexicon has name, description "
                        f"and [[{ENTRY_KEY}]] tables",
                        where,
                        line_no,
                    )
                )
        name = data.get("name", "")
        description = data.get("description", "")
        for key, value in (("name", name), ("description", description)):
            if not isinstance(value, str):
                issues.append(Issue(Severity.ERROR, "bad-type", f"{key!r} must be a string", where))
        name = name if isinstance(name, str) else ""
        description = description if isinstance(description, str) else ""
        raw_entries = data.get(ENTRY_KEY, [])
        if not isinstance(raw_entries, list):
            issues.append(
                Issue(
                    Severity.ERROR,
                    "bad-type",
                    f"{ENTRY_KEY!r} must be [[{ENTRY_KEY}]] tables",
                    where,
                )
            )
            raw_entries = []
        located = _locate_entries(source, raw_entries)
        hotwords: list[Hotword] = []
        lines: dict[str, int] = {}
        seen: dict[str, int | None] = {}
        for raw, loc in zip(raw_entries, located, strict=True):
            hw, found = _entry_issues(raw, loc, where)
            issues.extend(found)
            raw_text = raw.get("text") if isinstance(raw, Mapping) else None
            key = raw_text.strip() if isinstance(raw_text, str) else ""
            if key and key in seen:
                first_line = seen[key]
                at = f" at line {first_line}" if first_line is not None else ""
                issues.append(
                    Issue(
                        Severity.ERROR,
                        "duplicate",
                        f"{key!r} is already an entry{at}; merge the two tables into one",
                        where,
                        loc.line_no,
                        key,
                    )
                )
                continue
            if key:
                seen[key] = loc.line_no
            if hw is None:
                continue
            hotwords.append(hw)
            if loc.line_no is not None:
                lines[hw.text] = loc.line_no
        errors = [i for i in issues if i.severity is Severity.ERROR]
        if strict and errors:
            first = errors[0]
            more = (
                f" (and {len(errors) - 1} more; run: hotfuse lexicon check)"
                if len(errors) > 1
                else ""
            )
            raise LexiconError(first.message + more, path=first.path, line_no=first.line_no)
        return cls(
            name=name,
            description=description,
            hotwords=tuple(hotwords),
            path=p,
            source=source,
            lines=lines,
            load_issues=tuple(issues),
        )

    # ------------------------------------------------------------------ editing
    def get(self, word: str) -> Hotword | None:
        """The entry whose text (or, failing that, an alias) is ``word``."""
        word = word.strip()
        for hw in self.hotwords:
            if hw.text == word:
                return hw
        for hw in self.hotwords:
            if word in hw.aliases:
                return hw
        return None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and any(h.text == word.strip() for h in self.hotwords)

    def __len__(self) -> int:
        return len(self.hotwords)

    def __iter__(self) -> Iterator[Hotword]:
        return iter(self.hotwords)

    def add(self, hotword: Hotword | str | Mapping[str, Any], *, replace: bool = False) -> Lexicon:
        """A lexicon with ``hotword`` added.

        An existing entry with the same text is updated instead: with ``replace`` it is
        replaced outright, otherwise the new weight and pinyin win (when they differ from
        the defaults) and aliases, contexts and tags are merged.
        """
        hw = Hotword.coerce(hotword)
        out: list[Hotword] = []
        found = False
        for old in self.hotwords:
            if old.text != hw.text:
                out.append(old)
                continue
            found = True
            if replace:
                out.append(hw)
            else:
                merged = _merge_hotwords(hw, old)
                if hw.weight == 1.0:
                    merged = dataclass_replace(merged, weight=old.weight)
                out.append(merged)
        if not found:
            out.append(hw)
        return self._with(tuple(out))

    def remove(self, word: str) -> Lexicon:
        """A lexicon without the entry ``word``.

        Raises:
            LexiconError: there is no such entry.
        """
        word = word.strip()
        if word not in self:
            msg = f"no entry {word!r}; list the entries with: hotfuse lexicon list FILE"
            raise LexiconError(msg, path=self.path)
        return self._with(tuple(h for h in self.hotwords if h.text != word))

    def merge(self, other: Lexicon | Iterable[Hotword | str]) -> Lexicon:
        """This lexicon plus ``other``'s entries (same text: this one's weight and pinyin
        win, aliases, contexts and tags are united). Keeps this lexicon's file layout.

        >>> a = Lexicon(hotwords=(Hotword("达西", aliases=("大西",)),))
        >>> b = Lexicon(hotwords=(Hotword("达西", aliases=("答西",)), Hotword("宾利")))
        >>> [(h.text, h.aliases) for h in a.merge(b).hotwords]
        [('达西', ('大西', '答西')), ('宾利', ())]
        """
        theirs = coerce_hotwords(other)
        index = {h.text: i for i, h in enumerate(self.hotwords)}
        out = list(self.hotwords)
        for hw in theirs:
            if hw.text in index:
                out[index[hw.text]] = _merge_hotwords(out[index[hw.text]], hw)
            else:
                index[hw.text] = len(out)
                out.append(hw)
        return self._with(tuple(out))

    def with_meta(self, *, name: str | None = None, description: str | None = None) -> Lexicon:
        """A lexicon with a new name and/or description."""
        return replace(
            self,
            name=self.name if name is None else name,
            description=self.description if description is None else description,
        )

    def _with(self, hotwords: tuple[Hotword, ...]) -> Lexicon:
        return replace(self, hotwords=hotwords, load_issues=())

    # ------------------------------------------------------------------ writing
    def dumps(self) -> str:
        """The lexicon as TOML, edited round-trip from the file it was loaded from."""
        return _render(self.source, self.name, self.description, self.hotwords)

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the lexicon atomically (see :func:`atomic_write_text`); returns the path.

        Raises:
            LexiconError: no path was given and the lexicon was not loaded from a file,
                or the write failed (the original file is then untouched).
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            msg = "this lexicon has no file yet; pass a path to save()"
            raise LexiconError(msg)
        atomic_write_text(target, self.dumps())
        return target

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every entry as a plain mapping (``pinyin`` as a list), for JSON output."""
        out = []
        for hw in self.hotwords:
            d = _hotword_to_fields(hw)
            d["weight"] = hw.weight
            if hw.pinyin is not None:
                d["pinyin"] = list(hw.pinyin)
            out.append(d)
        return out

    # ------------------------------------------------------------------ validation
    def validate(self, *, frequency: bool = True) -> list[Issue]:
        """Every problem: the load errors plus the warnings about risky entries.

        Args:
            frequency: check entries against jieba's word frequencies (loads jieba's
                dictionary once, about a second).

        >>> lex = Lexicon.loads('[[entry]]\\ntext = "云"\\n', path="a.toml")
        >>> [str(i) for i in lex.validate(frequency=False)]
        ['a.toml:1: warning[single-char]: 云: a one-character hotword matches almost anywhere; use a longer term']
        """  # noqa: E501
        issues = list(self.load_issues)
        where = str(self.path) if self.path is not None else None
        issues.extend(_semantic_issues(self.hotwords, self.lines, where, frequency=frequency))
        return issues

    def errors(self) -> list[Issue]:
        """Only the error-level issues of :meth:`validate` (without the frequency check)."""
        return [i for i in self.validate(frequency=False) if i.severity is Severity.ERROR]


def dataclass_replace(hw: Hotword, **changes: Any) -> Hotword:
    """``dataclasses.replace`` for a Hotword (re-validated)."""
    return replace(hw, **changes)


def _semantic_issues(
    hotwords: Sequence[Hotword],
    lines: Mapping[str, int],
    where: str | None,
    *,
    frequency: bool,
) -> list[Issue]:
    issues: list[Issue] = []

    def warn(code: str, msg: str, hw: Hotword) -> None:
        issues.append(Issue(Severity.WARNING, code, msg, where, lines.get(hw.text), hw.text))

    texts = {hw.text for hw in hotwords}
    sounds: dict[tuple[str, ...], Hotword] = {}
    for hw in hotwords:
        hans = _han_chars(hw.text)
        if len(hw.text) == 1:
            warn(
                "single-char",
                f"{hw.text}: a one-character hotword matches almost anywhere; use a longer term",
                hw,
            )
        for alias in hw.aliases:
            if alias == hw.text:
                warn("alias-duplicate", f"{hw.text}: alias {alias!r} repeats the text", hw)
            elif alias in texts:
                warn(
                    "alias-duplicate",
                    f"{hw.text}: alias {alias!r} is also an entry of its own; one of them "
                    "will never win",
                    hw,
                )
        if not hans:
            continue
        if frequency and len(hw.text) > 1 and hw.weight >= 1.0:  # < 1: risk acknowledged
            from hotfuse.phonetics import word_frequency

            freq = word_frequency(hw.text)
            if freq >= COMMON_WORD_FREQ:
                warn(
                    "common-word",
                    f"{hw.text}: a very common word (jieba frequency {freq}); spans that merely "
                    "sound like it will be rewritten: give it weight < 1, block_contexts, or "
                    "drop it",
                    hw,
                )
        readings = _readings_of(hw)
        if hw.pinyin is not None:
            from hotfuse.phonetics import char_readings

            for ch, syl in zip(hans, hw.pinyin, strict=False):
                known = char_readings(ch)
                if (
                    known
                    and syl not in known
                    and syl.rstrip("12345") + "5" not in (k.rstrip("12345") + "5" for k in known)
                ):
                    warn(
                        "pinyin-mismatch",
                        f"{hw.text}: {syl!r} is not a reading of {ch!r} (known: "
                        f"{', '.join(known)})",
                        hw,
                    )
        else:
            guessed = _guessed_polyphones(hw.text)
            if guessed:
                from hotfuse.phonetics import char_readings

                what = "; ".join(
                    f"{ch} read {reading} (also "
                    f"{', '.join(r for r in char_readings(ch) if r != reading)})"
                    for ch, reading in guessed
                )
                warn(
                    "polyphone",
                    f"{hw.text}: ambiguous reading guessed: {what}; if that is wrong add "
                    f'pinyin = "{" ".join(readings)}" with the right syllables',
                    hw,
                )
        if readings and len(readings) == len(hw.text):
            key = tuple(s.rstrip("12345") for s in readings)
            prev = sounds.get(key)
            if prev is None:
                sounds[key] = hw
            else:
                same_tone = _readings_of(prev) == readings
                how = "the same pinyin" if same_tone else "the same pinyin up to tones"
                warn(
                    "pinyin-collision",
                    f"{hw.text}: sounds like {prev.text!r} ({how}: {' '.join(readings)}); "
                    "the engine cannot tell them apart by sound, keep one or add "
                    "block_contexts",
                    hw,
                )
    return issues


def _readings_of(hw: Hotword) -> tuple[str, ...]:
    if hw.pinyin is not None:
        return tuple(hw.pinyin)  # always a tuple after __post_init__
    hans = _han_chars(hw.text)
    if not hans:
        return ()
    from hotfuse.phonetics import hotword_pinyin

    return tuple(s for s in hotword_pinyin(hw.text) if s)


_AMBIGUOUS: dict[str, bool] = {}
_PHRASE_READINGS: dict[str, dict[str, int]] = {}


def _phrase_readings() -> dict[str, dict[str, int]]:
    """char -> {toneless reading: number of pypinyin phrases using it} (built once)."""
    if not _PHRASE_READINGS:
        from pypinyin.phrases_dict import phrases_dict

        table: dict[str, dict[str, int]] = {}
        for phrase, readings in phrases_dict.items():
            if len(phrase) != len(readings):
                continue
            for ch, reading in zip(phrase, readings, strict=True):
                if reading:
                    base = _toneless_mark(reading[0])
                    counts = table.setdefault(ch, {})
                    counts[base] = counts.get(base, 0) + 1
        _PHRASE_READINGS.update(table)
    return _PHRASE_READINGS


def _toneless_mark(marked: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", marked)
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return plain.replace("u\u0308", "v").replace("ü", "v")


def _is_ambiguous(ch: str) -> bool:
    """A polyphone whose second reading is common in real words (重 长 行 乐 调 朝 曾 ...).

    pypinyin lists rare readings for many characters (白 bo2, 达 ti4); those are not worth
    a warning. A character counts as ambiguous when, across pypinyin's phrase dictionary,
    its second most common reading is used by at least 2 phrases and 10% of them.
    """
    if ch not in _AMBIGUOUS:
        from hotfuse.phonetics import is_polyphone

        verdict = False
        if is_polyphone(ch):
            counts = sorted(_phrase_readings().get(ch, {}).values(), reverse=True)
            if len(counts) >= 2:
                verdict = counts[1] >= 2 and counts[1] / sum(counts) >= 0.1
        _AMBIGUOUS[ch] = verdict
    return _AMBIGUOUS[ch]


def _guessed_polyphones(text: str) -> list[tuple[str, str]]:
    """Ambiguous characters of ``text`` whose reading no pypinyin phrase entry settles."""
    from pypinyin.phrases_dict import phrases_dict

    from hotfuse.phonetics import hotword_pinyin

    readings = hotword_pinyin(text)
    out = []
    for i, ch in enumerate(text):
        if not _HAN_RE.match(ch) or not _is_ambiguous(ch):
            continue
        covered = any(
            text[a:b] in phrases_dict
            for a in range(0, i + 1)
            for b in range(i + 1, len(text) + 1)
            if b - a >= 2
        )
        if not covered:
            out.append((ch, readings[i]))
    return out


# =========================================================================== safe writes
def read_text_file(path: str | os.PathLike[str], *, missing: str = "no such file") -> str:
    """A UTF-8 text file's content; a :class:`LexiconError` naming the file otherwise."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(missing, path=p) from None
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text ({exc.reason} at byte {exc.start}); re-save it as UTF-8"
        raise LexiconError(msg, path=p) from None
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise LexiconError(msg, path=p) from None


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half.

    See :func:`hotfuse._files.atomic_write_text`: a temporary file in the same directory,
    fsynced, renamed over ``path``; on any error ``path`` is untouched.

    Raises:
        LexiconError: the directory is missing or not writable, or the disk is full.
    """
    from hotfuse._files import atomic_write_text as write

    write(path, text, error=LexiconError)


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file guarding ``path``: ``FILE.lock`` beside it."""
    p = Path(path)
    return p.with_name(p.name + ".lock")


def locked_update(
    path: str | os.PathLike[str],
    change: Callable[[Lexicon], Lexicon],
    *,
    create: bool = False,
    timeout: float = 30.0,
) -> Lexicon:
    """Load, change and save a lexicon file under its ``FILE.lock`` lock.

    Concurrent callers (threads or processes) are serialised, so none of their changes is
    lost. ``change`` gets the current lexicon and returns the new one; if it raises, the
    file is left as it was.

    Args:
        path: the lexicon file.
        change: the edit.
        create: start from an empty lexicon when the file does not exist.
        timeout: seconds to wait for the lock.

    Raises:
        LexiconError: the lock could not be taken in time, or loading/saving failed.
    """
    from filelock import FileLock, Timeout

    p = Path(path)
    try:
        with FileLock(str(lock_path(p)), timeout=timeout):
            fresh = create and not p.exists()
            current = Lexicon(path=p) if fresh else Lexicon.load(p)
            updated = change(current)
            if updated.path is None:
                updated = replace(updated, path=p)
            updated.save(p)
            return updated
    except Timeout:
        msg = (
            f"another process has held {lock_path(p).name} for {timeout:g} s; try again, or "
            "delete the lock file if no hotfuse process is running"
        )
        raise LexiconError(msg, path=p) from None


# =========================================================================== formats
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
