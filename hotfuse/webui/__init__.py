"""``hotfuse webui``: a local web page for recognition at batch size 1 plus fusion.

Tabs: Recognize (one file or a recording: first pass and fused text side by side,
replacements highlighted and explained, token times, txt / JSON / SRT downloads), Batch
(many files one after another, a results table, JSONL or zip), Text (paste a transcript
or a recognizer's JSON result; the page opens here when started without ``--model``) and
System (device, versions, GPU memory, RTF, lexicons). ``POST /api/fuse`` is a plain JSON
endpoint for pipelines.

Built on Starlette and uvicorn with a hand-written page (``pip install 'hotfuse[webui]'``):
the page loads nothing from outside the machine, starts in under a second without a
model, and every text it shows is set as text, never as HTML. This package's
``__init__`` imports no web stack; :func:`handler` does, when the command runs.

Example::

    hotfuse webui                                   # Text tab only, http://127.0.0.1:7860
    hotfuse webui --model models/seaco-paraformer --lexicon lexicons/ai-speech.toml
    curl -s http://127.0.0.1:7860/api/fuse -H 'Content-Type: application/json' \\
         -d '{"text": "伊丽沙白这会儿真太高兴了", "hotwords": ["伊丽莎白"]}'
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from typing import Any

from hotfuse.errors import InputError, MissingDependencyError

__all__ = ["handler", "register", "serve"]

_EPILOG = """\
examples:
  hotfuse webui                                  # fuse text in the browser, no model
  hotfuse webui --model models/seaco-paraformer --lexicon lexicons/ai-speech.toml
  hotfuse webui --model DIR --vad-model models/fsmn-vad --device cuda:0
  hotfuse webui --host 0.0.0.0 --port 8080       # reachable from the network: a choice

JSON endpoint (for pipelines):
  curl -s http://127.0.0.1:7860/api/fuse -H 'Content-Type: application/json' \\
       -d '{"text": "伊丽沙白这会儿真太高兴了", "hotwords": ["伊丽莎白"]}'

needs: pip install 'hotfuse[webui]' (and 'hotfuse[funasr]' for --model).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``webui`` subcommand."""
    p = subparsers.add_parser(
        "webui",
        help="a local web page: recognise at batch size 1, then fuse hotwords",
        description="Serve the hotfuse page (Recognize, Batch, Text, System tabs).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", metavar="DIR", help="FunASR Paraformer model directory")
    p.add_argument("--vad-model", metavar="DIR", help="FunASR VAD model directory (fsmn-vad)")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N")
    p.add_argument(
        "--lexicon",
        "-l",
        action="append",
        default=[],
        metavar="FILE",
        help="a lexicon offered on the page (repeatable)",
    )
    p.add_argument("--config", "-c", metavar="FILE", help="a fusion config (from 'hotfuse tune')")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")  # fmt: skip
    p.add_argument("--port", type=int, default=7860, help="port (default 7860; 0 picks one)")
    p.add_argument("--max-upload-mb", type=float, default=200.0, metavar="MB",
                   help="largest request body accepted (default 200)")  # fmt: skip
    p.set_defaults(func=handler)


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _import_stack() -> None:
    for pkg, modules in (
        ("starlette", ("starlette",)),
        ("uvicorn", ("uvicorn",)),
        ("python-multipart", ("python_multipart", "multipart")),
    ):
        if not any(_installed(m) for m in modules):
            raise MissingDependencyError(pkg, "webui", "hotfuse webui")


def _bind(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        msg = f"--port must be in 0..65535, got {port}"
        raise InputError(msg)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        msg = f"cannot bind --host {host!r} ({exc.strerror}); give an address such as 127.0.0.1"
        raise InputError(msg) from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        msg = f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port"
        raise InputError(msg) from None
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(service: Any, *, host: str, port: int, max_upload_bytes: int) -> int:
    """Bind, print the address on stderr, and serve until interrupted."""
    import uvicorn

    from hotfuse.webui.app import create_app

    sock = _bind(host, port)
    real_port = sock.getsockname()[1]
    app = create_app(service, host=host, port=real_port, max_upload_bytes=max_upload_bytes)
    shown = f"[{host}]" if ":" in host else host
    print(f"hotfuse webui: serving on http://{shown}:{real_port}/ (Ctrl+C stops)", file=sys.stderr)
    if not app.state.local_only:
        print(
            f"hotfuse webui: bound to {host}: anyone who can reach this machine can use the page",
            file=sys.stderr,
        )
    sys.stderr.flush()
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, server_header=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; exit through Python so
    # that the temporary directory is removed.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
        app.state.tmp.cleanup()
    return 0


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def handler(args: argparse.Namespace) -> int:
    """Run ``hotfuse webui``; return the exit code."""
    _import_stack()
    from hotfuse import load_config
    from hotfuse.webui.service import WebService

    if args.max_upload_mb <= 0:
        msg = f"--max-upload-mb must be positive, got {args.max_upload_mb}"
        raise InputError(msg)
    config = load_config(args.config) if args.config else None
    recognizer = None
    if args.model is None and args.vad_model is not None:
        msg = "--vad-model needs --model"
        raise InputError(msg)
    service = WebService(args.lexicon, config=config)  # lexicon errors before the model loads
    if args.model is not None:
        from hotfuse.runners.paraformer import ParaformerRecognizer

        print(f"hotfuse webui: loading {args.model} ...", file=sys.stderr, flush=True)
        recognizer = ParaformerRecognizer(args.model, device=args.device, vad_model=args.vad_model)
        service.recognizer = recognizer
        service.model_dir = args.model
        service.vad_model = args.vad_model
    return serve(
        service,
        host=args.host,
        port=args.port,
        max_upload_bytes=int(args.max_upload_mb * 1e6),
    )
