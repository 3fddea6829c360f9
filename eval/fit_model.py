"""Refit hotfuse's shipped scoring model on the benchmark's training split.

The coefficients in ``hotfuse/config.py`` (``DEFAULT_MODEL``) and the default threshold
come from this script:

    python eval/build_real.py                 # once: writes out/real (real recognizer)
    python eval/build_benchmark.py            # once: writes out/bench (simulated)
    python eval/fit_model.py --source out/real:whisper --source out/bench:A \
        --source out/bench:B --feature-scale 1.0        # the shipped DEFAULT_MODEL

Only the train split is read (dev is for reporting). Candidates are pooled over the
sources (``BENCH:HYPOTHESIS-SET``) and the regimes given (default: all three: 3-5-word
lists, whole category lists, catalogue), labelled good
when the single replacement brings the hypothesis closer to the reference; see
``hotfuse.tune`` for the fitting and the threshold rule.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotfuse.config import FuseConfig  # noqa: E402
from hotfuse.formats import corpus  # noqa: E402
from hotfuse.formats.config import write_config  # noqa: E402
from hotfuse.tune import fit  # noqa: E402


def load_regime(
    bench: Path, split: str, model: str, regime: str
) -> tuple[list[str], list[Any], list[Any]]:
    d = bench / split
    refs = corpus.read_texts(d / "ref.txt")
    hyps = corpus.read_hypotheses(d / f"hyp.{model}.jsonl")
    ids = list(refs.as_dict())
    if regime == "catalogue":
        words = [w.strip() for w in (d / "hotwords.catalogue.txt").read_text("utf-8").splitlines()]
        lists: list[Any] = [[w for w in words if w]] * len(ids)
    else:
        lists = list(corpus.read_hotwords(d / f"hotwords.{regime}.jsonl").for_ids(ids))
    return [refs[i] for i in ids], [hyps[i] for i in ids], lists


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--source",
        action="append",
        metavar="BENCH:SET",
        help="train hypotheses to fit on, repeatable (default: out/real:whisper)",
    )
    ap.add_argument(
        "--feature-scale", type=float, default=None, help="CostTable.feature_scale to fit with"
    )
    ap.add_argument("--max-distance", type=float, default=None, help="FuseConfig.max_distance")
    ap.add_argument("--regimes", nargs="+", default=["small", "category", "catalogue"])
    ap.add_argument(
        "--calibrate",
        action="store_true",
        help="fit an isotonic confidence calibration first and the model on calibrated values",
    )
    ap.add_argument("--threshold", type=float, help="keep this threshold instead of the swept one")
    ap.add_argument("--cost-fp", type=float, default=3.0)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("-o", "--output", default=str(ROOT / "out" / "fitted.toml"))
    args = ap.parse_args(argv)
    refs: list[str] = []
    hyps: list[Any] = []
    lists: list[Any] = []
    sources = args.source or [str(ROOT / "out" / "real") + ":whisper"]
    for source in sources:
        bench, _, model = source.rpartition(":")
        for regime in args.regimes:
            r, h, w = load_regime(Path(bench), "train", model, regime)
            refs += r
            hyps += h
            lists += w
    base = FuseConfig()
    if args.feature_scale is not None:
        base = dataclasses.replace(
            base, costs=dataclasses.replace(base.costs, feature_scale=args.feature_scale)
        )
    if args.max_distance is not None:
        base = dataclasses.replace(base, max_distance=args.max_distance)
    t0 = time.perf_counter()
    res = fit(
        refs,
        hyps,
        lists,
        base=base,
        cost_fp=args.cost_fp,
        l2=args.l2,
        calibrate=args.calibrate,
        grid=None if args.threshold is None else [args.threshold],
    )
    print(
        f"fitted on {len(refs)} utterance-lists, {res.n_candidates} candidates "
        f"({res.n_good} good) in {time.perf_counter() - t0:.1f} s"
    )
    for t, good, bad in res.threshold_table:
        mark = " <-" if t == res.config.threshold else ""
        print(f"  threshold {t:+5.2f}: {good:5d} good {bad:4d} bad{mark}")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    write_config(
        args.output,
        res.config,
        {"fitted_on": [f"{s}/train" for s in sources], "regimes": args.regimes},
    )
    print("DEFAULT_MODEL = ScoringModel(")
    print(f"    with_conf={json.dumps(res.config.model.with_conf)},")
    print(f"    no_conf={json.dumps(res.config.model.no_conf)},")
    print(f")\nDEFAULT_THRESHOLD = {res.config.threshold}\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
