"""Hotwords and lexicons: the model (Hotword, Lexicon) and its validation.

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

File formats live in :mod:`hotfuse.formats`: the TOML reading and round-trip writing in
:mod:`hotfuse.formats.lexicon_toml`, other tools' hotword lists in
:mod:`hotfuse.formats.hotword_files`. This module keeps the model and its validation.
"""

from __future__ import annotations

import logging
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from hotfuse.errors import InputError, LexiconError

__all__ = [
    "COMMON_WORD_FREQ",
    "MAX_ENTRY_CHARS",
    "MAX_LEXICON_BYTES",
    "MAX_LEXICON_ENTRIES",
    "WEIGHT_MAX",
    "WEIGHT_MIN",
    "Hotword",
    "Issue",
    "Lexicon",
    "Severity",
    "coerce_hotwords",
    "foreign_syntax",
]

logger = logging.getLogger("hotfuse")

WEIGHT_MIN = -10.0
WEIGHT_MAX = 10.0
MAX_ENTRY_CHARS = 32
MAX_LEXICON_BYTES = 16 * 2**20
"""The largest lexicon or hotword file a loader reads (16 MiB of UTF-8, about 300,000
short entries); a larger one is refused before it is read."""
MAX_LEXICON_ENTRIES = 200_000
"""The most entries (``[[entry]]`` tables, or lines of another tool's list) one file
may hold; split a larger list into several lexicons (``--lexicon`` is repeatable)."""
COMMON_WORD_FREQ = 10_000
ENTRY_KEY = "entry"
ENTRY_FIELDS = (
    "text",
    "weight",
    "aliases",
    "pinyin",
    "block_contexts",
    "tags",
    "spoken",
    "auto_spoken",
)
TOP_LEVEL_KEYS = ("name", "description", ENTRY_KEY)


_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _is_hidden(ch: str) -> bool:
    """A control (NUL, tab, newline), format (zero-width, bidi), line-separator or
    surrogate character: invisible, or reordering the text around it."""
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def _invisible(text: str) -> str | None:
    """The first hidden character of ``text`` (:func:`_is_hidden`), or None: such
    characters are no part of a term and would be inserted into, or matched in,
    transcripts unseen."""
    if text.isprintable():  # no Other or Separator character but space: none is hidden
        return None
    return next((ch for ch in text if _is_hidden(ch)), None)


def _check_visible(text: str, what: str) -> None:
    ch = _invisible(text)
    if ch is not None:
        msg = (
            f"{what} {text!r} holds the invisible or control character U+{ord(ch):04X}; "
            "remove it (a hotword, alias or blocking context is visible text)"
        )
        raise InputError(msg)


def _size_error(nbytes: int, path: str | os.PathLike[str] | None) -> LexiconError:
    where = None if path is None else os.fspath(path)
    msg = (
        f"{nbytes / 2**20:.1f} MiB, over the {MAX_LEXICON_BYTES // 2**20} MiB limit of a "
        "lexicon file; split it into several files (--lexicon is repeatable)"
    )
    return LexiconError(msg, path=where)


def _check_lexicon_size(text: str, path: str | os.PathLike[str] | None = None) -> None:
    """Refuse lexicon text over :data:`MAX_LEXICON_BYTES` (UTF-8) with a LexiconError."""
    if len(text) * 4 > MAX_LEXICON_BYTES:  # cheap: a character is at most 4 bytes
        nbytes = len(text.encode("utf-8", "surrogatepass"))
        if nbytes > MAX_LEXICON_BYTES:
            raise _size_error(nbytes, path)


def _check_lexicon_file_size(path: str | os.PathLike[str]) -> None:
    """Refuse a file over :data:`MAX_LEXICON_BYTES` before reading it (a missing or
    unreadable file is left to the reader, which says so)."""
    try:
        nbytes = os.stat(path).st_size
    except (OSError, ValueError):
        return
    if nbytes > MAX_LEXICON_BYTES and Path(path).is_file():
        raise _size_error(nbytes, path)


def _deepest_line(text: str) -> int:
    """The line where ``[`` / ``{`` nesting is deepest (first reached), counted without
    parsing: where to look in a file that nests too deeply for its parser."""
    depth = best = 0
    line = best_line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in "]}":
            depth -= 1
    return best_line


