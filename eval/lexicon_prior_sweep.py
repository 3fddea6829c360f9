"""Would a lexicon-size-dependent threshold serve catalogues better? A sweep on train.

The shipped model weighs ``log_lexicon`` (log of the number of active hotwords) with one
coefficient fitted by likelihood over the pooled train candidates. Adding ``delta`` to that
coefficient (both coefficient sets) is the same as a threshold that falls with the
lexicon's size: ``delta * log(5298)`` = 0.43 logits per 0.05 at catalogue scale, 0.07 at
5 words. For each ``delta`` this script re-sweeps the threshold on the **train** splits of
the given sources and regimes (with and without confidences, as ``hotfuse tune`` does) and
prints the best of the objective ``good - cost_fp * bad`` replacements, with each
source's catalogue counts, so the choice is made on train and checked on dev afterwards.

    python eval/build_real.py && python eval/build_benchmark.py      # once
    python eval/lexicon_prior_sweep.py --deltas 0 0.05 0.1 0.15      # ~3 min per delta

Read only the train split; report on dev with ``eval/run_benchmark.py --config``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from fit_model import load_regime  # noqa: E402

from hotfuse.config import FuseConfig, ScoringModel  # noqa: E402
from hotfuse.tune import threshold_table  # noqa: E402


def shifted(cfg: FuseConfig, delta: float) -> FuseConfig:
    """``cfg`` with ``delta`` added to both coefficient sets' ``log_lexicon`` weight."""
    wc = dict(cfg.model.with_conf)
    nc = dict(cfg.model.no_conf)
    wc["log_lexicon"] = wc.get("log_lexicon", 0.0) + delta
    nc["log_lexicon"] = nc.get("log_lexicon", 0.0) + delta
    return dataclasses.replace(cfg, model=ScoringModel(with_conf=wc, no_conf=nc))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--deltas", type=float, nargs="+", default=[0.0, 0.05, 0.1, 0.15])
    ap.add_argument(
        "--source",
        action="append",
        metavar="BENCH:SET",
        help="repeatable (default: out/real:whisper, out/bench:A, out/bench:B)",
    )
    ap.add_argument("--regimes", nargs="+", default=["small", "category", "catalogue"])
    ap.add_argument("--cost-fp", type=float, default=3.0)
    args = ap.parse_args(argv)
    sources = args.source or [
        f"{ROOT / 'out' / 'real'}:whisper",
        f"{ROOT / 'out' / 'bench'}:A",
        f"{ROOT / 'out' / 'bench'}:B",
    ]
    data = {}
    for s in sources:
        bench, _, model = s.rpartition(":")
        for regime in args.regimes:
            data[(model, regime)] = load_regime(Path(bench), "train", model, regime)
    grid = [x / 8 for x in range(-8, 25)]
    for delta in args.deltas:
        cfg = shifted(FuseConfig(), delta)
        total: dict[float, list[int]] = defaultdict(lambda: [0, 0])
        per: dict[tuple[str, str, float], tuple[int, int]] = {}
        for (model, regime), (refs, hyps, lists) in data.items():
            for use_conf in (True, False):
                c = dataclasses.replace(cfg, use_confidence=use_conf)
                for t, good, bad in threshold_table(refs, hyps, lists, c, grid):
                    total[t][0] += good
                    total[t][1] += bad
                    if use_conf:
                        per[(model, regime, t)] = (good, bad)
        gain = {t: g - args.cost_fp * b for t, (g, b) in total.items()}
        best = max(gain, key=lambda t: (gain[t], t))
        parts = [
            f"{m}/{r} {per[(m, r, best)][0]}/{per[(m, r, best)][1]}"
            for (m, r) in data
            if r == "catalogue"
        ]
        print(
            f"delta {delta:+.3f}: best threshold {best:+.3f}, objective {gain[best]:.0f} "
            f"(good {total[best][0]}, bad {total[best][1]}); catalogue good/bad (with "
            f"confidences): {', '.join(parts)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
