"""The one safe writer (and UTF-8 reader) for lexicons, evaluation outputs, reports and configs.

Every write goes to a hidden temporary file beside the target, ``.NAME.XXXXXXXX.tmp``,
which is fsynced, given the old file's permissions and renamed over the target, so readers
see the old file or the new one, never half of it.

Stale temporary files: a writer holds an ``flock`` on its temporary file from the moment it
creates it until it has renamed it, and the kernel drops that lock when the writer dies,
even by SIGKILL. So a sibling ``.NAME.XXXXXXXX.tmp`` that nobody holds a lock on belongs to
a dead writer, and the next writer of ``NAME`` removes it. A file someone does hold is left
alone, whatever its age or owner, and so is every file on a filesystem without ``flock``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from hotfuse.errors import HotfuseError, InputError, LexiconError

if sys.platform != "win32":
    import fcntl

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_writer", "read_text_file"]

_TEMP_SUFFIX = ".tmp"
_TEMP_TOKEN = r"[a-z0-9_]{8}"  # what tempfile.mkstemp puts between prefix and suffix


def atomic_write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    error: type[HotfuseError] = InputError,
) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half.

    Writes a temporary file in the same directory (removing the ones dead writers left
    there, see the module docstring), fsyncs it, gives it the old file's permissions (a new
    file gets the usual ``0666 & ~umask``, not ``mkstemp``'s 0600), renames it over
    ``path`` (atomic on POSIX and Windows) and fsyncs the directory. On any error the
    temporary file is removed and ``path`` is untouched.

    Raises:
        HotfuseError: of class ``error``, when the directory is missing or not writable,
            the filesystem is read-only or the disk is full; the message names the file.
    """
    atomic_write_bytes(path, text.encode("utf-8"), error=error)


def atomic_write_bytes(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    error: type[HotfuseError] = InputError,
) -> None:
    """:func:`atomic_write_text` for bytes (same guarantees and errors)."""
    with _replacing(path, error) as (fh, failed):
        try:
            fh.write(data)
        except OSError as exc:
            raise failed(exc) from exc


class _Output(io.TextIOWrapper):
    """The text file :func:`atomic_writer` hands out: a failed write names the target."""

    _failed: Callable[[OSError], HotfuseError]

    def write(self, s: str) -> int:
        try:
            return super().write(s)
        except OSError as exc:
            raise self._failed(exc) from exc

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            raise self._failed(exc) from exc


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, error: type[HotfuseError] = InputError
) -> Iterator[io.TextIOWrapper]:
    """A UTF-8 text file to write ``path`` through, streaming, that replaces ``path`` only
    when the block ends without an error (same guarantees as :func:`atomic_write_text`).

    A write that fails (a full disk) raises the ``error`` class naming ``path``; any other
    exception in the block propagates as it is. Either way ``path`` is left as it was.

    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(p) as fh:
    ...     _ = fh.write("一行\\n")
    >>> p.read_text(encoding="utf-8")
    '一行\\n'
    """
    with _replacing(path, error) as (fh, failed):
        out = _Output(fh, encoding="utf-8", newline="")
        out._failed = failed
        try:
            yield out
            out.flush()
        finally:
            with contextlib.suppress(Exception):  # unflushed text of a failed block
                out.detach()


@contextlib.contextmanager
def _replacing(
    path: str | os.PathLike[str], error: type[HotfuseError]
) -> Iterator[tuple[BinaryIO, Callable[[OSError], HotfuseError]]]:
    """The one implementation: a locked temporary file that replaces ``path`` when the
    block ends without an error, and ``failed``, which turns an OSError into ``error``.

    A symbolic link is followed (the file it names is replaced, the link stays), and a
    target that is not a regular file (``/dev/null``, a FIFO, a terminal) is written in
    place: renaming over it would replace the device with a file.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    directory = target.parent

    def failed(exc: OSError) -> HotfuseError:
        msg = f"could not write {target} ({exc.strerror or exc}); it was left unchanged"
        return _located(error, msg, target)

    if target.is_dir():
        raise _located(error, f"{target} is a directory; give a file name", target)
    if target.exists() and not target.is_file():
        yield from _in_place(target, failed)
        return
    try:
        fd, tmp_name = _open_temp(target, directory)
    except FileNotFoundError:
        msg = f"the directory {directory} does not exist; create it first"
        raise _located(error, msg, target) from None
    except OSError as exc:
        raise failed(exc) from exc
    fh = os.fdopen(fd, "wb")
    replaced = False
    try:
        yield fh, failed
        try:
            fh.flush()
            os.fsync(fd)
            os.chmod(tmp_name, _mode_for(target))
            if sys.platform == "win32":  # Windows renames no open file (and has no flock)
                fh.close()
            os.replace(tmp_name, target)  # still holding the lock: no one removes it first
        except OSError as exc:
            raise failed(exc) from exc
        replaced = True
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        with contextlib.suppress(OSError):  # a failed block's unwritten bytes
            fh.close()
    _fsync_directory(directory)


def _in_place(
    target: Path, failed: Callable[[OSError], HotfuseError]
) -> Iterator[tuple[BinaryIO, Callable[[OSError], HotfuseError]]]:
    """Write a target that is not a regular file (a device or a FIFO) as it is."""
    try:
        fh = open(target, "wb")  # noqa: SIM115 - closed below, after the caller's block
    except OSError as exc:
        raise failed(exc) from exc
    with fh:
        yield fh, failed
        try:
            fh.flush()
        except OSError as exc:
            raise failed(exc) from exc


def _open_temp(target: Path, directory: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, locked, after removing dead writers' ones."""
    _remove_stale_temps(target, directory)
    while True:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TEMP_SUFFIX, dir=directory)
        if _hold(fd, name):
            return fd, name
        os.close(fd)  # a cleaner took it for stale before we locked it: take another name


def _hold(fd: int, name: str) -> bool:
    """Lock our new temporary file; False when it was removed before the lock was taken."""
    if sys.platform == "win32":
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a cleaner holds it only for an unlink
    except OSError:
        return True  # no flock on this filesystem: nobody removes temporary files here
    try:
        return os.path.samestat(os.fstat(fd), os.stat(name))
    except FileNotFoundError:
        return False


def _remove_stale_temps(target: Path, directory: Path) -> None:
    """Remove ``target``'s temporary files that no living writer holds (module docstring)."""
    if sys.platform == "win32":
        return
    pattern = re.compile(re.escape(f".{target.name}.") + _TEMP_TOKEN + re.escape(_TEMP_SUFFIX))
    try:
        names = [e.name for e in os.scandir(directory) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone already, a link, or not ours to open
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a living writer holds it (or the filesystem has no flock)
            if os.path.samestat(st, os.lstat(path)):
                os.unlink(path)
        except OSError:
            continue
        finally:
            os.close(fd)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; best effort (some filesystems refuse a directory fsync, and
    the new file is in place by now)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


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


def _located(
    error: type[HotfuseError], msg: str, target: Path, line_no: int | None = None
) -> HotfuseError:
    try:
        return error(msg, path=target, line_no=line_no)  # type: ignore[call-arg]
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
        data = p.read_bytes()
    except FileNotFoundError:
        raise _located(error, missing, p) from None
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror}"
        raise _located(error, msg, p) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        msg = (
            f"not UTF-8 text ({exc.reason} at byte {exc.start}, column {column} of the "
            "line); re-save it as UTF-8"
        )
        raise _located(error, msg, p, line_no) from None
    # as read_text does: universal newlines
    return text.replace("\r\n", "\n").replace("\r", "\n")
