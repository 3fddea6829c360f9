"""The ``hotfuse`` command line (work in progress: subcommands are wired as they land)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from hotfuse.errors import HotfuseError

__all__ = ["build_parser", "main"]

# Modules that add subcommands: each has ``register(subparsers) -> None`` which adds its
# parsers and sets ``func=handler`` where ``handler(args) -> int`` is the exit code.
_COMMAND_MODULES = ("hotfuse.cli_lexicon", "hotfuse.cli_eval", "hotfuse.cli_transcribe")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotfuse", description=__doc__)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose, stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except HotfuseError as exc:
        print(f"hotfuse: error: {exc}", file=sys.stderr)
        return 1
