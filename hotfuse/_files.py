"""The one safe writer (and UTF-8 reader) for lexicons, evaluation outputs, reports and configs."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from hotfuse.errors import HotfuseError, InputError, LexiconError

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_writer", "read_text_file"]


def atomic_write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    error: type[HotfuseError] = InputError,
) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half.

    Writes a temporary file in the same directory, fsyncs it, gives it the old file's
    permissions (a new file gets the usual ``0666 & ~umask``, not ``mkstemp``'s 0600),
    renames it over ``path`` (atomic on POSIX and Windows) and fsyncs the directory. On
    any error the temporary file is removed and ``path`` is untouched.

    Raises:
        HotfuseError: of class ``error``, when the directory is missing or not writable,
            or the disk is full; the message names the file.
    """
    atomic_write_bytes(path, text.encode("utf-8"), error=error)


def atomic_write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    error: type[HotfuseError] = InputError,
) -> None:
    """:func:`atomic_write_text` for bytes (same guarantees and errors)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    tmp_name: str | None = None
    try:
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        except FileNotFoundError:
            msg = f"the directory {directory} does not exist; create it first"
            raise _located(error, msg, target) from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
        tmp_name = None
        if hasattr(os, "O_DIRECTORY"):
            dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    except OSError as exc:
        msg = f"could not write {target} ({exc.strerror or exc}); it was left unchanged"
        raise _located(error, msg, target) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    try:  # Linux: read it without changing it
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The mode a replaced file keeps, or the one a new file would get from ``open``."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, error: type[HotfuseError] = InputError
) -> Iterator[io.TextIOWrapper]:
    """A UTF-8 text file to write ``path`` through, streaming, that replaces ``path`` only
    when the block ends without an error (same guarantees as :func:`atomic_write_text`).

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(p) as fh:
    ...     _ = fh.write("一行\\n")
    >>> p.read_text(encoding="utf-8")
    '一行\\n'
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    tmp_name: str | None = None
    try:
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        except FileNotFoundError:
            msg = f"the directory {directory} does not exist; create it first"
            raise _located(error, msg, target) from None
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        msg = f"could not write {target} ({exc.strerror or exc}); it was left unchanged"
        raise _located(error, msg, target) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _located(error: type[HotfuseError], msg: str, target: Path) -> HotfuseError:
    try:
        return error(msg, path=target)  # type: ignore[call-arg]
    except TypeError:  # an error class that takes no path
        return error(msg)


def read_text_file(
    path: str | os.PathLike[str],
    *,
    missing: str = "no such file",
    error: type[HotfuseError] = LexiconError,
) -> str:
    """A UTF-8 text file's content; an error of class ``error`` naming the file otherwise."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _located(error, missing, p) from None
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text ({exc.reason} at byte {exc.start}); re-save it as UTF-8"
        raise _located(error, msg, p) from None
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise _located(error, msg, p) from None
