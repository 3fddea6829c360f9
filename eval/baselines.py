"""Baselines that run beside hotfuse in the benchmark.

* :func:`no_fusion`: the first-pass text unchanged.
* :class:`ExactPinyin`: replace any span whose toneless pinyin equals a hotword's exactly
  (leftmost, longest hotword first; hotwords already spelled right are kept and protect
  their characters). Simple and obviously correct: it fixes homophone and tone errors,
  nothing else, and it is blind to confidences.
* :func:`funasr_matcher`: FunASR's own text-level hotword post-processing
  (``funasr/utils/postprocess_hotwords.py``, FunASR 1.4.x): windows of the text whose
  toneless pinyin is within rapidfuzz ``ratio`` >= 0.85 (its default threshold) of a
  hotword's are replaced, best score first, without overlaps. The module needs only
  pypinyin and rapidfuzz, so it is loaded from its file without running
  ``funasr/__init__.py`` (which imports torch and prints a notice on stdout); when that
  fails it is imported normally with stdout sent to stderr. Without funasr installed the
  function returns None and the benchmark prints a note.

Each baseline is compiled once per hotword list (``prepare(words)``) and then called as
``apply(text) -> text``, like :class:`hotfuse.Fuser`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

Apply = Callable[[str], str]

__all__ = ["ExactPinyin", "funasr_available", "funasr_matcher", "no_fusion", "toneless"]


def no_fusion(text: str) -> str:
    """The hypothesis as it is.

    >>> no_fusion("伊丽沙白")
    '伊丽沙白'
    """
    return text


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _placeholder(chunk: str) -> Any:
    return [""] * len(chunk)


def toneless(text: str) -> list[str]:
    """Toneless pinyin of each character in context; "" for non-Han characters.

    >>> toneless("伊丽沙白a")
    ['yi', 'li', 'sha', 'bai', '']
    """
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(text, style=Style.NORMAL, errors=_placeholder)
    if len(out) != len(text):  # pragma: no cover - one item per character in practice
        out = [(lazy_pinyin(c, style=Style.NORMAL) or [""])[0] for c in text]
    return [p if _is_han(c) else "" for p, c in zip(out, text, strict=True)]


class ExactPinyin:
    """Replace spans whose toneless pinyin equals a hotword's.

    Only all-Han hotwords of two or more characters take part (a single syllable
    matches far too often). Where two hotwords share a pinyin the first in the list wins.

    >>> ExactPinyin(["伊丽莎白", "达西"])("伊丽沙白对大喜说")
    '伊丽莎白对达西说'
    >>> ExactPinyin(["达西"])("达西和大喜")
    '达西和达西'
    """

    def __init__(self, hotwords: Sequence[str]) -> None:
        self.hotwords = tuple(dict.fromkeys(w for w in hotwords if w))
        self._by_key: dict[tuple[str, ...], str] = {}
        for w in self.hotwords:
            if len(w) >= 2 and all(_is_han(c) for c in w):
                self._by_key.setdefault(tuple(toneless(w)), w)
        self._lengths = sorted({len(k) for k in self._by_key}, reverse=True)
        self._exact = sorted(self.hotwords, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not self._by_key:
            return text
        claimed = [False] * len(text)
        for w in self._exact:  # spelled-right hotwords protect their characters
            start = text.find(w)
            while start >= 0:
                if not any(claimed[start : start + len(w)]):
                    for k in range(start, start + len(w)):
                        claimed[k] = True
                start = text.find(w, start + 1)
        py = toneless(text)
        pieces: list[str] = []
        i = last = 0
        while i < len(text):
            hit: str | None = None
            for n in self._lengths:
                span = py[i : i + n]
                if len(span) == n and "" not in span and not any(claimed[i : i + n]):
                    found = self._by_key.get(tuple(span))
                    if found is not None:
                        hit = found
                        break
            if hit is None:
                i += 1
                continue
            pieces.append(text[last:i])
            pieces.append(hit)
            i += len(hit)
            last = i
        pieces.append(text[last:])
        return "".join(pieces)


@lru_cache(maxsize=1)
def _funasr_module() -> ModuleType | None:
    spec = importlib.util.find_spec("funasr")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "utils" / "postprocess_hotwords.py"
    if path.is_file():
        sub = importlib.util.spec_from_file_location("_hotfuse_funasr_postprocess", path)
        if sub is not None and sub.loader is not None:
            module = importlib.util.module_from_spec(sub)
            sys.modules[sub.name] = module  # dataclasses look their module up here
            try:
                sub.loader.exec_module(module)
            except Exception:  # fall back to the regular import below
                sys.modules.pop(sub.name, None)
            else:
                if hasattr(module, "build_postprocess_hotword_matcher"):
                    return module
    try:
        with contextlib.redirect_stdout(sys.stderr):
            from funasr.utils import postprocess_hotwords
    except ImportError:
        return None
    return postprocess_hotwords  # type: ignore[no-any-return]


def funasr_available() -> bool:
    """True when FunASR's text-level hotword matcher can be loaded."""
    return _funasr_module() is not None


def funasr_matcher(hotwords: Sequence[str]) -> Apply | None:
    """FunASR's post-processing matcher for ``hotwords`` at its defaults, or None.

    None means funasr is not installed. An empty list gives the identity.

    >>> m = funasr_matcher(["伊丽莎白"])
    >>> m is None or m("伊丽沙白这会儿") == "伊丽莎白这会儿"
    True
    """
    module = _funasr_module()
    if module is None:
        return None
    matcher = module.build_postprocess_hotword_matcher(postprocess_hotwords=list(hotwords))
    if matcher is None:
        return no_fusion

    def apply(text: str) -> str:
        new_text, _ = matcher.apply_text(text)
        return str(new_text)

    return apply


# ---------------------------------------------------------------------------- asr-hotword
def asr_hotword_matcher(checkout: str | Path, hotwords: Sequence[str]) -> Apply:
    """CapsWriter's ``asr-hotword`` (HaujetZhao/asr-hotword, MIT) from a local checkout.

    Its ``hotword.PhonemeCorrector`` at its default threshold 0.85 (as its ``demo.py``
    runs it), one hotword a line. The checkout is imported from the path given; none of
    its code is in this repository.
    """
    import importlib

    root = str(Path(checkout).resolve())
    if not (Path(root) / "hotword" / "__init__.py").is_file():
        msg = f"{root}: not an asr-hotword checkout (no hotword/__init__.py)"
        raise SystemExit(msg)
    if root not in sys.path:
        sys.path.insert(0, root)
    mod = importlib.import_module("hotword")
    corrector = mod.PhonemeCorrector(threshold=0.85)
    corrector.update_hotwords("\n".join(hotwords))

    def apply(text: str) -> str:
        return str(corrector.correct(text).text)

    return apply
