"""``hotfuse eval``: fuse recognizer output and score it against references, before/after.

The handler reads the references (Kaldi text or JSONL), the hypotheses (Kaldi text or
JSONL with confidences and timestamps) and the hotwords (a list file for every utterance,
or JSONL per utterance), runs :class:`hotfuse.Fuser` on every hypothesis, and prints
the no-fusion and hotfuse rows of the metric table (:mod:`hotfuse.metrics`) with Wilson
95% intervals. ``--fused`` writes the fused output, ``--report`` an HTML report.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hotfuse.config import FuseConfig
from hotfuse.errors import DataError
from hotfuse.formats.config import load_config
from hotfuse.formats.corpus import (
    HotwordSet,
    align_ids,
    detect_format,
    read_hotwords,
    read_hypotheses,
    read_texts,
    write_jsonl,
    write_kaldi_text,
)
from hotfuse.fuser import Fuser
from hotfuse.lexicon import Hotword
from hotfuse.metrics import EvalReport, evaluate
from hotfuse.result import FuseResult
from hotfuse.transcript import Transcript

__all__ = [
    "EvalRun",
    "format_table",
    "handler",
    "register",
    "results_json",
    "run_eval",
    "write_fused",
    "write_html_report",
]

logger = logging.getLogger("hotfuse")

_EPILOG = """\
examples:
  hotfuse eval --ref data/text --hyp hyp.jsonl --hotwords words.txt
  hotfuse eval --ref data/text --hyp hyp.txt --hotwords per_utt.jsonl --json
  hotfuse eval --ref ref.txt --hyp hyp.jsonl --lexicon domain.toml \\
      --config tuned.toml --fused fused.jsonl --report report.html

