"""hotfuse's own lexicon file: TOML read with line numbers, written round-trip (tomlkit).

Reading uses the standard ``tomllib`` and locates entries and keys in one pass over the
lines, so loading is linear in the file's size; a file over
:data:`~hotfuse.lexicon.MAX_LEXICON_BYTES` or with more than
:data:`~hotfuse.lexicon.MAX_LEXICON_ENTRIES` entries is a :class:`LexiconError`.

The file format itself (keys, entry fields, weights) is described in :mod:`hotfuse.lexicon`;
this module turns the text into a :class:`~hotfuse.lexicon.Lexicon` (the entry checks are
the model's, :func:`hotfuse.lexicon._entry_issues`) and back, keeping the user's comments,
order and layout: only the fields that change are touched.

:func:`locked_update` does a read-modify-write so that concurrent writers (a dozen
``hotfuse lexicon add`` processes on a busy machine) all land: the slow work before the
``FILE.lock`` file lock, only a re-read and the write under it; every write goes through
the one safe writer, :func:`hotfuse._files.atomic_write_text`.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hotfuse.errors import LexiconError
from hotfuse.lexicon import (
    ENTRY_FIELDS,
    ENTRY_KEY,
    MAX_LEXICON_ENTRIES,
    TOP_LEVEL_KEYS,
    Hotword,
    Issue,
    Lexicon,
    Severity,
    _check_lexicon_size,
    _deepest_line,
    _entry_issues,
    _hotword_to_fields,
    _Located,
    _split_pinyin,
    _too_many_entries,
)

__all__ = [
    "find_shipped_lexicon",
    "lock_path",
    "locked_update",
    "locked_write_text",
    "parse_lexicon",
    "render_lexicon",
    "shipped_lexicons",
]

logger = logging.getLogger("hotfuse")

_ENTRY_HEADER_RE = re.compile(r"[ \t]*\[\[[ \t]*" + ENTRY_KEY + r"[ \t]*\]\]")
_ANY_HEADER_RE = re.compile(r"[ \t]*\[")
_FIELD_RE = re.compile(r"[ \t]*([A-Za-z0-9_\-\"']+)[ \t]*=")
_KEY_LINE_RE = re.compile(r"[ \t]*\[*[ \t]*(\"[^\"\n]*\"|'[^'\n]*'|[A-Za-z0-9_\-]+)[ \t]*[\].=]")
_QUOTES = "\"'"
_TOMLLIB_POS_RE = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


def _locate_entries(source: str, entries: Sequence[Mapping[str, Any]]) -> list[_Located]:
    """Line numbers of each ``[[entry]]`` table and of the fields inside it (one pass)."""
    if not entries:
        return []
    out: list[_Located] = []
    fields: dict[str, int] | None = None  # those of the entry being read
    for j, line in enumerate(source.splitlines(), start=1):
        if _ENTRY_HEADER_RE.match(line):
            fields = {}
            out.append(_Located(j, fields))
        elif _ANY_HEADER_RE.match(line):
            fields = None
        elif fields is not None and (m := _FIELD_RE.match(line)):
            fields.setdefault(m.group(1).strip(_QUOTES), j)
    if len(out) == len(entries):
        return out
    # inline tables or an unusual layout: the line holding each text value, searched
    # forward from the previous entry's (entries appear in file order), so one pass
    starts = [0, *(m.end() for m in re.finditer("\n", source))]
    located: list[_Located] = []
    pos = 0
    for entry in entries:
        text = entry.get("text") if isinstance(entry, Mapping) else None
        found: int | None = None
        if isinstance(text, str) and text:
            at = source.find(text, pos)
            if at >= 0:
                found = bisect.bisect_right(starts, at)
                pos = at + len(text)
        located.append(_Located(found, {}))
    return located


def _key_lines(source: str) -> dict[str, int]:
    """The first line each top-level-looking key is written on (one pass; for errors)."""
    out: dict[str, int] = {}
    for j, line in enumerate(source.splitlines(), start=1):
        m = _KEY_LINE_RE.match(line)
        if m:
            out.setdefault(m.group(1).strip(_QUOTES), j)
    return out


def _plain(value: Any) -> Any:
    """tomlkit items -> plain Python values."""
    unwrap = getattr(value, "unwrap", None)
    if callable(unwrap):
        return unwrap()
    return value


def parse_lexicon(
    text: str,
    *,
    path: str | os.PathLike[str] | None = None,
    strict: bool = True,
    cls: type[Lexicon] = Lexicon,
) -> Lexicon:
    """Parse lexicon TOML text into a Lexicon (see :meth:`Lexicon.load` for ``strict``).

    >>> parse_lexicon('[[entry]]\\ntext = "重庆"\\n').hotwords[0].text
    '重庆'
    """
    import tomllib

    p = Path(path) if path is not None else None
    where = str(p) if p is not None else None
    _check_lexicon_size(text, where)
    source = text.removeprefix("\ufeff")
    try:
        # the standard parser reads (many times faster than tomlkit, which only the
        # round-trip writer needs; the text is kept as ``source`` for it)
        data = tomllib.loads(source)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        line: int | None = None
        if isinstance(exc, RecursionError):
            reason = "arrays or tables nested too deeply"
            line = _deepest_line(source)
        else:
            m = _TOMLLIB_POS_RE.search(str(exc))
            if m is not None:
                line = int(m.group(1)) if m.group(1) else source.count("\n") + 1
            reason = _TOMLLIB_POS_RE.sub("", str(exc))
            if reason.startswith("Cannot overwrite") and line is not None:
                km = _FIELD_RE.match(source.split("\n")[line - 1])
                if km:  # tomllib does not say which key; the line does
                    reason = f'Key "{km.group(1).strip(_QUOTES)}" already exists'
        hint = toml_hint(p, source)
        msg = f"invalid TOML: {reason}{hint}"
        issue = Issue(Severity.ERROR, "toml-syntax", msg, where, line)
        if strict:
            raise issue.to_error() from None
        return cls(path=p, source=None, load_issues=(issue,))
    issues: list[Issue] = []
    key_lines = _key_lines(source) if set(data) - set(TOP_LEVEL_KEYS) else {}
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            issues.append(
                Issue(
                    Severity.ERROR,
                    "unknown-field",
                    f"unknown top-level key {key!r}; a lexicon has name, description "
                    f"and [[{ENTRY_KEY}]] tables",
                    where,
                    key_lines.get(key),
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
    if len(raw_entries) > MAX_LEXICON_ENTRIES:
        raise _too_many_entries(where, located[MAX_LEXICON_ENTRIES].line_no)
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
            f" (and {len(errors) - 1} more; run: hotfuse lexicon check)" if len(errors) > 1 else ""
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


def _same_value(field_name: str, old: Any, new: Any) -> bool:
    old = _plain(old)
    if field_name == "pinyin":
        if isinstance(old, str | list):
            return _split_pinyin(old) == _split_pinyin(new)
        return False
    if field_name in ("aliases", "block_contexts", "tags", "spoken"):
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


def render_lexicon(
    source: str | None, name: str, description: str, hotwords: Sequence[Hotword]
) -> str:
    """TOML text for a lexicon, edited round-trip from ``source`` when there is one."""
    import tomlkit

    doc: Any
    if source is None:
        doc = tomlkit.document()
        if name:
            doc["name"] = name
        if description:
            doc["description"] = description
        if hotwords and (name or description):  # a blank line after the header only
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


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file guarding ``path``: ``FILE.lock`` beside it."""
    p = Path(path)
    return p.with_name(p.name + ".lock")


