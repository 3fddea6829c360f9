"""Fusion of many transcript files on a Dask cluster (the ``[dask]`` extra).

``hotfuse fuse -i`` fuses one file in one process. For an archive that outgrows one
machine, :func:`fuse_bag` runs the same per-line reading and the same output records over
a Dask bag (``dask.bag.read_text`` of JSONL files, local or on any filesystem Dask reads),
and :func:`fuse_files` over local or shared files read by hotfuse's own line reader, on
whatever scheduler the bag computes on (a ``distributed`` cluster, threads, or one
process).

The hotword list and the config travel once per worker, not once per partition: they are
one key of the task graph, which the scheduler copies to each worker that needs it and
keeps there; a worker compiles the :class:`~hotfuse.Fuser` the first time one of its
partitions needs it and keeps it in a small cache keyed by a content hash of the hotwords
and config, so every later partition and every later computation with the same list reuse
it. Nothing here pickles a compiled Fuser.

Each output item is a record: a fused line is :func:`~hotfuse.formats.records.result_record`
(exactly what ``hotfuse fuse -i ... --json`` writes, :func:`json_line` gives the line),
and a line that cannot be read is ``{"error": message, "path": ..., "line_no": ...}``
with the message that ``hotfuse fuse`` prints after ``hotfuse: error:``. Order is kept
within each partition, and partitions keep the order of the files.

``import hotfuse`` never imports Dask; this module imports it only when a bag is built.

Example:
    >>> import dask.bag as db
    >>> rows = ['{"id": "u1", "text": "伊丽沙白来了"}', "not json"]
    >>> lines = db.from_sequence(rows, npartitions=1)
    >>> out = fuse_bag(lines, ["伊丽莎白"]).compute(scheduler="sync")
    >>> out[0]["text"], out[0]["replacements"][0]["original"]
    ('伊丽莎白来了', '伊丽沙白')
    >>> out[1]["error"]
    '<bag>:2: not a JSON object; this input is read as JSONL (use --format text or kaldi)'
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hotfuse.errors import DataError, InputError, MissingDependencyError

if TYPE_CHECKING:
    from dask.bag import Bag

    from hotfuse.config import FuseConfig
    from hotfuse.formats.corpus import InputRecord
    from hotfuse.fuser import Fuser
    from hotfuse.lexicon import Hotword

__all__ = ["FuserSpec", "fuse_bag", "fuse_files", "json_line", "worker_fuser"]

_BAG_FORMATS = ("jsonl", "text", "kaldi")
_CACHE_SIZE = 4  # compiled Fusers a worker keeps (one per distinct hotword list + config)


class FuserSpec:
    """What a worker needs to build a :class:`~hotfuse.Fuser`: hotwords, config and the
    content hash that names them (the cache key). Light to ship; compiled on arrival.

    >>> spec = FuserSpec.build(["伊丽莎白"], lexicons=(), config={"threshold": 0.5})
    >>> len(spec.hotwords), spec.config.threshold, len(spec.key)
    (1, 0.5, 64)
    """

    __slots__ = ("config", "hotwords", "key")

    def __init__(self, hotwords: tuple[str | Hotword, ...], config: FuseConfig, key: str):
        self.hotwords = hotwords
        self.config = config
        self.key = key

    @classmethod
    def build(
        cls,
        hotwords: Iterable[str | Hotword],
        *,
        lexicons: Sequence[str | os.PathLike[str]] = (),
        config: FuseConfig | Mapping[str, Any] | None = None,
    ) -> FuserSpec:
        """Read the lexicons (by path or shipped name) here, on the client, so workers
        need no access to them; hash what is shipped."""
        from hotfuse.config import FuseConfig
        from hotfuse.lexicon import Lexicon

        words: list[str | Hotword] = list(hotwords)
        for path in lexicons:
            words.extend(Lexicon.load(path).hotwords)
        if not words:
            msg = "no hotwords: give hotwords or lexicons"
            raise InputError(msg)
        cfg = FuseConfig.coerce(config)
        payload = (tuple(words), cfg)
        key = hashlib.sha256(pickle.dumps(payload, protocol=5)).hexdigest()
        return cls(payload[0], cfg, key)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _arrive, (self.hotwords, self.config, self.key)

    def __repr__(self) -> str:
        return f"FuserSpec({len(self.hotwords)} hotwords, key={self.key[:12]})"


# ---------------------------------------------------------------------- the worker side
# Module state of the process that runs the partitions (a Dask worker process, or the
# client under the threaded and synchronous schedulers).
_lock = threading.Lock()
_fusers: dict[str, Fuser] = {}
_counts = {"arrivals": 0, "builds": 0}


def _arrive(hotwords: tuple[str | Hotword, ...], config: FuseConfig, key: str) -> FuserSpec:
    """Unpickling a FuserSpec: counted, so tests can see how often the list travels."""
    with _lock:
        _counts["arrivals"] += 1
    return FuserSpec(hotwords, config, key)


def _worker_counts() -> dict[str, int]:
    """This process's ``arrivals`` (FuserSpecs unpickled) and ``builds`` (Fusers compiled)."""
    with _lock:
        return dict(_counts)


