"""Pinyin readings, syllable decomposition and the fuzzy syllable cost table.

A syllable is ``(initial, final, tone)`` in a normalised form: ``y``/``w`` are folded
into the final (``yan`` -> ``("", "ian")``, ``wo`` -> ``("", "uo")``), ``ü`` is written
``v`` (``ju`` -> ``("j", "v")``, ``lü`` -> ``("l", "v")``), abbreviated finals are
expanded (``iu`` -> ``iou``, ``ui`` -> ``uei``, ``un`` -> ``uen``) and the neutral tone
is 5. Costs between syllables come from :class:`CostTable` (users can tune it).

Nothing here touches pypinyin's or jieba's global state: readings, phrase pinyin and word
counts come from compact, memory-mapped copies of their tables (:mod:`hotfuse._tables`,
built by ``eval/build_tables.py``), the whole count table from a private ``jieba.Tokenizer``.

Example:
    >>> from hotfuse.phonetics import syllable, char_readings, hotword_pinyin
    >>> syllable("zhuang1"), syllable("yu2"), syllable("wen4")
    (('zh', 'uang', 1), ('', 'v', 2), ('', 'uen', 4))
    >>> char_readings("重")
    ('zhong4', 'chong2', 'tong2')
    >>> hotword_pinyin("重庆")
    ('chong2', 'qing4')
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

from hotfuse._tables import char_readings_from_table, phrase_pinyin, reading_syllables, word_count

__all__ = [
    "DEFAULT_COSTS",
    "FUZZY_INITIAL_SWAPS",
    "CostTable",
    "SubstitutionTable",
    "Syllable",
    "char_frequencies",
    "char_frequency",
    "char_readings",
    "coarse_key",
    "final_distance",
    "fuzzy_variants",
    "hotword_pinyin",
    "initial_distance",
    "is_polyphone",
    "jieba_frequencies",
    "reading_ids",
    "reading_syllable_count",
    "substitution_table",
    "syllable",
    "word_frequency",
]

Syllable = tuple[str, str, int]

_INITIALS = (
    "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l",
    "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w",
)  # fmt: skip
_TWO_LETTER_INITIALS = frozenset(x for x in _INITIALS if len(x) == 2)
_ONE_LETTER_INITIALS = frozenset(x for x in _INITIALS if len(x) == 1)


_COMBINING_TONES = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}


def _mark_to_tone3(marked: str) -> str:
    """``"zhòng"`` -> ``"zhong4"`` (tone 5 when no mark; ``ü`` -> ``v``, ``ê`` -> ``e``).

    Works on the decomposed form, so precomposed and combining tone marks alike count.
    """
    import unicodedata

    tone = 5
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", marked):
        if ch in _COMBINING_TONES:
            tone = _COMBINING_TONES[ch]
        elif ch == "\u0308":  # diaeresis: u -> v
            if out and out[-1] == "u":
                out[-1] = "v"
        elif unicodedata.combining(ch):
            continue  # e.g. the circumflex of ê
        else:
            out.append(ch)
    return "".join(out) + str(tone)


@lru_cache(maxsize=4096)
def syllable(tone3: str) -> Syllable:
    """Decompose a numbered-tone syllable into normalised ``(initial, final, tone)``.

    >>> syllable("lv4"), syllable("you3"), syllable("qun2"), syllable("er")
    (('l', 'v', 4), ('', 'iou', 3), ('q', 'vn', 2), ('', 'er', 5))
    """
    s = tone3.strip().lower().replace("ü", "v").replace("u:", "v")
    tone = 5
    if s and s[-1].isdigit():
        tone = int(s[-1]) or 5
        s = s[:-1]
    if tone not in (1, 2, 3, 4, 5):
        tone = 5
    initial = ""
    if s in ("ng", "n", "m", "hm", "hng"):  # syllabic nasals (嗯, 呣, 噷)
        return ("", s, tone)
    # the longest initial of _INITIALS that leaves a final (zh, ch, sh before z, c, s)
    if s[:2] in _TWO_LETTER_INITIALS and len(s) > 2:
        initial = s[:2]
    elif s[:1] in _ONE_LETTER_INITIALS and len(s) > 1:
        initial = s[:1]
    final = s[len(initial) :]
    if initial == "y":
        initial = ""
        if final.startswith("u"):
            final = "v" + final[1:]
        elif not final.startswith("i"):
            final = "i" + final
    elif initial == "w":
        initial = ""
        if not final.startswith("u"):
            final = "u" + final
    elif initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]
    if initial and final == "iu":
        final = "iou"
    elif initial and final == "ui":
        final = "uei"
    elif initial and final == "un":
        final = "uen"
    return (initial, final, tone)


_INITIAL_CLASS = {"zh": "z", "ch": "c", "sh": "s", "l": "n", "r": "n", "h": "f"}


@lru_cache(maxsize=8192)
def coarse_key(syl: Syllable) -> str:
    """Toneless syllable with the classic fuzzy pairs merged.

    >>> coarse_key(("zh", "ang", 1)), coarse_key(("z", "an", 3)), coarse_key(("l", "ing", 2))
    ('z-an', 'z-an', 'n-in')
    """
    return f"{_INITIAL_CLASS.get(syl[0], syl[0])}-{_merged_final(syl[1])}"


def _merged_final(fin: str) -> str:
    return fin[:-1] if fin.endswith("ng") and fin != "ng" else fin


# --------------------------------------------------------------------------- readings
_lock = threading.Lock()


@lru_cache(maxsize=65536)
def char_readings(ch: str) -> tuple[str, ...]:
    """Every reading pypinyin knows for a character, numbered tones, most usual first.

    Returns ``()`` for characters with no reading (Latin, digits, punctuation). Read from
    the compact copy of pypinyin's table (:mod:`hotfuse._tables`), not pypinyin itself.

    >>> char_readings("行")
    ('xing2', 'hang2', 'heng2', 'xing4', 'hang4')
    """
    if len(ch) != 1:
        return ()
    return char_readings_from_table(ch)


def is_polyphone(ch: str) -> bool:
    """True when the character has readings that differ beyond tone.

    >>> is_polyphone("重"), is_polyphone("中"), is_polyphone("好")
    (True, False, False)
    """
    bases = {r.rstrip("12345") for r in char_readings(ch)}
    return len(bases) > 1


@lru_cache(maxsize=65536)
def _sole_reading(ch: str) -> str | None:
    """The one reading of a character that has exactly one, else None."""
    readings = char_readings(ch)
    return readings[0] if len(readings) == 1 else None


@lru_cache(maxsize=65536)
def hotword_pinyin(text: str) -> tuple[str, ...]:
    """Phrase-aware numbered-tone pinyin of a word, one entry per character.

    Characters with no reading (Latin letters, digits) give ``""`` so the result stays
    aligned with the characters.

    >>> hotword_pinyin("银行行长")
    ('yin2', 'hang2', 'hang2', 'zhang3')
    """
    sole = tuple(map(_sole_reading, text))
    if sole and None not in sole:
        # no character has a choice of reading: no phrase segmentation needed
        return sole  # type: ignore[return-value]  # no None in it
    # pypinyin's phrase segmentation and readings, from their compact copy
    return phrase_pinyin(text)


# --------------------------------------------------------------------------- frequency
class _Freq:
    def __init__(self) -> None:
        self.table: dict[str, int] | None = None
        self.total = 0

    def load(self) -> dict[str, int]:
        table = self.table
        if table is not None:  # the hot path: loaded once, then read without the lock
            return table
        with _lock:
            if self.table is None:
                from hotfuse._data import jieba_tokenizer

                tk = jieba_tokenizer()
                self.table = tk.FREQ
                self.total = int(tk.total)
        return self.table


_FREQ = _Freq()


def word_frequency(word: str) -> int:
    """Count of ``word`` in jieba's dictionary (0 when absent or only a prefix).

    Read from the compact copy of jieba's table (:mod:`hotfuse._tables`), so no jieba
    dictionary is loaded.

    >>> word_frequency("明白") > 10000, word_frequency("伊丽莎白") < 1000
    (True, True)
    """
    return word_count(word)


def jieba_frequencies() -> dict[str, int]:
    """jieba's whole word -> count table (read-only use; loaded once, privately).

    Loads jieba's dictionary (about a second); :func:`word_frequency` answers one word
    without it.
    """
    return _FREQ.load()


@lru_cache(maxsize=1)
def _char_freq_table() -> dict[str, int]:
    freq: dict[str, int] = {}
    for word, count in jieba_frequencies().items():
        if count > 0:  # jieba's table also holds every word prefix, with count 0
            for ch in word:
                freq[ch] = freq.get(ch, 0) + count
    return freq


def char_frequencies() -> dict[str, int]:
    """Every character of jieba's dictionary -> :func:`char_frequency` (read-only use)."""
    return _char_freq_table()


