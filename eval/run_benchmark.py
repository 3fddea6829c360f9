"""Run hotfuse and the baselines on the benchmark and print the tables (see eval/README.md).

Builds the benchmark first when --bench holds none, then, for every split, error model
and regime, fuses every case with each method and scores it with hotfuse.metrics.evaluate:
recall and false alarms with Wilson 95% intervals, precision, damaged share, CER, B-CER,
U-CER, recall on seen and on held-out (unseen) entities, and milliseconds per utterance.

Examples:
    python eval/run_benchmark.py                                  # dev, models A and B
    python eval/run_benchmark.py --markdown out/bench.md --json out/bench.json
    python eval/run_benchmark.py --splits train dev --regimes small --models A
    python eval/run_benchmark.py --max-cases 300 --jobs 2        # a quick look
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import baselines  # noqa: E402
from benchmark import REGIMES, BenchmarkConfig, build_benchmark, load_corpus  # noqa: E402
from build_benchmark import DEFAULT_DATA, DEFAULT_OUT  # noqa: E402

from hotfuse.formats.corpus import read_hotwords, read_hypotheses, read_texts  # noqa: E402
from hotfuse.metrics import EvalReport, evaluate, normalize_text  # noqa: E402
from hotfuse.transcript import Transcript  # noqa: E402

METHODS: dict[str, str] = {
    "none": "no fusion",
    "exact": "exact pinyin",
    "funasr": "FunASR postprocess (0.85)",
    "asr-hotword": "asr-hotword (0.85)",
    "hotfuse": "hotfuse",
    "hotfuse-noconf": "hotfuse (no confidences)",
}

Apply = Callable[[Transcript], str]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--bench", type=Path, default=DEFAULT_OUT, help="benchmark dir (out/bench)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="references, if building")
    p.add_argument("--rebuild", action="store_true", help="rebuild the benchmark first")
    p.add_argument("--seed", type=int, default=0, help="seed when building")
    p.add_argument("--splits", nargs="+", default=["dev"], choices=["train", "dev"])
    p.add_argument(
        "--models",
        nargs="+",
        help="hypothesis sets to score (default: every one the benchmark holds: A B for the "
        "simulated benchmark, whisper whisper-raw for the real one)",
    )
    p.add_argument(
        "--asr-hotword",
        type=Path,
        metavar="DIR",
        help="a local checkout of HaujetZhao/asr-hotword: adds its row (never copied here)",
    )
    p.add_argument("--regimes", nargs="+", default=list(REGIMES), choices=list(REGIMES))
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    p.add_argument("--config", type=Path, help="FuseConfig TOML for hotfuse (hotfuse tune)")
    p.add_argument(
        "--catalogue-cases",
        type=int,
        default=300,
        help="seeded sample of cases scored in the catalogue regime (0 = all; default 300)",
    )
    p.add_argument("--max-cases", type=int, default=0, help="seeded sample per table (0 = all)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--markdown", type=Path, help="also write the Markdown tables here")
    p.add_argument("--json", type=Path, help="write every figure as JSON here")
    return p


# ---------------------------------------------------------------------------- methods
_WARM_CASES = 50  # cases run untimed before each method's timed loop


def _prepare(
    method: str, words: tuple[str, ...], config_path: str | None, peer: str | None = None
) -> Apply | None:
    if method == "none":
        return lambda t: t.text
    if method == "exact":
        exact = baselines.ExactPinyin(words)
        return lambda t: exact(t.text)
    if method == "funasr":
        matcher = baselines.funasr_matcher(words)
        if matcher is None:
            return None
        return lambda t: matcher(t.text)
    if method == "asr-hotword":
        if peer is None:
            return None
        peer_fn = baselines.asr_hotword_matcher(peer, words)
        return lambda t: peer_fn(t.text)
    from hotfuse.config import FuseConfig
    from hotfuse.formats.config import load_config
    from hotfuse.fuser import Fuser

    base = load_config(config_path) if config_path else FuseConfig()
    cfg = FuseConfig.coerce(base, use_confidence=(method == "hotfuse"))
    fuser = Fuser(list(words), config=cfg)
    return lambda t: fuser.fuse(t).text


def _sample(ids: Sequence[str], n: int, seed: int, label: str) -> list[str]:
    if n <= 0 or n >= len(ids):
        return list(ids)
    rng = random.Random(f"{seed}/{label}")
    keep = set(rng.sample(list(ids), n))
    return [i for i in ids if i in keep]


def _ci(pair: tuple[float, float]) -> list[float | None]:
    return [None if math.isnan(v) else v for v in pair]


def _num(v: float) -> float | None:
    return None if math.isnan(v) or math.isinf(v) else v


def run_table(task: dict[str, Any]) -> dict[str, Any]:
    """Score every method on one (split, model, regime); runs in a worker process."""
    logging.getLogger("hotfuse").setLevel(logging.ERROR)
    bench = Path(task["bench"])
    split, model, regime = task["split"], task["model"], task["regime"]
    d = bench / split
    refs = read_texts(d / "ref.txt")
    hyps = read_hypotheses(d / f"hyp.{model}.jsonl")
    meta = {
        m["id"]: m
        for m in (json.loads(ln) for ln in (d / "meta.jsonl").read_text("utf-8").splitlines())
    }
    hw_path = d / (
        "hotwords.catalogue.txt" if regime == "catalogue" else f"hotwords.{regime}.jsonl"
    )
    hotwords = read_hotwords(hw_path)
    ids = [i for i in refs.ids if not (regime == "catalogue" and meta[i]["negative"])]
    limit = task["catalogue_cases"] if regime == "catalogue" else 0
    if task["max_cases"] > 0:
        limit = min(limit, task["max_cases"]) if limit > 0 else task["max_cases"]
    ids = _sample(ids, limit, task["seed"], f"{split}/{regime}")
    lists = [tuple(h.text for h in hs) for hs in hotwords.for_ids(ids)]
    references = [refs[i] for i in ids]
    transcripts = [hyps[i] for i in ids]
    hyp_texts = [t.text for t in transcripts]
    unseen = {normalize_text(w) for ws in task["unseen"].values() for w in ws}
    entities = {normalize_text(w) for ws in task["entities"].values() for w in ws}
    seen = entities - unseen
    rows: list[dict[str, Any]] = []
    for method in task["methods"]:
        compiled: dict[tuple[str, ...], Apply | None] = {}
        t0 = time.perf_counter()
        for words in dict.fromkeys(lists):
            compiled[words] = _prepare(method, words, task["config"], task.get("peer"))
        compile_s = time.perf_counter() - t0
        if any(f is None for f in compiled.values()):
            why = "funasr is not installed" if method == "funasr" else "no --asr-hotword checkout"
            rows.append({"method": method, "skipped": why})
            continue
        # warm lazily loaded tables (word counts, English resources on a first Latin word)
        # outside the timed loop, on a few cases, so no method pays another's first use
        for tr, words in list(zip(transcripts, lists, strict=True))[:_WARM_CASES]:
            warm = compiled[words]
            assert warm is not None
            warm(tr)
        outs: list[str] = []
        t0 = time.perf_counter()
        for tr, words in zip(transcripts, lists, strict=True):
            fn = compiled[words]
            assert fn is not None
            outs.append(fn(tr))
        apply_s = time.perf_counter() - t0
        rep = evaluate(references, outs, [list(w) for w in lists], hypotheses=hyp_texts, ids=ids)
        rows.append(_row(method, rep, seen, unseen, compile_s, apply_s, len(ids)))
    return {"split": split, "model": model, "regime": regime, "cases": len(ids), "rows": rows}


def _row(
    method: str,
    rep: EvalReport,
    seen: set[str],
    unseen: set[str],
    compile_s: float,
    apply_s: float,
    n: int,
) -> dict[str, Any]:
    return {
        "method": method,
        "recall": _num(rep.recall()),
        "recall_ci": _ci(rep.recall_ci()),
        "precision": _num(rep.precision()),
        "false_alarm": _num(rep.false_alarm_rate()),
        "false_alarm_ci": _ci(rep.false_alarm_ci()),
        "no_hotword_cases": rep.n_no_hotword_utts,
        "damaged": _num(rep.damaged_rate()),
        "cer": _num(rep.cer()),
        "b_cer": _num(rep.b_cer()),
        "u_cer": _num(rep.u_cer()),
        "recall_seen": _num(rep.recall_of(seen)),
        "recall_unseen": _num(rep.recall_of(unseen)),
        "ms_per_utt": 1000.0 * apply_s / n if n else None,
        "compile_s": compile_s,
    }


# ---------------------------------------------------------------------------- output
def _pct(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{100 * v:.{digits}f}"


def _with_ci(v: float | None, ci: list[float | None]) -> str:
    if v is None:
        return "n/a"
    lo, hi = ci
    return f"{_pct(v)} [{_pct(lo)}, {_pct(hi)}]"


def markdown(tables: Sequence[dict[str, Any]]) -> str:
    """One Markdown table per (split, model, regime); rates in percent."""
    out: list[str] = []
    for t in tables:
        out.append(f"### {t['split']} · model {t['model']} · {t['regime']} ({t['cases']} cases)\n")
        out.append(
            "| method | recall % (95% CI) | precision % | FA % (95% CI) | damaged % | CER % "
            "| B-CER % | U-CER % | recall seen / unseen % | ms/utt |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in t["rows"]:
            label = METHODS[r["method"]]
            if "skipped" in r:
                out.append(f"| {label} | skipped: {r['skipped']} |||||||||")
                continue
            fa = (
                "n/a"
                if r["no_hotword_cases"] == 0
                else _with_ci(r["false_alarm"], r["false_alarm_ci"])
            )
            ms = "n/a" if r["ms_per_utt"] is None else f"{r['ms_per_utt']:.2f}"
            out.append(
                f"| {label} | {_with_ci(r['recall'], r['recall_ci'])} | {_pct(r['precision'])} "
                f"| {fa} | {_pct(r['damaged'])} | {_pct(r['cer'], 2)} | {_pct(r['b_cer'], 2)} "
                f"| {_pct(r['u_cer'], 2)} | {_pct(r['recall_seen'])} / {_pct(r['recall_unseen'])} "
                f"| {ms} |"
            )
        out.append("")
    return "\n".join(out)


def ensure_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    manifest = args.bench / "manifest.json"
    if args.rebuild or not manifest.is_file():
        print(f"building the benchmark in {args.bench} ...", file=sys.stderr)
        corpus = load_corpus(args.data, splits=("train", "dev"))
        build_benchmark(corpus, args.bench, BenchmarkConfig(seed=args.seed))
    data: dict[str, Any] = json.loads(manifest.read_text("utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    manifest = ensure_benchmark(args)
    if args.models is None:
        args.models = sorted(manifest["models"])
    if "asr-hotword" in args.methods and args.asr_hotword is None:
        args.methods = [m for m in args.methods if m != "asr-hotword"]
    missing = [m for m in args.models if m not in manifest["models"]]
    if missing:
        print(
            f"run_benchmark: error: models {missing} not in {args.bench}; add --rebuild",
            file=sys.stderr,
        )
        return 1
    if "funasr" in args.methods and not baselines.funasr_available():
        print("note: funasr is not installed; the FunASR baseline row is skipped", file=sys.stderr)
    entities = manifest["lists"]
    tasks = [
        {
            "bench": str(args.bench),
            "split": split,
            "model": model,
            "regime": regime,
            "methods": args.methods,
            "seed": manifest["config"]["seed"],
            "catalogue_cases": args.catalogue_cases,
            "max_cases": args.max_cases,
            "config": str(args.config) if args.config else None,
            "peer": str(args.asr_hotword) if args.asr_hotword else None,
            "unseen": manifest["unseen"],
            "entities": entities,
        }
        for split in args.splits
        for model in args.models
        for regime in args.regimes
    ]
    t0 = time.perf_counter()
    if args.jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            tables = list(pool.map(run_table, tasks))
    else:
        tables = [run_table(t) for t in tasks]
    text = markdown(tables)
    print(text)
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary = manifest.get("summary", {})
        args.json.write_text(
            json.dumps({"tables": tables, "benchmark": summary}, ensure_ascii=False, indent=1)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
