"""Frontends: converters between recognizer results and :class:`~hotfuse.Transcript`.

A frontend reads one recognizer's raw result (by duck typing: no recognizer package is
imported) into a Transcript whose token times are in seconds and whose confidences are
probabilities in [0, 1], and writes a :class:`~hotfuse.FuseResult` back into the
recognizer's own structure, so hotfuse drops into an existing pipeline::

    raw = model.generate(input="a.wav")            # FunASR, or Whisper, Vosk, ...
    fused = hotfuse.frontends.write_back(raw, hotfuse.fuse(raw, hotwords))

Built-in frontends, in the order auto-detection tries them: ``whisper``,
``faster_whisper``, ``wenet``, ``vosk``, ``sherpa_onnx``, then third-party ones, then the
two catch-alls ``funasr`` (any mapping with a ``text`` field) and ``text`` (a plain
string). Third-party frontends register through the entry-point group
``hotfuse.frontends``; each entry point names an object satisfying :class:`Frontend`, a
class building one with no arguments, or a factory function returning one::

    [project.entry-points."hotfuse.frontends"]
    kaldi = "mypkg.hotfuse_kaldi:KaldiFrontend"

Entry points are loaded lazily (when listing, when a name is not built-in, or when no
built-in recognizes a result); one that fails to load is skipped with a logged warning.

Example:
    >>> from hotfuse.frontends import to_transcript
    >>> t = to_transcript({"key": "a", "text": "欢 迎", "timestamp": [[50, 290], [290, 530]]})
    >>> t.text, [(tok.text, tok.start, tok.end) for tok in t.tokens]
    ('欢迎', [('欢', 0.05, 0.29), ('迎', 0.29, 0.53)])
"""

from __future__ import annotations

import importlib
import logging
import threading
from importlib import metadata
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from hotfuse.errors import FrontendOutputError, UnknownFrontendError
from hotfuse.transcript import Transcript

if TYPE_CHECKING:
    from hotfuse.result import FuseResult

__all__ = [
    "ENTRY_POINT_GROUP",
    "Frontend",
    "available_frontends",
    "detect_frontend",
    "get_frontend",
    "register_frontend",
    "to_transcript",
    "write_back",
]

log = logging.getLogger("hotfuse")

ENTRY_POINT_GROUP = "hotfuse.frontends"


@runtime_checkable
class Frontend(Protocol):
    """What a frontend provides. Any object with these members will do.

    Attributes:
        name: the registry name (``"funasr"``, ``"whisper"``...).
    """

    name: str

    def detect(self, raw: object) -> bool:
        """True when ``raw`` looks like this recognizer's result (cheap, never raises)."""
        ...

    def to_transcript(self, raw: object) -> Transcript:
        """Convert ``raw`` (times to seconds, scores to [0, 1] probabilities).

        Raises:
            FrontendOutputError: ``raw`` lacks a field this format needs.
        """
        ...

    def write_back(self, raw: object, result: FuseResult) -> object:
        """Return a copy of ``raw`` in the recognizer's structure, holding the fused text."""
        ...


# name -> "module:attribute"; the order is the auto-detection order (catch-alls last)
_BUILTIN_SPECIFIC: dict[str, str] = {
    "whisper": "hotfuse.frontends.whisper:WhisperFrontend",
    "faster_whisper": "hotfuse.frontends.faster_whisper:FasterWhisperFrontend",
    "wenet": "hotfuse.frontends.wenet:WenetFrontend",
    "vosk": "hotfuse.frontends.vosk:VoskFrontend",
    "sherpa_onnx": "hotfuse.frontends.sherpa_onnx:SherpaOnnxFrontend",
}
_BUILTIN_CATCHALL: dict[str, str] = {
    "funasr": "hotfuse.frontends.funasr:FunasrFrontend",
    "text": "hotfuse.frontends.text:TextFrontend",
}
_BUILTIN = {**_BUILTIN_SPECIFIC, **_BUILTIN_CATCHALL}