def char_frequency(ch: str) -> int:
    """Frequency of a character: the sum of jieba counts of the dictionary words holding it.

    >>> char_frequency("沙") > char_frequency("莎") > 0
    True
    """
    return _char_freq_table().get(ch, 0)


# --------------------------------------------------------------------------- fuzzy pinyin
#: The classic fuzzy-pinyin (模糊音) confusions of speakers and input methods, as swaps of
#: a toneless syllable's initial; finals swap an/ang, en/eng, in/ing (which also turns
#: ian/iang and uan/uang into each other). The scorer's :class:`CostTable` holds a wider
#: set of cheap pairs; these are the confusions the simulator (:mod:`hotfuse.simulate`)
#: makes.
FUZZY_INITIAL_SWAPS: dict[str, tuple[str, ...]] = {
    "zh": ("z",),
    "ch": ("c",),
    "sh": ("s",),
    "z": ("zh",),
    "c": ("ch",),
    "s": ("sh",),
    "n": ("l",),
    "l": ("n", "r"),
    "f": ("h",),
    "h": ("f",),
    "r": ("l",),
}


def _split_tone(reading: str) -> tuple[str, str]:
    if reading and reading[-1].isdigit():
        return reading[:-1], reading[-1]
    return reading, "5"


@lru_cache(maxsize=1)
def _known_bases() -> frozenset[str]:
    """Toneless syllables that some character of jieba's dictionary is read as."""
    return frozenset(
        _split_tone(r)[0]
        for ch, n in _char_freq_table().items()
        if n > 0 and _is_han(ch)
        for r in char_readings(ch)
    )


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff"


