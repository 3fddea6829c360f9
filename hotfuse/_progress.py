"""Progress bars (tqdm) on stderr for the long CLI runs: shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

__all__ = ["progress"]


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
