"""The HTTP side of ``hotfuse webui``: a Starlette app serving one hand-written page.

Routes (all JSON unless said):

=========================  ==================================================================
``GET /``                  the page (HTML; its script, style and nothing else come from here)
``GET /static/...``        ``app.js``, ``style.css``
``GET /api/info``          the System tab's figures, the lexicons offered, the binding
``POST /api/fuse``         ``{"text"|"result", "hotwords", "lexicons"}`` -> fused record
``POST /api/fuse-box``     the Text tab: ``{"content", "hotwords", "lexicons"}``
``POST /api/recognize``    multipart ``audio`` + ``hotwords`` + ``lexicons``: recognise, fuse
``POST /api/bundle``       ``{"records": [...]}`` -> a zip of txt / JSON / SRT per file
``POST /api/lexicon``      multipart ``lexicon`` + ``format``: offer a hotword file
=========================  ==================================================================

Recognition jobs wait for one lock (one job on the model at a time, in a worker thread,
so the page and fusion requests never wait for a long file); fusion runs in worker
threads beside it. Request bodies are limited to ``max_upload_bytes``; an upload is
copied to the server's temporary directory for the job and removed right after it.
Every response carries a Content-Security-Policy that allows only this origin, so no
script, style, font or request can reach outside the machine, and no inline script runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hotfuse import HotfuseError, InputError
from hotfuse.webui.service import WebService, bundle_zip, parse_hotwords

__all__ = ["CSP", "create_app"]

logger = logging.getLogger("hotfuse")

STATIC = Path(__file__).resolve().parent / "static"
#: Only this origin; blob: for recordings and downloads made in the page.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


class _Guard:
    """ASGI middleware: security headers on every response, request bodies size-limited."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                for k, v in _HEADERS.items():
                    if k.lower().encode() not in have:
                        headers.append((k.lower().encode(), v.encode()))
                message["headers"] = headers
            await send(message)

        for k, v in scope.get("headers", []):
            if k == b"content-length" and v.isdigit() and int(v) > self.limit:
                await self._refuse(scope, receive, send_with_headers)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send_with_headers)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send_with_headers)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.limit / 1e6
        msg = (
            f"the upload is over the {mb:g} MB limit; send a smaller file or restart "
            "with a larger --max-upload-mb"
        )
        await JSONResponse({"error": msg}, status_code=413)(scope, receive, send)


def _error(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=status)


def _list_field(form: Any, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def _suffix(filename: str) -> str:
    m = re.search(r"(\.[A-Za-z0-9]{1,8})$", filename)
    return m.group(1).lower() if m else ""


def create_app(
    service: WebService,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    max_upload_bytes: int = 200_000_000,
) -> Starlette:
    """The page's app for ``service``; ``host``/``port`` only label the page."""
    tmp = tempfile.TemporaryDirectory(prefix="hotfuse-webui-")
    upload_dir = Path(tmp.name)
    model_lock = asyncio.Lock()
    queue = {"waiting": 0, "running": 0}
    local = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def info(request: Request) -> Response:
        data = await run_in_threadpool(service.system_info)
        data.update(
            host=host,
            port=port,
            local_only=local,
            has_model=service.recognizer is not None,
            max_upload_bytes=max_upload_bytes,
            queue=dict(queue),
        )
        return JSONResponse(data)

    async def read_json(request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            msg = f"the request body is not JSON ({exc}); send Content-Type: application/json"
            raise InputError(msg) from None

    async def fuse(request: Request) -> Response:
        try:
            payload = await read_json(request)
            return JSONResponse(await run_in_threadpool(service.fuse_request, payload))
        except HotfuseError as exc:
            return _error(exc)

    async def fuse_box(request: Request) -> Response:
        try:
            payload = await read_json(request)
            if not isinstance(payload, dict) or not isinstance(payload.get("content"), str):
                msg = "paste a transcript or a recognizer's JSON result into the box"
                raise InputError(msg)
            content = payload.pop("content")
            return JSONResponse(await run_in_threadpool(service.fuse_text_box, content, payload))
        except HotfuseError as exc:
            return _error(exc)

    async def recognize(request: Request) -> Response:
        if service.recognizer is None:
            msg = "no recognizer is loaded: start the page with 'hotfuse webui --model DIR'"
            return _error(InputError(msg), 409)
        path: Path | None = None
        try:
            async with request.form(max_files=1, max_fields=200) as form:
                audio = form.get("audio")
                if not isinstance(audio, UploadFile) or not audio.filename:
                    msg = "choose an audio file (wav, flac, mp3) or record one first"
                    raise InputError(msg)
                name = Path(audio.filename.replace("\\", "/")).name or "audio"
                raw = form.get("hotwords")
                words = parse_hotwords(raw) if isinstance(raw, str) else []
                lexicons = _list_field(form, "lexicons")
                path = upload_dir / f"{uuid.uuid4().hex}{_suffix(name)}"
                with open(path, "wb") as fh:
                    while chunk := await audio.read(1 << 20):
                        fh.write(chunk)
            queue["waiting"] += 1
            entered = False
            try:
                async with model_lock:
                    entered = True
                    queue["waiting"] -= 1
                    queue["running"] += 1
                    try:
                        rec = await run_in_threadpool(
                            service.recognize, path, name, words, lexicons
                        )
                    finally:
                        queue["running"] -= 1
            finally:
                if not entered:
                    queue["waiting"] -= 1
            return JSONResponse(rec)
        except HotfuseError as exc:
            return _error(exc, 422 if path is not None else 400)
        finally:
            if path is not None:
                path.unlink(missing_ok=True)

    async def add_lexicon(request: Request) -> Response:
        try:
            async with request.form(max_files=1, max_fields=10) as form:
                upload = form.get("lexicon")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    msg = "choose a hotword file (TOML lexicon, a word list, CSV...)"
                    raise InputError(msg)
                fmt = form.get("format")
                data = await upload.read()
                name = upload.filename
            result = await run_in_threadpool(
                service.add_lexicon, data, name, fmt if isinstance(fmt, str) else "auto"
            )
            return JSONResponse(result)
        except HotfuseError as exc:
            return _error(exc)

    async def bundle(request: Request) -> Response:
        try:
            payload = await read_json(request)
            records = payload.get("records") if isinstance(payload, dict) else None
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                msg = 'send {"records": [...]} with the batch results'
                raise InputError(msg)
        except HotfuseError as exc:
            return _error(exc)
        data = await run_in_threadpool(bundle_zip, records)
        return Response(
            data,
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="hotfuse-batch.zip"'},
        )

    routes = [
        Route("/", index),
        Route("/api/info", info),
        Route("/api/fuse", fuse, methods=["POST"]),
        Route("/api/fuse-box", fuse_box, methods=["POST"]),
        Route("/api/recognize", recognize, methods=["POST"]),
        Route("/api/bundle", bundle, methods=["POST"]),
        Route("/api/lexicon", add_lexicon, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.tmp = tmp  # cleaned up with the app (and at interpreter exit)
    app.state.upload_dir = upload_dir
    app.state.local_only = local
    app.add_middleware(_Guard, limit=max_upload_bytes)
    return app
