"""The optional compiled pinyin scan: which scan runs.

The pinyin scan of :meth:`hotfuse.match.LexiconIndex._pinyin_candidates` is pure Python
by default. With numba installed (``pip install 'hotfuse[fast]'``) and the kernel
switched on (``HOTFUSE_KERNEL=numba`` in the environment, or :func:`set_kernel`), the
same scan runs compiled (:mod:`hotfuse._scan_kernel`) and proposes the same windows with
the same distances, so every decision is the same; only the time differs. It is off by
default because numba costs a process about 0.6 s and 140 MB before its first utterance
(its import and the load of the cached machine code), which a one-line CLI call does
not win back; a long-running job does.

Here: the switch alone (no numpy, no numba: the fusing path imports this module); the
kernel and the arrays it reads are in :mod:`hotfuse._scan_kernel`.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType

from hotfuse.errors import ConfigError, MissingDependencyError

#: the environment variable read on first use: ``python`` (default) or ``numba``
ENV = "HOTFUSE_KERNEL"
KERNELS = ("python", "numba")

_LOCK = threading.Lock()  # one thread loads numba
_chosen: list[str] = []  # the kernel's name, once chosen
_compiled: list[ModuleType] = []


def set_kernel(name: str) -> None:
    """Choose the pinyin scan: ``"python"`` (the default) or ``"numba"`` (compiled; needs
    ``pip install 'hotfuse[fast]'``). Decisions are the same with either.

    Raises:
        ConfigError: an unknown name.
        MissingDependencyError: ``"numba"`` without numba installed.
    """
    if name not in KERNELS:
        msg = f"unknown kernel {name!r}: choose one of {', '.join(KERNELS)}"
        raise ConfigError(msg)
    with _LOCK:
        if name == "numba" and not _compiled:
            _compiled.append(_load())
        _chosen[:] = [name]


def kernel() -> str:
    """The pinyin scan in use: what :func:`set_kernel` chose, else ``$HOTFUSE_KERNEL``
    (``python`` when unset)."""
    if not _chosen:
        name = os.environ.get(ENV, "").strip().lower() or "python"
        if name not in KERNELS:
            msg = f"{ENV}={name!r} is not a kernel: set it to one of {', '.join(KERNELS)}"
            raise ConfigError(msg)
        set_kernel(name)
    return _chosen[0]


def compiled_scan() -> ModuleType | None:
    """:mod:`hotfuse._scan_kernel`, its scan compiled, when it is switched on, else None."""
    if not _chosen:
        kernel()
    if _chosen[0] == "numba":
        return _compiled[0]
    return None


def _load() -> ModuleType:
    try:
        import numba  # noqa: F401
    except ImportError:
        package = "numba"
        raise MissingDependencyError(package, "fast", "the compiled pinyin scan") from None
    from hotfuse import _scan_kernel

    _scan_kernel.compile_scan()
    return _scan_kernel
