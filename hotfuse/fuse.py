"""Fusion: choosing and applying hotword replacements (engine under construction)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from hotfuse.errors import ConfigError
from hotfuse.transcript import Transcript

__all__ = ["FuseConfig", "FuseResult", "Replacement"]


@dataclass(frozen=True, slots=True)
class FuseConfig:
    """Decision settings. ``threshold``: a candidate is replaced when its score >= threshold."""

    threshold: float = 0.0
    use_confidence: bool = True

    def __post_init__(self) -> None:
        if not math.isfinite(self.threshold):
            msg = f"threshold must be finite, got {self.threshold!r}"
            raise ConfigError(msg)

    @classmethod
    def coerce(cls, value: FuseConfig | Mapping[str, Any] | None, **overrides: Any) -> FuseConfig:
        base = cls() if value is None else value
        if isinstance(base, Mapping):
            names = {f.name for f in fields(cls)}
            unknown = sorted(set(base) - names)
            if unknown:
                msg = f"unknown FuseConfig fields {unknown}; known: {sorted(names)}"
                raise ConfigError(msg)
            base = cls(**dict(base))
        return replace(base, **overrides) if overrides else base


@dataclass(frozen=True, slots=True)
class Replacement:
    """One replacement: ``text[start:end]`` (the original) became ``hotword``."""

    start: int
    end: int
    original: str
    hotword: str
    score: float
    confidence: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class FuseResult:
    """The fused text, its transcript, and every replacement made."""

    text: str
    replacements: tuple[Replacement, ...]
    transcript: Transcript
    source: Transcript
    config: FuseConfig = field(default_factory=FuseConfig)