_WAIT_NOTICE_S = 3.0  # seconds of waiting for the lock before saying so on stderr


def locked_update(
    path: str | os.PathLike[str],
    change: Callable[[Lexicon], Lexicon],
    *,
    create: bool = False,
    overwrite: bool = False,
    check: Callable[[Lexicon], None] | None = None,
    timeout: float | None = None,
    notice_after: float = _WAIT_NOTICE_S,
) -> Lexicon:
    """Change a lexicon file so that concurrent writers (threads or processes) all land.

    The slow work happens before the ``FILE.lock`` lock is taken: reading the file,
    ``change`` and ``check`` on it (which import pypinyin and jieba and warm their tables),
    rendering the TOML. Under the lock the file is read again; when another writer changed
    it meanwhile, ``change`` and ``check`` run again on the new content (fast by then), and
    the result is written atomically. So the lock is held for a read and a write, and no
    writer's change is lost. If ``change`` or ``check`` raises, the file is left as it was.

    The lock is an ``flock``: the kernel releases it when its holder exits, however it
    exits, so a ``FILE.lock`` left on disk is harmless and must not be deleted (a writer
    holding it would then share the file with the next one). Waiting has no limit by
    default; after ``notice_after`` seconds one warning says who is waited for.

    Args:
        path: the lexicon file.
        change: the edit: gets the current lexicon, returns the new one.
        create: start from an empty lexicon when the file does not exist.
        overwrite: start from an empty lexicon whatever the file holds (even when it is
            not a valid lexicon): ``change`` builds the whole new file.
        check: called before the write with the new lexicon as it will be on disk (its
            TOML parsed back, problems in ``load_issues``); raises to refuse it.
        timeout: seconds to wait for the lock; None waits as long as the queue needs.
        notice_after: seconds of waiting before the warning.

    Raises:
        LexiconError: the file cannot be read or is invalid (unless ``overwrite``), the
            lock file cannot be created (a read-only directory or filesystem), the lock
            was not free within ``timeout``, or the write failed (the file is untouched).
    """
    p = Path(path)
    seen, updated, text = _stage(p, change, check, create=create, overwrite=overwrite)
    with _lexicon_lock(p, timeout=timeout, notice_after=notice_after):
        if not overwrite:
            now = _current_text(p)
            if now != seen:  # another writer got there first: redo the edit on its file
                seen, updated, text = _stage(p, change, check, create=create, overwrite=False)
        from hotfuse._files import atomic_write_text

        atomic_write_text(p, text, error=LexiconError)
    return updated


