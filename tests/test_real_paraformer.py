"""The real-recognizer benchmark built with a local Paraformer model and the user's own audio.

``eval/real_decode.py --paraformer DIR --wav-scp FILE`` decodes recordings with hotfuse's
batch-size-1 Paraformer runner, and ``eval/build_real.py`` turns its lines into the
benchmark layout with a ``paraformer`` hypothesis set. Runs on a tiny random FunASR
model (tests/tiny_models.py) and generated audio, so no weights are downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("funasr", "torch", "soundfile")),
    reason="needs hotfuse[funasr] and soundfile",
)

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "real_tiny"


def _eval_module(name: str):  # type: ignore[no-untyped-def]
    if str(ROOT / "eval") not in sys.path:
        sys.path.insert(0, str(ROOT / "eval"))
    return importlib.import_module(name)


def _ids() -> dict[str, str]:
    """Every utterance id of the tiny corpus -> its split."""
    out = {}
    for text in TINY.glob("*/*/text"):
        for line in text.read_text(encoding="utf-8").splitlines():
            out[line.split(None, 1)[0]] = text.parent.name
    return out


def _jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def decoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import soundfile as sf

    from tests.tiny_models import build_tiny_model

    base = tmp_path_factory.mktemp("real-paraformer")
    model = build_tiny_model(base / "seaco", "seaco")
    audio = base / "audio"
    audio.mkdir()
    rng = np.random.default_rng(0)
    lines = []
    for k, uid in enumerate(sorted(_ids())):
        n = 16000 + 1600 * k  # 1.0 s and up
        t = np.arange(n) / 16000
        wave = 0.3 * np.sin(2 * np.pi * (200 + 40 * k) * t) + 0.05 * rng.standard_normal(n)
        sf.write(audio / f"{uid}.wav", wave.astype(np.float32), 16000)
        lines.append(f"{uid} audio/{uid}.wav")  # relative to the wav.scp's folder
    lines.append("NOT-IN-CORPUS audio/none.wav")
    scp = base / "wav.scp"
    scp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = base / "segments"
    real_decode = _eval_module("real_decode")
    args = ["--data", str(TINY), "--paraformer", str(model), "--wav-scp", str(scp)]
    assert real_decode.main([*args, "--out", str(out)]) == 0
    return {"out": out, "model": model, "scp": scp, "audio": audio}


def test_paraformer_lines_hold_the_runners_transcript(decoded: dict[str, Path]) -> None:
    import soundfile as sf

    ids = _ids()
    rows = [
        r for split in ("dev", "train") for r in _jsonl(decoded["out"] / f"segments.{split}.jsonl")
    ]
    # only utterances that benchmark_order keeps (train ones holding a held-out entity are not)
    assert {r["id"] for r in rows} <= set(ids) and len(rows) >= len(ids) // 2
    for r in rows:
        assert r["split"] == ids[r["id"]] and r["engine"] == "paraformer"
        assert "funasr" in r["header"]["recognizer"] and "wav.scp" in r["header"]["tts"]
        duration = sf.info(decoded["audio"] / f"{r['id']}.wav").duration
        assert r["audio_s"] == pytest.approx(duration, abs=1e-3)
        toks = r["transcript"]["tokens"]
        assert toks, "the tiny model emits tokens for a second of audio"
        assert "".join(t["text"] for t in toks) == r["transcript"]["text"]
        for t in toks:
            assert 0.0 <= t["confidence"] <= 1.0
            assert 0.0 <= t["start"] <= t["end"] <= duration + 1e-6


def test_paraformer_decode_resumes_without_redoing(
    decoded: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in decoded["out"].glob("*.jsonl")}
    real_decode = _eval_module("real_decode")
    args = ["--data", str(TINY), "--paraformer", str(decoded["model"])]
    assert (
        real_decode.main([*args, "--wav-scp", str(decoded["scp"]), "--out", str(decoded["out"])])
        == 0
    )
    assert "0 to go" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in decoded["out"].glob("*.jsonl")} == before


def test_build_real_makes_a_paraformer_set(decoded: dict[str, Path], tmp_path: Path) -> None:
    build_real = _eval_module("build_real")
    out = tmp_path / "bench"
    args = ["--data", str(TINY), "--segments", str(decoded["out"]), "--out", str(out)]
    assert build_real.main([*args, "--catalogue-size", "20"]) == 0
    lines = {
        r["id"]: r["transcript"]
        for split in ("dev", "train")
        for r in _jsonl(decoded["out"] / f"segments.{split}.jsonl")
    }
    for split in ("dev", "train"):
        d = out / split
        assert not (d / "hyp.whisper.jsonl").exists()
        hyps = _jsonl(d / "hyp.paraformer.jsonl")
        refs = [line.split("\t")[0] for line in (d / "ref.txt").read_text("utf-8").splitlines()]
        assert {h["id"] for h in hyps} >= set(refs)
        for h in hyps:
            base = h["id"].split("-", 2)[2] if h["id"].startswith("NEG-") else h["id"]
            assert h["text"] == lines[base]["text"]
            assert h["tokens"] == lines[base]["tokens"]
    assert (
        "funasr" in json.loads((out / "real.json").read_text("utf-8"))["recognizer"]["recognizer"]
    )


def test_bad_model_dir_and_missing_scp_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_decode = _eval_module("real_decode")
    assert real_decode.main(["--data", str(TINY), "--paraformer", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("real_decode: error:") and "config.yaml" in err and err.count("\n") == 1
    assert real_decode.main(["--wav-scp", str(tmp_path / "none.scp")]) == 2
    assert "no such wav.scp" in capsys.readouterr().err
