"""The hotfuse exception tree.

Every error hotfuse raises on purpose is a :class:`HotfuseError`, and each class also
inherits the builtin exception it refines, so ``except ValueError`` keeps working::

    HotfuseError(Exception)
    ├── ConfigError(HotfuseError, ValueError)          bad FuseConfig value or config file
    ├── InputError(HotfuseError, ValueError)            bad transcript / hotword argument
    │   ├── LengthMismatchError(InputError)             confidences/timestamps vs tokens
    │   └── TooLittleDataError(InputError)              too few labelled candidates to tune
    ├── LexiconError(HotfuseError, ValueError)          bad lexicon file (.path, .line_no)
    ├── DataError(HotfuseError, ValueError)             bad evaluation file (.path, .line_no)
    ├── FrontendOutputError(HotfuseError, ValueError)   a recognizer result of the wrong shape
    ├── UnknownFrontendError(HotfuseError, LookupError) no frontend of that name
    ├── MissingDependencyError(HotfuseError, ImportError) an optional extra is not installed
    └── RecognizerError(HotfuseError, RuntimeError)     the ASR runner could not load / run

Messages say what went wrong *and* what to do about it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "DataError",
    "FrontendOutputError",
    "HotfuseError",
    "InputError",
    "LengthMismatchError",
    "LexiconError",
    "MissingDependencyError",
    "RecognizerError",
    "TooLittleDataError",
    "UnknownFrontendError",
]


class HotfuseError(Exception):
    """Base class of every error hotfuse raises deliberately."""


class ConfigError(HotfuseError, ValueError):
    """A configuration value is out of range or of the wrong type."""


class InputError(HotfuseError, ValueError):
    """An argument to :func:`hotfuse.fuse` or :class:`hotfuse.Transcript` is unusable."""


class LengthMismatchError(InputError):
    """Per-token values (confidences, timestamps) do not line up with the tokens."""

    def __init__(self, message: str, *, expected: int, got: int) -> None:
        super().__init__(message)
        self.expected = expected
        self.got = got


class TooLittleDataError(InputError):
    """``hotfuse tune`` was given too few labelled candidates for a trustworthy fit.

    Carries the counts it found: ``utterances``, ``good`` and ``bad`` candidates.
    """

    def __init__(self, message: str, *, utterances: int, good: int, bad: int) -> None:
        super().__init__(message)
        self.utterances = utterances
        self.good = good
        self.bad = bad


class _FileLocatedError(HotfuseError, ValueError):
    def __init__(
        self, message: str, *, path: str | Path | None = None, line_no: int | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        self.line_no = line_no
        self.reason = message
        where = ""
        if self.path is not None:
            where = self.path if line_no is None else f"{self.path}:{line_no}"
        elif line_no is not None:
            where = f"line {line_no}"
        super().__init__(f"{where}: {message}" if where else message)


class LexiconError(_FileLocatedError):
    """A lexicon file or entry is invalid; ``path`` and ``line_no`` say where."""


class DataError(_FileLocatedError):
    """An evaluation input file (Kaldi text, JSONL) is invalid; ``path``/``line_no`` say where."""


class FrontendOutputError(HotfuseError, ValueError):
    """A recognizer result does not have the shape its frontend expects."""


class UnknownFrontendError(HotfuseError, LookupError):
    """No frontend is registered under the requested name."""

    def __init__(self, name: str, available: list[str] | tuple[str, ...]) -> None:
        self.name = name
        self.available = tuple(available)
        msg = (
            f"unknown frontend {name!r}; available: {', '.join(self.available) or '(none)'}. "
            "Third-party frontends register through the 'hotfuse.frontends' entry-point group."
        )
        super().__init__(msg)


class MissingDependencyError(HotfuseError, ImportError):
    """An optional dependency is missing; the message names the pip extra to install."""

    def __init__(self, package: str, extra: str, purpose: str = "") -> None:
        self.package = package
        self.extra = extra
        why = f" (needed for {purpose})" if purpose else ""
        msg = f"{package} is not installed{why}; install it with: pip install 'hotfuse[{extra}]'"
        super().__init__(msg, name=package)


class RecognizerError(HotfuseError, RuntimeError):
    """The speech recognizer could not be loaded or could not run."""