def fuzzy_variants(syllable: str) -> tuple[str, ...]:
    """Toneless syllables one fuzzy confusion (:data:`FUZZY_INITIAL_SWAPS`, an/ang, en/eng,
    in/ing) away from ``syllable``; only syllables that some character is read as.

    >>> fuzzy_variants("shan")
    ('san', 'shang')
    >>> fuzzy_variants("lian")
    ('nian', 'liang')
    """
    base, _ = _split_tone(syllable)
    out: list[str] = []
    for initial in ("zh", "ch", "sh", "z", "c", "s", "n", "l", "f", "h", "r"):
        if base.startswith(initial) and len(base) > len(initial):
            rest = base[len(initial) :]
            out.extend(t + rest for t in FUZZY_INITIAL_SWAPS[initial])
            break
    if base.endswith(("ang", "eng", "ing")):
        out.append(base[:-1])
    elif base.endswith(("an", "en", "in")):
        out.append(base + "g")
    known = _known_bases()
    return tuple(s for s in dict.fromkeys(out) if s in known and s != base)


# --------------------------------------------------------------------------- costs
# --------------------------------------------------------------------------- features
# Articulatory features behind the graded costs: a pair that no list names still costs
# less when the sounds are close (same place, or only aspiration apart; finals that share
# the nucleus and differ in the nasal coda or the medial). Values are distances in the
# units of CostTable (about 1 is "a different sound"), scaled by ``feature_scale``.
_PLACE = {
    "b": "lab", "p": "lab", "m": "lab", "f": "lab",
    "d": "alv", "t": "alv", "n": "alv", "l": "alv",
    "z": "den", "c": "den", "s": "den",
    "zh": "ret", "ch": "ret", "sh": "ret", "r": "ret",
    "j": "pal", "q": "pal", "x": "pal",
    "g": "vel", "k": "vel", "h": "vel",
}  # fmt: skip
_MANNER = {
    "b": "stop", "d": "stop", "g": "stop", "p": "stop-h", "t": "stop-h", "k": "stop-h",
    "z": "aff", "zh": "aff", "j": "aff", "c": "aff-h", "ch": "aff-h", "q": "aff-h",
    "f": "fric", "s": "fric", "sh": "fric", "x": "fric", "h": "fric",
    "m": "nas", "n": "nas", "l": "liq", "r": "liq",
}  # fmt: skip
_NEAR_PLACE = {
    frozenset(("den", "ret")): 0.2,
    frozenset(("ret", "pal")): 0.25,
    frozenset(("den", "pal")): 0.3,
    frozenset(("alv", "den")): 0.35,
    frozenset(("alv", "ret")): 0.4,
    frozenset(("lab", "alv")): 0.45,
    frozenset(("pal", "vel")): 0.45,
}
_NEAR_MANNER = {
    frozenset(("stop", "stop-h")): 0.2,
    frozenset(("aff", "aff-h")): 0.2,
    frozenset(("stop", "aff")): 0.3,
    frozenset(("stop-h", "aff-h")): 0.3,
    frozenset(("aff", "fric")): 0.3,
    frozenset(("aff-h", "fric")): 0.3,
    frozenset(("nas", "liq")): 0.25,
}
#: final -> (medial, nucleus, coda); ``ong`` is /uŋ/, ``iong`` /yŋ/.
_FINAL_PARTS = {
    "a": ("", "a", ""), "o": ("", "o", ""), "e": ("", "e", ""), "er": ("", "er", ""),
    "ai": ("", "a", "i"), "ei": ("", "e", "i"), "ao": ("", "a", "u"), "ou": ("", "o", "u"),
    "an": ("", "a", "n"), "en": ("", "e", "n"), "ang": ("", "a", "ng"),
    "eng": ("", "e", "ng"), "ong": ("u", "o", "ng"),
    "i": ("", "i", ""), "ia": ("i", "a", ""), "ie": ("i", "e", ""), "iao": ("i", "a", "u"),
    "iou": ("i", "o", "u"), "ian": ("i", "a", "n"), "in": ("", "i", "n"),
    "iang": ("i", "a", "ng"), "ing": ("", "i", "ng"), "iong": ("v", "o", "ng"),
    "io": ("i", "o", ""),
    "u": ("", "u", ""), "ua": ("u", "a", ""), "uo": ("u", "o", ""), "uai": ("u", "a", "i"),
    "uei": ("u", "e", "i"), "uan": ("u", "a", "n"), "uen": ("u", "e", "n"),
    "uang": ("u", "a", "ng"), "ueng": ("u", "e", "ng"),
    "v": ("", "v", ""), "ve": ("v", "e", ""), "van": ("v", "a", "n"), "vn": ("", "v", "n"),
}  # fmt: skip
_NEAR_MEDIAL = {
    frozenset(("", "i")): 0.25, frozenset(("", "u")): 0.25, frozenset(("", "v")): 0.25,
    frozenset(("i", "v")): 0.2, frozenset(("u", "v")): 0.2, frozenset(("i", "u")): 0.35,
}  # fmt: skip
_NEAR_NUCLEUS = {
    frozenset(("i", "v")): 0.25, frozenset(("u", "v")): 0.25, frozenset(("e", "o")): 0.3,
    frozenset(("i", "e")): 0.35, frozenset(("u", "o")): 0.35, frozenset(("a", "e")): 0.4,
    frozenset(("i", "u")): 0.45, frozenset(("a", "o")): 0.45, frozenset(("e", "er")): 0.45,
}  # fmt: skip
_NEAR_CODA = {
    frozenset(("n", "ng")): 0.2, frozenset(("", "n")): 0.3, frozenset(("", "ng")): 0.3,
    frozenset(("", "i")): 0.3, frozenset(("", "u")): 0.3, frozenset(("i", "u")): 0.4,
}  # fmt: skip


