"""The public surface: ``__all__`` is sorted strings and every name resolves."""

from __future__ import annotations

import hotfuse


def test_all_is_sorted_strings() -> None:
    assert all(isinstance(name, str) for name in hotfuse.__all__)
    assert list(hotfuse.__all__) == sorted(hotfuse.__all__)
    assert len(set(hotfuse.__all__)) == len(hotfuse.__all__)


def test_every_exported_name_resolves() -> None:
    for name in hotfuse.__all__:
        assert hasattr(hotfuse, name), name
        member = getattr(hotfuse, name)
        if name == "__version__":
            assert isinstance(member, str)
            continue
        assert member.__module__.startswith("hotfuse"), name


def test_the_documented_api_is_exported() -> None:
    for name in ("fuse", "Fuser", "FuseConfig", "FuseResult", "Replacement", "Transcript",
                 "Token", "Hotword", "HotfuseError", "load_config"):  # fmt: skip
        assert name in hotfuse.__all__


def test_errors_inherit_hotfuse_error_and_a_builtin() -> None:
    names = [n for n in hotfuse.__all__ if n.endswith("Error")]
    assert len(names) >= 8
    for name in names:
        cls = getattr(hotfuse, name)
        assert issubclass(cls, hotfuse.HotfuseError)
        if name != "HotfuseError":
            assert any(
                issubclass(cls, b) for b in (ValueError, LookupError, ImportError, RuntimeError)
            )
