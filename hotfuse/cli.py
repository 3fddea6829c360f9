"""The ``hotfuse`` command line.

Exit codes: 0 success; 1 a hotfuse error (bad input, validation problems, some lines or
files failed); 2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from hotfuse.errors import DataError, HotfuseError, InputError
from hotfuse.transcript import Token, Transcript

__all__ = ["build_parser", "main"]

log = logging.getLogger("hotfuse")

# Modules that add subcommands: each has ``register(subparsers) -> None`` which adds its
# parsers and sets ``func=handler`` where ``handler(args) -> int`` is the exit code.
_COMMAND_MODULES = (
    "hotfuse.cli_lexicon",
    "hotfuse.cli_eval",
    "hotfuse.cli_transcribe",
    "hotfuse.webui",
)

_FUSE_EPILOG = """\
examples:
  hotfuse fuse --demo
  hotfuse fuse "伊丽沙白这会儿真太高兴了" --hotword 伊丽莎白 --hotword 达西
  echo "我们用 py torch 训练" | hotfuse fuse --hotword PyTorch
  hotfuse fuse -i hyp.txt --lexicon china-places -o fused.txt
  hotfuse fuse -i hyp.jsonl --lexicon my.toml --json --jobs 2 > fused.jsonl
  tail -f asr.log | hotfuse fuse --lexicon my.toml     # one fused line per line, at once