def _near(table: dict[frozenset[str], float], a: str, b: str, other: float) -> float:
    return 0.0 if a == b else table.get(frozenset((a, b)), other)


@lru_cache(maxsize=4096)
def initial_distance(a: str, b: str) -> float:
    """Articulatory distance of two initials (place + manner; zero initial 0.6).

    >>> initial_distance("t", "p"), initial_distance("zh", "j"), initial_distance("", "r")
    (0.45, 0.25, 0.6)
    """
    if a == b:
        return 0.0
    if not a or not b:
        return 0.6
    place = _near(_NEAR_PLACE, _PLACE.get(a, a), _PLACE.get(b, b), 0.6)
    manner = _near(_NEAR_MANNER, _MANNER.get(a, a), _MANNER.get(b, b), 0.45)
    return round(place + manner, 6)


@lru_cache(maxsize=4096)
def final_distance(a: str, b: str) -> float:
    """Distance of two finals from their medial, nucleus and coda.

    >>> final_distance("eng", "e"), final_distance("ian", "ing"), final_distance("ou", "ong")
    (0.3, 1.05, 0.7)
    """
    if a == b:
        return 0.0
    pa, pb = _FINAL_PARTS.get(a), _FINAL_PARTS.get(b)
    if pa is None or pb is None:
        return 1.2
    medial = _near(_NEAR_MEDIAL, pa[0], pb[0], 0.35)
    nucleus = _near(_NEAR_NUCLEUS, pa[1], pb[1], 0.6)
    coda = _near(_NEAR_CODA, pa[2], pb[2], 0.45)
    return round(medial + nucleus + coda, 6)


