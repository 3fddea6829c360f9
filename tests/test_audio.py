"""Audio loading: formats, channels, rates, and clear errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

if importlib.util.find_spec("soundfile") is None or importlib.util.find_spec("scipy") is None:
    pytest.skip(
        "soundfile / scipy not installed (pip install 'hotfuse[funasr]')", allow_module_level=True
    )

import soundfile  # type: ignore[import-untyped]

from hotfuse.errors import InputError
from hotfuse.runners.audio import SAMPLE_RATE, load_audio, resample


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(
    ("suffix", "rate", "channels", "subtype"),
    [
        (".wav", 16000, 1, "PCM_16"),
        (".wav", 8000, 2, "PCM_16"),
        (".flac", 44100, 1, "PCM_16"),
        (".wav", 48000, 1, "FLOAT"),
        (".mp3", 22050, 1, "MPEG_LAYER_III"),
    ],
)
def test_files_become_16k_mono(
    tmp_path: Path, suffix: str, rate: int, channels: int, subtype: str
) -> None:
    x = tone(1.5, rate)
    data = np.stack([x, x], axis=1) if channels == 2 else x
    path = tmp_path / f"a{suffix}"
    soundfile.write(str(path), data, rate, subtype=subtype)
    y = load_audio(path)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(y.size - 1.5 * SAMPLE_RATE) <= 0.06 * SAMPLE_RATE  # mp3 adds codec padding
    # the 440 Hz tone survives resampling: it dominates the spectrum
    spec = np.abs(np.fft.rfft(y[:SAMPLE_RATE]))
    assert abs(np.argmax(spec) - 440) <= 2
    assert 0.3 < np.max(np.abs(y)) < 0.7


def test_resample_keeps_duration_and_mixes_channels() -> None:
    x = tone(2.0, 8000)
    y = resample(np.stack([x, -x], axis=1), 8000)
    assert y.shape == (32000,)
    assert np.max(np.abs(y)) < 1e-6  # opposite channels cancel in the mono mix
    assert resample(x, 16000 // 2).shape == (32000,)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: None, "no such audio file"),
        (lambda p: p.write_bytes(b"this is not audio at all" * 10), "cannot read the audio"),
        (lambda p: soundfile.write(str(p), np.zeros(0, dtype=np.float32), 16000), "no audio"),
        (lambda p: p.mkdir(), "not a file"),
    ],
)
def test_bad_files_raise_input_error_naming_the_file(
    tmp_path: Path, make: object, match: str
) -> None:
    path = tmp_path / "bad.wav"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=match) as info:
        load_audio(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("data", "rate", "match"),
    [
        (np.array([0.0, np.nan], dtype=np.float32), 16000, "NaN"),
        (np.zeros(10, dtype=np.float32), 0, "positive integer"),
        (np.zeros((2, 2, 2), dtype=np.float32), 16000, "1-D or 2-D"),
    ],
)
def test_bad_arrays(data: np.ndarray, rate: int, match: str) -> None:
    with pytest.raises(InputError, match=match):
        resample(data, rate)


def test_read_samples_is_the_one_path_every_runner_takes(tmp_path: Path) -> None:
    from hotfuse.runners.audio import read_samples

    out = read_samples(np.ones((8000, 2), dtype=np.float64), 8000)  # stereo, 8 kHz
    assert out.dtype == np.float32 and out.shape == (16000,)
    with pytest.raises(InputError, match="no samples"):
        read_samples(np.zeros(0, dtype=np.float32))
    with pytest.raises(InputError, match="no such audio file"):
        read_samples(tmp_path / "missing.wav")
