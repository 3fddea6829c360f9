"""Build the hotword-fusion benchmark from real references (see eval/README.md).

Reads wenetspeech-biasing (or a Kaldi text plus word list you bring), simulates the
first pass of two independent error models, and writes references, hypotheses with
confidences, per-regime hotword lists and metadata under --out.

Examples:
    python eval/build_benchmark.py                       # ../shared/data/wenetspeech-biasing
    python eval/build_benchmark.py --out out/bench --seed 0 --models A B
    python eval/build_benchmark.py --text my/text --words my/words.txt --out out/mybench
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmark import (  # noqa: E402
    BenchmarkConfig,
    Corpus,
    build_benchmark,
    corpus_from_files,
    load_corpus,
)

from hotfuse.errors import HotfuseError  # noqa: E402
from hotfuse.simulate import MODELS  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wenetspeech-biasing"
DEFAULT_OUT = ROOT / "out" / "bench"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="wenetspeech-biasing dir")
    p.add_argument("--text", type=Path, help="your own Kaldi text (with --words)")
    p.add_argument("--words", type=Path, help="your own entity list, one a line")
    p.add_argument("--category", default="custom", help="category name for --text/--words")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output dir (out/bench)")
    p.add_argument("--splits", nargs="+", default=["train", "dev"])
    p.add_argument("--models", nargs="+", default=sorted(MODELS), choices=sorted(MODELS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--catalogue-size", type=int, default=5000)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def corpus_from_args(args: argparse.Namespace) -> Corpus:
    if args.text is not None or args.words is not None:
        if args.text is None or args.words is None:
            msg = "--text and --words go together"
            raise SystemExit(msg)
        return corpus_from_files(args.text, args.words, category=args.category)
    return load_corpus(args.data, splits=args.splits)


def format_summary(summary: dict[str, object]) -> str:
    lines = []
    splits = summary["splits"]
    assert isinstance(splits, dict)
    for split, st in splits.items():
        lines.append(
            f"{split}: {st['cases']} cases ({st['positive']} with entities, "
            f"{st['negative']} negatives), {st['dropped_holding_unseen']} utterances dropped "
            f"for holding held-out entities, catalogue {st['catalogue_words']} words"
        )
        for name, m in st["models"].items():
            lines.append(
                f"  model {name}: CER {m['cer']:.2%}  B-CER {m['b_cer']:.2%}  "
                f"U-CER {m['u_cer']:.2%}  entity recall {m['entity_recall']:.2%}  "
                f"confidence AUROC {m['auroc']:.3f}"
            )
    lines.append(f"distractor filter: {summary['distractors']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    t0 = time.perf_counter()
    try:
        corpus = corpus_from_args(args)
        cfg = BenchmarkConfig(
            seed=args.seed, models=tuple(args.models), catalogue_size=args.catalogue_size
        )
        summary = build_benchmark(corpus, args.out, cfg)
    except HotfuseError as exc:
        print(f"build_benchmark: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    else:
        print(format_summary(summary))
        print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
