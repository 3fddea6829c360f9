"""``hotfuse transcribe`` end to end on a tiny random SeACo-Paraformer (no downloads)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

if importlib.util.find_spec("funasr") is None or importlib.util.find_spec("torch") is None:
    pytest.skip(
        "funasr / torch not installed (pip install 'hotfuse[funasr]')", allow_module_level=True
    )

import soundfile  # type: ignore[import-untyped]

from hotfuse.cli import main
from tests.tiny_models import build_tiny_model

SR = 16000


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("cli-model") / "seaco", "seaco")


@pytest.fixture
def audio_files(tmp_path: Path) -> dict[str, Path]:
    t = np.arange(2 * SR) / SR
    x = (0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t)).astype(np.float32)
    good = tmp_path / "good.wav"
    soundfile.write(str(good), np.stack([x, x], axis=1), SR)  # stereo: mixed to mono
    empty = tmp_path / "empty.wav"
    soundfile.write(str(empty), np.zeros(0, dtype=np.float32), SR)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio" * 50)
    return {"good": good, "empty": empty, "junk": junk}


def test_batch_goes_on_after_bad_files(
    model_dir: Path, audio_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(audio_files[k]) for k in ("empty", "good", "junk")]
    code = main(["transcribe", *files, "--model", str(model_dir), "--device", "cpu"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 1
    path, text = lines[0].split("\t")
    assert path == files[1] and len(text) >= 5
    assert f"hotfuse: error: {files[0]}: the file holds no audio samples" in err
    assert f"hotfuse: error: {files[2]}: cannot read the audio" in err


def test_json_output_with_hotwords(
    model_dir: Path, audio_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(audio_files["good"])
    argv = ["transcribe", good, "--model", str(model_dir), "--device", "cpu", "--json"]
    code = main([*argv, "--hotword", "伊丽莎白", "--hotword", "达西"])
    out, _ = capsys.readouterr()
    assert code == 0
    rec = json.loads(out)
    assert rec["path"] == good and rec["device"] == "cpu" and rec["peak_gpu_bytes"] is None
    assert rec["audio_seconds"] == pytest.approx(2.0) and rec["rtf"] > 0
    assert len(rec["tokens"]) >= 5
    assert "".join(t["text"] for t in rec["tokens"]) == rec["text"]
    for tok in rec["tokens"]:
        assert 0.0 <= tok["start"] <= tok["end"] <= 2.0 and 0.0 < tok["confidence"] <= 1.0
    assert isinstance(rec["replacements"], list) and isinstance(rec["raw_text"], str)


def test_bad_model_dir_is_one_clear_error(
    tmp_path: Path, audio_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["transcribe", str(audio_files["good"]), "--model", str(tmp_path / "none")])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("hotfuse: error: model directory") and "does not exist" in err


def test_missing_config_fails_before_loading(
    model_dir: Path,
    audio_files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["transcribe", str(audio_files["good"]), "--model", str(model_dir)]
    code = main([*argv, "--hotword", "达西", "--config", str(tmp_path / "no.toml")])
    _, err = capsys.readouterr()
    assert code == 1 and "config file" in err and "does not exist" in err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["transcribe", "--help"])
    assert info.value.code == 0
    assert "hotfuse transcribe meeting.wav --model" in capsys.readouterr().out
