"""hotfuse: post-recognition hotword fusion for Chinese ASR."""

from __future__ import annotations

from hotfuse.errors import (
    ConfigError,
    HotfuseError,
    InputError,
    LexiconError,
    MissingDependencyError,
)
from hotfuse.fuse import FuseConfig, FuseResult, Replacement
from hotfuse.lexicon import Hotword
from hotfuse.transcript import Token, Transcript

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "FuseConfig",
    "FuseResult",
    "HotfuseError",
    "Hotword",
    "InputError",
    "LexiconError",
    "MissingDependencyError",
    "Replacement",
    "Token",
    "Transcript",
    "__version__",
]
