"""The compiled-lexicon cache: a CLI run with a big lexicon file reads it back instead of
parsing the file and compiling its hotwords again.

An entry is one JSON file, ``$XDG_CACHE_HOME/hotfuse/lexicons/KEY.json`` (``~/.cache``
when ``XDG_CACHE_HOME`` is unset), holding the hotwords and the compiled targets of a
:class:`~hotfuse.fuser.Fuser` (:meth:`~hotfuse.fuser.Fuser.compiled_state`). ``KEY`` is a
SHA-256 over the lexicon files' bytes, the ``--hotword`` values, the
:class:`~hotfuse.config.FuseConfig`, the hotfuse version and the engine's own source
and data files (so any change to how hotwords compile misses). The file is plain data
(no pickle: a cache directory may be shared or tampered with), written atomically
(:mod:`hotfuse._files`); an entry that cannot be read, is not valid JSON or holds
anything unexpected is ignored (logged at debug level) and written again. At most
:data:`MAX_ENTRIES` entries are kept, the least recently used removed first.

Set ``HOTFUSE_NO_CACHE=1`` to neither read nor write it.

>>> cache_dir({"XDG_CACHE_HOME": "/tmp/c"}), cache_dir({"HOTFUSE_NO_CACHE": "1"})
(PosixPath('/tmp/c/hotfuse/lexicons'), None)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from hotfuse.config import FuseConfig
from hotfuse.errors import HotfuseError
from hotfuse.fuser import Fuser

__all__ = ["MAX_ENTRIES", "cache_dir", "cache_key", "compiled_fuser"]

log = logging.getLogger("hotfuse")

MAX_ENTRIES = 16
"""Entries kept in the cache directory (each one lexicon, config and hotfuse version)."""

_FORMAT = 1  # the layout of an entry; part of the key
_ENGINE_FILES = (
    "__init__.py", "_tables.py", "config.py", "english.py", "fuser.py", "lexicon.py",
    "match.py", "phonetics.py", "transcript.py", "data/tables.json",
)  # fmt: skip


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where entries live, or None when ``HOTFUSE_NO_CACHE`` is set (not empty or "0")."""
    env = os.environ if environ is None else environ
    if env.get("HOTFUSE_NO_CACHE", "") not in ("", "0"):
        return None
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hotfuse" / "lexicons"


@lru_cache(maxsize=1)
def _engine_fingerprint() -> str:
    """A digest of the files that decide how hotwords compile (a change misses)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in _ENGINE_FILES:
        try:
            h.update((root / name).read_bytes())
        except OSError:
            h.update(b"-")
        h.update(b"\0")
    return h.hexdigest()


def cache_key(lexicon_bytes: Sequence[bytes], hotwords: Sequence[str], config: FuseConfig) -> str:
    """The entry name for these lexicon files' contents, ``--hotword`` values and config.

    >>> a = cache_key([b"[[entry]]"], [], FuseConfig())
    >>> a == cache_key([b"[[entry]]"], [], FuseConfig()), a == cache_key([b"x"], [], FuseConfig())
    (True, False)
    """
    from hotfuse import __version__

    parts = {
        "format": _FORMAT,
        "hotfuse": __version__,
        "engine": _engine_fingerprint(),
        "config": config.to_dict(),
        "hotwords": list(hotwords),
        "lexicons": [hashlib.sha256(b).hexdigest() for b in lexicon_bytes],
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:32]


def _lexicon_file(name: str) -> Path:
    """The file ``Lexicon.load(name)`` reads (a path, or a shipped lexicon's name)."""
    from hotfuse.formats.lexicon_toml import find_shipped_lexicon

    p = Path(name)
    if not p.exists():
        shipped = find_shipped_lexicon(name)
        if shipped is not None:
            return shipped
    return p


def compiled_fuser(
    lexicons: Sequence[str],
    hotwords: Sequence[str],
    config: FuseConfig,
    load: Callable[[], list[Any]],
    *,
    directory: Path | None = None,
) -> Fuser:
    """A Fuser of ``load()``'s hotwords, read from the cache when an entry for these
    lexicon files (``lexicons``, paths or shipped names), ``--hotword`` values and
    ``config`` exists, else compiled and stored.

    ``load`` is the CLI's own reader of those files and values: it runs on a miss (and
    when a file cannot be read here, so its error is the usual one). ``directory``
    replaces :func:`cache_dir` (which may say: no cache).
    """
    where = cache_dir() if directory is None else directory
    if where is None or not lexicons:
        return Fuser(load(), config)
    try:
        contents = [_lexicon_file(name).read_bytes() for name in lexicons]
    except OSError:
        return Fuser(load(), config)  # the reader reports the missing file
    key = cache_key(contents, hotwords, config)
    path = where / f"{key}.json"
    fuser = _read_entry(path, key, config)
    if fuser is not None:
        log.info("compiled lexicon read from the cache (%s)", path)
        return fuser
    fuser = Fuser(load(), config)
    _write_entry(where, path, key, fuser)
    return fuser


def _read_entry(path: Path, key: str, config: FuseConfig) -> Fuser | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("key") != key:
            msg = "not an entry for this key"
            raise ValueError(msg)
        fuser = Fuser.from_compiled(data, config)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, HotfuseError) as exc:
        log.debug("ignoring the unreadable cache entry %s (%s); compiling again", path, exc)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the cache is pruned
    return fuser


def _write_entry(where: Path, path: Path, key: str, fuser: Fuser) -> None:
    from hotfuse._files import atomic_write_bytes

    data = {"key": key, **fuser.compiled_state()}
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        where.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, blob)
    except (OSError, HotfuseError) as exc:
        log.debug("could not write the cache entry %s (%s)", path, exc)
        return
    _prune(where)


def _prune(where: Path) -> None:
    """Keep the :data:`MAX_ENTRIES` most recently used entries."""
    try:
        entries = sorted(where.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            old.unlink()
    except OSError as exc:
        log.debug("could not prune the cache %s (%s)", where, exc)