_lock = threading.RLock()
_loaded: dict[str, Frontend] = {}  # built-ins instantiated on first use
_third_party: dict[str, Frontend] = {}  # registered or from entry points
_entry_points_done = False


def _builtin(name: str) -> Frontend:
    with _lock:
        fe = _loaded.get(name)
        if fe is None:
            module, attr = _BUILTIN[name].split(":")
            fe = getattr(importlib.import_module(module), attr)()
            _loaded[name] = fe
        return fe


def _coerce_frontend(obj: object, name: str) -> Frontend:
    """An entry point's object: a Frontend, a class, or a factory returning one."""
    if isinstance(obj, Frontend) and not isinstance(obj, type):
        return obj
    if callable(obj):
        made = obj()
        if isinstance(made, Frontend) and not isinstance(made, type):
            return made
        obj = made
    msg = (
        f"entry point {name!r} gave {type(obj).__name__}, which lacks the Frontend members "
        "name, detect(), to_transcript() and write_back()"
    )
    raise TypeError(msg)


def _load_entry_points() -> None:
    global _entry_points_done
    with _lock:
        if _entry_points_done:
            return
        _entry_points_done = True
        try:
            eps = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
        except Exception as exc:  # a broken distribution's metadata
            log.warning("could not list the %r entry points: %s", ENTRY_POINT_GROUP, exc)
            return
        for ep in eps:
            if ep.name in _BUILTIN:
                log.warning(
                    "entry point %r (%s) is shadowed by the built-in frontend of that name",
                    ep.name,
                    ep.value,
                )
                continue
            if ep.name in _third_party:
                continue
            try:
                fe = _coerce_frontend(ep.load(), ep.name)
            except Exception as exc:
                log.warning(
                    "skipping frontend entry point %r (%s): %s: %s",
                    ep.name,
                    ep.value,
                    type(exc).__name__,
                    exc,
                )
                continue
            _third_party[ep.name] = fe


def register_frontend(frontend: Frontend, *, replace: bool = False) -> None:
    """Register a frontend object under ``frontend.name`` for this process.

    Args:
        frontend: an object with the :class:`Frontend` members.
        replace: allow replacing a third-party frontend of the same name.

    Raises:
        ValueError: the name is a built-in one, or taken and ``replace`` is False.
        TypeError: the object lacks a Frontend member.

    >>> class Upper:
    ...     name = "upper"
    ...     def detect(self, raw): return False
    ...     def to_transcript(self, raw): return Transcript.from_text(raw.upper())
    ...     def write_back(self, raw, result): return result.text
    >>> register_frontend(Upper(), replace=True)
    >>> get_frontend("upper").to_transcript("abc").text
    'ABC'
    """
    if not isinstance(frontend, Frontend) or isinstance(frontend, type):
        msg = (
            f"{type(frontend).__name__} is not a frontend: it needs name, detect(), "
            "to_transcript() and write_back()"
        )
        raise TypeError(msg)
    name = frontend.name
    if not isinstance(name, str) or not name:
        msg = f"a frontend's name must be a non-empty string, got {name!r}"
        raise ValueError(msg)
    with _lock:
        if name in _BUILTIN:
            msg = f"{name!r} is a built-in frontend; register yours under another name"
            raise ValueError(msg)
        if name in _third_party and not replace:
            msg = f"a frontend named {name!r} is already registered; pass replace=True"
            raise ValueError(msg)
        _third_party[name] = frontend


def available_frontends() -> tuple[str, ...]:
    """Names of every frontend: built-ins in detection order, then third-party, sorted.

    >>> available_frontends()[:3]
    ('whisper', 'faster_whisper', 'wenet')
    """
    _load_entry_points()
    with _lock:
        third = sorted(_third_party)
    return (*_BUILTIN_SPECIFIC, *third, *_BUILTIN_CATCHALL)


