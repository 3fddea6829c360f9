"""Peak GPU memory and real-time factor of SeACo-Paraformer, with and without model hotwords.

The case for hotfuse's design, measured: a full-size SeACo-Paraformer (the public
model's architecture, eval/paraformer_configs/seaco_paraformer_large.yaml, random weights;
memory and speed do not depend on the weight values) decodes 10 s, 60 s and 300 s of
audio at batch size 1

* through FunASR's own ``AutoModel.generate`` in one call, with no hotwords and with 5,
  100 and 1,000 hotwords passed to the model (SeACo biasing), and
* through hotfuse's runner (30 s windows, never any hotword in the model),

and beside it hotfuse fuses the same 1,000 hotwords into the runner's transcript on the
CPU (0 GPU bytes). The random model's CIF predictor fires at a fixed 4 tokens per second,
a normal speaking rate, so the decoder sees realistic token counts.

Usage::

    python eval/gpu_memory.py --markdown gpu_memory.md            # on a CUDA machine
    python eval/gpu_memory.py --tiny --device cpu --durations 2 4  # CI smoke run

``--tiny`` uses the tiny test model (tests/tiny_models.py) so the script cannot rot.
"""

from __future__ import annotations

import argparse
import logging
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hotfuse.runners.paraformer import ParaformerRecognizer, import_funasr  # noqa: E402

log = logging.getLogger("hotfuse.eval.gpu_memory")
SR = 16000
LARGE_CONFIG = ROOT / "eval" / "paraformer_configs" / "seaco_paraformer_large.yaml"


@dataclass
class Row:
    seconds: float
    decoding: str
    n_hotwords: int
    peak_bytes: int | None
    rtf: float
    n_tokens: int


def build_model(workdir: Path, tiny: bool) -> Path:
    """Write the model directory (random weights) and return it."""
    import yaml

    from tests.tiny_models import build_tiny_model, vocabulary, write_model_dir

    if tiny:
        return build_tiny_model(workdir / "tiny-seaco", "seaco")
    cfg = yaml.safe_load(LARGE_CONFIG.read_text(encoding="utf-8"))
    return write_model_dir(
        workdir / "seaco-large-random",
        cfg,
        vocabulary(8400),
        out_scale=1.0,
        tokens_per_second=4.0,
    )


def make_audio(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise plus a slow tone sweep at 16 kHz (content is irrelevant to memory)."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    x = 0.2 * np.sin(2 * np.pi * (150 + 50 * np.sin(t)) * t) + 0.05 * rng.standard_normal(t.size)
    return x.astype(np.float32)


def make_hotwords(tokens: list[str], n: int, seed: int = 0) -> list[str]:
    """``n`` distinct random 2-4 character words from the model's vocabulary."""
    chars = [t for t in tokens if len(t) == 1]
    rnd = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rnd.choice(chars) for _ in range(rnd.randint(2, 4))))
    return sorted(out)


class Meter:
    """Peak-memory and wall-time measurement of one call on ``device``."""

    def __init__(self, device: str) -> None:
        import torch

        self.torch = torch
        self.cuda = device.startswith("cuda")
        self.device = device

    def __call__(self, fn: Any) -> tuple[Any, float, int | None]:
        torch = self.torch
        if self.cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(self.device)
        t0 = time.perf_counter()
        out = fn()
        if self.cuda:
            torch.cuda.synchronize(self.device)
        elapsed = time.perf_counter() - t0
        peak = int(torch.cuda.max_memory_allocated(self.device)) if self.cuda else None
        return out, elapsed, peak


