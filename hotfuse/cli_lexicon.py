"""``hotfuse lexicon ...``: create, edit, check, convert and explain lexicon files.

Exit codes: 0 success; 1 validation problems or another hotfuse error (a missing entry, a
bad line in an imported file); 2 a usage error. Every command that changes a file takes
the ``FILE.lock`` lock and writes atomically (see
:func:`hotfuse.formats.lexicon_toml.locked_update`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hotfuse._files import atomic_write_text, read_text_file
from hotfuse.errors import InputError, LexiconError
from hotfuse.formats.hotword_files import LexiconFormat, export_lexicon, import_lexicon
from hotfuse.formats.lexicon_toml import locked_update, locked_write_text
from hotfuse.lexicon import Hotword, Issue, Lexicon, Severity

__all__ = ["register"]

_FORMATS = [str(f) for f in LexiconFormat]

_EPILOG = (
    """\
examples:
  hotfuse lexicon new meeting.toml --name meeting-0412
  hotfuse lexicon add meeting.toml 伊丽莎白 --alias 伊丽沙白 --weight 2
  hotfuse lexicon add meeting.toml 重庆 --pinyin "chong2 qing4" --tag place
  hotfuse lexicon remove meeting.toml 达西
  hotfuse lexicon list meeting.toml --json
  hotfuse lexicon show meeting.toml 重庆
  hotfuse lexicon check lexicons/*.toml
  hotfuse lexicon import hotwords.txt --format funasr -o meeting.toml
  hotfuse lexicon export meeting.toml --format sherpa-onnx -o hotwords.txt
  hotfuse lexicon merge base.toml meeting.toml -o all.toml
  hotfuse lexicon explain meeting.toml "伊丽沙白这会儿真太高兴了"

formats (import/export): """
    + ", ".join(_FORMATS)
    + """
exit codes: 0 ok, 1 validation problems or another error, 2 usage error.
"""
)


def _sub(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_: str,
    examples: str,
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help_,
        description=help_[0].upper() + help_[1:] + ".",
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``hotfuse lexicon`` and its subcommands."""
    top = subparsers.add_parser(
        "lexicon",
        help="create, edit, check and convert lexicon files",
        description="Create, edit, check, convert and explain hotfuse lexicon (TOML) files.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.set_defaults(func=lambda _args: _usage(top))
    sub = top.add_subparsers(dest="lexicon_command", metavar="SUBCOMMAND")

    p = _sub(sub, "new", "create an empty lexicon file",
             "  hotfuse lexicon new meeting.toml --name meeting-0412\n")  # fmt: skip
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", default=None, help="lexicon name (default: the file stem)")
    p.add_argument("--description", default="", help="one-line description")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_new)

    p = _sub(
        sub,
        "add",
        "add entries, or update the entries with the same text",
        "  hotfuse lexicon add meeting.toml 伊丽莎白 --alias 伊丽沙白 --alias 依丽莎白\n"
        "  hotfuse lexicon add meeting.toml 达西 宾利 Kubernetes --tag people   # several at once\n"
        "  hotfuse lexicon add places.toml 蚌埠 --pinyin 'beng4 bu4' --weight 2\n"
        "  hotfuse lexicon add meeting.toml 今天 --weight 0   # never insert it\n",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("words", metavar="WORD", nargs="+",
                   help="one or more entries (--alias and --pinyin: one WORD)")  # fmt: skip
    p.add_argument("--alias", "-a", action="append", default=[], help="alias (repeatable)")
    p.add_argument("--weight", type=float, default=None,
                   help="weight in [-10, 10] (default 1.0; <= 0 never inserts)")  # fmt: skip
    p.add_argument("--pinyin", default=None, help='numbered-tone pinyin, e.g. "chong2 qing4"')
    p.add_argument("--tag", action="append", default=[], help="tag (repeatable)")
    p.add_argument("--block-context", action="append", default=[], metavar="WORD",
                   help="never insert inside this word (repeatable)")  # fmt: skip
    p.add_argument("--replace", action="store_true",
                   help="replace an existing entry instead of merging into it")  # fmt: skip
    p.add_argument("--create", action="store_true", help="create FILE if it does not exist")
    p.set_defaults(func=_cmd_add)

    p = _sub(sub, "remove", "remove entries",
             "  hotfuse lexicon remove meeting.toml 达西\n"
             "  hotfuse lexicon remove meeting.toml 达西 宾利\n")  # fmt: skip
    p.add_argument("file", metavar="FILE")
    p.add_argument("words", metavar="WORD", nargs="+")
    p.set_defaults(func=_cmd_remove)

    p = _sub(sub, "list", "list the entries",
             "  hotfuse lexicon list meeting.toml\n"
             "  hotfuse lexicon list meeting.toml --json | jq '.[].text'\n")  # fmt: skip
    p.add_argument("file", metavar="FILE", help="lexicon file; - for stdin")
    p.add_argument("--json", action="store_true", help="a JSON array of entries")
    p.set_defaults(func=_cmd_list)

    p = _sub(sub, "show", "show one entry with its readings and warnings",
             "  hotfuse lexicon show lexicons/china-places.toml 重庆\n")  # fmt: skip
    p.add_argument("file", metavar="FILE", help="lexicon file; - for stdin")
    p.add_argument("word", metavar="WORD", help="the entry's text or one of its aliases")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=_cmd_show)

    p = _sub(
        sub,
        "check",
        "validate lexicon files (errors exit 1; warnings are listed)",
        "  hotfuse lexicon check lexicons/*.toml\n"
        "  hotfuse lexicon check --strict meeting.toml   # warnings fail too\n",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="lexicon files; - for stdin")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--json", action="store_true", help="issues as a JSON array")
    p.add_argument("--no-frequency", action="store_true",
                   help="skip the common-word check (no jieba dictionary load)")  # fmt: skip
    p.set_defaults(func=_cmd_check)

    p = _sub(
        sub,
        "import",
        "convert another tool's hotword list into a lexicon",
        "  hotfuse lexicon import hotwords.txt --format funasr -o meeting.toml\n"
        "  hotfuse lexicon import hot.txt --format capswriter -o mine.toml --merge\n"
        "  cat words.txt | hotfuse lexicon import - --format plain -o -\n",
    )
    p.add_argument("source", metavar="SRC", help="input file; - for stdin")
    p.add_argument("--format", "-f", required=True, choices=_FORMATS, dest="fmt")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="lexicon; - for stdout")
    p.add_argument("--name", default=None, help="lexicon name (default: the output stem)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--merge", action="store_true", help="merge into an existing output file")
    p.set_defaults(func=_cmd_import)

    p = _sub(
        sub,
        "export",
        "write a lexicon in another tool's format",
        "  hotfuse lexicon export meeting.toml --format sherpa-onnx -o hotwords.txt\n"
        "  hotfuse lexicon export meeting.toml --format tencent\n",
    )
    p.add_argument("file", metavar="FILE", help="lexicon file; - for stdin")
    p.add_argument("--format", "-f", required=True, choices=_FORMATS, dest="fmt")
    p.add_argument(
        "--variant",
        default=None,
        help="the format's flavour: funasr automodel|runtime|json, sherpa-onnx text|cjkchar, "
        "aliyun tsv|wordweights|words|model-studio, tencent lines|inline",
    )
    p.add_argument("-o", "--output", default="-", metavar="OUT", help="output; - for stdout")
    p.set_defaults(func=_cmd_export)

    p = _sub(
        sub,
        "learn",
        "learn terms and aliases from corrected transcripts",
        "  hotfuse lexicon learn --ref ref.txt --hyp hyp.txt -o meeting.toml\n"
        "  hotfuse lexicon learn --pairs corrections.jsonl --min-support 3\n"
        "  hotfuse lexicon learn --rectify hot-rectify.txt -o mine.toml --json\n",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--ref", metavar="REF", help="corrected text (Kaldi text or JSONL); with --hyp"
    )
    src.add_argument(
        "--pairs", metavar="FILE", help='JSONL of {"recognized", "corrected"} (or hyp, ref)'
    )
    src.add_argument("--rectify", metavar="FILE", help="CapsWriter's hot-rectify.txt")
    p.add_argument("--hyp", metavar="HYP", help="recognized text, same ids as --ref")
    p.add_argument("-o", "--output", default="-", metavar="OUT",
                   help="lexicon to merge into (created if missing); - prints")  # fmt: skip
    p.add_argument("--min-support", type=int, default=2, metavar="N",
                   help="times a correction must be seen to be learned (default 2)")  # fmt: skip
    p.add_argument("--no-frequency", action="store_true",
                   help="skip the common-word check (no jieba dictionary load)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the learned and rejected pairs")
    p.set_defaults(func=_cmd_learn)

    p = _sub(
        sub,
        "merge",
        "merge lexicons (same text: the first file's weight and pinyin win, aliases unite)",
        "  hotfuse lexicon merge base.toml meeting.toml -o all.toml\n",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="two or more lexicon files")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output; - for stdout")
    p.set_defaults(func=_cmd_merge)

    p = _sub(
        sub,
        "explain",
        "show the spans considered for a sentence, their scores and each decision",
        '  hotfuse lexicon explain meeting.toml "伊丽沙白这会儿真太高兴了"\n'
        '  hotfuse lexicon explain ai-speech "我们用拍托起训练" --json\n'
        "  hotfuse lexicon explain cloud-software      # how each Latin entry may be heard\n",
    )
    p.add_argument("file", metavar="FILE", help="lexicon file; - for stdin")
    p.add_argument(
        "sentence",
        metavar="SENTENCE",
        nargs="?",
        help="a transcript; without one, the spoken forms of the Latin entries are listed",
    )
    p.add_argument("--threshold", type=float, default=None, help="override the threshold")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=_cmd_explain)


# --------------------------------------------------------------------------- helpers
def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _read_input(source: str) -> str:
    from hotfuse.lexicon import MAX_LEXICON_BYTES, _check_lexicon_file_size, _check_lexicon_size

    if source == "-":
        data = (
            sys.stdin.buffer.read(MAX_LEXICON_BYTES + 1) if hasattr(sys.stdin, "buffer") else None
        )
        if data is None:
            text = sys.stdin.read(MAX_LEXICON_BYTES + 1)
            _check_lexicon_size(text, "<stdin>")
            return text
        if len(data) > MAX_LEXICON_BYTES:
            msg = (
                f"more than {MAX_LEXICON_BYTES // 2**20} MiB, the limit of a lexicon file; split it"
            )
            raise LexiconError(msg, path="<stdin>")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = f"stdin is not UTF-8 ({exc.reason} at byte {exc.start})"
            raise LexiconError(msg, path="<stdin>") from None
    _check_lexicon_file_size(source)
    return read_text_file(source)


def _load(source: str, *, strict: bool = True) -> Lexicon:
    if source == "-":
        return Lexicon.loads(_read_input("-"), path="<stdin>", strict=strict)
    return Lexicon.load(source, strict=strict)


def _write_output(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(target, text, error=LexiconError)


def _note(msg: str) -> None:
    print(f"hotfuse: {msg}", file=sys.stderr)


def _report(issues: Sequence[Issue]) -> None:
    for issue in issues:
        print(str(issue), file=sys.stderr)


# --------------------------------------------------------------------------- commands
def _cmd_new(args: argparse.Namespace) -> int:
    p = Path(args.file)
    if p.exists() and not args.force:
        msg = "already exists; add entries with 'hotfuse lexicon add', or pass --force"
        raise LexiconError(msg, path=p)
    name = args.name if args.name is not None else p.stem
    header = (
        "# hotfuse lexicon: one [[entry]] table per hotword.\n"
        "# Fields: text (required), weight (default 1.0, <= 0 never inserts), aliases,\n"
        '# pinyin ("chong2 qing4"), block_contexts, tags. Check it: hotfuse lexicon check FILE\n'
    )
    body = Lexicon(name=name, description=args.description).dumps()
    locked_write_text(p, header + body, exist_ok=args.force)
    _note(f"created {p}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    words = list(dict.fromkeys(args.words))
    if len(words) > 1 and (args.alias or args.pinyin is not None):
        msg = "--alias and --pinyin belong to one entry: give one WORD with them"
        raise InputError(msg)
    new: list[Hotword] = []
    for word in words:
        try:
            new.append(
                Hotword(
                    word,
                    weight=1.0 if args.weight is None else args.weight,
                    aliases=tuple(args.alias),
                    pinyin=args.pinyin,
                    block_contexts=tuple(args.block_context),
                    tags=tuple(args.tag),
                )
            )
        except ValueError as exc:
            raise LexiconError(str(exc), path=args.file) from None
    texts = {hw.text for hw in new}
    warnings: list[Issue] = []

    def change(lex: Lexicon) -> Lexicon:
        for hw in new:
            old = lex.get(hw.text) if hw.text in lex else None
            new_hw = hw
            if old is not None and not args.replace and args.weight is None:
                new_hw = Hotword(hw.text, weight=old.weight, aliases=hw.aliases,
                                 pinyin=hw.pinyin, block_contexts=hw.block_contexts,
                                 tags=hw.tags)  # fmt: skip
            lex = lex.add(new_hw, replace=args.replace)
        return lex

    def check(written: Lexicon) -> None:
        # what we are about to write, read back: errors refuse the edit, warnings are shown
        issues = written.validate()
        mine = [i for i in issues if i.entry in texts or i.severity is Severity.ERROR]
        errors = [i for i in mine if i.severity is Severity.ERROR]
        if errors:
            raise errors[0].to_error()
        warnings[:] = [i for i in mine if i.entry in texts]

    locked_update(args.file, change, create=args.create, check=check)
    _report(warnings)
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    def change(lex: Lexicon) -> Lexicon:
        for word in dict.fromkeys(args.words):
            lex = lex.remove(word)
        return lex

    locked_update(args.file, change)
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    lex = _load(args.file)
    if args.json:
        json.dump(lex.to_dicts(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for hw in lex.hotwords:
        extra = []
        if hw.weight != 1.0:
            extra.append(f"weight={hw.weight:g}")
        if hw.pinyin is not None:
            extra.append("pinyin=" + " ".join(hw.pinyin))
        if hw.aliases:
            extra.append("aliases=" + ",".join(hw.aliases))
        if hw.tags:
            extra.append("tags=" + ",".join(hw.tags))
        sys.stdout.write(hw.text + ("\t" + "  ".join(extra) if extra else "") + "\n")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    lex = _load(args.file)
    hw = lex.get(args.word)
    if hw is None:
        msg = f"no entry or alias {args.word!r}; see: hotfuse lexicon list {args.file}"
        raise LexiconError(msg, path=args.file)
    from hotfuse.phonetics import hotword_pinyin, word_frequency

    derived = [s for s in hotword_pinyin(hw.text) if s]
    issues = [i for i in lex.validate() if i.entry == hw.text]
    info: dict[str, Any] = {
        "text": hw.text,
        "line": lex.lines.get(hw.text),
        "weight": hw.weight,
        "aliases": list(hw.aliases),
        "pinyin": list(hw.pinyin) if hw.pinyin is not None else None,
        "derived_pinyin": derived,
        "block_contexts": list(hw.block_contexts),
        "tags": list(hw.tags),
        "jieba_frequency": word_frequency(hw.text),
        "issues": [i.to_dict() for i in issues],
    }
    if args.json:
        json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"text:            {hw.text}\n")
    if info["line"] is not None:
        out.write(f"line:            {info['line']}\n")
    out.write(f"weight:          {hw.weight:g}\n")
    if hw.aliases:
        out.write(f"aliases:         {', '.join(hw.aliases)}\n")
    if hw.pinyin is not None:
        out.write(f"pinyin:          {' '.join(hw.pinyin)} (explicit)\n")
    elif derived:
        out.write(f"pinyin:          {' '.join(derived)} (derived)\n")
    if hw.block_contexts:
        out.write(f"block_contexts:  {', '.join(hw.block_contexts)}\n")
    if hw.tags:
        out.write(f"tags:            {', '.join(hw.tags)}\n")
    out.write(f"jieba frequency: {info['jieba_frequency']}\n")
    for issue in issues:
        out.write(f"{issue.severity}[{issue.code}]: {issue.message}\n")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    all_issues: list[Issue] = []
    for source in args.files:
        try:
            lex = _load(source, strict=False)
        except LexiconError as exc:
            all_issues.append(
                Issue(Severity.ERROR, "unreadable", exc.reason, exc.path, exc.line_no)
            )
            continue
        all_issues.extend(lex.validate(frequency=not args.no_frequency))
    errors = sum(i.severity is Severity.ERROR for i in all_issues)
    warnings = len(all_issues) - errors
    if args.json:
        json.dump([i.to_dict() for i in all_issues], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for issue in all_issues:
            sys.stdout.write(str(issue) + "\n")
    files = len(args.files)
    _note(f"checked {files} file{'s' * (files != 1)}: {errors} errors, {warnings} warnings")
    if errors or (args.strict and warnings):
        return 1
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    text = _read_input(args.source)
    where = "<stdin>" if args.source == "-" else args.source
    out = args.output
    name = args.name if args.name is not None else ("" if out == "-" else Path(out).stem)
    imported = import_lexicon(text, args.fmt, path=where, name=name)
    n = len(imported.hotwords)
    if out == "-":
        sys.stdout.write(imported.with_meta(name=name).dumps())
    elif args.merge and Path(out).exists():
        locked_update(out, lambda lex: lex.merge(imported))
    else:
        if Path(out).exists() and not args.force:
            _refuse_existing(out)
        # --force replaces the file whatever it holds, a broken lexicon included
        locked_update(
            out,
            lambda _lex: Lexicon(name=name, hotwords=imported.hotwords),
            overwrite=True,
        )
    _note(f"imported {n} entries from {where} ({args.fmt})")
    from hotfuse.formats.hotword_files import detect_variant

    variant = detect_variant(text, args.fmt)
    if variant is not None:
        _note(f"to write this layout back: lexicon export --format {args.fmt} --variant {variant}")
    return 0


def _refuse_existing(out: str) -> None:
    """The error for an import onto an existing file: what is wrong with it, if anything."""
    try:
        Lexicon.load(out)
    except LexiconError as exc:
        msg = f"{exc.reason}; pass --force to replace the file with the imported list"
        raise LexiconError(msg, path=exc.path, line_no=exc.line_no) from None
    msg = "already exists; pass --merge to add to it or --force to overwrite it"
    raise LexiconError(msg, path=out)


def _cmd_export(args: argparse.Namespace) -> int:
    lex = _load(args.file)
    text, skipped = export_lexicon(lex, args.fmt, variant=args.variant)
    _write_output(args.output, text)
    if skipped:
        words = ", ".join(h.text for h in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        _note(f"{len(skipped)} entries left out ({args.fmt} cannot express them): {words}")
    if args.fmt == "capswriter":
        if any(h.pinyin for h in lex.hotwords):
            _note("capswriter has no pinyin; it was not exported")
    elif args.fmt not in ("toml", "csv", "capswriter-rule") and any(
        h.aliases or h.pinyin or h.block_contexts for h in lex.hotwords
    ):
        _note(f"{args.fmt} has no aliases, pinyin or block_contexts; they were not exported")
    return 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from hotfuse.formats import corpus
    from hotfuse.learn import learn

    if args.ref is not None:
        if args.hyp is None:
            msg = "--ref needs --hyp (the recognized text of the same utterances)"
            raise LexiconError(msg)
        refs = corpus.read_texts(args.ref)
        hyps = corpus.read_texts(args.hyp)
        aligned = corpus.align_ids(refs, hyps, missing="skip")
        pairs = [(h or "", r) for r, h in zip(aligned.refs, aligned.hyps, strict=True)]
    else:
        if args.hyp is not None:
            msg = "--hyp goes with --ref"
            raise LexiconError(msg)
        pairs = corpus.read_correction_pairs(args.pairs or args.rectify)
    result = learn(pairs, min_support=args.min_support, frequency=not args.no_frequency)
    learned = result.lexicon
    if args.output == "-":
        if not args.json:
            sys.stdout.write(learned.dumps())
    else:
        locked_update(args.output, lambda lex: lex.merge(learned), create=True)
    if args.json:
        payload = {
            "pairs": result.pairs_read,
            "learned": [{"text": h.text, "aliases": list(h.aliases)} for h in learned.hotwords],
            "rejected": [
                {"term": r.term, "alias": r.alias, "support": r.support, "reason": r.reason}
                for r in result.rejected
            ],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    n_alias = sum(len(h.aliases) for h in learned.hotwords)
    _note(
        f"learned {n_alias} alias(es) for {len(learned.hotwords)} term(s) from "
        f"{result.pairs_read} pair(s); {len(result.rejected)} left out"
    )
    for r in result.rejected[:10]:
        _note(f"  not learned: {r.alias} -> {r.term}: {r.reason}")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    if len(args.files) < 2:
        msg = "merge needs at least two lexicon files"
        raise LexiconError(msg)
    lexicons = [_load(f) for f in args.files]
    merged = lexicons[0]
    for other in lexicons[1:]:
        merged = merged.merge(other)
    if args.output == "-":
        sys.stdout.write(merged.dumps())
    elif args.output in args.files:
        locked_update(args.output, lambda lex: lex.merge(merged))
    else:
        locked_write_text(args.output, merged.dumps())
    _note(f"merged {len(args.files)} files: {len(merged.hotwords)} entries")
    return 0


_SPOKEN_SHOWN = 8  # spoken forms listed per entry (the cheapest first)


def _spoken_of(hw: Hotword) -> dict[str, Any] | None:
    """The spoken forms of a Latin or mixed entry, as the matcher uses them (None for
    other terms)."""
    from hotfuse import english

    if not (english.is_latin_term(hw.text) or english.is_mixed_term(hw.text)):
        return None
    pinyin_forms, phone_forms = english.hotword_spoken(hw.text, hw.spoken, hw.auto_spoken)
    return {
        "text": hw.text,
        "generated": hw.auto_spoken,
        "pinyin": [
            {"pinyin": f.pinyin, "source": f.source, "phones": f.phones, "cost": f.cost}
            for f in sorted(pinyin_forms, key=lambda f: f.cost)
        ],
        "phones": [
            {"phones": " ".join(f.phones), "source": f.source, "cost": f.cost}
            for f in sorted(phone_forms, key=lambda f: f.cost)
        ],
    }


def _write_spoken(out: Any, info: Mapping[str, Any]) -> None:
    how = "generated + pinned" if info["generated"] else "pinned only (auto_spoken = false)"
    out.write(f"  {info['text']}  [{how}]\n")
    forms = info["pinyin"]
    for f in forms[:_SPOKEN_SHOWN]:
        via = f" via {f['phones']}" if f["phones"] else ""
        out.write(f"    heard as {f['pinyin']:<24} cost {f['cost']:.2f}  {f['source']}{via}\n")
    if len(forms) > _SPOKEN_SHOWN:
        out.write(f"    ... and {len(forms) - _SPOKEN_SHOWN} more (--json lists all)\n")
    for f in info["phones"][:3]:
        out.write(f"    said as  {f['phones']:<24} cost {f['cost']:.2f}  {f['source']}\n")
    if not forms and not info["phones"]:
        out.write("    no spoken forms: matched by its letters only\n")


def _cmd_explain(args: argparse.Namespace) -> int:
    from hotfuse.fuser import Fuser

    lex = _load(args.file)
    if args.sentence is None:
        spoken = [x for x in map(_spoken_of, lex.hotwords) if x is not None]
        if args.json:
            json.dump({"spoken": spoken}, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            return 0
        if not spoken:
            sys.stdout.write(
                "no Latin entries: Chinese entries are matched by their pinyin; give a "
                "SENTENCE to see the decisions\n"
            )
            return 0
        sys.stdout.write(
            f"spoken forms of {len(spoken)} Latin entr{'y' if len(spoken) == 1 else 'ies'}:\n"
        )
        for info in spoken:
            _write_spoken(sys.stdout, info)
        return 0
    overrides: dict[str, Any] = {}
    if args.threshold is not None:
        overrides["threshold"] = args.threshold
    fuser = Fuser(lex, **overrides)
    candidates = fuser.candidates(args.sentence)
    result = fuser.fuse(args.sentence)
    threshold = fuser.config.threshold
    if args.json:
        payload = {
            "sentence": args.sentence,
            "fused": result.text,
            "threshold": threshold,
            "candidates": [
                {
                    "start": c.start,
                    "end": c.end,
                    "original": c.original,
                    "hotword": c.hotword,
                    "score": c.score,
                    "accepted": c.accepted,
                    "reason": c.reason,
                }
                for c in candidates
            ],
            "spoken": [x for x in map(_spoken_of, _hotwords_of(lex, candidates)) if x is not None],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"sentence:  {args.sentence}\n")
    out.write(f"fused:     {result.text}\n")
    out.write(f"threshold: {threshold:+.2f}\n")
    if not candidates:
        out.write("no span sounds like any entry of this lexicon\n")
        return 0
    out.write(f"{len(candidates)} candidate span(s):\n")
    for c in candidates:
        mark = "REPLACE" if c.accepted else "keep   "
        out.write(
            f"  {mark} [{c.start}:{c.end}] {c.original!r} -> {c.hotword!r}  "
            f"score {c.score:+.2f}  {c.reason}\n"
        )
    spoken = [x for x in map(_spoken_of, _hotwords_of(lex, candidates)) if x is not None]
    if spoken:
        out.write("spoken forms of the Latin entries above:\n")
        for info in spoken:
            _write_spoken(out, info)
    return 0


def _hotwords_of(lex: Lexicon, candidates: Sequence[Any]) -> list[Hotword]:
    """The entries that the candidates name, in lexicon order."""
    named = {c.hotword for c in candidates}
    return [hw for hw in lex.hotwords if hw.text in named]