input: a TEXT argument, or -i FILE, or lines on stdin (-i - or no input). --format says how
to read it: text (one transcript a line), kaldi ("utt_id transcript" a line) or jsonl
({"id", "text", "confidences"?, "timestamps"?} or {"id", "tokens": [...]}, or one
recognizer result a line: FunASR, Whisper, WeNet, Vosk, sherpa-onnx); auto decides
once per input from the file name and its first lines (stdin: jsonl or text).
output: the fused text, "utt_id<TAB>text" for kaldi, a record for a record; a
recognizer's result comes back in its own structure holding the fused text (a line
where nothing was replaced comes back byte for byte). --json writes hotfuse's records
(text, original, replacements, tokens) for every input.
Blank lines of plain text come back as they were, so the output stays line-aligned.
A bad line (not UTF-8, not JSON, the wrong shape, over 4 MiB) is reported on stderr
with its line number; the other lines still go through, and the exit code is 1.
--lexicon takes a file or the name of a shipped lexicon (ai-speech, china-places,
cloud-software).
"""


def _add_hotword_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--hotword",
        "-w",
        action="append",
        default=[],
        metavar="WORD",
        help="a hotword (repeatable)",
    )
    p.add_argument(
        "--lexicon",
        "-l",
        action="append",
        default=[],
        metavar="FILE",
        help="a lexicon TOML file (repeatable)",
    )
    p.add_argument("--config", "-c", metavar="FILE", help="a config TOML (from 'hotfuse tune')")
    p.add_argument("--threshold", type=float, help="override the decision threshold")
    p.add_argument("--no-confidence", action="store_true",
                   help="ignore recognizer confidences")  # fmt: skip


#: The commands this module defines itself: running one needs no command module.
_OWN_COMMANDS = ("fuse", "tune", "frontends")


def build_parser(*, command_modules: bool = True) -> argparse.ArgumentParser:
    """The argument parser of the ``hotfuse`` command (``command_modules`` False: only
    the commands of :data:`_OWN_COMMANDS`, for running one of them without importing
    the other commands' modules)."""
    parser = argparse.ArgumentParser(
        prog="hotfuse",
        allow_abbrev=False,
        description="Post-recognition hotword fusion for Chinese ASR.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from hotfuse import __version__

    parser.add_argument("--version", action="version", version=f"hotfuse {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "fuse",
        help="fuse hotwords into transcripts",
        description="Replace spans that sound like a hotword, weighting recognizer confidence.",
        epilog=_FUSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", nargs="*", help="transcript text (instead of -i)")
    p.add_argument("-i", "--input", metavar="FILE", help="input file; - for stdin")
    p.add_argument(
        "--format",
        choices=("auto", "text", "kaldi", "jsonl"),
        default="auto",
        help="how to read -i: one transcript a line, 'utt_id transcript', or JSONL "
        "(default auto: decided once from the file name and its first lines)",
    )
    p.add_argument("-o", "--output", metavar="FILE", default="-", help="output file (default -)")
    p.add_argument(
        "--json",
        action="store_true",
        help="hotfuse's JSON records (with the replacements) for every input",
    )
    p.add_argument("--demo", action="store_true", help="run the built-in example")
    p.add_argument("--jobs", "-j", type=int, default=1, help="worker processes for files")
    _add_hotword_args(p)
    p.set_defaults(func=_cmd_fuse)

    p = sub.add_parser(
        "tune",
        help="refit the decision model and threshold on your recognizer's output",
        epilog="example:\n  hotfuse tune --ref ref.txt --hyp hyp.jsonl --hotwords words.txt "
        "-o config.toml\n  hotfuse fuse -i new.jsonl --config config.toml --lexicon my.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--ref", required=True, help="reference Kaldi text")
    p.add_argument("--hyp", required=True, help="hypotheses: JSONL with confidences, or Kaldi text")
    p.add_argument("--hotwords", required=True, help="hotword list (one a line) or JSONL per utt")
    p.add_argument("-o", "--output", required=True, help="config TOML to write")
    p.add_argument("--cost-fp", type=float, default=3.0,
                   help="cost of a wrong replacement in missed fixes (default 3)")  # fmt: skip
    p.add_argument(
        "--force",
        action="store_true",
        help="fit even on too little data (fewer than 100 good or 50 bad candidate "
        "replacements; refused otherwise, exit 2)",
    )
    p.add_argument(
        "--no-calibrate",
        dest="calibrate",
        action="store_false",
        help="do not fit a confidence calibration (by default one is fitted and written to "
        "the config's [calibration] table when the hypotheses carry confidences)",
    )
    p.set_defaults(func=_cmd_tune)

    p = sub.add_parser("frontends", help="list the recognizer frontends installed")
    p.set_defaults(func=_cmd_frontends)

    for name in _COMMAND_MODULES if command_modules else ():
        importlib.import_module(name).register(sub)
    _finish(parser)
    return parser


_RST_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_RST_LITERAL = re.compile(r"``([^`]+)``")


def plain_text(text: str | None) -> str | None:
    """Help text without reST markup (docstrings double as ``--help`` descriptions).

    >>> plain_text("``hotfuse eval`` runs :class:`hotfuse.Fuser`")
    'hotfuse eval runs hotfuse.Fuser'
    """
    if text is None:
        return None
    return _RST_LITERAL.sub(r"\1", _RST_ROLE.sub(r"\1", text))


def _finish(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    """On every (sub)parser: no abbreviated options (``--hotword`` must not become
    ``--hotwords``), help without reST markup, and ``-v`` accepted after the command too."""
    parser.allow_abbrev = False
    parser.description = plain_text(parser.description)
    parser.epilog = plain_text(parser.epilog)
    if not top and "-v" not in parser._option_string_actions:
        parser.add_argument(
            "-v",
            "--verbose",
            action="count",
            default=argparse.SUPPRESS,
            help="more logging (-vv: debug)",
        )
    for action in parser._actions:
        if isinstance(action.help, str):
            action.help = plain_text(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = plain_text(choice.help)
            for sub in dict.fromkeys(action.choices.values()):
                _finish(sub, top=False)


class _Formatter(logging.Formatter):
    """``hotfuse: error: ...``, ``hotfuse: warning: ...`` (lowercase, as the README says)."""

    def format(self, record: logging.LogRecord) -> str:
        return f"hotfuse: {record.levelname.lower()}: {record.getMessage()}"


class _BatchWarnings(logging.Filter):
    """Warnings over a batch: each names the input line it is about (when one is being
    read or written back), the same message for the same line is said once, and after
    ``limit`` of one kind (None: no limit) the rest are counted, for :meth:`summary`.

    What was said is remembered for the last :attr:`REMEMBER` warnings only (a line is
    written back at most ``2 * jobs`` chunks after it was read), so memory stays bounded
    on an input of any length."""

    REMEMBER = 1 << 16

    def __init__(self, limit: int | None = 5) -> None:
        super().__init__()
        self.limit = limit
        self.kinds: Counter[str] = Counter()
        self.said: dict[tuple[str, str], None] = {}  # insertion-ordered: oldest first
        self.example: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        from hotfuse.formats.corpus import READING

        where = READING.get()
        if record.levelno != logging.WARNING or where is None:
            return True
        text = record.getMessage()
        if (where, text) in self.said:
            return False
        self.said[(where, text)] = None
        if len(self.said) > self.REMEMBER:
            del self.said[next(iter(self.said))]
        kind = str(record.msg)
        self.kinds[kind] += 1
        self.example.setdefault(kind, text)
        if self.limit is not None and self.kinds[kind] > self.limit:
            return False
        record.msg, record.args = "%s: %s", (where, text)
        return True

    def summary(self) -> None:
        """One line per kind of warning that went over the limit: how many were not shown."""
        for kind, n in self.kinds.items():
            if self.limit is not None and n > self.limit:
                log.warning(
                    "%d more warning(s) of this kind not shown (-v shows all): %s",
                    n - self.limit,
                    self.example[kind],
                )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # the command is the first word that is no option (the top-level options take no
    # value); one of this module's own is parsed without the other commands' modules
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command_modules=command not in _OWN_COMMANDS)
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger = logging.getLogger("hotfuse")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    try:
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args))
    except HotfuseError as exc:
        print(f"hotfuse: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("hotfuse: interrupted", file=sys.stderr)
        return 130
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


# --------------------------------------------------------------------------- fuse
def load_hotwords(args: argparse.Namespace) -> list[Any]:
    """Hotwords from --hotword and --lexicon arguments (a lexicon by path or shipped name)."""
    from hotfuse.lexicon import Lexicon

    words: list[Any] = []
    for value in args.hotword:
        words.extend(split_hotword_arg(value))
    for path in args.lexicon:
        words.extend(Lexicon.load(path).hotwords)
    return words


_CJK_SPACE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+(\s+[\u3400-\u9fff\uf900-\ufaff]+)+$")


def split_hotword_arg(value: str) -> list[str]:
    """One ``--hotword`` value as hotwords: Chinese words separated by spaces (FunASR's
    ``hotword="甲 乙"`` convention) are several hotwords, with a warning; anything else,
    Latin phrases such as ``PyTorch Lightning`` included, is one.

    >>> split_hotword_arg("魔搭 达摩院"), split_hotword_arg("PyTorch Lightning")
    (['魔搭', '达摩院'], ['PyTorch Lightning'])
    """
    stripped = value.strip()
    if _CJK_SPACE.match(stripped):
        parts = stripped.split()
        log.warning(
            "--hotword %r holds %d space-separated Chinese words (FunASR's convention); "
            "using each as a hotword (give one --hotword per word to silence this)",
            value,
            len(parts),
        )
        return parts
    return [value]


def load_fuse_config(args: argparse.Namespace) -> Any:
    """FuseConfig from --config, --threshold and --no-confidence."""
    from hotfuse.config import FuseConfig
    from hotfuse.formats.config import load_config

    cfg = load_config(args.config) if args.config else FuseConfig()
    over: dict[str, Any] = {}
    if args.threshold is not None:
        over["threshold"] = args.threshold
    if args.no_confidence:
        over["use_confidence"] = False
    return FuseConfig.coerce(cfg, **over)


def _cmd_fuse(args: argparse.Namespace) -> int:
    import time

    from hotfuse.formats.corpus import READING, iter_fuse_input, parse_fuse_lines
    from hotfuse.fuser import Fuser

    if args.demo:
        from hotfuse.demo import run_demo

        return run_demo(sys.stdout)
    from hotfuse import _scan
    from hotfuse.lexicon_cache import cache_dir, compiled_fuser

    _scan.kernel()  # a bad HOTFUSE_KERNEL (or numba missing) stops here, not at every line

    def hotwords() -> list[Any]:
        words = load_hotwords(args)
        if not words and args.lexicon:
            files = " and ".join(args.lexicon)
            msg = (
                f"{files}: no entries to fuse; add some with: hotfuse lexicon add "
                f"{args.lexicon[0]} WORD... (or give --hotword WORD)"
            )
            raise InputError(msg)
        if not words:
            msg = "no hotwords: give --hotword WORD or --lexicon FILE (or try --demo)"
            raise InputError(msg)
        return words

    # with lexicon files, the compiled-lexicon cache may spare reading and compiling them
    cached = bool(args.lexicon) and cache_dir() is not None
    words = None if cached else hotwords()
    if args.jobs < 1:
        msg = f"--jobs must be at least 1, got {args.jobs}"
        raise InputError(msg)
    if args.text and args.input:
        msg = "give either TEXT arguments or -i FILE, not both"
        raise InputError(msg)
    src = "<argument>" if args.text else (args.input or "-")
    if src not in ("-", "<argument>") and not Path(src).is_file():
        msg = f"input file {src} does not exist"
        raise InputError(msg)
    t0 = time.perf_counter()
    config = load_fuse_config(args)
    if words is None:
        fuser = compiled_fuser(args.lexicon, args.hotword, config, hotwords)
    else:
        fuser = Fuser(words, config)
    log.info("compiled %d hotwords in %.2f s", len(fuser.hotwords), time.perf_counter() - t0)
    records: Iterator[Any]
    if args.text:
        records = parse_fuse_lines([(1, " ".join(args.text))], "text", src)
    else:
        records = iter_fuse_input(src, args.format)
    live = src == "-"  # a pipeline: each line goes out as soon as it is fused
    counts = {"lines": 0, "failed": 0, "replacements": 0}
    t1 = time.perf_counter()

    def write_all(out: TextIO) -> None:
        for item in _fuse_stream(fuser, records, args.jobs, src):
            if isinstance(item, HotfuseError):
                log.error("%s", item)
                counts["failed"] += 1
                continue
            rec, res = item
            counts["lines"] += 1
            counts["replacements"] += len(res.replacements)
            for r in res.replacements:
                log.debug("line %d: %s -> %s (%s)", rec.line_no, r.original, r.hotword, r.reason)
            token = READING.set(f"{src}:{rec.line_no}")
            try:
                problem = _write_result(out, rec, res, args.json)
            finally:
                READING.reset(token)
            if problem is not None:
                log.error("%s: %s", src, problem)
                counts["failed"] += 1
            if live:
                out.flush()

    batch = _BatchWarnings(None if args.verbose else 5)
    handlers = logging.getLogger("hotfuse").handlers
    for h in handlers:
        h.addFilter(batch)
    try:
        if args.output == "-":
            write_all(sys.stdout)
        else:
            from hotfuse._files import atomic_writer

            with atomic_writer(args.output) as fh:
                write_all(fh)
    finally:
        for h in handlers:
            h.removeFilter(batch)
    batch.summary()
    elapsed = time.perf_counter() - t1
    jobs = f", {args.jobs} jobs" if args.jobs > 1 else ""
    summary = (
        f"fused {counts['lines']} line(s), {counts['replacements']} replacement(s), in "
        f"{elapsed:.2f} s ({counts['lines'] / elapsed if elapsed > 0 else 0.0:.0f} lines/s{jobs})"
    )
    if args.text:  # one utterance on the command line: quiet unless asked
        log.info("%s", summary)
    else:  # a file or a stream: the throughput at the end, on stderr
        print(f"hotfuse: {summary}", file=sys.stderr)
    if counts["failed"]:
        log.error("%d line(s) could not be read; the others were fused", counts["failed"])
    return 1 if counts["failed"] else 0


_WORKER: Any = None
_CHUNK = 256  # records per task with --jobs: enough to amortise the hand-off, small to stream


def _init_worker(fuser: Any) -> None:
    global _WORKER
    _WORKER = fuser


def _to_worker(tr: Transcript) -> Any:
    """What a worker needs of a transcript: its text, with its tokens when they carry
    times or confidences (plain data: cheaper to send than the objects)."""
    if not (tr.has_times or tr.has_confidences):
        return tr.text
    toks = [(t.text, t.start, t.end, t.confidence) for t in tr.tokens]
    return tr.text, toks, tr.spans


def _fuse_failure(exc: Exception) -> str:
    """The one-line message for a record whose fusion raised (a bug unless a HotfuseError:
    the input was read and checked, so say so and ask for a report)."""
    if isinstance(exc, HotfuseError):
        return f"could not fuse this line: {exc}"
    return (
        f"could not fuse this line: internal error ({type(exc).__name__}: {exc}); the other "
        "lines are fused: please report it with this line"
    )


def _fused_or_error(fuser: Any, rec: Any, src: str) -> Any:
    """``(rec, FuseResult)``, or a DataError at the record's line when fusion raises."""
    try:
        return rec, fuser.fuse(rec.transcript)
    except Exception as exc:
        log.debug("fusing line %d failed", rec.line_no, exc_info=True)
        return DataError(_fuse_failure(exc), path=src, line_no=rec.line_no)


def _work(items: list[Any]) -> list[Any]:
    """Fuse a chunk in a worker: per item the fused text, the replacements as tuples and,
    for a transcript with times or confidences, the fused tokens and spans; or, where
    fusing the item raised, the message (a str) saying so."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            tr = Transcript.from_text(item)
        else:
            text, toks, spans = item
            tr = Transcript._trusted(text, tuple(Token(*t) for t in toks), spans)
        try:
            res = _WORKER.fuse(tr)
        except Exception as exc:  # one record's failure must not lose the rest of the file
            out.append(_fuse_failure(exc))
            continue
        reps = [
            (r.start, r.end, r.original, r.hotword, r.score, r.confidence, r.reason)
            for r in res.replacements
        ]
        fused = None
        if not isinstance(item, str) and res.replacements:
            t = res.transcript
            fused = ([(k.text, k.start, k.end, k.confidence) for k in t.tokens], t.spans)
        out.append((res.text, reps, fused))
    return out


def _from_worker(fuser: Any, source: Transcript, got: tuple[str, list[Any], Any]) -> Any:
    """The FuseResult a worker's answer stands for (what the writer reads of it)."""
    from hotfuse.result import FuseResult, Replacement

    text, reps, fused = got
    if not reps:
        return FuseResult(source.text, (), source, source, fuser.config)
    if fused is None:  # plain text: the writer reads the text and the replacements
        transcript = Transcript.from_text(text)
    else:
        toks, spans = fused
        transcript = Transcript._trusted(text, tuple(Token(*t) for t in toks), spans)
    replacements = tuple(Replacement(*r) for r in reps)
    return FuseResult(text, replacements, transcript, source, fuser.config)


def _chunks(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fuse_stream(
    fuser: Any, records: Iterator[Any], jobs: int, src: str = "<input>"
) -> Iterator[Any]:
    """Yield ``(record, FuseResult)`` or an error per input item, in input order: a read
    error as the reader gave it, a record whose fusion raised as a :class:`DataError` at
    its line of ``src`` (the other records still go through).

    Streams: one job fuses each record as it is read; ``jobs`` > 1 sends chunks of
    :data:`_CHUNK` records to worker processes as plain data (text, and tokens only where
    they carry times or confidences), at most ``2 * jobs`` chunks in flight, so memory
    stays bounded for any input length. Each worker gets the compiled Fuser once, at
    start (inherited on fork, else unpickled with its compiled targets: never compiled
    again). A progress bar shows on a terminal.
    """
    from hotfuse._progress import counter

    bar = counter("utt", delay=2.0)
    try:
        if jobs == 1:
            for rec in records:
                if isinstance(rec, HotfuseError):
                    yield rec
                    continue
                yield _fused_or_error(fuser, rec, src)
                bar.update()
            return
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(fuser,)) as ex:
            pending: deque[tuple[list[Any], Future[list[Any]]]] = deque()

            def drain_one() -> Iterator[Any]:
                chunk, fut = pending.popleft()
                results = iter(fut.result())
                for rec in chunk:
                    if isinstance(rec, HotfuseError):
                        yield rec
                    else:
                        got = next(results)
                        if isinstance(got, str):
                            yield DataError(got, path=src, line_no=rec.line_no)
                        else:
                            yield rec, _from_worker(fuser, rec.transcript, got)
                        bar.update()

            for chunk in _chunks(records, _CHUNK):
                good = [_to_worker(r.transcript) for r in chunk if not isinstance(r, HotfuseError)]
                pending.append((chunk, ex.submit(_work, good)))
                if len(pending) >= 2 * jobs:
                    yield from drain_one()
            while pending:
                yield from drain_one()
    finally:
        bar.close()


def _write_result(out: TextIO, rec: Any, res: Any, as_json: bool) -> str | None:
    """One output line: hotfuse's record (``--json``, or a record read as one), the
    recognizer's own structure holding the fused text (a recognizer's result: the line as
    it was read when nothing was replaced), ``id<TAB>text`` or the text. Returns what
    went wrong when the fused text could not be written back (the line goes out as read)."""
    from hotfuse.formats.records import result_record

    if rec.format == "recognizer" and not as_json:
        if not res.replacements:
            out.write(rec.line + "\n")
            return None
        from hotfuse.frontends import write_back

        try:
            back = json.dumps(write_back(rec.raw, res), ensure_ascii=False)
        except Exception as exc:  # never lose the line: it goes out as it came in
            log.debug("write-back of line %d failed", rec.line_no, exc_info=True)
            out.write(rec.line + "\n")
            return (
                f"line {rec.line_no}: the fused text could not be written back into the "
                f"recognizer's structure ({type(exc).__name__}: {exc}); the line is written "
                "as it was read (--json writes hotfuse's record instead): please report it"
            )
        out.write(back + "\n")
    elif as_json or rec.format in ("json", "recognizer"):
        out.write(json.dumps(result_record(rec.id, res), ensure_ascii=False) + "\n")
    elif rec.id is not None:
        out.write(f"{rec.id}\t{res.text}\n")
    else:
        out.write(res.text + "\n")
    return None


# --------------------------------------------------------------------------- tune
def _cmd_tune(args: argparse.Namespace) -> int:
    from hotfuse.errors import TooLittleDataError
    from hotfuse.formats import corpus
    from hotfuse.formats.config import write_config
    from hotfuse.tune import fit

    refs = corpus.read_texts(args.ref)
    hyps = corpus.read_hypotheses(args.hyp)
    hws = corpus.read_hotwords(args.hotwords)
    aligned = corpus.align_ids(refs, hyps)
    ids = list(aligned.ids)
    try:
        result = fit(
            [refs[i] for i in ids],
            [hyps[i] for i in ids],
            hws.for_ids(ids),
            cost_fp=args.cost_fp,
            progress=True,
            force=args.force,
            calibrate=args.calibrate,
        )
    except TooLittleDataError as exc:
        print(f"hotfuse: error: {exc}; nothing written", file=sys.stderr)
        return 2
    meta = {
        "utterances": len(ids),
        "candidates": result.n_candidates,
        "good_candidates": result.n_good,
        "cost_fp": args.cost_fp,
        "forced": args.force,
    }
    write_config(args.output, result.config, meta)
    t, good, bad = next(r for r in result.threshold_table if r[0] == result.config.threshold)
    print(
        f"fitted on {len(ids)} utterances ({result.n_candidates} candidates, {result.n_good} "
        f"good); threshold {t:+.2f}: {good} good and {bad} bad replacements on this data; "
        f"wrote {args.output}"
    )
    return 0


# --------------------------------------------------------------------------- frontends
def _cmd_frontends(args: argparse.Namespace) -> int:
    from hotfuse import frontends

    for name in frontends.available_frontends():
        fe = frontends.get_frontend(name)
        doc = (getattr(fe, "__doc__", None) or "").strip().splitlines()
        print(f"{name:16s} {doc[0] if doc else ''}")
    return 0
