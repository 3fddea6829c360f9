"""How much labelled data ``hotfuse tune`` needs: a learning curve on the real benchmark.

Draws seeded samples of N utterances from a train split (3-5-word lists), tunes on each
(``hotfuse.tune.fit``, as ``hotfuse tune`` does, with ``force`` so small samples are not
refused), and scores the tuned config on the dev split beside the shipped defaults: recall,
precision and false alarms, plus whether the README's first example still holds. The counts
of good and bad candidates per sample are what ``hotfuse tune``'s refusal thresholds
(``hotfuse.tune.MIN_GOOD`` / ``MIN_BAD``) were read from.

Example:
    python eval/tune_curve.py --bench out/real --set whisper --sizes 6 25 100 400 --seeds 3
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hotfuse import FuseConfig, Fuser, fuse  # noqa: E402
from hotfuse.errors import InputError  # noqa: E402
from hotfuse.formats import corpus  # noqa: E402
from hotfuse.metrics import evaluate  # noqa: E402
from hotfuse.tune import fit  # noqa: E402


def _load(bench: Path, split: str, hyp_set: str) -> tuple[list[str], list[Any], list[Any]]:
    d = bench / split
    refs = corpus.read_texts(d / "ref.txt")
    hyps = corpus.read_hypotheses(d / f"hyp.{hyp_set}.jsonl")
    ids = list(refs.as_dict())
    small = corpus.read_hotwords(d / "hotwords.small.jsonl")
    lists = [tuple(h.text for h in hs) for hs in small.for_ids(ids)]
    return [refs[i] for i in ids], [hyps[i] for i in ids], lists


def _score(cfg: FuseConfig, refs: list[str], hyps: list[Any], lists: list[Any]) -> dict[str, float]:
    fusers: dict[Any, Fuser] = {}
    outs = []
    for tr, ws in zip(hyps, lists, strict=True):
        f = fusers.get(ws) or fusers.setdefault(ws, Fuser(list(ws), cfg))
        outs.append(f.fuse(tr).text)
    rep = evaluate(refs, outs, [list(w) for w in lists], hypotheses=[t.text for t in hyps])
    readme = fuse("伊丽沙白这会儿真太高兴了", ["伊丽莎白", "达西"], config=cfg).text
    return {
        "recall": rep.recall(),
        "precision": rep.precision(),
        "fa": rep.false_alarm_rate(),
        "readme": float(readme == "伊丽莎白这会儿真太高兴了"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--bench", type=Path, default=ROOT / "out" / "real")
    ap.add_argument("--set", default="whisper", help="hypothesis set (hyp.SET.jsonl)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[6, 12, 25, 50, 100, 200, 400])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--dev-cases", type=int, default=1000, help="seeded dev sample (0 = all)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    tr_refs, tr_hyps, tr_lists = _load(args.bench, "train", args.set)
    dv = list(zip(*_load(args.bench, "dev", args.set), strict=True))
    if args.dev_cases:
        dv = random.Random(0).sample(dv, min(args.dev_cases, len(dv)))
    dv_refs, dv_hyps, dv_lists = (list(x) for x in zip(*dv, strict=True))
    base = _score(FuseConfig(), dv_refs, dv_hyps, dv_lists)
    print(f"defaults on {len(dv_refs)} dev cases: recall {base['recall']:.3f} "
          f"precision {base['precision']:.3f} FA {base['fa']:.3%}")  # fmt: skip
    print("| N | good | bad | recall | precision | FA % | README example kept |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for seed in range(args.seeds):
            idx = random.Random(seed * 1000 + n).sample(range(len(tr_refs)), n)
            refs = [tr_refs[i] for i in idx]
            hyps = [tr_hyps[i] for i in idx]
            lists = [list(tr_lists[i]) for i in idx]
            try:
                res = fit(refs, hyps, lists, force=True)
            except InputError as exc:
                print(f"| {n} | - | - | cannot fit: {exc} | | | |")
                continue
            s = _score(res.config, dv_refs, dv_hyps, dv_lists)
            bad = res.n_candidates - res.n_good
            print(f"| {n} | {res.n_good} | {bad} | {s['recall']:.3f} | {s['precision']:.3f} | "
                  f"{s['fa']:.2%} | {'yes' if s['readme'] else 'NO'} |")  # fmt: skip
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
