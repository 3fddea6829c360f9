"""The Paraformer runner on tiny random FunASR models (no downloaded weights).

The models are built from FunASR's own classes by tests/tiny_models.py, saved as model
directories and loaded through ParaformerRecognizer exactly as a user's model is.
Expected confidences are recomputed by an independent forward pass through the model's
sub-modules (frontend, encoder, predictor, decoder), not through the wrapped methods.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

if importlib.util.find_spec("funasr") is None or importlib.util.find_spec("torch") is None:
    pytest.skip(
        "funasr / torch not installed (pip install 'hotfuse[funasr]')", allow_module_level=True
    )


from hotfuse.errors import ConfigError, InputError, RecognizerError
from hotfuse.runners.paraformer import (
    ParaformerRecognizer,
    _assemble,
    import_funasr,
    plan_windows,
)
from tests.tiny_models import build_tiny_model

ROOT = Path(__file__).resolve().parent.parent
SR = 16000


def chirp(seconds: float, seed: int = 0) -> np.ndarray:
    """A rising tone plus a little noise: varied frames, so the random model varies too."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    x = 0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t) + 0.05 * rng.standard_normal(t.size)
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("tiny-models")
    return {
        "seaco": build_tiny_model(base / "seaco", "seaco"),
        "paraformer": build_tiny_model(base / "paraformer", "paraformer"),
        "seaco_unk": build_tiny_model(base / "seaco_unk", "seaco", emit_unk=True, unk_bias=24.0),
    }


@pytest.fixture(scope="module")
def recognizers(model_dirs: dict[str, Path]) -> dict[str, ParaformerRecognizer]:
    return {k: ParaformerRecognizer(d, device="cpu") for k, d in model_dirs.items()}


def reference_tokens(rec: ParaformerRecognizer, audio: np.ndarray) -> list[tuple[str, float]]:
    """Emitted tokens and their softmax probabilities, from the model's sub-modules."""
    import torch
    from funasr.models.transformer.utils.nets_utils import make_pad_mask

    am = rec.automodel
    model = am.model
    frontend = am.kwargs["frontend"]
    tokenizer = am.kwargs["tokenizer"]
    with torch.no_grad():
        feats, lens = frontend(torch.from_numpy(audio)[None, :], [audio.size])
        enc, enc_lens = model.encode(feats, lens)
        mask = (~make_pad_mask(enc_lens, maxlen=enc.size(1))[:, None, :]).to(enc.device)
        embeds, n_tok = model.predictor(enc, None, mask, ignore_id=model.ignore_id)[:2]
        n = int(n_tok.round().long()[0])
        logits = model.decoder(enc, enc_lens, embeds, torch.tensor([n]))[0][0, :n]
        probs = torch.softmax(logits, dim=-1)
    out = []
    for t in range(n):
        k = int(probs[t].argmax())
        if k in (model.blank_id, model.sos, model.eos):
            continue
        piece = tokenizer.ids2tokens([k])[0]
        if piece != "<unk>":
            out.append((piece, float(probs[t, k])))
    return out


@pytest.mark.parametrize("kind", ["seaco", "paraformer"])
def test_confidences_are_the_decoders_probabilities(
    recognizers: dict[str, ParaformerRecognizer], kind: str
) -> None:
    rec = recognizers[kind]
    audio = chirp(3.0)
    res = rec.transcribe(audio)
    toks = res.transcript.tokens
    assert len(toks) >= 10  # the biased random model really emits tokens
    expected = reference_tokens(rec, audio)
    assert [t.text for t in toks] == [p for p, _ in expected]
    got = np.array([t.confidence for t in toks])
    np.testing.assert_allclose(got, [q for _, q in expected], rtol=1e-4, atol=1e-6)
    assert got.min() < 0.99  # real distributions, not a constant
    # times: present, ordered, inside the audio
    for a, b in itertools.pairwise(toks):
        assert a.start is not None and a.end is not None and b.start is not None
        assert a.start <= a.end <= b.start + 1e-9
    assert toks[0].start is not None and toks[0].start >= 0.0
    assert toks[-1].end is not None and toks[-1].end <= 3.0
    # text: FunASR's own generate() output (it puts spaces between characters)
    funasr_text = rec.automodel.generate(input=audio, disable_pbar=True)[0]["text"]
    assert res.transcript.text == funasr_text.replace(" ", "")
    assert res.segments[0].model_text == funasr_text
    assert res.peak_gpu_bytes is None and res.device == "cpu"
    assert res.rtf > 0 and res.audio_seconds == pytest.approx(3.0)