def get_frontend(name: str) -> Frontend:
    """The frontend registered as ``name``.

    Raises:
        UnknownFrontendError: no such frontend; ``.available`` lists the names.

    >>> get_frontend("vosk").name
    'vosk'
    """
    if name in _BUILTIN:
        return _builtin(name)
    with _lock:
        fe = _third_party.get(name)
    if fe is None:
        _load_entry_points()
        with _lock:
            fe = _third_party.get(name)
    if fe is None:
        raise UnknownFrontendError(name, available_frontends())
    return fe


def _describe(raw: object) -> str:
    if isinstance(raw, dict):
        keys = ", ".join(repr(k) for k in list(raw)[:8])
        text = raw.get("text", "")
        if not isinstance(text, str):  # the field every result has, of the wrong type
            return f"a dict with keys {keys} whose 'text' is {type(text).__name__}, not a string"
        return f"a dict with keys {keys or '(none)'}"
    if isinstance(raw, list | tuple):
        return f"a {type(raw).__name__} of {len(raw)} items"
    return f"a {type(raw).__module__}.{type(raw).__qualname__}"


def detect_frontend(raw: object) -> Frontend:
    """The first frontend whose ``detect`` accepts ``raw``.

    Raises:
        FrontendOutputError: no frontend recognizes it; name one with ``frontend=``.

    >>> detect_frontend({"text": "你好", "segments": []}).name
    'whisper'
    """
    for name in _BUILTIN_SPECIFIC:
        fe = _builtin(name)
        if _safe_detect(fe, raw):
            return fe
    _load_entry_points()
    with _lock:
        third = [_third_party[n] for n in sorted(_third_party)]
    for fe in third:
        if _safe_detect(fe, raw):
            return fe
    for name in _BUILTIN_CATCHALL:
        fe = _builtin(name)
        if _safe_detect(fe, raw):
            return fe
    msg = (
        f"no frontend recognizes {_describe(raw)}; pass frontend=<name> "
        f"(available: {', '.join(available_frontends())}) or a Transcript"
    )
    raise FrontendOutputError(msg)


def _safe_detect(fe: Frontend, raw: object) -> bool:
    try:
        return bool(fe.detect(raw))
    except Exception as exc:  # a third-party detect() must not break auto-detection
        log.warning("frontend %r: detect() raised %s: %s", fe.name, type(exc).__name__, exc)
        return False


def _resolve(raw: object, frontend: str | Frontend | None) -> Frontend:
    if frontend is None:
        return detect_frontend(raw)
    if isinstance(frontend, str):
        return get_frontend(frontend)
    return frontend


def to_transcript(raw: object, frontend: str | Frontend | None = None) -> Transcript:
    """Convert a raw recognizer result to a Transcript.

    Args:
        raw: the recognizer's result (a Transcript is returned unchanged).
        frontend: a frontend name or object; None auto-detects.

    Raises:
        UnknownFrontendError: ``frontend`` names no frontend.
        FrontendOutputError: no frontend recognizes ``raw``, or it lacks a needed field.

    >>> to_transcript('{"result": [{"conf": 0.62, "end": 0.9, "start": 0.3, "word": "北京"}], '
    ...               '"text": "北京"}').tokens
    (Token(text='北京', start=0.3, end=0.9, confidence=0.62),)
    """
    if isinstance(raw, Transcript):
        return raw
    return _resolve(raw, frontend).to_transcript(raw)


def write_back(raw: object, result: FuseResult, frontend: str | Frontend | None = None) -> object:
    """Write ``result`` (fused from ``raw``) back into the structure of ``raw``.

    ``raw`` is never modified; a new object of the recognizer's shape is returned (a JSON
    string in, a JSON string out).

    >>> from hotfuse import fuse
    >>> raw = {"key": "a", "text": "伊 丽 沙 白", "timestamp": [[0, 200], [200, 400],
    ...        [400, 600], [600, 800]]}
    >>> write_back(raw, fuse(raw, ["伊丽莎白"]))
    {'key': 'a', 'text': '伊 丽 莎 白', 'timestamp': [[0, 200], [200, 400], [400, 600], [600, 800]]}
    """
    if isinstance(raw, Transcript):
        return result.transcript
    return _resolve(raw, frontend).write_back(raw, result)
