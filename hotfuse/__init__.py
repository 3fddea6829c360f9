"""hotfuse: post-recognition hotword fusion for Chinese ASR.

>>> from hotfuse import fuse
>>> fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白", "达西"]).text
'伊丽莎白这会儿真太高兴了'

``import hotfuse`` is light, and so is fusing: the engine reads compact copies of pypinyin's
and jieba's tables (:mod:`hotfuse._tables`); pypinyin and jieba themselves load on first
use by lexicon checks, Latin hotwords, alias learning and the simulator; torch and funasr
only in :mod:`hotfuse.runners.paraformer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hotfuse._scan import set_kernel
from hotfuse.config import FuseConfig, ScoringModel
from hotfuse.errors import (
    ConfigError,
    DataError,
    FrontendOutputError,
    HotfuseError,
    InputError,
    LengthMismatchError,
    LexiconError,
    MissingDependencyError,
    RecognizerError,
    UnknownFrontendError,
)
from hotfuse.formats.config import load_config
from hotfuse.fuser import Fuser, fuse
from hotfuse.lexicon import Hotword, Lexicon
from hotfuse.match import Candidate, MatchKind
from hotfuse.phonetics import CostTable
from hotfuse.result import FuseResult, Replacement
from hotfuse.transcript import Token, Transcript

if TYPE_CHECKING:
    from hotfuse.metrics import EvalReport, evaluate, normalize_text

__version__ = "0.1.0"

#: Names read from their module on first use (PEP 562), so that fusing, the one-line
#: CLI call above all, does not import the evaluation code.
_LAZY = {"EvalReport": "hotfuse.metrics", "evaluate": "hotfuse.metrics",
         "normalize_text": "hotfuse.metrics"}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'hotfuse' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Candidate",
    "ConfigError",
    "CostTable",
    "DataError",
    "EvalReport",
    "FrontendOutputError",
    "FuseConfig",
    "FuseResult",
    "Fuser",
    "HotfuseError",
    "Hotword",
    "InputError",
    "LengthMismatchError",
    "Lexicon",
    "LexiconError",
    "MatchKind",
    "MissingDependencyError",
    "RecognizerError",
    "Replacement",
    "ScoringModel",
    "Token",
    "Transcript",
    "UnknownFrontendError",
    "__version__",
    "evaluate",
    "fuse",
    "load_config",
    "normalize_text",
    "set_kernel",
]
