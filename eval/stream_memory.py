"""Peak memory of ``hotfuse fuse -i`` against the length of its input (issue 16, finding 12).

Writes generated JSONL hypotheses (text, per-character confidences and times; one in 50
lines holds a near-miss of a hotword), fuses them in a fresh process per size and prints
the wall time and the peak RSS of the largest process of the run (the CLI or one of its
``--jobs`` workers: ``ru_maxrss`` of the waited-for descendants of a small measuring
process)::

    python eval/stream_memory.py --lines 100000 1000000 --jobs 1 2

Streaming holds only the lines in flight, so the peak stays flat as the input grows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHARS = "今天我们讨论一下项目的进度和下周的安排大家有什么问题可以提出来会议结束"
_HOTWORDS = ("伊丽莎白", "达摩院", "魔搭社区")
_MISSES = ("伊丽沙白", "达魔院", "魔搭社去")

# A small process (a few MB) that runs the command and reports the largest maximum RSS
# among its waited-for descendants; measuring from the benchmark itself would let its own
# high-water mark leak into the child's over fork.
_MEASURE = r"""
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(done.stderr[-2000:])
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def write_input(path: Path, lines: int, *, seed: int = 0) -> int:
    """Write ``lines`` JSONL hypotheses to ``path`` (streamed); returns the size in bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for k in range(lines):
            text = "".join(rng.choice(_CHARS) for _ in range(rng.randint(8, 24)))
            if k % 50 == 0:
                cut = rng.randrange(len(text))
                text = text[:cut] + rng.choice(_MISSES) + text[cut:]
            start = k * 10.0
            times = [
                [round(start + 0.2 * i, 2), round(start + 0.2 * i + 0.18, 2)]
                for i in range(len(text))
            ]
            conf = [round(rng.uniform(0.3, 1.0), 3) for _ in text]
            rec = {"id": f"utt{k:08d}", "text": text, "confidences": conf, "timestamps": times}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path.stat().st_size


def measure(path: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``hotfuse fuse -i PATH --json --jobs JOBS``."""
    cmd = [sys.executable, "-m", "hotfuse", "fuse", "-i", str(path), "--json"]
    cmd += ["--jobs", str(jobs)]  # to stdout, discarded: "-o /dev/null" would be replaced
    for w in _HOTWORDS:
        cmd += ["-w", w]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - t0
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 2 or fields[0] != "0":
        msg = f"fuse -i {path} --jobs {jobs} failed: {done.stdout.strip()} {done.stderr[-300:]}"
        raise RuntimeError(msg)
    return wall, int(fields[1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dir", help="where to write the inputs (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print("| lines | input MB | jobs | wall s | lines/s | peak RSS MB |")
        print("|---:|---:|---:|---:|---:|---:|")
        for n in args.lines:
            path = Path(tmp) / f"hyp{n}.jsonl"
            size = write_input(path, n)
            for jobs in args.jobs:
                wall, peak = measure(path, jobs)
                print(
                    f"| {n:,} | {size / 2**20:.0f} | {jobs} | {wall:.1f} | {n / wall:,.0f} "
                    f"| {peak:.0f} |",
                    flush=True,
                )
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