def worker_fuser(spec: FuserSpec) -> Fuser:
    """The process's Fuser for ``spec``, compiled on first use and then reused.

    >>> spec = FuserSpec.build(["伊丽莎白"])
    >>> worker_fuser(spec) is worker_fuser(spec)
    True
    """
    with _lock:  # threads of one worker wait for one compile rather than each doing it
        fuser = _fusers.get(spec.key)
        if fuser is None:
            from hotfuse.fuser import Fuser

            fuser = Fuser(spec.hotwords, spec.config)
            _counts["builds"] += 1
            while len(_fusers) >= _CACHE_SIZE:
                del _fusers[next(iter(_fusers))]
            _fusers[spec.key] = fuser
        return fuser


def _error_record(err: DataError) -> dict[str, Any]:
    return {"error": str(err), "path": err.path, "line_no": err.line_no}


def _fuse_records(
    fuser: Fuser, records: Iterable[InputRecord | DataError]
) -> Iterator[dict[str, Any]]:
    from hotfuse.formats.records import result_record

    for rec in records:
        if isinstance(rec, DataError):
            yield _error_record(rec)
        else:
            yield result_record(rec.id, fuser.fuse(rec.transcript))


def _numbered(items: Iterable[Any], src: str) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """Group a partition's items by file: ``(path, [(line number, text), ...])``.

    Items are lines (``str``, as ``read_text`` gives them, line end included),
    ``(line, path)`` pairs (``read_text(..., include_path=True)``) or mappings (parsed
    JSON records, written back as one JSON line). Line numbers count from 1 in each
    file, as ``hotfuse fuse -i`` counts them when a partition starts at the top of its
    file (``read_text``'s default, one partition per file)."""
    path: str | None = None
    lines: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, tuple):
            line, where = item
            where = str(where)
        else:
            line, where = item, src
        if isinstance(line, Mapping):
            line = json.dumps(line, ensure_ascii=False)
        if where != path:
            if path is not None:
                yield path, lines
            path, lines = where, []
        line = line.removesuffix("\n").removesuffix("\r")
        if not lines:
            line = line.removeprefix("\ufeff")
        lines.append((len(lines) + 1, line))
    if path is not None:
        yield path, lines


def _fuse_partition(items: Iterable[Any], spec: FuserSpec, fmt: str, src: str) -> list[Any]:
    from hotfuse.formats.corpus import parse_fuse_lines

    fuser = worker_fuser(spec)
    out: list[dict[str, Any]] = []
    for path, lines in _numbered(items, src):
        out.extend(_fuse_records(fuser, parse_fuse_lines(lines, fmt, path)))
    return out


def _fuse_paths(paths: Iterable[str], spec: FuserSpec, fmt: str) -> list[Any]:
    from hotfuse.formats.corpus import iter_fuse_input

    fuser = worker_fuser(spec)
    out: list[dict[str, Any]] = []
    for path in paths:
        out.extend(_fuse_records(fuser, iter_fuse_input(path, fmt)))
    return out


# ---------------------------------------------------------------------- the client side
def _dask() -> Any:
    try:
        import dask
        import dask.bag
    except ImportError as exc:
        pkg = (exc.name or "dask").split(".")[0]
        raise MissingDependencyError(pkg, "dask", "hotfuse.scale") from None
    return dask


