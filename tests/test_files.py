"""Tests for hotfuse._files: the one atomic writer (locked temporary files, stale ones
removed, failed writes leave the target as it was)."""

from __future__ import annotations

import errno
import fcntl
import io
import os
import tempfile
from pathlib import Path

import pytest

from hotfuse import _files
from hotfuse._files import atomic_write_bytes, atomic_write_text, atomic_writer
from hotfuse.errors import InputError, LexiconError


def _temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _dead_writers_temp(directory: Path, target: str) -> Path:
    """A temporary file as a writer killed mid-write leaves it: nobody holds its lock."""
    fd, name = tempfile.mkstemp(prefix=f".{target}.", suffix=".tmp", dir=directory)
    os.write(fd, b"half a lexi")
    os.close(fd)
    return Path(name)


def test_next_writer_removes_a_dead_writers_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "a.toml"
    target.write_text("old\n", encoding="utf-8")
    stale = [_dead_writers_temp(tmp_path, "a.toml") for _ in range(3)]
    assert len(_temps(tmp_path)) == 3
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert not any(p.exists() for p in stale)
    assert _temps(tmp_path) == []


def test_a_held_temp_file_and_other_files_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.toml"
    live = _dead_writers_temp(tmp_path, "a.toml")
    other_target = _dead_writers_temp(tmp_path, "b.toml")  # another file's writer
    longer_name = _dead_writers_temp(tmp_path, "a.toml.bak")  # ".a.toml." is its prefix too
    user_file = tmp_path / ".a.toml.mine.tmp"  # not a name hotfuse makes
    user_file.write_text("keep me", encoding="utf-8")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a living writer holds its temporary file
        atomic_write_text(target, "new\n")
        assert live.exists()
    finally:
        os.close(fd)
    assert other_target.exists() and longer_name.exists() and user_file.exists()
    atomic_write_text(target, "newer\n")  # the holder is gone now
    assert not live.exists()


def test_the_writer_holds_its_temp_file_while_it_writes(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with atomic_writer(target) as fh:
        fh.write("一行\n")
        (name,) = _temps(tmp_path)
        fd = os.open(tmp_path / name, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        atomic_write_text(target, "a concurrent writer\n")  # must not take ours for stale
        assert _temps(tmp_path) == [name]
    assert target.read_text(encoding="utf-8") == "一行\n"
    assert _temps(tmp_path) == []


def test_a_temp_file_removed_before_it_is_locked_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cleaner may take a brand-new temporary file for stale in the instant between its
    # creation and its lock: the writer notices and takes another name
    real_mkstemp = tempfile.mkstemp
    calls: list[str] = []

    def racing_mkstemp(**kwargs: str) -> tuple[int, str]:
        fd, name = real_mkstemp(**kwargs)
        calls.append(name)
        if len(calls) == 1:
            os.unlink(name)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", racing_mkstemp)
    target = tmp_path / "a.toml"
    atomic_write_text(target, "new\n")
    assert len(calls) == 2
    assert target.read_text(encoding="utf-8") == "new\n"
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_a_temp_file_that_cannot_be_created_is_one_clear_error(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.toml"
    target.write_text("old\n", encoding="utf-8")

    def refuse(**_kwargs: str) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(LexiconError) as info:
        atomic_write_text(target, "new\n", error=LexiconError)
    assert os.strerror(code) in str(info.value) and "left unchanged" in str(info.value)
    assert "\n" not in str(info.value) and str(info.value.path) == str(target)
    assert target.read_text(encoding="utf-8") == "old\n"


class _FullDisk(io.RawIOBase):
    """A raw file whose writes fail as on a full disk (and which owns the descriptor)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def writable(self) -> bool:
        return True

    def write(self, _b: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files.os, "fdopen", lambda fd, _mode: io.BufferedWriter(_FullDisk(fd)))


def test_streamed_write_on_a_full_disk_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    _full_disk(monkeypatch)
    with (
        pytest.raises(InputError, match=r"No space left on device.*left unchanged"),
        atomic_writer(target) as fh,
    ):
        for _ in range(10_000):
            fh.write("伊丽莎白很高兴\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _temps(tmp_path) == []


def test_bytes_write_on_a_full_disk_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    _full_disk(monkeypatch)
    with pytest.raises(InputError, match="No space left on device"):
        atomic_write_bytes(target, b"x" * 100_000)
    assert target.read_bytes() == b"old"
    assert _temps(tmp_path) == []


def test_an_error_in_the_block_is_not_taken_for_a_write_error(tmp_path: Path) -> None:
    # only the writer's own failures become "could not write"; the caller's propagate
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="the input"), atomic_writer(target) as fh:
        fh.write("part\n")
        raise FileNotFoundError(errno.ENOENT, "the input went away")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _temps(tmp_path) == []


def test_a_fifo_target_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    # `fuse -o /dev/null` once replaced the device with a regular file: a target that is
    # not a regular file is written as it is (a FIFO stands in for the device here)
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    with atomic_writer(fifo) as fh:
        fh.write("一行\n")
    reader.join(timeout=10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got == ["一行\n".encode()]
    assert _temps(tmp_path) == []


def test_a_symlink_target_keeps_the_link_and_replaces_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    atomic_write_text(link, "new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


def test_a_directory_target_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        atomic_write_text(tmp_path, "x")


def test_a_file_that_is_not_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "words.txt"
    p.write_bytes("重庆\n北京\n上".encode() + b"\xff" + "海\n".encode())  # byte 4 of line 3
    with pytest.raises(LexiconError) as info:
        _files.read_text_file(p)
    assert info.value.line_no == 3
    assert str(info.value).startswith(f"{p}:3: not UTF-8 text")
    assert "column 4 of the line" in str(info.value)


def test_read_text_file_reads_line_ends_as_read_text_does(tmp_path: Path) -> None:
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"a\r\nb\rc\n")
    assert _files.read_text_file(p) == p.read_text(encoding="utf-8") == "a\nb\nc\n"
