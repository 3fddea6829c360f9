"""Reading audio files as 16 kHz mono float32 waveforms.

Files are read with ``soundfile`` (libsndfile: wav, flac, ogg, and mp3 with libsndfile
>= 1.1), falling back to ``librosa`` (audioread / ffmpeg) for other containers; both come
with the ``[funasr]`` extra. Multi-channel audio is averaged to mono and resampled to
16 kHz with a polyphase filter (``scipy.signal.resample_poly``). Every failure is an
:class:`~hotfuse.errors.InputError` naming the file and what to do.

>>> import numpy as np
>>> resample(np.ones(8000, dtype=np.float32), 8000).shape
(16000,)
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np

from hotfuse.errors import InputError, MissingDependencyError

__all__ = ["SAMPLE_RATE", "load_audio", "read_samples", "resample"]

logger = logging.getLogger("hotfuse")

#: The rate every Paraformer model expects.
SAMPLE_RATE = 16000


def _to_mono(data: np.ndarray) -> np.ndarray:
    if data.ndim == 1:
        return data
    if data.ndim == 2:
        # soundfile gives (frames, channels); a (channels, frames) array has few rows.
        axis = 0 if data.shape[0] < data.shape[1] and data.shape[0] <= 8 else 1
        return np.asarray(data.mean(axis=axis))
    msg = f"audio array must be 1-D or 2-D (samples, channels), got shape {data.shape}"
    raise InputError(msg)


def resample(data: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 copy of ``data`` at ``target`` Hz (``data`` at ``rate`` Hz)."""
    if isinstance(rate, bool) or not isinstance(rate, int) or rate <= 0:
        msg = f"sample rate must be a positive integer, got {rate!r}"
        raise InputError(msg)
    mono = _to_mono(np.asarray(data, dtype=np.float32))
    if not np.all(np.isfinite(mono)):
        msg = "audio holds NaN or infinite samples"
        raise InputError(msg)
    if rate == target or mono.size == 0:
        return np.ascontiguousarray(mono, dtype=np.float32)
    from scipy.signal import resample_poly

    g = math.gcd(rate, target)
    out = resample_poly(mono, target // g, rate // g)
    return np.ascontiguousarray(out, dtype=np.float32)


def read_samples(
    audio: str | os.PathLike[str] | np.ndarray, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """What a runner decodes: a path read by :func:`load_audio`, or a waveform (at
    ``sample_rate`` Hz) converted by :func:`resample`; 16 kHz mono float32, never empty.

    Raises:
        InputError: the file cannot be read, or the audio holds no samples.

    >>> read_samples(np.zeros(4000, dtype=np.float32), 8000).shape
    (8000,)
    """
    if isinstance(audio, np.ndarray):
        samples = resample(np.asarray(audio, dtype=np.float32), sample_rate)
    else:
        samples = load_audio(audio)
    if samples.size == 0:
        msg = "the audio holds no samples; nothing to recognise"
        raise InputError(msg)
    return samples


def load_audio(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an audio file as a 16 kHz mono float32 waveform in [-1, 1].

    Raises:
        InputError: the file is missing, unreadable, or holds no samples.
        MissingDependencyError: soundfile is not installed.
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such audio file"
        raise InputError(msg)
    if not p.is_file():
        msg = f"{p}: not a file; pass audio files (wav, flac, mp3)"
        raise InputError(msg)
    try:
        import soundfile
    except ImportError as exc:
        pkg, extra = "soundfile", "funasr"
        raise MissingDependencyError(pkg, extra, "reading audio files") from exc
    data: np.ndarray | None = None
    rate = 0
    first_error: Exception | None = None
    try:
        data, rate = soundfile.read(str(p), dtype="float32", always_2d=False)
    except Exception as exc:  # libsndfile cannot decode this container
        first_error = exc
    if data is None:
        data, rate = _read_with_librosa(p, first_error)
    if data.size == 0:
        msg = f"{p}: the file holds no audio samples"
        raise InputError(msg)
    try:
        return resample(data, int(rate))
    except InputError as exc:
        msg = f"{p}: {exc}"
        raise InputError(msg) from None


def _read_with_librosa(p: Path, first_error: Exception | None) -> tuple[np.ndarray, int]:
    try:
        import librosa
    except ImportError:
        msg = f"{p}: cannot read the audio ({first_error}); convert it to wav or flac"
        raise InputError(msg) from None
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data, rate = librosa.load(str(p), sr=None, mono=True)
    except Exception as exc:
        msg = (
            f"{p}: cannot read the audio ({first_error or exc}); it is not a format "
            "libsndfile or ffmpeg can decode, or the file is damaged"
        )
        raise InputError(msg) from None
    logger.debug("%s read with librosa (%s)", p, first_error)
    return np.asarray(data, dtype=np.float32), int(rate)