def locked_write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    exist_ok: bool = True,
    timeout: float | None = None,
    notice_after: float = _WAIT_NOTICE_S,
) -> None:
    """Write a whole lexicon file under its ``FILE.lock`` lock (atomically), so that it
    never lands in the middle of another writer's :func:`locked_update`.

    Args:
        exist_ok: with False, refuse (under the lock) a file that exists meanwhile.

    Raises:
        LexiconError: the file exists and ``exist_ok`` is False, the lock could not be
            taken (see :func:`locked_update`), or the write failed (the file is untouched).
    """
    from hotfuse._files import atomic_write_text

    p = Path(path)
    with _lexicon_lock(p, timeout=timeout, notice_after=notice_after):
        if not exist_ok and p.exists():
            msg = "already exists; add entries with 'hotfuse lexicon add', or pass --force"
            raise LexiconError(msg, path=p)
        atomic_write_text(p, text, error=LexiconError)


_MISSING = object()  # the file does not exist


def _current_text(p: Path) -> object:
    """The file's text now, or :data:`_MISSING`."""
    from hotfuse._files import read_text_file

    if not p.exists():
        return _MISSING
    return read_text_file(p, error=LexiconError)


def _stage(
    p: Path,
    change: Callable[[Lexicon], Lexicon],
    check: Callable[[Lexicon], None] | None,
    *,
    create: bool,
    overwrite: bool,
) -> tuple[object, Lexicon, str]:
    """(the text read, the changed lexicon, its TOML) for one attempt of an update."""
    seen: object = _MISSING
    if overwrite:
        current = Lexicon(path=p)
    else:
        seen = _current_text(p)
        if isinstance(seen, str):
            current = Lexicon.loads(seen, path=p)
        elif create:
            current = Lexicon(path=p)
        else:
            current = Lexicon.load(p)  # a shipped lexicon's name, or the "no such file" error
    updated = change(current)
    if updated.path is None:
        updated = replace(updated, path=p)
    text = updated.dumps()
    if check is not None:
        check(Lexicon.loads(text, path=p, strict=False))
    return seen, updated, text


@contextlib.contextmanager
def _lexicon_lock(p: Path, *, timeout: float | None, notice_after: float) -> Iterator[None]:
    """Hold ``FILE.lock``; errors are one-line :class:`LexiconError` s saying what to do."""
    from filelock import FileLock, Timeout

    lock_file = lock_path(p)
    lock = FileLock(str(lock_file))
    first = notice_after if timeout is None else min(notice_after, timeout)
    try:
        try:
            lock.acquire(timeout=first)
        except Timeout:
            if timeout is not None and timeout <= notice_after:
                raise
            logger.warning("waiting for %s held by another hotfuse process...", lock_file)
            lock.acquire(timeout=-1 if timeout is None else timeout - first)
    except Timeout:
        msg = (
            f"another process held {lock_file.name} for {timeout:g} s; try again when it "
            "has finished (its lock goes away when it exits: never delete the lock file)"
        )
        raise LexiconError(msg, path=p) from None
    except OSError as exc:
        msg = (
            f"cannot create the lock file {lock_file} ({exc.strerror or exc}); changing "
            f"{p.name} needs a writable directory: copy the lexicon somewhere writable, or "
            "make its directory writable"
        )
        raise LexiconError(msg, path=p) from None
    try:
        yield
    finally:
        lock.release()


# =========================================================================== shipped lexicons
def _shipped_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent.parent  # the hotfuse package
    # in a wheel: hotfuse/lexicons (package data); in a source checkout: ../lexicons
    return [d for d in (here / "lexicons", here.parent / "lexicons") if d.is_dir()]


def shipped_lexicons() -> dict[str, Path]:
    """The lexicons that ship with hotfuse, by name (the file stem).

    >>> sorted(shipped_lexicons())
    ['ai-speech', 'china-places', 'cloud-software']
    """
    out: dict[str, Path] = {}
    for d in _shipped_dirs():
        for p in sorted(d.glob("*.toml")):
            out.setdefault(p.stem, p)
    return out


def find_shipped_lexicon(name: str) -> Path | None:
    """The file of the shipped lexicon ``name`` (``china-places``, ``china-places.toml`` or
    ``lexicons/china-places.toml``), or None.

    >>> find_shipped_lexicon("china-places").name, find_shipped_lexicon("x/china-places")
    ('china-places.toml', None)
    """
    p = Path(name)
    # a bare name, or the repository path the README once gave (lexicons/NAME.toml)
    if len(p.parts) > 1 and p.parts[-2:-1] != ("lexicons",):
        return None
    return shipped_lexicons().get(p.name.removesuffix(".toml")) if p.name else None


def toml_hint(path: Path | None, text: str) -> str:
    """Advice for a lexicon file that is not TOML: which import command converts it."""
    from hotfuse.formats.hotword_files import guess_format

    fmt = guess_format(text, path)
    if fmt is None or fmt == "toml":
        return ""
    src = str(path) if path is not None else "FILE"
    out = Path(src).with_suffix(".toml").name if path is not None else "lexicon.toml"
    return (
        f"; this looks like a {fmt} hotword list, not a hotfuse lexicon: convert it with "
        f"hotfuse lexicon import {src} --format {fmt} -o {out}"
    )
