"""The package's data tables (``hotfuse/data/*.tsv.gz``): ``key<TAB>value`` lines, read on
first use and kept, thread-safely, so that ``import hotfuse`` reads none of them."""

from __future__ import annotations

import gzip
import logging
import os
import threading
from typing import Any

__all__ = ["data_table", "jieba_tokenizer"]

_lock = threading.Lock()
_tables: dict[str, dict[str, str]] = {}


def data_table(name: str) -> dict[str, str]:
    """The table ``hotfuse/data/NAME`` as a dict (lines without a key are skipped).

    >>> data_table("t2s.tsv.gz")["騰"]
    '腾'
    """
    got = _tables.get(name)
    if got is not None:
        return got
    with _lock:
        if name not in _tables:
            raw = _read(name)
            table: dict[str, str] = {}
            for line in gzip.decompress(raw).decode("utf-8").splitlines():
                k, _, v = line.partition("\t")
                if k:
                    table[k] = v
            _tables[name] = table
    return _tables[name]


def _read(name: str) -> bytes:
    """The bytes of ``hotfuse/data/NAME``: a plain file where the package is one, else
    through importlib.resources (a zipped install), whose import a short call spares."""
    try:
        with open(os.path.join(os.path.dirname(__file__), "data", name), "rb") as fh:
            return fh.read()
    except OSError:
        from importlib import resources

        return resources.files("hotfuse").joinpath("data", name).read_bytes()


def jieba_tokenizer() -> Any:
    """A new, initialised ``jieba.Tokenizer`` (its full dictionary loaded), with jieba's
    start-up chatter on the ``jieba`` logger held back to warnings meanwhile."""
    import jieba

    jlog = logging.getLogger("jieba")
    level = jlog.level
    jlog.setLevel(logging.WARNING)
    try:
        tk = jieba.Tokenizer()
        tk.initialize()
    finally:
        jlog.setLevel(level)
    return tk