def measure(args: argparse.Namespace) -> tuple[list[Row], dict[str, Any]]:
    import_funasr()
    import torch
    from funasr import AutoModel

    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="hotfuse-gpu-"))
    t0 = time.perf_counter()
    model_dir = build_model(workdir, args.tiny)
    log.info("model written to %s in %.1f s", model_dir, time.perf_counter() - t0)
    tokens = __import__("json").loads((model_dir / "tokens.json").read_text(encoding="utf-8"))
    max_h = max(args.hotword_counts)
    all_words = make_hotwords(tokens, max(max_h, 1000 if not args.tiny else max_h))

    meter = Meter(device)
    rows: list[Row] = []
    # 1. FunASR's own path, whole file in one call, hotwords passed to the model.
    am = AutoModel(
        model=str(model_dir),
        device=device,
        disable_update=True,
        disable_pbar=True,
        ncpu=torch.get_num_threads(),
    )
    weights = int(torch.cuda.memory_allocated(device)) if meter.cuda else None
    am.generate(input=make_audio(2.0), disable_pbar=True)  # warm-up (CUDA init, kernels)
    for seconds in args.durations:
        audio = make_audio(seconds)
        for h in args.hotword_counts:
            cfg: dict[str, Any] = {"disable_pbar": True}
            if h:
                cfg["hotword"] = " ".join(all_words[:h])
            res, elapsed, peak = meter(
                lambda cfg=cfg, audio=audio, am=am: am.generate(input=audio, **cfg)
            )
            n_tok = len(str(res[0].get("text", "")).split()) if res else 0
            rows.append(
                Row(seconds, "FunASR generate, one call", h, peak, elapsed / seconds, n_tok)
            )
            log.info("%s", rows[-1])
    del am
    if meter.cuda:
        torch.cuda.empty_cache()

    # 2. hotfuse's runner: windows, no hotwords in the model.
    rec = ParaformerRecognizer(model_dir, device=device)
    rec.transcribe(make_audio(2.0))  # warm-up
    last = None
    for seconds in args.durations:
        audio = make_audio(seconds)
        result = rec.transcribe(audio)
        rows.append(
            Row(
                seconds,
                f"hotfuse runner, {rec.window_seconds:g} s windows",
                0,
                result.peak_gpu_bytes,
                result.rtf,
                len(result.transcript.tokens),
            )
        )
        log.info("%s", rows[-1])
        last = result

    # 3. hotfuse fusion of the hotwords on the CPU.
    from hotfuse.fuser import Fuser

    fuse_words = all_words[: max(max_h, 1)] if args.tiny else all_words[:1000]
    t0 = time.perf_counter()
    fuser = Fuser(fuse_words)
    build_s = time.perf_counter() - t0
    assert last is not None
    t0 = time.perf_counter()
    fused = fuser.fuse(last.transcript)
    fuse_s = time.perf_counter() - t0
    info = {
        "device": torch.cuda.get_device_name(device)
        if meter.cuda
        else f"CPU ({platform.processor() or platform.machine()})",
        "weights_bytes": weights,
        "model": "tiny test model" if args.tiny else "SeACo-Paraformer-large architecture",
        "params_m": sum(p.numel() for p in rec.automodel.model.parameters()) / 1e6,
        "torch": torch.__version__,
        "funasr": __import__("funasr").__version__,
        "fuse_words": len(fuse_words),
        "fuse_build_s": build_s,
        "fuse_s": fuse_s,
        "fuse_tokens": len(last.transcript.tokens),
        "fuse_audio_s": last.audio_seconds,
        "fuse_replacements": len(fused.replacements),
    }
    return rows, info


def _gib(n: int | None) -> str:
    return "n/a (CPU)" if n is None else f"{n / 2**30:.2f} GiB"


def markdown(rows: list[Row], info: dict[str, Any], command: str) -> str:
    lines = [
        f"Measured on {info['device']} with `{command}`",
        f"({info['model']}, {info['params_m']:.1f}M parameters, random weights; "
        f"torch {info['torch']}, funasr {info['funasr']}; model weights alone: "
        f"{_gib(info['weights_bytes'])}).",
        "",
        "| audio | decoding | hotwords in model | peak GPU memory | RTF | tokens |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.seconds:g} s | {r.decoding} | {r.n_hotwords} | {_gib(r.peak_bytes)} | "
            f"{r.rtf:.4f} | {r.n_tokens} |"
        )
    lines += [
        "",
        f"hotfuse fusion of {info['fuse_words']} hotwords on the CPU: 0 GPU bytes; "
        f"building the index {info['fuse_build_s']:.2f} s (once per lexicon), fusing the "
        f"{info['fuse_audio_s']:g} s transcript ({info['fuse_tokens']} tokens) "
        f"{info['fuse_s'] * 1000:.1f} ms ({info['fuse_replacements']} replacements on "
        "random-model output).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--tiny", action="store_true", help="tiny test model (CI smoke run)")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N")
    p.add_argument("--durations", type=float, nargs="+", default=[10.0, 60.0, 300.0])
    p.add_argument("--hotword-counts", type=int, nargs="+", default=[0, 5, 100, 1000])
    p.add_argument("--markdown", metavar="OUT", help="write the table here (else stdout)")
    p.add_argument("--workdir", help="where to write the random model (default: a temp dir)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    rows, info = measure(args)
    command = "python eval/gpu_memory.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = markdown(rows, info, command.strip())
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
