"""Recognizer runners: code that runs an ASR model and returns a Transcript.

Only :mod:`hotfuse.runners.paraformer` imports funasr / torch, and only when used;
importing this package loads neither.
"""

from __future__ import annotations

__all__: list[str] = []