def _too_many_entries(path: str | None, line_no: int | None) -> LexiconError:
    """The error for a file with more than :data:`MAX_LEXICON_ENTRIES` entries."""
    msg = (
        f"more than {MAX_LEXICON_ENTRIES:,} entries, the limit of one lexicon file; split "
        "it into several files (--lexicon is repeatable)"
    )
    return LexiconError(msg, path=path, line_no=line_no)


def _str_tuple(value: object, field_name: str, word: str) -> tuple[str, ...]:
    if value is None or (value.__class__ is tuple and not value):  # the default, most often
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
        if field_name in ("aliases", "block_contexts"):
            noun = "alias" if field_name == "aliases" else "blocking context"
            _check_visible(item, f"hotword {word!r}: {noun}")
        out.append(item.strip())
    return tuple(out)


_NUMBER = (int, float)


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
        spoken: how a Latin term is said, added to the generated forms: toneless pinyin
            (``"dao ke"``) or English words (``"engine x"``); ignored for Chinese terms.
        auto_spoken: False pins the spoken forms to ``spoken`` (nothing generated).

    >>> Hotword("重庆", pinyin="chong2 qing4").pinyin
    ('chong2', 'qing4')
    """

    text: str
    weight: float = 1.0
    aliases: tuple[str, ...] = ()
    pinyin: tuple[str, ...] | str | None = None  # a string is split; stored as a tuple
    block_contexts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    spoken: tuple[str, ...] = ()
    auto_spoken: bool = True

    def __post_init__(self) -> None:
        text = self.text
        if not isinstance(text, str) or not text.strip():
            msg = f"a hotword must be a non-empty string, got {text!r}"
            raise InputError(msg)
        text = text.strip()
        setattr_ = object.__setattr__
        setattr_(self, "text", text)
        _check_visible(text, "hotword")
        w = self.weight
        if w.__class__ is not float or not math.isfinite(w):  # a float: the common case
            if isinstance(w, bool) or not isinstance(w, _NUMBER) or not math.isfinite(w):
                msg = f"hotword {text!r}: weight must be a finite number, got {w!r}"
                raise InputError(msg)
            setattr_(self, "weight", float(w))
        # the four lists, checked in this order; an empty tuple (the default) is final
        for name in ("aliases", "block_contexts", "tags", "spoken"):
            v = getattr(self, name)
            if v.__class__ is not tuple or v:
                setattr_(self, name, _str_tuple(v, name, text))
        if not isinstance(self.auto_spoken, bool):
            msg = f"hotword {text!r}: auto_spoken must be true or false"
            raise InputError(msg)
        if self.pinyin is not None:
            py = self.pinyin
            if isinstance(py, str):
                py = tuple(py.replace(",", " ").split())
            setattr_(self, "pinyin", _str_tuple(py, "pinyin", text))

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
        if item.__class__ is str:  # a plain word, by far the most usual item
            text = item.strip()
            if text in seen:  # Hotword(item) would be merged into it
                continue
            if text and text.isprintable():  # nothing for __post_init__ to refuse
                seen[text] = _plain_hotword(text)
                continue
        hw = Hotword.coerce(item)
        seen.setdefault(hw.text, hw)
    return tuple(seen.values())


_new_object = object.__new__
_set_field = object.__setattr__


def _plain_hotword(text: str) -> Hotword:
    """``Hotword(text)`` for a stripped, printable, non-empty ``text``, built without
    ``__post_init__``: every field but the text takes its default, which passes the
    checks unchanged (``tests/test_lexicon.py`` compares the two). Half the cost of a
    50,000-word :func:`coerce_hotwords` was those checks."""
    hw = _new_object(Hotword)
    _set_field(hw, "text", text)
    for name, value in _DEFAULTS:
        _set_field(hw, name, value)
    return hw


#: Hotword's fields other than ``text``, with their defaults (what _plain_hotword sets)
_DEFAULTS = tuple((f.name, f.default) for f in fields(Hotword) if f.name != "text")
assert all(v is not MISSING for _, v in _DEFAULTS), "a Hotword field without a plain default"


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
def _is_han(ch: str) -> bool:
    """A Han character of the ranges the lexicon checks read (Extension A, the Unified
    Ideographs, the Compatibility Ideographs); a comparison, not a regular expression,
    whose compile would cost every start-up some milliseconds."""
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


_SYLLABLE_RE = re.compile(r"^[a-z]+[1-5]$")


def _han_chars(text: str) -> list[str]:
    return [ch for ch in text if _is_han(ch)]


def _split_pinyin(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(value)


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
    hidden_in_text = _invisible(text)
    if hidden_in_text is not None:
        err("bad-char", f"{text!r}: 'text' holds the invisible character "
            f"U+{ord(hidden_in_text):04X}; remove it", "text", text)  # fmt: skip
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
    for name in ("aliases", "block_contexts", "tags", "spoken"):
        value = raw.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            err("bad-type", f"{text}: {name!r} must be a list of strings", name, text)
            value = []
        if any(not v.strip() for v in value):
            err("empty-entry", f"{text}: {name!r} holds an empty string; remove it", name, text)
            value = [v for v in value if v.strip()]
        for v in value:
            hidden = _invisible(v)
            if hidden is not None:
                err("bad-char", f"{text}: {name!r} value {v!r} holds the invisible character "
                    f"U+{ord(hidden):04X}; remove it", name, text)  # fmt: skip
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
    auto_spoken: Any = raw.get("auto_spoken", True)
    if not isinstance(auto_spoken, bool):
        err("bad-type", f"{text}: 'auto_spoken' must be true or false, got {auto_spoken!r}",
            "auto_spoken", text)  # fmt: skip
        auto_spoken = True
    if lists["spoken"] or "auto_spoken" in raw:
        issues.extend(_spoken_issues(text, lists["spoken"], path, loc.line("spoken")))
    if any(i.severity is Severity.ERROR for i in issues):
        return None, issues
    try:
        hw = Hotword(
            text,
            weight=float(weight),
            aliases=lists["aliases"],
            pinyin=pinyin,
            block_contexts=lists["block_contexts"],
            tags=lists["tags"],
            spoken=lists["spoken"],
            auto_spoken=auto_spoken,
        )
    except InputError as exc:  # a check above missed it: still an error of this entry
        err("bad-value", f"{text!r}: {exc}", None, text)
        return None, issues
    return hw, issues


def _spoken_issues(
    text: str, spoken: Sequence[str], path: str | None, line_no: int | None
) -> list[Issue]:
    """Warnings for ``spoken`` forms that cannot take effect: on a Chinese term (spoken
    forms are for Latin and mixed Latin-Han terms), or a form that yields no
    pronunciation."""
    from hotfuse import english

    if not (english.is_latin_term(text) or english.is_mixed_term(text)):
        return [
            Issue(
                Severity.WARNING,
                "spoken-ignored",
                f"{text}: 'spoken' and 'auto_spoken' apply to Latin and mixed terms only; "
                "for a Chinese term write the misheard forms as 'aliases'",
                path,
                line_no,
                text,
            )
        ]
    out: list[Issue] = []
    for form in spoken:
        pinyin_forms, phone_forms = english.hotword_spoken(text, (form,), False)
        if not pinyin_forms and not phone_forms:
            out.append(
                Issue(
                    Severity.WARNING,
                    "spoken-unreadable",
                    f"{text}: spoken form {form!r} gives no pronunciation; write toneless "
                    'pinyin ("dao ke") or English words ("engine x")',
                    path,
                    line_no,
                    text,
                )
            )
    return out


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
    if hw.spoken:
        out["spoken"] = list(hw.spoken)
    if not hw.auto_spoken:
        out["auto_spoken"] = False
    return out


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


def _merge_many(hotwords: Sequence[Hotword]) -> Hotword:
    """The entries of one text merged as :func:`_merge_hotwords` folds them, in one step
    (linear in their total size: folding pairwise re-validates the growing lists)."""
    if len(hotwords) == 1:
        return hotwords[0]
    first = hotwords[0]

    def union(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for hw in hotwords for v in getattr(hw, name)))

    return replace(
        first,
        aliases=union("aliases"),
        pinyin=next((hw.pinyin for hw in hotwords if hw.pinyin is not None), None),
        block_contexts=union("block_contexts"),
        tags=union("tags"),
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
            path: the TOML file, or the name of a shipped lexicon (``"china-places"``)
                when no such file exists.
            strict: raise :class:`~hotfuse.errors.LexiconError` on the first error
                (default). With False, unusable entries are skipped and every problem is
                kept in :attr:`load_issues` (what ``hotfuse lexicon check`` does).

        Raises:
            LexiconError: the file is missing, unreadable or (when strict) invalid; the
                error's ``path`` and ``line_no`` say where.
        """
        from hotfuse._files import read_text_file
        from hotfuse.formats.lexicon_toml import find_shipped_lexicon, shipped_lexicons

        p = Path(path)
        if not p.exists():
            shipped = find_shipped_lexicon(str(path))
            if shipped is not None:
                p = shipped
        names = ", ".join(shipped_lexicons()) or "none"
        _check_lexicon_file_size(p)
        text = read_text_file(
            p,
            missing=f"no such lexicon file; create it with: hotfuse lexicon new {p} "
            f"(or name a shipped lexicon: {names})",
            error=LexiconError,
        )
        return cls.loads(text, path=p, strict=strict)

    @classmethod
    def loads(
        cls, text: str, *, path: str | os.PathLike[str] | None = None, strict: bool = True
    ) -> Lexicon:
        """Parse lexicon TOML text (see :meth:`load`).

        >>> Lexicon.loads('[[entry]]\\ntext = "a"\\nwieght = 2\\n')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        hotfuse.errors.LexiconError: line 3: unknown field 'wieght' in entry 'a'; known fields: text, weight, ...
        """  # noqa: E501
        from hotfuse.formats.lexicon_toml import parse_lexicon

        return parse_lexicon(text, path=path, strict=strict, cls=cls)

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
        from hotfuse.formats.lexicon_toml import render_lexicon

        return render_lexicon(self.source, self.name, self.description, self.hotwords)

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the lexicon atomically (see :func:`hotfuse._files.atomic_write_text`).

        Returns the path written.

        Raises:
            LexiconError: no path was given and the lexicon was not loaded from a file,
                or the write failed (the original file is then untouched).
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            msg = "this lexicon has no file yet; pass a path to save()"
            raise LexiconError(msg)
        from hotfuse._files import atomic_write_text

        atomic_write_text(target, self.dumps(), error=LexiconError)
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


