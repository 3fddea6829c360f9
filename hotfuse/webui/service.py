"""What the web page does, without the web stack: fusion requests, recognition, figures.

:class:`WebService` holds the lexicons given on the command line, an optional
:class:`~hotfuse.runners.paraformer.ParaformerRecognizer`, and a small cache of compiled
:class:`~hotfuse.Fuser` objects (one per hotword set). Every method returns plain,
JSON-ready data; :mod:`hotfuse.webui.app` only moves it over HTTP. Nothing here imports
starlette, uvicorn or torch (torch is touched only through a loaded recognizer).

>>> svc = WebService()
>>> rec = svc.fuse_request({"text": "伊丽沙白这会儿真太高兴了", "hotwords": "伊丽莎白 达西"})
>>> rec["text"], rec["replacements"][0]["original"], rec["replacements"][0]["hotword"]
('伊丽莎白这会儿真太高兴了', '伊丽沙白', '伊丽莎白')
>>> [s["text"] for s in rec["fused_segments"]]
['伊丽莎白', '这会儿真太高兴了']
"""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from hotfuse import (
    FuseConfig,
    Fuser,
    FuseResult,
    Hotword,
    InputError,
    Lexicon,
    Token,
    Transcript,
    __version__,
)
from hotfuse.formats.records import replacement_record, token_record

__all__ = [
    "NO_HOTWORDS_LINE",
    "LoadedLexicon",
    "WebService",
    "bundle_zip",
    "parse_hotwords",
    "srt_from_transcript",
]

logger = logging.getLogger("hotfuse")

#: What the System tab says about the model's own biasing.
NO_HOTWORDS_LINE = (
    "The model runs with no hotwords: recognition is at batch size 1 with biasing off, "
    "and hotwords are applied afterwards by hotfuse on the CPU (no GPU memory)."
)
_SPLIT = re.compile(r"[\s,，、;；]+")
_SENTENCE_END = re.compile(r"[。！？!?；;，,、]")
_AUDIO_NATIVE = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".aiff", ".aif"})
_FUSER_CACHE_SIZE = 8
#: Hotword files a page may add (each stays in memory until the server stops).
MAX_UPLOADED_LEXICONS = 32
_FORMAT_BY_SUFFIX = {".toml": "toml", ".csv": "csv", ".json": "aliyun", ".txt": "funasr"}


def parse_hotwords(text: str) -> list[str]:
    """Hotwords typed in a box: one per line, or separated by spaces or commas on one line.

    Lines starting with ``#`` are comments; duplicates are dropped (first kept). A line
    may hold a multi-word term (``New York``) when the box has several lines.

    >>> parse_hotwords("伊丽莎白 达西，宾利")
    ['伊丽莎白', '达西', '宾利']
    >>> parse_hotwords("New York\\n# a comment\\n达西\\n达西")
    ['New York', '达西']
    """
    if not isinstance(text, str):
        msg = f"hotwords must be text, one per line or space separated, not {type(text).__name__}"
        raise InputError(msg)
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    words = lines if len(lines) > 1 else [w for ln in lines for w in _SPLIT.split(ln) if w]
    return list(dict.fromkeys(words))