def _pairs(*groups: tuple[str, str]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(g) for g in groups)


@dataclass(frozen=True, slots=True)
class CostTable:
    """Graded costs between syllables; 0 is identical, about 1 is a different syllable.

    Attributes:
        fuzzy_initials: initial pairs commonly confused by speakers and recognizers.
        fuzzy_initial_cost: cost of a fuzzy initial pair.
        other_initial_cost: cost of any other initial difference (incl. zero initial).
        fuzzy_finals: final pairs commonly confused.
        fuzzy_final_cost: cost of a fuzzy final pair.
        medial_final_cost: finals that differ only by a medial i/u/v (``an``/``ian``).
        other_final_cost: any other final difference.
        tone_cost: cost of a different tone (either neutral: ``neutral_tone_cost``).
        neutral_tone_cost: cost when one side is the neutral tone.
        max_cost: cap for one syllable substitution.
        indel_cost: cost of a dropped or inserted syllable.
        feature_scale: pairs no list names cost ``feature_scale`` times their
            articulatory distance (:func:`initial_distance`, :func:`final_distance`)
            when that is below the ``other_*`` cost; 0 switches the features off.

    >>> DEFAULT_COSTS.cost(("zh", "ang", 1), ("z", "an", 1))
    0.7
    """

    fuzzy_initials: frozenset[frozenset[str]] = field(
        default_factory=lambda: _pairs(
            ("z", "zh"),
            ("c", "ch"),
            ("s", "sh"),
            ("n", "l"),
            ("f", "h"),
            ("r", "l"),
            ("l", "d"),
            ("r", "y"),
            ("h", "k"),
            ("b", "p"),
            ("d", "t"),
            ("g", "k"),
            ("j", "q"),
            ("j", "z"),
            ("q", "c"),
            ("x", "s"),
            ("j", "zh"),
            ("q", "ch"),
            ("x", "sh"),
            ("m", "n"),
        )
    )
    fuzzy_initial_cost: float = 0.35
    other_initial_cost: float = 0.9
    fuzzy_finals: frozenset[frozenset[str]] = field(
        default_factory=lambda: _pairs(
            ("an", "ang"),
            ("en", "eng"),
            ("in", "ing"),
            ("ian", "iang"),
            ("uan", "uang"),
            ("en", "in"),
            ("eng", "ing"),
            ("eng", "ong"),
            ("o", "uo"),
            ("e", "o"),
            ("uen", "ueng"),
            ("ie", "ei"),
            ("e", "ai"),
            ("v", "i"),
            ("v", "u"),
            ("vn", "in"),
            ("van", "ian"),
            ("ve", "ie"),
            ("iong", "ong"),
            ("ong", "ueng"),
            ("i", "ei"),
            ("uo", "e"),
            ("ai", "ei"),
            ("an", "en"),
            ("ang", "eng"),
        )
    )
    fuzzy_final_cost: float = 0.35
    medial_final_cost: float = 0.5
    other_final_cost: float = 0.9
    tone_cost: float = 0.15
    neutral_tone_cost: float = 0.05
    max_cost: float = 1.2
    indel_cost: float = 1.0
    feature_scale: float = 0.0

    def __post_init__(self) -> None:
        from hotfuse.errors import ConfigError

        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            if name in ("fuzzy_initials", "fuzzy_finals"):
                ok = isinstance(v, frozenset) and all(
                    isinstance(p, frozenset) and len(p) == 2 and all(isinstance(x, str) for x in p)
                    for p in v
                )
                if not ok:
                    msg = f"costs.{name} must be a list of [a, b] pairs of two different strings"
                    raise ConfigError(msg)
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                msg = f"costs.{name} must be a finite number, got {v!r:.80}"
                raise ConfigError(msg)
            positive = name in ("max_cost", "indel_cost")
            if v < 0 or (positive and v == 0):
                bound = "above 0" if positive else "0 or more"
                msg = f"costs.{name}={v!r} must be {bound} (a negative cost deletes characters)"
                raise ConfigError(msg)
            object.__setattr__(self, name, float(v))

    def initial_cost(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        if frozenset((a, b)) in self.fuzzy_initials:
            return self.fuzzy_initial_cost
        if self.feature_scale > 0.0:
            return min(self.other_initial_cost, self.feature_scale * initial_distance(a, b))
        return self.other_initial_cost

    def final_cost(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        if frozenset((a, b)) in self.fuzzy_finals:
            return self.fuzzy_final_cost
        cost = self.other_final_cost
        if _strip_medial(a) == _strip_medial(b):
            cost = self.medial_final_cost
        if self.feature_scale > 0.0:
            return min(cost, self.feature_scale * final_distance(a, b))
        return cost

    def tone_diff(self, a: int, b: int) -> float:
        if a == b:
            return 0.0
        if a == 5 or b == 5:
            return self.neutral_tone_cost
        return self.tone_cost

    def cost(self, a: Syllable, b: Syllable) -> float:
        """Substitution cost between two syllables, capped at ``max_cost``."""
        if a == b:
            return 0.0
        c = self.initial_cost(a[0], b[0]) + self.final_cost(a[1], b[1]) + self.tone_diff(a[2], b[2])
        return round(min(c, self.max_cost), 6)

    def to_dict(self) -> dict[str, Any]:
        """A TOML/JSON-friendly view (pairs as sorted two-item lists)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            if isinstance(v, frozenset):
                v = sorted(sorted(p) for p in v)
            out[name] = v
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CostTable:
        """Inverse of :meth:`to_dict`; missing keys keep their defaults."""
        from hotfuse.errors import ConfigError

        if not isinstance(data, dict):
            msg = f"costs must be a table of cost names to numbers, got {type(data).__name__}"
            raise ConfigError(msg)
        known = list(cls.__dataclass_fields__)
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            msg = f"unknown costs {unknown}; known: {', '.join(known)}"
            raise ConfigError(msg)
        kwargs: dict[str, Any] = {}
        for k, v in data.items():
            if k in ("fuzzy_initials", "fuzzy_finals"):
                if isinstance(v, str | bytes) or not all(
                    isinstance(p, list | tuple) and len(p) == 2 for p in _iterable(v)
                ):
                    msg = f"costs.{k} must be a list of [a, b] pairs, got {v!r:.80}"
                    raise ConfigError(msg)
                kwargs[k] = frozenset(frozenset(p) for p in v)
            else:
                kwargs[k] = v  # checked in __post_init__
        return cls(**kwargs)


def _iterable(value: object) -> list[object]:
    if not isinstance(value, Iterable):
        return [None]  # not iterable: fails the caller's check
    try:
        return list(value)
    except TypeError:
        return [None]  # not iterable: fails the caller's check


def _strip_medial(final: str) -> str:
    if len(final) > 1 and final[0] in "iuv" and final not in ("in", "ing", "un", "vn"):
        return final[1:]
    return final


DEFAULT_COSTS = CostTable()


# --------------------------------------------------------------------------- shared costs
def _tone_kind(a: int, b: int) -> int:
    """0: the same tone, 1: another tone with one of them neutral (5), 2: another tone
    (the three cases of :meth:`CostTable.tone_diff`)."""
    if a == b:
        return 0
    return 1 if a == 5 or b == 5 else 2


class _Inventory:
    """Every reading of the character table as a syllable, numbered: the hypothesis side
    of :class:`SubstitutionTable` (``reading_ids`` maps a character to these ids)."""

    __slots__ = (
        "bases",
        "final_keys",
        "finals",
        "ids",
        "initial_keys",
        "initials",
        "row_of_tone",
        "syllables",
    )

    def __init__(self, readings: Iterable[str]) -> None:
        self.syllables: tuple[Syllable, ...] = tuple(dict.fromkeys(syllable(r) for r in readings))
        self.ids = {s: i for i, s in enumerate(self.syllables)}
        self.initials = tuple(dict.fromkeys(s[0] for s in self.syllables))
        self.finals = tuple(dict.fromkeys(s[1] for s in self.syllables))
        bases = {(s[0], s[1]): 0 for s in self.syllables}
        for i, base in enumerate(bases):
            bases[base] = i
        self.bases = tuple(bases)  # toneless (initial, final) pairs
        # A row's cost for syllable i is its base's initial + final cost plus a tone
        # cost of one of three kinds (same tone, either tone neutral, another tone),
        # so a row is read off the three per-base cost lists of its toneless target
        # laid end to end: ``row_of_tone[tone - 1]`` picks, for a target of that tone,
        # syllable i's entry (base + kind * len(bases)).
        nb = len(self.bases)
        self.row_of_tone = tuple(
            itemgetter(*(bases[(s[0], s[1])] + nb * _tone_kind(s[2], tone) for s in self.syllables))
            for tone in (1, 2, 3, 4, 5)
        )
        # each initial's and final's part of a coarse key
        self.initial_keys = {x: _INITIAL_CLASS.get(x, x) for x in self.initials}
        self.final_keys = {x: _merged_final(x) for x in self.finals}


@lru_cache(maxsize=1)
def _inventory() -> _Inventory:
    return _Inventory(reading_syllables())


def reading_syllable_count() -> int:
    """How many distinct reading syllables the character table holds (the width of a
    :class:`SubstitutionTable` row).

    >>> reading_syllable_count() > 1000
    True
    """
    return len(_inventory().syllables)


@lru_cache(maxsize=65536)
def reading_ids(ch: str) -> tuple[int, ...]:
    """The ids of a character's readings in a :class:`SubstitutionTable` row (``()`` for
    a character without readings).

    >>> [char_readings("沙"), len(reading_ids("沙")), reading_ids("a")]
    [('sha1', 'sha4', 'suo1'), 3, ()]
    """
    ids = _inventory().ids
    return tuple(ids[syllable(r)] for r in char_readings(ch))


class SubstitutionTable:
    """A :class:`CostTable`'s substitution costs, precomputed: ``row(target)[i]`` is
    ``costs.cost(reading, target)`` for the reading syllable with id ``i`` (see
    :func:`reading_ids`); its last entry, at :attr:`no_reading`, is ``max_cost``: what
    a character without readings costs.

    A row is built on first use from the per-initial, per-final and per-tone costs (a
    fraction of a millisecond) and then shared by every lexicon index using these costs
    (:func:`substitution_table`), so a new hotword list finds the costs of every syllable
    seen before already computed. Thread-safe: rows are never changed once published.

    >>> t = substitution_table()
    >>> row = t.row(syllable("zhang1"))
    >>> [row[i] for i in reading_ids("张")], [row[i] for i in reading_ids("脏")]  # zang4, zang1
    ([0.0], [0.5, 0.35])
    >>> t.floor(syllable("zhang1"))  # the cheapest reading of another coarse key
    0.35
    """

    __slots__ = (
        "_bases",
        "_finals",
        "_floors",
        "_initials",
        "_lock",
        "_rounded",
        "_rows",
        "costs",
        "infos",
    )

    def __init__(self, costs: CostTable) -> None:
        self.costs = costs
        self._rows: dict[Syllable, list[float]] = {}
        self._floors: dict[Syllable, float] = {}
        # what rows are made of, shared by the rows that have it in common: per target
        # initial and per target final, the cost of every inventory initial / final; per
        # toneless target, its bases' cost lists and its floor (see _base); per raw sum,
        # its capped and rounded cost
        self._initials: dict[str, dict[str, float]] = {}
        self._finals: dict[str, dict[str, float]] = {}
        self._bases: dict[tuple[str, str], tuple[list[float], float]] = {}
        self._rounded: dict[float, float] = {}
        #: per target syllable seen: ``(row, floor, coarse key)`` (:meth:`info`)
        self.infos: dict[Syllable, tuple[list[float], float, str]] = {}
        self._lock = threading.Lock()

    @property
    def no_reading(self) -> int:
        """The id standing for "no reading" (its cost is ``max_cost``)."""
        return len(_inventory().syllables)

    def row(self, target: Syllable) -> list[float]:
        """The cost of each reading syllable (by id) for ``target``; do not modify it."""
        row = self._rows.get(target)
        if row is None:
            row = self._build(target)
        return row

    def info(self, target: Syllable) -> tuple[list[float], float, str]:
        """``(row(target), floor(target), coarse_key(target))``, kept in :attr:`infos`
        (what a lexicon index reads per target syllable)."""
        got = self.infos.get(target)
        if got is None:
            got = self.infos[target] = (self.row(target), self.floor(target), coarse_key(target))
        return got

    def floor(self, target: Syllable) -> float:
        """The cheapest cost for ``target`` of a reading whose coarse key differs from
        ``target``'s (:func:`coarse_key`): a window whose character at some position has
        no reading of the target syllable's key costs at least this there."""
        got = self._floors.get(target)
        if got is None:
            self._build(target)
            got = self._floors[target]
        return got

    def _build(self, target: Syllable) -> list[float]:
        ini_b, fin_b, tone_b = target
        kinds, floor = self._base(ini_b, fin_b)
        row = list(_inventory().row_of_tone[tone_b - 1](kinds))
        row.append(self.costs.max_cost)  # no_reading
        with self._lock:
            if target not in self._rows:
                self._floors[target] = floor
                self._rows[target] = row
            return self._rows[target]

    def _base(self, ini_b: str, fin_b: str) -> tuple[list[float], float]:
        """For the toneless target ``(ini_b, fin_b)``: the cost of every toneless
        inventory base with the same tone, with a neutral one and with another tone, in
        three lists laid end to end (what :attr:`_Inventory.row_of_tone` reads), and the
        target's floor (tones change neither the bases nor the floor). Shared by the
        target's tones, and built from per-initial and per-final costs that every target
        with that initial or final shares."""
        got = self._bases.get((ini_b, fin_b))
        if got is not None:
            return got
        inv = _inventory()
        costs = self.costs
        ic = self._initials.get(ini_b)
        if ic is None:
            ic = self._initials[ini_b] = {x: costs.initial_cost(x, ini_b) for x in inv.initials}
        fc = self._finals.get(fin_b)
        if fc is None:
            fc = self._finals[fin_b] = {x: costs.final_cost(x, fin_b) for x in inv.finals}
        # CostTable.cost sums initial + final + tone in this order, then caps and rounds
        # (each distinct sum rounded once, for every row of these costs)
        base = [ic[x] + fc[f] for x, f in inv.bases]
        raw = base + [b + costs.neutral_tone_cost for b in base]
        raw += [b + costs.tone_cost for b in base]
        cap = costs.max_cost
        rounded = self._rounded
        for v in set(raw).difference(rounded):
            rounded[v] = round(min(v, cap), 6)
        kinds = list(map(rounded.__getitem__, raw))
        # A lower bound for readings of another coarse key: another initial class (the
        # sum holds at least that initial's cost) or another merged final (that final's).
        key_ini, key_fin = _INITIAL_CLASS.get(ini_b, ini_b), _merged_final(fin_b)
        other = [c for x, c in ic.items() if inv.initial_keys[x] != key_ini]
        other += [c for x, c in fc.items() if inv.final_keys[x] != key_fin]
        floor = round(min(min(other, default=cap), cap), 6)
        got = self._bases[(ini_b, fin_b)] = (kinds, floor)
        return got


_TABLES: dict[CostTable, SubstitutionTable] = {}
_TABLES_MAX = 16  # distinct user cost tables kept (each holds the rows it was asked for)


def substitution_table(costs: CostTable = DEFAULT_COSTS) -> SubstitutionTable:
    """The one shared :class:`SubstitutionTable` of ``costs`` (equal tables share it).

    >>> substitution_table() is substitution_table(CostTable())
    True
    """
    table = _TABLES.get(costs)
    if table is None:
        with _lock:
            table = _TABLES.get(costs)
            if table is None:
                if len(_TABLES) >= _TABLES_MAX:
                    _TABLES.pop(next(iter(_TABLES)))
                table = _TABLES[costs] = SubstitutionTable(costs)
    return table