def test_times_match_funasr_when_no_unk(recognizers: dict[str, ParaformerRecognizer]) -> None:
    rec = recognizers["seaco"]
    audio = chirp(2.5, seed=3)
    res = rec.transcribe(audio)
    stamps = rec.automodel.generate(input=audio, disable_pbar=True)[0]["timestamp"]
    got = [
        [round((t.start or 0) * 1000), round((t.end or 0) * 1000)] for t in res.transcript.tokens
    ]
    assert got == [[min(s, 2500), min(e, 2500)] for s, e in stamps]


def test_unk_is_dropped_with_its_own_time(recognizers: dict[str, ParaformerRecognizer]) -> None:
    """Same weights but a strong <unk> bias: kept tokens keep the times of their positions.

    FunASR drops <unk> from the tokens but not from the timestamps, so its later times
    shift by one per <unk>; the runner's must not.
    """
    audio = chirp(3.0)
    plain = recognizers["seaco"].transcribe(audio).transcript.tokens
    with_unk = recognizers["seaco_unk"].transcribe(audio).transcript.tokens
    assert 3 <= len(with_unk) < len(plain)  # some positions became <unk>
    it = iter((t.text, t.start, t.end, t.confidence) for t in plain)
    for tok in with_unk:  # a subsequence of the plain model's tokens, times included
        key = (tok.text, tok.start, tok.end)
        assert any(key == (a, b, c) for a, b, c, _ in it), key
    funasr = recognizers["seaco_unk"].automodel.generate(input=audio, disable_pbar=True)[0]
    assert funasr["text"].replace(" ", "") == "".join(t.text for t in with_unk)


def test_no_hotword_reaches_the_model(
    recognizers: dict[str, ParaformerRecognizer], model_dirs: dict[str, Path], tmp_path: Path
) -> None:
    rec = recognizers["seaco"]
    assert rec.model_hotword_settings() == {}
    audio = chirp(2.0)
    # FunASR turns SeACo biasing on even for hotword="": the runner's guard catches it.
    with pytest.raises(RecognizerError, match="hotword list"):
        rec.automodel.generate(input=audio, disable_pbar=True, hotword="")
    # a hotword in the model's config.yaml is removed at load, with a warning
    import shutil

    d = tmp_path / "with-hotword"
    shutil.copytree(model_dirs["seaco"], d)
    with (d / "config.yaml").open("a", encoding="utf-8") as f:
        f.write("hotword: 乁亂\n")
    rec2 = ParaformerRecognizer(d, device="cpu")
    assert rec2.model_hotword_settings() == {}
    assert rec2.transcribe(audio).transcript.text == rec.transcribe(audio).transcript.text
    with pytest.raises(ConfigError, match="hotword"):
        ParaformerRecognizer(d, device="cpu", hotword="")


def test_long_audio_is_decoded_in_windows(model_dirs: dict[str, Path]) -> None:
    rec = ParaformerRecognizer(
        model_dirs["seaco"], device="cpu", window_seconds=4.0, overlap_seconds=1.0
    )
    audio = chirp(10.0)
    res = rec.transcribe(audio)
    assert len(res.segments) == len(plan_windows(0.0, 10.0, 4.0, 1.0)) == 3
    toks = res.transcript.tokens
    assert len(toks) >= 20
    mids = [(t.start + t.end) / 2 for t in toks if t.start is not None and t.end is not None]
    assert len(mids) == len(toks)
    assert all(a < b for a, b in itertools.pairwise(mids))  # no duplicate at seams
    assert toks[0].start >= 0.0 and toks[-1].end <= 10.0  # type: ignore[operator]
    assert max(mids) > 7.0  # absolute times reach the last window
    assert sum(s.n_tokens for s in res.segments) == len(toks)


def test_vad_segments_are_decoded_with_absolute_times(model_dirs: dict[str, Path]) -> None:
    rec = ParaformerRecognizer(model_dirs["seaco"], device="cpu")

    class FakeVad:  # FunASR's VAD result shape: [{"key": ..., "value": [[beg_ms, end_ms]]}]
        def generate(self, **kwargs: Any) -> list[dict[str, Any]]:
            return [{"key": "k", "value": [[500, 2000], [5000, 6500]]}]

    rec._vad = FakeVad()
    res = rec.transcribe(chirp(8.0))
    assert [(s.start, s.end) for s in res.segments] == [(0.5, 2.0), (5.0, 6.5)]
    toks = res.transcript.tokens
    assert toks
    for t in toks:
        assert t.start is not None and t.end is not None
        assert 0.5 <= t.start <= t.end <= 2.0 or 5.0 <= t.start <= t.end <= 6.5


