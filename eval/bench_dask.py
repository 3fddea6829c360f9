"""Throughput of fusion on a local Dask cluster against ``hotfuse fuse -i`` in one process.

Writes a corpus of JSONL transcripts (``--lines`` 30-character utterances cut from the
WenetSpeech references as ``eval/bench_speed.py`` cuts them, a share holding a hotword
damaged by homophone substitution; synthetic sentences without the shared data), split
into ``--files`` files, and for each lexicon size (``--sizes``, nested lexicons of real
proper nouns from ``eval/speed_lexicons.py``, written as a lexicon TOML):

* ``single``: ``hotfuse fuse -i all.jsonl --lexicon lex.toml --json -o out`` in a fresh
  process (the whole run: start-up, lexicon load, compile, fusion, writing);
* ``dask``: :func:`hotfuse.scale.fuse_bag` over ``dask.bag.read_text`` of the files on a
  ``distributed.LocalCluster`` of ``--workers`` processes (one thread each), written with
  ``to_textfiles``: lexicon load, shipping, each worker's compile, fusion and writing.
  The cluster is started before the clock (its start-up is reported on its own).

Both outputs are compared line for line (they must be identical). Figures are wall
lines/s, and the CPU seconds each way spent (the CLI process; the workers plus this
client), which other processes sharing the cores do not inflate; the load average is
printed.

Example:
    python eval/bench_dask.py --lines 100000 --sizes 5,5000 --workers 2 --json out/dask.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EVAL = Path(__file__).resolve().parent
ROOT = EVAL.parent
for _p in (str(ROOT), str(EVAL)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import speed_lexicons as sl  # noqa: E402


def write_corpus(
    data: sl.SpeedData, words: Sequence[str], n: int, files: int, d: Path, seed: int
) -> tuple[Path, list[Path]]:
    """``all.jsonl`` and the same lines split into ``files`` consecutive parts."""

    def pick(i: int, rng: random.Random) -> str:
        return words[rng.randrange(len(words))]

    texts = sl.cut_utterances(data.stream, 30, n, seed=seed, pick_word=pick)
    lines = [
        json.dumps({"id": f"u{i:07d}", "text": t}, ensure_ascii=False) + "\n"
        for i, t in enumerate(texts)
    ]
    whole = d / "all.jsonl"
    whole.write_text("".join(lines), encoding="utf-8")
    parts = []
    step = -(-n // files)
    for k in range(files):
        p = d / f"part{k:03d}.jsonl"
        p.write_text("".join(lines[k * step : (k + 1) * step]), encoding="utf-8")
        parts.append(p)
    return whole, parts


def write_lexicon(words: Sequence[str], path: Path) -> Path:
    entries = "".join(f"\n[[entry]]\ntext = {json.dumps(w, ensure_ascii=False)}\n" for w in words)
    path.write_text(f'name = "bench-{len(words)}"\n{entries}', encoding="utf-8")
    return path


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _worker_cpu() -> float:
    return time.process_time()


def run_single(whole: Path, lexicon: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the CLI run."""
    cmd = [sys.executable, "-m", "hotfuse", "fuse", "-i", str(whole), "--json"]
    cmd += ["--lexicon", str(lexicon), "-o", str(out)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    c0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    return time.perf_counter() - t0, _children_cpu() - c0


def run_dask(client: Any, parts: list[Path], lexicon: Path, out_dir: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the workers and this client together."""
    import dask.bag as db

    from hotfuse import scale

    w0, c0, t0 = client.run(_worker_cpu), time.process_time(), time.perf_counter()
    bag = db.read_text([str(p) for p in parts])
    fused = scale.fuse_bag(bag, lexicons=[lexicon])
    fused.map(scale.json_line).to_textfiles(str(out_dir / "*.jsonl"), last_endline=True)
    wall = time.perf_counter() - t0
    w1 = client.run(_worker_cpu)
    return wall, time.process_time() - c0 + sum(w1[k] - w0[k] for k in w1)


def _lines(paths: Sequence[Path]) -> list[str]:
    return [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=100_000)
    p.add_argument("--sizes", default="5,5000", help="lexicon sizes, comma-separated")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--files", type=int, default=8, help="input files (Dask partitions)")
    p.add_argument("--data", type=Path, default=sl.DEFAULT_DATA, help="wenetspeech-biasing/")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="write the figures here")
    args = p.parse_args(argv)

    import distributed

    data = sl.load_speed_data(args.data, seed=args.seed)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    info = {
        "machine": f"{platform.machine()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}",
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "text_source": data.text_source,
    }
    print(f"{info['machine']}; load average {info['load_average_start']}", flush=True)
    t0 = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=args.workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        info["cluster_start_s"] = round(time.perf_counter() - t0, 2)
        print(f"cluster of {args.workers} workers up in {info['cluster_start_s']} s", flush=True)
        for size in sizes:
            words = data.lexicon(size)
            with tempfile.TemporaryDirectory() as tmp:
                d = Path(tmp)
                whole, parts = write_corpus(data, words, args.lines, args.files, d, args.seed)
                lex = write_lexicon(words, d / "lex.toml")
                single_s, single_cpu = run_single(whole, lex, d / "single.out")
                (d / "dask").mkdir()
                dask_s, dask_cpu = run_dask(client, parts, lex, d / "dask")
                same = _lines([d / "single.out"]) == _lines(sorted((d / "dask").glob("*.jsonl")))
            row = {
                "hotwords": size,
                "lines": args.lines,
                "single_s": round(single_s, 2),
                "single_lines_per_s": round(args.lines / single_s),
                "dask_s": round(dask_s, 2),
                "dask_lines_per_s": round(args.lines / dask_s),
                "speedup": round(single_s / dask_s, 2),
                "single_cpu_s": round(single_cpu, 2),
                "dask_cpu_s": round(dask_cpu, 2),
                "identical": same,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    dask_col = f"Dask, {args.workers} workers, lines/s"
    print(
        f"| hotwords | lines | `hotfuse fuse -i` lines/s | {dask_col} | × "
        "| CPU s, single | CPU s, Dask (all processes) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['hotwords']:,} | {r['lines']:,} | {r['single_lines_per_s']:,} "
            f"| {r['dask_lines_per_s']:,} | {r['speedup']:.2f} "
            f"| {r['single_cpu_s']:.1f} | {r['dask_cpu_s']:.1f} |"
        )
    print(f"load average at the end: {info['load_average_end']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**info, "rows": rows}, indent=1) + "\n")
    return 0 if all(r["identical"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