inputs:
  --ref       Kaldi text (utt_id, then the transcript after a tab or spaces) or JSONL
  --hyp       Kaldi text, or JSONL {"id", "text", "confidences"?, "timestamps"?} or
              {"id", "tokens": [{"text", "start", "end", "confidence"}]}
  --hotwords  one term a line (# comments; the same list for every utterance), or JSONL
              {"id": ..., "hotwords": [...]} (one list per utterance)
  --lexicon   a hotfuse lexicon (TOML): aliases, pinyin and weights of the hotwords; with
              no --hotwords every lexicon entry is active for every utterance

Metrics are computed on normalised text (NFKC, no spaces or punctuation, Latin lower-
cased); see hotfuse.metrics. Exit codes: 0 ok, 1 bad input, 2 usage error.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``eval`` subcommand."""
    p = subparsers.add_parser(
        "eval",
        help="score fusion against references (before/after table, HTML report)",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--ref", required=True, metavar="REF", help="reference transcripts")
    p.add_argument("--hyp", required=True, metavar="HYP", help="recognizer output")
    p.add_argument("--hotwords", metavar="WORDS", help="hotword list or per-utterance JSONL")
    p.add_argument("--lexicon", metavar="L.toml", help="hotfuse lexicon with hotword hints")
    p.add_argument("--config", metavar="CONFIG.toml", help="fusion settings (hotfuse tune)")
    p.add_argument("--threshold", type=float, help="override the decision threshold")
    p.add_argument(
        "--missing",
        choices=("error", "skip", "empty"),
        default="error",
        help="ids in one file but not the other: error (default), skip them (counted), "
        "or score a missing hypothesis as empty output",
    )
    p.add_argument("--fused", metavar="OUT", help="write the fused output (Kaldi text or .jsonl)")
    p.add_argument("--report", metavar="REPORT.html", help="write an HTML report")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=handler)


@dataclass(frozen=True)
class EvalRun:
    """Everything one evaluation produced.

    Attributes:
        ids: the utterance ids evaluated, in reference order.
        references: the reference texts.
        hypotheses: the recognizer transcripts (before fusion).
        results: the fusion result per utterance.
        hotwords: the active hotwords per utterance.
        fusers: the fuser used per utterance (shared between equal hotword lists).
        config: the fusion settings.
        report: the metrics of the fused output; ``report.before`` those of the
            hypotheses.
        warnings: the tolerated input problems, counted.
    """

    ids: tuple[str, ...]
    references: tuple[str, ...]
    hypotheses: tuple[Transcript, ...]
    results: tuple[FuseResult, ...]
    hotwords: tuple[tuple[Hotword, ...], ...]
    fusers: tuple[Fuser, ...]
    config: FuseConfig
    report: EvalReport
    warnings: tuple[str, ...]


def _load_lexicon(path: str) -> tuple[Hotword, ...]:
    from hotfuse.lexicon import Lexicon

    return tuple(Lexicon.load(path).hotwords)


def _active_hotwords(
    hotwords: HotwordSet | None, lexicon: Sequence[Hotword], ids: Sequence[str]
) -> list[tuple[Hotword, ...]]:
    """Per-utterance active hotwords, enriched with the lexicon's entries of the same text."""
    if hotwords is None:
        return [tuple(lexicon)] * len(ids)
    lists = hotwords.for_ids(ids)
    if not lexicon:
        return lists
    by_text = {hw.text: hw for hw in lexicon}
    return [tuple(by_text.get(hw.text, hw) for hw in words) for words in lists]


def run_eval(
    ref_path: str,
    hyp_path: str,
    *,
    hotwords_path: str | None = None,
    lexicon_path: str | None = None,
    config: FuseConfig | None = None,
    missing: Literal["error", "skip", "empty"] = "error",
) -> EvalRun:
    """Read the inputs, fuse every hypothesis and evaluate before and after.

    Raises:
        DataError: unreadable or inconsistent inputs (the message names file and line).
    """
    if hotwords_path is None and lexicon_path is None:
        msg = "give the active hotwords with --hotwords WORDS and/or --lexicon L.toml"
        raise DataError(msg)
    cfg = config if config is not None else FuseConfig()
    refs = read_texts(ref_path)
    hyps = read_hypotheses(hyp_path)
    aligned = align_ids(refs, hyps, missing=missing)
    hw_set = read_hotwords(hotwords_path) if hotwords_path is not None else None
    lexicon = _load_lexicon(lexicon_path) if lexicon_path is not None else ()
    active = _active_hotwords(hw_set, lexicon, aligned.ids)

    cache: dict[tuple[Hotword, ...], Fuser] = {}
    fusers = []
    for words in active:
        if words not in cache:
            cache[words] = Fuser(words, cfg)
        fusers.append(cache[words])
    transcripts = tuple(t if t is not None else Transcript.from_text("") for t in aligned.hyps)
    from hotfuse._progress import progress

    pairs = progress(
        zip(fusers, transcripts, strict=True), desc="fusing", total=len(fusers), enabled=True
    )
    results = tuple(f.fuse(t) for f, t in pairs)
    report = evaluate(
        aligned.refs,
        [r.text for r in results],
        [[hw.text for hw in words] for words in active],
        hypotheses=[t.text for t in transcripts],
        ids=aligned.ids,
    )
    warnings = refs.warnings + hyps.warnings + (hw_set.warnings if hw_set else ())
    return EvalRun(
        ids=aligned.ids,
        references=aligned.refs,
        hypotheses=transcripts,
        results=results,
        hotwords=tuple(active),
        fusers=tuple(fusers),
        config=cfg,
        report=report,
        warnings=warnings,
    )


# ---------------------------------------------------------------------- output
_RATE_ROWS = (
    ("recall", "recall", "recall_ci"),
    ("precision", "precision", "precision_ci"),
    ("false alarms", "false_alarm_rate", "false_alarm_ci"),
    ("damaged", "damaged_rate", "damaged_ci"),
)
_CER_ROWS = (("CER", "cer"), ("B-CER", "b_cer"), ("U-CER", "u_cer"))


def _pct(v: float) -> str:
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "inf"
    return f"{100.0 * v:.1f}%"


def _rate_cell(report: EvalReport, rate: str, ci: str) -> str:
    v = getattr(report, rate)()
    if math.isnan(v):
        return "n/a"
    lo, hi = getattr(report, ci)()
    return f"{_pct(v)} [{100.0 * lo:.1f}, {100.0 * hi:.1f}]"


def format_table(report: EvalReport) -> str:
    """The before/after table as aligned plain text (needs ``report.before``).

    Rates carry their Wilson 95% interval in brackets (percent).
    """
    before = report.before if report.before is not None else report
    rows = [("metric", "no fusion", "hotfuse")]
    for label, rate, ci in _RATE_ROWS:
        rows.append((label, _rate_cell(before, rate, ci), _rate_cell(report, rate, ci)))
    for label, name in _CER_ROWS:
        rows.append((label, _pct(getattr(before, name)()), _pct(getattr(report, name)())))
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    lines = [
        "  ".join(cell.ljust(widths[k]) for k, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = (
        f"{report.n_utts} utterances, {report.ref_chars} reference characters, "
        f"{report.hotword_ref} hotword occurrences, {report.n_no_hotword_utts} utterances "
        "without a hotword"
    )
    return "\n".join([*lines, "", counts])


def _row(report: EvalReport) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("before", None)
    return d


def results_json(run: EvalRun) -> dict[str, Any]:
    """The ``--json`` document: both rows, the settings and the replacement count."""
    before = run.report.before if run.report.before is not None else run.report
    return {
        "n_utts": run.report.n_utts,
        "threshold": run.config.threshold,
        "replacements": sum(len(r.replacements) for r in run.results),
        "rows": {"no_fusion": _row(before), "hotfuse": _row(run.report)},
        "warnings": list(run.warnings),
    }


def write_fused(path: str, run: EvalRun, *, jsonl: bool) -> None:
    """Write the fused output as JSONL (with replacements) or Kaldi text."""
    if jsonl:
        from hotfuse.formats.records import result_record

        pairs = zip(run.ids, run.results, strict=True)
        write_jsonl(path, [result_record(i, r) for i, r in pairs])
    else:
        write_kaldi_text(path, [(i, r.text) for i, r in zip(run.ids, run.results, strict=True)])


def write_html_report(
    path: str,
    run: EvalRun,
    *,
    inputs: Sequence[tuple[str, str]] = (),
    thresholds: Sequence[float] | None = None,
) -> None:
    """Render the HTML report of ``run`` (with a threshold sweep) and write it atomically.

    Raises:
        MissingDependencyError: jinja2 is not installed (``pip install 'hotfuse[report]'``).
    """
    from hotfuse.report import DEFAULT_THRESHOLDS, render_report, threshold_sweep, write_report

    sweep = threshold_sweep(
        run.references,
        run.hypotheses,
        run.fusers,
        DEFAULT_THRESHOLDS if thresholds is None else thresholds,
        progress=True,
    )
    page = render_report(
        run.report,
        results=run.results,
        sweep=sweep,
        threshold=run.config.threshold,
        title="hotfuse evaluation",
        inputs=dict(inputs),
    )
    write_report(path, page)


def handler(args: argparse.Namespace) -> int:
    """Run ``hotfuse eval``; returns the exit code."""
    cfg = load_config(args.config) if args.config else FuseConfig()
    if args.threshold is not None:
        cfg = FuseConfig.coerce(cfg, threshold=args.threshold)
    run = run_eval(
        args.ref,
        args.hyp,
        hotwords_path=args.hotwords,
        lexicon_path=args.lexicon,
        config=cfg,
        missing=args.missing,
    )
    if args.fused:
        jsonl = Path(args.fused).suffix.lower() in {".jsonl", ".ndjson", ".json"} or (
            args.fused == "-" and detect_format(args.hyp) == "jsonl"
        )
        write_fused(args.fused, run, jsonl=jsonl)
        logger.info("wrote the fused output to %s", args.fused)
    if args.report:
        write_html_report(
            args.report,
            run,
            inputs=(
                ("references", args.ref),
                ("hypotheses", args.hyp),
                ("hotwords", args.hotwords or "-"),
                ("lexicon", args.lexicon or "-"),
                ("config", args.config or "defaults"),
            ),
        )
        logger.info("wrote the report to %s", args.report)
    # with --fused - standard output holds the fused transcripts: the table goes to stderr
    out = sys.stderr if args.fused == "-" else sys.stdout
    if args.json:
        out.write(json.dumps(results_json(run), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_table(run.report) + "\n")
    return 0