@pytest.mark.parametrize(
    ("start", "end", "window", "overlap", "n"),
    [(0.0, 10.0, 30.0, 4.0, 1), (0.0, 70.0, 30.0, 4.0, 3), (3.0, 64.0, 20.0, 2.0, 4)],
)
def test_plan_windows_tiles_the_range(
    start: float, end: float, window: float, overlap: float, n: int
) -> None:
    wins = plan_windows(start, end, window, overlap)
    assert len(wins) == n
    assert wins[0][2] == start and wins[-1][3] == end
    for (s, e, ks, ke), nxt in zip(wins, [*wins[1:], None], strict=True):
        assert s <= ks < ke <= e and e - s <= window
        if nxt is not None:
            assert ke == nxt[2]  # keep ranges tile without gap or overlap


def test_assemble_joins_bpe_and_drops_specials() -> None:
    toks = _assemble(
        ["hel@@", "lo", "<unk>", "世", "</s>"],
        [0.9, 0.6, 0.1, 0.8, 0.7],
        [[0, 100], [100, 200], [200, 300], [300, 400], [400, 500]],
        2.0,
        2.45,
    )
    assert [(t.text, t.start, t.end, t.confidence) for t in toks] == [
        ("hello", 2.0, 2.2, 0.6),
        ("世", 2.3, 2.4, 0.8),
    ]


def test_model_directory_is_checked_first(tmp_path: Path, model_dirs: dict[str, Path]) -> None:
    with pytest.raises(RecognizerError, match="does not exist"):
        ParaformerRecognizer(tmp_path / "nope", device="cpu")
    with pytest.raises(RecognizerError, match="does not exist"):
        ParaformerRecognizer("./no/such/model", device="cpu")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.yaml").write_text("model: SeacoParaformer\n", encoding="utf-8")
    with pytest.raises(RecognizerError, match=r"lacks model\.pt, tokens\.json"):
        ParaformerRecognizer(partial, device="cpu")
    with pytest.raises(ConfigError, match="batch size 1"):
        ParaformerRecognizer(model_dirs["seaco"], batch_size=4)
    with pytest.raises(ConfigError, match="overlap"):
        ParaformerRecognizer(model_dirs["seaco"], window_seconds=4.0, overlap_seconds=3.0)


def test_cuda_request_without_cuda_is_an_error(model_dirs: dict[str, Path]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(RecognizerError, match="CUDA is not available"):
        ParaformerRecognizer(model_dirs["seaco"], device="cuda")


def test_empty_audio_is_an_input_error(recognizers: dict[str, ParaformerRecognizer]) -> None:
    with pytest.raises(InputError, match="no samples"):
        recognizers["seaco"].transcribe(np.zeros(0, dtype=np.float32))
    short = recognizers["seaco"].transcribe(np.zeros(100, dtype=np.float32))
    assert short.transcript.tokens == ()


def test_funasr_leaves_logging_and_stdout_alone(
    model_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    import_funasr()
    rec = ParaformerRecognizer(model_dirs["paraformer"], device="cpu")
    rec.transcribe(chirp(1.0))
    assert (root.level, list(root.handlers)) == before
    assert capsys.readouterr().out == ""


@pytest.mark.slow
def test_fresh_import_restores_root_logger() -> None:
    code = (
        "import logging; r = logging.getLogger(); r.setLevel(logging.ERROR);"
        "from hotfuse.runners.paraformer import import_funasr; import_funasr();"
        "print(r.level, len(r.handlers))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == f"{logging.ERROR} 0"


@pytest.fixture
def gpu_script_out(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "table.md"


@pytest.mark.slow
def test_gpu_memory_script_tiny_smoke(gpu_script_out: Path) -> None:
    """eval/gpu_memory.py --tiny: the CI smoke run of the GPU-memory measurement."""
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "eval" / "gpu_memory.py"),
            "--tiny",
            "--device",
            "cpu",
            "--durations",
            "2",
            "4",
            "--hotword-counts",
            "0",
            "5",
            "--markdown",
            str(gpu_script_out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = gpu_script_out.read_text(encoding="utf-8")
    assert "| audio" in table and "hotfuse fusion" in table
    rows = [ln for ln in table.splitlines() if ln.startswith("| ") and "s |" in ln]
    assert len(rows) >= 6  # 2 durations x (2 hotword counts + windowed runner) rows