def fuse_bag(
    lines: Bag,
    hotwords: Iterable[str | Hotword] = (),
    *,
    lexicons: Sequence[str | os.PathLike[str]] = (),
    config: FuseConfig | Mapping[str, Any] | None = None,
    fmt: str = "jsonl",
    src: str = "<bag>",
) -> Bag:
    """Fuse every line of a Dask bag; a bag of output records, in the same order.

    Args:
        lines: lines of transcript files: ``dask.bag.read_text(paths)`` (one partition
            per file by default), ``read_text(paths, include_path=True)`` (error
            records then name the file), or a bag of parsed JSON records.
        hotwords: hotwords (strings or :class:`~hotfuse.Hotword`).
        lexicons: lexicon files or shipped lexicon names, read here on the client.
        config: a :class:`~hotfuse.FuseConfig` or a mapping of its fields
            (:func:`hotfuse.load_config` reads a config TOML).
        fmt: how each line is read: ``"jsonl"``, ``"text"`` or ``"kaldi"``, as
            ``hotfuse fuse --format``.
        src: the file name in error records of lines given without a path.

    Returns:
        A bag of dicts: the ``--json`` record of each fused line, or an error record
        (``error``, ``path``, ``line_no``) for a line that cannot be read. Line numbers
        count from each partition's start, so they are the file's own when partitions
        start at the top of a file (``read_text`` with no ``blocksize``).

    Raises:
        MissingDependencyError: Dask is not installed (``pip install 'hotfuse[dask]'``).
    """
    if fmt not in _BAG_FORMATS:
        msg = f"unknown input format {fmt!r} for a bag; choose from {', '.join(_BAG_FORMATS)}"
        raise InputError(msg)
    dask = _dask()
    spec = dask.delayed(FuserSpec.build(hotwords, lexicons=lexicons, config=config), pure=True)
    bag: Any = lines  # dask.bag is untyped
    out: Bag = bag.map_partitions(_fuse_partition, spec, fmt, src)
    return out


def fuse_files(
    paths: str | Sequence[str | os.PathLike[str]],
    hotwords: Iterable[str | Hotword] = (),
    *,
    lexicons: Sequence[str | os.PathLike[str]] = (),
    config: FuseConfig | Mapping[str, Any] | None = None,
    fmt: str = "auto",
) -> Bag:
    """Fuse files that every worker can open (a local or shared filesystem), one
    partition per file, read by the reader of ``hotfuse fuse -i``: the format decided per
    file (``fmt="auto"``), a line that is not UTF-8 reported on its own, the same line
    numbers and messages.

    Args:
        paths: file paths, or one glob pattern (expanded here, sorted).
        hotwords, lexicons, config: as :func:`fuse_bag`.
        fmt: ``"auto"``, ``"jsonl"``, ``"text"`` or ``"kaldi"``.

    Returns:
        A bag of records as :func:`fuse_bag` returns, file after file.

    Raises:
        DataError: a glob pattern matched no file.
    """
    import glob

    from hotfuse.formats.corpus import FUSE_FORMATS

    if fmt not in FUSE_FORMATS:
        msg = f"unknown input format {fmt!r}; choose from {', '.join(FUSE_FORMATS)}"
        raise InputError(msg)
    if isinstance(paths, str):
        names = sorted(glob.glob(paths)) if glob.has_magic(paths) else [paths]
        if not names:
            msg = "no file matches this pattern"
            raise DataError(msg, path=paths)
    else:
        names = [os.fspath(p) for p in paths]
    dask = _dask()
    spec = dask.delayed(FuserSpec.build(hotwords, lexicons=lexicons, config=config), pure=True)
    bag: Any = dask.bag.from_sequence(names, npartitions=max(len(names), 1))
    out: Bag = bag.map_partitions(_fuse_paths, spec, fmt)
    return out


def json_line(record: Mapping[str, Any]) -> str:
    """One output record as the JSON line ``hotfuse fuse --json`` writes (no line end).

    >>> json_line({"id": "u1", "text": "伊丽莎白"})
    '{"id": "u1", "text": "伊丽莎白"}'
    """
    return json.dumps(record, ensure_ascii=False)