#: Other tools' syntax: (pattern, what it is, the format to import with); compiled on
#: first use (:func:`_foreign_patterns`).
_FOREIGN_SYNTAX = (
    (r"~~~", "holds CapsWriter's '~~~' (blacklist contexts)", "capswriter"),
    (r"\s\|\s|\|\s*$|^\s*\|", "holds CapsWriter's '|' alias separator", "capswriter"),
    (r"\|\d+$", "ends in Tencent's '|weight'", "tencent"),
    (r"(^|\s):[+-]?\d+(\.\d+)?$", "ends in a sherpa-onnx ':score'", "sherpa-onnx"),
    (r"\s#\d*\.\d+$", "ends in a sherpa-onnx '#threshold'", "sherpa-onnx"),
    (r"▁", "holds sherpa-onnx/SentencePiece '▁' model pieces", "sherpa-onnx"),
    (r"\t[+-]?\d+$", "ends in a tab and a weight (Aliyun)", "aliyun"),
    (
        r"[\u3400-\u9fff]\s+[+-]?\d+(\.\d+)?$",  # not "Windows 11"
        "ends in a number, like FunASR's 'word weight'",
        "funasr",
    ),
)


@lru_cache(maxsize=1)
def _foreign_patterns() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    return tuple((re.compile(p), what, fmt) for p, what, fmt in _FOREIGN_SYNTAX)


def foreign_syntax(term: str) -> str | None:
    """What of another tool's hotword syntax ``term`` still holds (and how to fix it), or
    None. A term imported as one plain word from a CapsWriter, sherpa-onnx, FunASR, Tencent
    or Aliyun file keeps that file's separators and weights, and never matches.

    >>> foreign_syntax("阿里巴巴 20")
    "ends in a number, like FunASR's 'word weight'; re-import the list with: hotfuse lexicon import FILE --format funasr"
    >>> foreign_syntax("Windows 11") is None, foreign_syntax("12:30") is None
    (True, True)
    """  # noqa: E501
    for pattern, what, fmt in _foreign_patterns():
        if pattern.search(term):
            return f"{what}; re-import the list with: hotfuse lexicon import FILE --format {fmt}"
    return None


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
        for term in (hw.text, *hw.aliases):
            foreign = foreign_syntax(term)
            if foreign is not None:
                warn("foreign-syntax", f"{hw.text}: {term!r} {foreign}", hw)
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
        if not _is_han(ch) or not _is_ambiguous(ch):
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
