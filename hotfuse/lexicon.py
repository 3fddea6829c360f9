"""Hotwords and lexicons.

A :class:`Hotword` is one domain term with the hints fusion may use: a weight, aliases
(known misrecognitions or spoken forms), explicit pinyin for polyphones and blocking
contexts.

Weight scale: ``1.0`` is the default evidence bar. Larger weights ask for less evidence
(the decision threshold is lowered by ``log(weight)``: weight 2 is roughly "accept a match
twice as unlikely"), smaller positive weights ask for more. ``0`` or a negative weight
means never insert this word; occurrences already in the transcript are left alone and
still protected from being overwritten by other hotwords.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from hotfuse.errors import InputError

__all__ = ["Hotword", "coerce_hotwords"]


def _str_tuple(value: object, field_name: str, word: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        items = tuple(value)  # type: ignore[call-overload]
    except TypeError:
        msg = f"hotword {word!r}: {field_name} must be a list of strings, got {value!r}"
        raise InputError(msg) from None
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            msg = f"hotword {word!r}: {field_name} holds {item!r}; use non-empty strings"
            raise InputError(msg)
        out.append(item.strip())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Hotword:
    """One domain term.

    Attributes:
        text: the term as it should appear in the output (``"伊丽莎白"``, ``"PyTorch"``).
        weight: evidence scale, default 1.0 (see the module docstring); <= 0 never inserts.
        aliases: other written or spoken forms that should become ``text``
            (``"克劳德"`` for ``"Claude"``); an exact alias occurrence is strong evidence.
        pinyin: explicit readings, one numbered-tone syllable per character of ``text``
            (``("chong2", "qing4")`` for ``"重庆"``); None derives them with pypinyin.
        block_contexts: words inside which a span must not be replaced (for ``"达西"``,
            ``"马达西边"`` keeps ``"达西"`` untouched when it is inside that word).
        tags: free labels (category, source) carried through to results.

    >>> Hotword("重庆", pinyin="chong2 qing4").pinyin
    ('chong2', 'qing4')
    """

    text: str
    weight: float = 1.0
    aliases: tuple[str, ...] = ()
    pinyin: tuple[str, ...] | None = None
    block_contexts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            msg = f"a hotword must be a non-empty string, got {self.text!r}"
            raise InputError(msg)
        object.__setattr__(self, "text", self.text.strip())
        w = self.weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            msg = f"hotword {self.text!r}: weight must be a finite number, got {w!r}"
            raise InputError(msg)
        object.__setattr__(self, "weight", float(w))
        object.__setattr__(self, "aliases", _str_tuple(self.aliases, "aliases", self.text))
        object.__setattr__(
            self, "block_contexts", _str_tuple(self.block_contexts, "block_contexts", self.text)
        )
        object.__setattr__(self, "tags", _str_tuple(self.tags, "tags", self.text))
        if self.pinyin is not None:
            py = self.pinyin
            if isinstance(py, str):
                py = tuple(py.replace(",", " ").split())
            object.__setattr__(self, "pinyin", _str_tuple(py, "pinyin", self.text))

    @classmethod
    def coerce(cls, value: object) -> Hotword:
        """A Hotword from a Hotword, a string or a mapping of Hotword fields."""
        if isinstance(value, Hotword):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, dict):
            try:
                return cls(**value)
            except TypeError as exc:
                msg = f"bad hotword mapping {value!r}: {exc}"
                raise InputError(msg) from None
        msg = (
            f"a hotword must be a string, a Hotword or a mapping, got {type(value).__name__}"
            f" ({value!r})"
        )
        raise InputError(msg)


def coerce_hotwords(hotwords: object) -> tuple[Hotword, ...]:
    """Normalise a hotword argument into Hotwords, merging duplicates (first one wins).

    Accepts an iterable of strings / Hotwords / mappings, or any object with a
    ``hotwords`` attribute holding such an iterable (a :class:`Lexicon`).

    >>> [h.text for h in coerce_hotwords(["达西", " 达西 ", "伊丽莎白"])]
    ['达西', '伊丽莎白']
    """
    if hotwords is None:
        msg = "hotwords is None; pass a list of strings (it may be empty) or a Lexicon"
        raise InputError(msg)
    inner = getattr(hotwords, "hotwords", None)
    if inner is not None and not isinstance(hotwords, str | bytes):
        hotwords = inner
    if isinstance(hotwords, str | bytes):
        msg = (
            f"hotwords must be a list of words, not a single string ({hotwords!r}); "
            "wrap it in a list: [word]"
        )
        raise InputError(msg)
    if not isinstance(hotwords, Iterable):
        msg = f"hotwords must be a list of strings or a Lexicon, got {type(hotwords).__name__}"
        raise InputError(msg)
    seen: dict[str, Hotword] = {}
    for item in hotwords:
        hw = Hotword.coerce(item)
        seen.setdefault(hw.text, hw)
    return tuple(seen.values())
