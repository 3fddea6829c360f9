"""Progress bars (tqdm) on stderr for the long CLI runs: shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["counter", "progress"]


def progress(
    items: Iterable[T], *, desc: str, total: int | None = None, enabled: bool
) -> Iterator[T]:
    """``items``, with a progress bar on stderr when ``enabled`` and stderr is a terminal.

    >>> list(progress([1, 2], desc="x", enabled=False))
    [1, 2]
    """
    if not enabled or not sys.stderr.isatty():
        return iter(items)
    from tqdm import tqdm

    return iter(tqdm(items, desc=desc, total=total, unit="utt", file=sys.stderr, leave=False))


class _Silent:
    """A counter that shows nothing (what :func:`counter` gives off a terminal)."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def counter(unit: str, *, delay: float = 0.0) -> Any:
    """A tqdm counter on stderr (``update()``, ``close()``) when stderr is a terminal,
    shown once ``delay`` seconds have passed; else a silent one, and tqdm is not even
    imported (its import costs a short CLI call a noticeable part of its start-up).

    >>> c = counter("utt"); c.update(); c.close()
    """
    if not sys.stderr.isatty():
        return _Silent()
    from tqdm import tqdm

    return tqdm(unit=unit, file=sys.stderr, delay=delay)