def _coerce_words(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return parse_hotwords(value)
    if isinstance(value, list | tuple) and all(isinstance(w, str) for w in value):
        return list(dict.fromkeys(w.strip() for w in value if w.strip()))
    msg = "'hotwords' must be a string (one per line or space separated) or a list of strings"
    raise InputError(msg)


def _fmt_srt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def srt_from_transcript(
    tr: Transcript, *, max_chars: int = 24, max_seconds: float = 7.0, max_gap: float = 1.0
) -> str | None:
    """SubRip subtitles of ``tr``'s text with its token times; None when it has no times.

    A cue ends after sentence punctuation, before a pause longer than ``max_gap``
    seconds, or when it would exceed ``max_chars`` characters or ``max_seconds``.

    >>> times = [(0, 0.2), (0.2, 0.4), (2, 2.3), (2.3, 2.5)]
    >>> tr = Transcript.from_text("你好。再见", timestamps=times)
    >>> print(srt_from_transcript(tr))
    1
    00:00:00,000 --> 00:00:00,400
    你好。
    <BLANKLINE>
    2
    00:00:02,000 --> 00:00:02,500
    再见
    <BLANKLINE>
    """
    timed = [
        (tok, span)
        for tok, span in zip(tr.tokens, tr.spans, strict=True)
        if tok.start is not None and tok.end is not None
    ]
    if not timed:
        return None
    cues: list[tuple[float, float, int, int]] = []  # start, end, char_from, char_to
    first = timed[0]
    c_start, c_end, c_from = first[0].start or 0.0, first[0].end or 0.0, first[1][0]
    for k, (tok, span) in enumerate(timed):
        c_end = max(c_end, tok.end or 0.0)
        nxt = timed[k + 1] if k + 1 < len(timed) else None
        if nxt is None:
            cues.append((c_start, c_end, c_from, len(tr.text)))
            break
        between = tr.text[span[1] : nxt[1][0]]
        n_start = nxt[0].start or 0.0
        split = (
            bool(_SENTENCE_END.search(between))
            or n_start - (tok.end or 0.0) > max_gap
            or nxt[1][1] - c_from > max_chars
            or (nxt[0].end or 0.0) - c_start > max_seconds
        )
        if split:
            cues.append((c_start, c_end, c_from, nxt[1][0]))
            c_start, c_end, c_from = n_start, nxt[0].end or 0.0, nxt[1][0]
    out = []
    for i, (s, e, a, b) in enumerate(cues, start=1):
        text = tr.text[a:b].strip()
        if text:
            out.append(f"{i}\n{_fmt_srt_time(s)} --> {_fmt_srt_time(max(e, s))}\n{text}\n")
    return "\n".join(out)


def _segments(text: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """``text`` cut into runs: ``{"text", "rep"}`` with ``rep`` the replacement index."""
    out: list[dict[str, Any]] = []
    pos = 0
    for i, (a, b) in enumerate(spans):
        if a > pos:
            out.append({"text": text[pos:a], "rep": None})
        out.append({"text": text[a:b], "rep": i})
        pos = b
    if pos < len(text) or not out:
        out.append({"text": text[pos:], "rep": None})
    return out


def fusion_record(res: FuseResult) -> dict[str, Any]:
    """The page's view of one fusion: the house record plus highlight runs, times, SRT.

    ``text``, ``original`` and each replacement's fields are those of
    :mod:`hotfuse.formats.records`; each replacement adds ``time_start`` / ``time_end``
    (seconds, from the first pass), ``tokens`` are the first pass's tokens, and
    ``original_segments`` / ``fused_segments`` cut both texts into runs whose ``rep``
    names the replacement they show (None between replacements).
    """
    src = res.source
    reps: list[dict[str, Any]] = []
    fused_spans: list[tuple[int, int]] = []
    shift = 0
    for r in res.replacements:
        t0, t1 = src.span_times(r.start, r.end)
        fs = r.start + shift
        fused_spans.append((fs, fs + len(r.hotword)))
        shift += len(r.hotword) - (r.end - r.start)
        reps.append({**replacement_record(r), "time_start": t0, "time_end": t1})
    return {
        "original": src.text,
        "text": res.text,
        "replacements": reps,
        "original_segments": _segments(src.text, [(r.start, r.end) for r in res.replacements]),
        "fused_segments": _segments(res.text, fused_spans),
        "tokens": [token_record(t) for t in src.tokens],
        "has_times": src.has_times,
        "has_confidences": src.has_confidences,
        "srt": srt_from_transcript(res.transcript),
    }


def bundle_zip(records: Sequence[Mapping[str, Any]]) -> bytes:
    """A zip of batch results: ``results.jsonl`` plus ``NAME.txt`` / ``.json`` / ``.srt``.

    Each record is what :meth:`WebService.recognize` returned (or an error record with
    ``file`` and ``error``); file names are reduced to their last path part and made
    unique, so nothing can be written outside the archive's folder.
    """
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        lines = [json.dumps(r, ensure_ascii=False) for r in records]
        zf.writestr("results.jsonl", "".join(ln + "\n" for ln in lines))
        for k, rec in enumerate(records, start=1):
            if not isinstance(rec, Mapping) or "error" in rec:
                continue
            raw = str(rec.get("file") or f"file{k}")
            stem = re.sub(r"[^\w.\-]+", "_", raw.replace("\\", "/").rsplit("/", 1)[-1])
            stem = stem.rsplit(".", 1)[0] or f"file{k}"
            name, n = stem, 1
            while name in used:
                n += 1
                name = f"{stem}-{n}"
            used.add(name)
            zf.writestr(f"{name}.txt", str(rec.get("text", "")) + "\n")
            zf.writestr(f"{name}.json", json.dumps(rec, ensure_ascii=False, indent=1))
            if rec.get("srt"):
                zf.writestr(f"{name}.srt", str(rec["srt"]))
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class LoadedLexicon:
    """A lexicon file given with ``--lexicon``, offered on the page by ``name``."""

    name: str
    path: str
    hotwords: tuple[Hotword, ...]


def _transcript_from_json(obj: object) -> Transcript:
    """hotfuse's own token records, else any recognizer result the frontends know."""
    if isinstance(obj, Mapping) and isinstance(obj.get("tokens"), list) and obj["tokens"]:
        toks = []
        for i, t in enumerate(obj["tokens"]):
            if not isinstance(t, Mapping) or not isinstance(t.get("text"), str):
                msg = f"tokens[{i}] must be an object with a 'text' string"
                raise InputError(msg)
            toks.append(Token(t["text"], t.get("start"), t.get("end"), t.get("confidence")))
        text = obj.get("text")
        return Transcript.from_tokens(toks, text if isinstance(text, str) else None)
    from hotfuse.frontends import to_transcript

    return to_transcript(obj)


class WebService:
    """The page's work: fusion (any number at once) and recognition (one at a time).

    Args:
        lexicons: lexicon files to offer (TOML or any format ``Lexicon.load`` reads).
        recognizer: a loaded ``ParaformerRecognizer``, or None for a text-only page.
        model_dir: the model directory shown on the System tab.
        vad_model: the VAD model directory shown on the System tab.
        config: the fusion configuration (``hotfuse tune`` output), or None.
    """

    def __init__(
        self,
        lexicons: Sequence[str | Path] = (),
        *,
        recognizer: Any = None,
        model_dir: str | None = None,
        vad_model: str | None = None,
        config: FuseConfig | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.model_dir = model_dir
        self.vad_model = vad_model
        self.config = config if config is not None else FuseConfig()
        self.lexicons: dict[str, LoadedLexicon] = {}
        for p in lexicons:
            lex = Lexicon.load(p)
            name = Path(p).stem
            n = 1
            while name in self.lexicons:
                n += 1
                name = f"{Path(p).stem}-{n}"
            self.lexicons[name] = LoadedLexicon(name, str(p), tuple(lex.hotwords))
        self._uploaded = 0
        self._lexicons_lock = threading.Lock()
        self._fusers: OrderedDict[tuple[Any, ...], Fuser] = OrderedDict()
        self._fusers_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.last_call: dict[str, Any] | None = None
        self.jobs_done = 0

    # ------------------------------------------------------------------ lexicons
    def add_lexicon(self, data: bytes, filename: str, fmt: str = "auto") -> dict[str, Any]:
        """Offer a hotword file sent from the page, in any format ``hotfuse lexicon
        import`` reads; ``"auto"`` goes by the suffix (.toml, .csv, .json for Aliyun,
        anything else one word per line with an optional FunASR weight).

        Raises:
            InputError: not UTF-8, an unknown format, or too many files added.
            LexiconError: a line cannot be read (the message names the file and line).
        """
        from hotfuse.formats.hotword_files import LexiconFormat, import_lexicon

        name = Path(filename.replace("\\", "/")).name or "hotwords.txt"
        if fmt == "auto":
            fmt = _FORMAT_BY_SUFFIX.get(Path(name).suffix.lower(), "funasr")
        known = [f.value for f in LexiconFormat]
        if fmt not in known:
            msg = f"unknown hotword file format {fmt!r}; use auto or one of {', '.join(known)}"
            raise InputError(msg)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            msg = f"{name}: not UTF-8 text; convert it first (iconv -f GBK -t UTF-8 {name})"
            raise InputError(msg) from None
        lex = import_lexicon(text, fmt, path=name)
        if not lex.hotwords:
            msg = f"{name}: no hotwords found (read as {fmt}); check the file or the format"
            raise InputError(msg)
        with self._lexicons_lock:
            if self._uploaded >= MAX_UPLOADED_LEXICONS:
                msg = (
                    f"{MAX_UPLOADED_LEXICONS} hotword files were added already; restart the "
                    "page, or pass the lexicons you use with --lexicon"
                )
                raise InputError(msg)
            stem = Path(name).stem or "hotwords"
            key, n = stem, 1
            while key in self.lexicons:
                n += 1
                key = f"{stem}-{n}"
            self.lexicons[key] = LoadedLexicon(key, f"{name} (added in the page)", lex.hotwords)
            self._uploaded += 1
        return {"name": key, "size": len(lex.hotwords), "format": fmt}

    # ------------------------------------------------------------------ fusion
    def _hotwords(self, words: Sequence[str], lexicons: Sequence[str]) -> list[Hotword | str]:
        out: list[Hotword | str] = []
        for name in lexicons:
            lex = self.lexicons.get(name)
            if lex is None:
                known = ", ".join(self.lexicons) or "none (start with --lexicon FILE)"
                msg = f"unknown lexicon {name!r}; loaded lexicons: {known}"
                raise InputError(msg)
            out.extend(lex.hotwords)
        out.extend(words)
        return out

    def fuser(self, words: Sequence[str], lexicons: Sequence[str] = ()) -> Fuser | None:
        """The compiled Fuser for these typed words and lexicon names (cached), or None."""
        key = (tuple(words), tuple(lexicons))
        with self._fusers_lock:
            hit = self._fusers.get(key)
            if hit is not None:
                self._fusers.move_to_end(key)
                return hit
        hotwords = self._hotwords(words, lexicons)
        if not hotwords:
            return None
        fuser = Fuser(hotwords, self.config)
        with self._fusers_lock:
            self._fusers[key] = fuser
            while len(self._fusers) > _FUSER_CACHE_SIZE:
                self._fusers.popitem(last=False)
        return fuser

    def fuse_request(self, payload: object) -> dict[str, Any]:
        """Serve one JSON fusion request.

        ``payload`` is ``{"text": str}`` (optionally with ``confidences`` and
        ``timestamps`` lists) or ``{"result": <recognizer result>}``, plus ``hotwords``
        (a list, or text one per line / space separated) and/or ``lexicons`` (names).

        Raises:
            InputError: a missing or malformed field, or no hotwords at all.
        """
        if not isinstance(payload, Mapping):
            msg = 'send a JSON object: {"text": "...", "hotwords": ["..."]}'
            raise InputError(msg)
        words = _coerce_words(payload.get("hotwords"))
        lex = payload.get("lexicons") or []
        if not isinstance(lex, list) or not all(isinstance(x, str) for x in lex):
            msg = "'lexicons' must be a list of lexicon names (see /api/info)"
            raise InputError(msg)
        if "result" in payload:
            transcript = _transcript_from_json(payload["result"])
        elif isinstance(payload.get("text"), str):
            transcript = Transcript.from_text(
                payload["text"], payload.get("confidences"), payload.get("timestamps")
            )
        else:
            msg = "give 'text' (a transcript string) or 'result' (a recognizer's JSON result)"
            raise InputError(msg)
        fuser = self.fuser(words, lex)
        if fuser is None:
            msg = "no hotwords: type some in the Hotwords box (or 'hotwords'), or pick a lexicon"
            raise InputError(msg)
        return fusion_record(fuser.fuse(transcript))

    def fuse_text_box(self, content: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The Text tab: ``content`` is a transcript, or JSON (a recognizer result)."""
        stripped = content.strip()
        req = dict(payload)
        if stripped.startswith(("{", "[")):
            try:
                req["result"] = json.loads(stripped)
            except json.JSONDecodeError as exc:
                msg = (
                    f"the text starts like JSON but is not valid JSON ({exc.msg} at line "
                    f"{exc.lineno}, column {exc.colno}); fix it or paste plain text"
                )
                raise InputError(msg) from None
        else:
            req["text"] = content
        return self.fuse_request(req)

    # ------------------------------------------------------------------ recognition
    def decode_audio(self, path: Path, name: str) -> Any:
        """16 kHz mono float32 samples of an uploaded file; errors name ``name``, not the path."""
        from hotfuse.runners.audio import load_audio

        try:
            return load_audio(path)
        except InputError as exc:
            text = str(exc).replace(str(path), name)
            ext = path.suffix.lower()
            if ext not in _AUDIO_NATIVE and shutil.which("ffmpeg") is None:
                text = (
                    f"{name}: {ext or 'this'} files need ffmpeg, which is not installed here "
                    "(apt-get install ffmpeg); or upload wav, flac or mp3"
                )
            raise InputError(text) from None

    def recognize(
        self,
        path: Path,
        name: str,
        words: Sequence[str] = (),
        lexicons: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Decode ``path``, recognise it at batch size 1, fuse; return the page's record.

        Call it from one thread at a time (the app queues jobs); the fuser is built
        before the model runs, so a bad lexicon name costs no recognition.

        Raises:
            InputError: the file is unreadable, or no recognizer is loaded.
            RecognizerError: the model failed.
        """
        if self.recognizer is None:
            msg = "no recognizer is loaded: start the page with 'hotfuse webui --model DIR'"
            raise InputError(msg)
        fuser = self.fuser(words, lexicons)
        samples = self.decode_audio(path, name)
        res = self.recognizer.transcribe(samples)
        fused = fuser.fuse(res.transcript) if fuser is not None else None
        if fused is None:
            fused = FuseResult(res.transcript.text, (), res.transcript, res.transcript)
        rec = {
            "file": name,
            "first_pass": res.transcript.text,
            **fusion_record(fused),
            "fused": fuser is not None,
            "audio_seconds": round(res.audio_seconds, 3),
            "elapsed_seconds": round(res.elapsed_seconds, 4),
            "rtf": round(res.rtf, 5),
            "peak_gpu_bytes": res.peak_gpu_bytes,
            "device": res.device,
        }
        with self._stats_lock:
            self.jobs_done += 1
            self.last_call = {
                "file": name,
                "audio_seconds": rec["audio_seconds"],
                "elapsed_seconds": rec["elapsed_seconds"],
                "rtf": rec["rtf"],
                "peak_gpu_bytes": res.peak_gpu_bytes,
                "at": time.strftime("%H:%M:%S"),
            }
        return rec

    # ------------------------------------------------------------------ system
    def system_info(self) -> dict[str, Any]:
        """The System tab's figures (torch is asked only when a model is loaded)."""
        info: dict[str, Any] = {
            "hotfuse": __version__,
            "model_dir": self.model_dir,
            "vad_model": self.vad_model,
            "model_class": getattr(self.recognizer, "model_class", None),
            "device": getattr(self.recognizer, "device", None),
            "lexicons": [
                {"name": lx.name, "path": lx.path, "size": len(lx.hotwords)}
                for lx in self.lexicons.values()
            ],
            "threshold": self.config.threshold,
            "no_hotwords_line": NO_HOTWORDS_LINE if self.recognizer is not None else None,
            "model_hotword_settings": None,
            "torch": _dist_version("torch"),
            "funasr": _dist_version("funasr"),
            "cuda": None,
            "cuda_available": None,
            "gpu": None,
            "jobs_done": self.jobs_done,
        }
        with self._stats_lock:
            info["last_call"] = dict(self.last_call) if self.last_call else None
        if self.recognizer is None:
            return info
        info["model_hotword_settings"] = self.recognizer.model_hotword_settings()
        import torch  # already imported by the loaded recognizer

        info["torch"] = str(torch.__version__)
        info["cuda"] = torch.version.cuda
        info["cuda_available"] = bool(torch.cuda.is_available())
        device = str(self.recognizer.device)
        if device.startswith("cuda") and torch.cuda.is_available():
            free, total = torch.cuda.mem_get_info(device)
            info["gpu"] = {
                "name": torch.cuda.get_device_name(device),
                "allocated_bytes": int(torch.cuda.memory_allocated(device)),
                "reserved_bytes": int(torch.cuda.memory_reserved(device)),
                "free_bytes": int(free),
                "total_bytes": int(total),
            }
        return info


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
