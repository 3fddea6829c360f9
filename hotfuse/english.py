"""How Latin terms are said: English pronunciations and their Mandarin syllable readings.

A Latin hotword (``Docker``, ``GPT-4o``, ``SQL``) is split into pieces (camel-case words,
letter runs, digits, symbols). Each piece has readings from several sources, merged:

* ``cmudict``: the CMU Pronouncing Dictionary (a compact copy ships in ``hotfuse/data``);
* ``compound``: a word the dictionary lacks, split into dictionary words (``webpack``);
* ``g2p``: letter-to-sound rules for what is left (``kubernetes``, ``nginx``);
* ``letters``: the English letter names (``SQL`` -> ``EH1 S K Y UW1 EH1 L``);
* ``letters-zh``: the Chinese letter names (``诶 比 西``, ``艾克斯``);
* ``pinyin``: the spelling read as pinyin (``SaaS`` -> ``sa si``), how many speakers say
  acronyms;
* digits and symbols in Chinese (``四``, ``点``, ``加加``) and in English (``four``, ``dot``).

English phones are mapped to Mandarin syllables (initial, final; tone free) with graded
costs, so a term yields a small set of plausible syllable sequences (:func:`spoken_forms`),
and phone sequences for comparing Latin text by sound (:func:`phone_forms`,
:func:`word_phones`, :func:`phone_distance`). Everything loads on first use and is cached
per term; nothing here touches the network.

Example:
    >>> "dao ke" in [f.pinyin for f in spoken_forms("Docker")]
    True
    >>> spoken_forms("Python")[0].pinyin, spoken_forms("Python")[0].phones
    ('pai sen', 'P AY1 TH AA0 N')
    >>> english_zipf("water") > 5 > english_zipf("kubernetes")
    True
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from hotfuse._data import data_table
from hotfuse.phonetics import Syllable, syllable
from hotfuse.transcript import is_cjk

__all__ = [
    "PhoneForm",
    "SpokenForm",
    "english_count",
    "english_zipf",
    "g2p",
    "hotword_spoken",
    "is_latin_term",
    "is_mixed_term",
    "latin_readings",
    "mixed_spoken_forms",
    "phone_distance",
    "phone_forms",
    "phones_to_pinyin",
    "pronunciations",
    "spoken_forms",
    "word_phones",
]

Phones = tuple[str, ...]


def _cmu(word: str) -> tuple[Phones, ...]:
    v = data_table("cmudict.tsv.gz").get(word.lower())
    return tuple(tuple(p.split()) for p in v.split("|")) if v else ()


def english_zipf(word: str) -> float:
    """Zipf frequency of an English word (log10 per billion words; 0 when rare or unknown).

    From wordfreq's English list (words at Zipf 2.5 and above; CC BY-SA 4.0 data).

    >>> english_zipf("the"), english_zipf("could") > 6, english_zipf("grafana")
    (7.73, True, 0.0)
    """
    v = data_table("en_freq.tsv.gz").get(word.lower())
    return int(v) / 100 if v else 0.0


_JIEBA_TOTAL = 60_101_967  # tokens behind jieba's counts: English counts on the same scale


def english_count(text: str) -> int:
    """How ordinary a span of English words is, as a count on the scale of jieba's dictionary.

    The geometric mean of its words' frequencies (their mean Zipf value), words unknown
    to the list counting as zero; single letters are left out (in Chinese speech they
    are spelled acronyms).

    >>> english_count("water") > english_count("cotton") > english_count("kotlin") == 0
    True
    >>> english_count("S Q L"), english_count("get hub") > english_count("hub")
    (0, True)
    """
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 1]
    if not words:
        return 0
    zipf = sum(english_zipf(w) for w in words) / len(words)
    return round(10 ** (zipf - 9) * _JIEBA_TOTAL) if zipf > 0 else 0


# ----------------------------------------------------------------------------- phones
VOWELS = frozenset(
    ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]
)

# English letter names (as the CMU dictionary gives them)
LETTER_PHONES: dict[str, Phones] = {
    k: tuple(v.split())
    for k, v in {
        "a": "EY1", "b": "B IY1", "c": "S IY1", "d": "D IY1", "e": "IY1", "f": "EH1 F",
        "g": "JH IY1", "h": "EY1 CH", "i": "AY1", "j": "JH EY1", "k": "K EY1", "l": "EH1 L",
        "m": "EH1 M", "n": "EH1 N", "o": "OW1", "p": "P IY1", "q": "K Y UW1", "r": "AA1 R",
        "s": "EH1 S", "t": "T IY1", "u": "Y UW1", "v": "V IY1", "w": "D AH1 B AH0 L Y UW0",
        "x": "EH1 K S", "y": "W AY1", "z": "Z IY1",
    }.items()
}  # fmt: skip

# The letter names Chinese speakers use (诶 比 西 ... 艾克斯), most usual first.
LETTERS_ZH: dict[str, tuple[str, ...]] = {
    "a": ("ei", "a"), "b": ("bi",), "c": ("xi", "sei"), "d": ("di",), "e": ("yi",),
    "f": ("ai fu", "ei fu"), "g": ("ji",), "h": ("ai qi", "ei qi"), "i": ("ai",),
    "j": ("jie", "zhei"), "k": ("kai", "kei"), "l": ("ai le", "ai er", "ai ou"),
    "m": ("ai mu", "en mu"), "n": ("en",), "o": ("ou",), "p": ("pi",), "q": ("qiu", "kou"),
    "r": ("a er", "a"), "s": ("ai si",), "t": ("ti",), "u": ("you",), "v": ("wei", "wei yi"),
    "w": ("da bu liu",), "x": ("ai ke si",), "y": ("wai",), "z": ("zei", "zi"),
}  # fmt: skip

_DIGITS_ZH = ("ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu")
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# symbols inside terms: Chinese readings, English words (None: usually silent)
_SYMBOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ".": (("dian", ""), ("", "dot", "point")),
    "+": (("jia",), ("plus",)),
    "#": (("jing",), ("sharp",)),
    "-": (("", "gang"), ("", "dash")),
    "_": (("", "xia hua xian"), ("", "underscore")),
    "/": (("", "xie gang"), ("", "slash")),
    "&": (("he",), ("and",)),
    "@": (("",), ("at",)),
    "'": (("",), ("",)),
    " ": (("",), ("",)),
}


# ----------------------------------------------------------------------------- G2P rules
# Letter-to-sound rules for words the dictionary lacks: (grapheme, right context, phones),
# longest grapheme first; the right context is a regex matched after the grapheme.
_G2P_RULES: tuple[tuple[str, str, str], ...] = (
    ("tion", "", "SH AH0 N"), ("sion", "", "ZH AH0 N"), ("ture", "", "CH ER0"),
    ("eigh", "", "EY1"), ("ough", "", "AO1"), ("augh", "", "AO1"), ("igh", "", "AY1"),
    ("tch", "", "CH"), ("dge", "", "JH"), ("sch", "", "S K"), ("que", "$", "K"),
    ("ph", "", "F"), ("sh", "", "SH"), ("ch", "", "CH"), ("th", "", "TH"), ("ck", "", "K"),
    ("ng", "$|[^aeiouy]", "NG"), ("qu", "", "K W"), ("wh", "", "W"), ("wr", "", "R"),
    ("kn", "", "N"), ("gn", "$", "N"), ("ee", "", "IY1"), ("ea", "", "IY1"), ("oo", "", "UW1"),
    ("ou", "", "AW1"), ("ow", "", "OW1"), ("oa", "", "OW1"), ("oi", "", "OY1"), ("oy", "", "OY1"),
    ("ai", "", "EY1"), ("ay", "", "EY1"), ("au", "", "AO1"), ("aw", "", "AO1"), ("ei", "", "EY1"),
    ("ey", "", "EY1"), ("ie", "$", "AY1"), ("ie", "", "IY1"), ("ue", "", "UW1"), ("ew", "", "UW1"),
    ("er", "$|[^aeiouy]", "ER0"), ("ir", "$|[^aeiouy]", "ER1"), ("ur", "$|[^aeiouy]", "ER1"),
    ("ar", "$|[^aeiouy]", "AA1 R"), ("or", "$|[^aeiouy]", "AO1 R"),
    ("a", "[^aeiouy]e$", "EY1"), ("i", "[^aeiouy]e$", "AY1"), ("o", "[^aeiouy]e$", "OW1"),
    ("u", "[^aeiouy]e$", "UW1"), ("e", "$", ""), ("es", "$", "IY1 Z"),
    ("u", "[^aeiouy][aeiouy]", "UW1"),
    ("a", "", "AE1"), ("e", "", "EH1"), ("i", "", "IH1"), ("o", "", "AA1"), ("u", "", "AH1"),
    ("y", "$", "IY0"), ("y", "[aeiou]", "Y"), ("y", "", "IH1"),
    ("c", "[eiy]", "S"), ("c", "", "K"), ("g", "[eiy]", "JH"), ("g", "", "G"),
    ("x", "", "K S"), ("s", "[aeiou]", "S"), ("z", "", "Z"),
    ("b", "", "B"), ("d", "", "D"), ("f", "", "F"), ("h", "", "HH"), ("j", "", "JH"),
    ("k", "", "K"), ("l", "", "L"), ("m", "", "M"), ("n", "", "N"), ("p", "", "P"),
    ("q", "", "K"), ("r", "", "R"), ("s", "", "S"), ("t", "", "T"), ("v", "", "V"),
    ("w", "", "W"),
)  # fmt: skip
_G2P_COMPILED = tuple((g, re.compile(c) if c else None, tuple(p.split())) for g, c, p in _G2P_RULES)


@lru_cache(maxsize=4096)
def g2p(word: str) -> Phones:
    """Letter-to-sound rules for a word the dictionary lacks (one plausible reading).

    >>> " ".join(g2p("kubernetes"))
    'K UW1 B ER0 N EH1 T IY1 Z'
    >>> " ".join(g2p("grafana"))
    'G R AE1 F AE1 N AE1'
    """
    w = word.lower()
    if len(w) == 2 and w[1] == "y" and w[0] not in "aeiou":
        return (*g2p(w[0] + "x")[:1], "AY1")  # py, my: the y says its name
    out: list[str] = []
    i = 0
    while i < len(w):
        if i > 0 and w[i] == w[i - 1] and w[i] not in "aeiou":
            i += 1  # a doubled consonant is said once
            continue
        for g, ctx, phones in _G2P_COMPILED:
            if w.startswith(g, i) and (ctx is None or ctx.match(w, i + len(g))):
                if g == "e" and phones == () and i == 0:
                    continue
                out.extend(phones)
                i += len(g)
                break
        else:
            i += 1  # not a letter: ignore
    return tuple(out)


def _compound(word: str) -> Phones | None:
    """A word split into dictionary words of 3+ letters (fewest parts), or None."""
    w = word.lower()
    n = len(w)
    if n < 6:
        return None
    best: list[tuple[int, Phones] | None] = [None] * (n + 1)
    best[0] = (0, ())
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(i + 3, n + 1):
            prons = _cmu(w[i:j])
            if prons and (j - i >= 4 or j == n or i == 0):
                cand = (cur[0] + 1, cur[1] + prons[0])
                old = best[j]
                if old is None or cand[0] < old[0]:
                    best[j] = cand
    got = best[n]
    return got[1] if got is not None and got[0] >= 2 else None


@lru_cache(maxsize=8192)
def pronunciations(word: str) -> tuple[tuple[Phones, str], ...]:
    """English pronunciations of one alphabetic word, with their source, best first.

    >>> [(" ".join(p), s) for p, s in pronunciations("webpack")]
    [('W EH1 B P AE1 K', 'compound'), ('W EH1 B P AE1 K', 'g2p')]
    >>> pronunciations("redis")[0][1]
    'g2p'
    """
    out: list[tuple[Phones, str]] = [(p, "cmudict") for p in _cmu(word)[:2]]
    if not out:
        comp = _compound(word)
        if comp:
            out.append((comp, "compound"))
    if not any(s == "cmudict" for _, s in out):
        out.append((g2p(word), "g2p"))
    return tuple(p for p in out if p[0])


@lru_cache(maxsize=65536)
def word_phones(word: str) -> tuple[Phones, ...]:
    """How a word in a transcript is most likely said (for comparing Latin text by sound).

    Single letters are letter names, digits English number words, everything else the
    dictionary or the rules.

    >>> [" ".join(p) for p in word_phones("x")], [" ".join(p) for p in word_phones("cotton")]
    (['EH1 K S'], ['K AA1 T AH0 N', 'K AO1 T AH0 N'])
    """
    w = word.lower()
    if len(w) == 1 and w in LETTER_PHONES:
        return (LETTER_PHONES[w],)
    if w.isascii() and w.isdigit():  # not ❶, ², ٣: str.isdigit takes those too
        return (tuple(ph for d in w for ph in _cmu(_DIGIT_WORDS[int(d)])[0]),)
    if not w.isalpha() or not w.isascii():
        return ()
    return tuple(p for p, _ in pronunciations(w))


# ----------------------------------------------------------------------------- phones -> pinyin
def _legal() -> frozenset[tuple[str, str]]:
    """The (initial, final) pairs some character is read as: the legal Mandarin syllables,
    from the compact character table (pypinyin is not imported)."""
    from hotfuse._tables import distinct_readings

    return frozenset(syllable(r)[:2] for r in distinct_readings())


_LEGAL: frozenset[tuple[str, str]] | None = None


def _is_legal(ini: str, fin: str) -> bool:
    global _LEGAL
    if _LEGAL is None:
        _LEGAL = _legal()
    return (ini, fin) in _LEGAL


# onset consonant -> (initial, cost); "w"/"y" are glides (a u/i medial on the final)
_ONSET: dict[str, tuple[tuple[str, float], ...]] = {
    "B": (("b", 0), ("p", 0.3)), "P": (("p", 0), ("b", 0.2)), "D": (("d", 0), ("t", 0.3)),
    "T": (("t", 0), ("d", 0.2)), "G": (("g", 0), ("k", 0.3), ("j", 0.2)),
    "K": (("k", 0), ("g", 0.2), ("q", 0.2)), "F": (("f", 0), ("h", 0.3)),
    "V": (("w", 0), ("f", 0.1)), "TH": (("s", 0), ("x", 0.2), ("t", 0.4)),
    "DH": (("d", 0), ("z", 0.3)), "S": (("s", 0), ("x", 0.1), ("sh", 0.3)),
    "Z": (("z", 0), ("s", 0.1), ("c", 0.3)), "SH": (("sh", 0), ("x", 0.1)),
    "ZH": (("r", 0), ("zh", 0.2), ("x", 0.3)), "CH": (("ch", 0), ("q", 0.1)),
    "JH": (("j", 0), ("zh", 0.1)), "HH": (("h", 0), ("x", 0.2), ("", 0.3)),
    "M": (("m", 0),), "N": (("n", 0),), "NG": (("n", 0.3),), "L": (("l", 0), ("r", 0.3)),
    "R": (("r", 0), ("l", 0.1), ("w", 0.3)), "W": (("w", 0),), "Y": (("y", 0),),
}  # fmt: skip

# vowel -> (final, cost); a space separates extra zero-initial syllables (OY -> uo yi)
_VOWEL: dict[str, tuple[tuple[str, float], ...]] = {
    "AA": (("a", 0), ("ao", 0.2), ("o", 0.3), ("e", 0.3), ("uo", 0.35)),
    "AE": (("a", 0), ("ai", 0.2), ("ei", 0.35), ("e", 0.4)),
    "AH": (("a", 0), ("e", 0.1), ("o", 0.3), ("u", 0.3)),
    "AO": (("ao", 0), ("o", 0.05), ("uo", 0.1), ("ou", 0.3), ("a", 0.3)),
    "AW": (("ao", 0), ("ou", 0.3)),
    "AY": (("ai", 0), ("ei", 0.4)),
    "EH": (("ei", 0.05), ("e", 0.1), ("ai", 0.15), ("a", 0.3), ("ie", 0.3), ("i", 0.4)),
    "ER": (("e", 0), ("er", 0.05), ("o", 0.1), ("a", 0.2), ("uo", 0.3)),
    "EY": (("ei", 0), ("ai", 0.15), ("i", 0.4)),
    "IH": (("i", 0), ("e", 0.3), ("ei", 0.3)),
    "IY": (("i", 0), ("ei", 0.4)),
    "OW": (("ou", 0), ("uo", 0.05), ("o", 0.05), ("ao", 0.2)),
    "OY": (("uo i", 0), ("ao i", 0.1), ("ao", 0.3)),
    "UH": (("u", 0), ("ou", 0.2), ("uo", 0.3)),
    "UW": (("u", 0), ("ou", 0.1), ("v", 0.3), ("iou", 0.3)),
}
_UNSTRESSED = (("e", 0.0), ("a", 0.1), ("i", 0.25))  # a reduced vowel (stress 0) may be a schwa

# a consonant not followed by a vowel: a syllable of its own with an epenthetic vowel
_ALONE: dict[str, tuple[tuple[str, float], ...]] = {
    "B": (("bu", 0), ("bo", 0.1)), "P": (("pu", 0), ("po", 0.2)), "D": (("de", 0), ("da", 0.3)),
    "T": (("te", 0), ("ti", 0.2), ("tu", 0.3)), "G": (("ge", 0), ("gu", 0.2)),
    "K": (("ke", 0), ("ku", 0.2)), "F": (("fu", 0), ("fo", 0.1)),
    "V": (("fu", 0), ("wu", 0.1), ("wei", 0.3)), "TH": (("si", 0), ("se", 0.2)),
    "DH": (("de", 0), ("zi", 0.2)), "S": (("si", 0), ("shi", 0.3), ("se", 0.3)),
    "Z": (("zi", 0), ("si", 0.1), ("ci", 0.3)), "SH": (("shi", 0), ("xi", 0.2)),
    "ZH": (("ri", 0), ("shi", 0.3)), "CH": (("qi", 0), ("chi", 0.1)),
    "JH": (("ji", 0), ("zhi", 0.2)), "HH": (("he", 0),), "M": (("mu", 0), ("en", 0.3)),
    "N": (("en", 0),), "NG": (("eng", 0), ("en", 0.1)), "L": (("er", 0), ("le", 0.1), ("lu", 0.2)),
    "R": (("er", 0.1), ("lu", 0.3)), "W": (("wu", 0),), "Y": (("yi", 0),),
}  # fmt: skip
# a consonant alone before a y glide (Vue: V Y UW1 -> 维尤 wei you)
_BEFORE_Y = {"V": ("", "uei"), "F": ("f", "ei"), "B": ("b", "i"), "P": ("p", "i"),
             "M": ("m", "i"), "D": ("d", "i"), "T": ("t", "i"), "N": ("n", "i"),
             "L": ("l", "i"), "K": ("k", "ei"), "G": ("g", "ei")}  # fmt: skip
# a consonant dropped (codas): cost
_DROP = {"R": 0.0, "T": 0.4, "D": 0.4, "K": 0.5, "G": 0.5, "P": 0.5, "B": 0.5, "L": 0.4,
         "S": 0.6, "Z": 0.5, "N": 0.5, "M": 0.5, "TH": 0.6, "DH": 0.6, "HH": 0.0, "F": 0.6,
         "V": 0.5, "Y": 0.3, "W": 0.3}  # fmt: skip

_NASAL_N = {"a": "an", "e": "en", "i": "in", "ei": "en", "ai": "an", "ao": "an", "o": "ong",
            "uo": "uen", "ou": "ong", "u": "uen", "v": "vn", "ia": "ian", "ie": "ian",
            "ua": "uan", "iou": "in", "uei": "uen", "er": "en"}  # fmt: skip
_NASAL_NG = {"a": "ang", "e": "eng", "i": "ing", "ei": "eng", "ai": "ang", "ao": "ang",
             "o": "ong", "uo": "ong", "ou": "ong", "u": "ong", "v": "iong", "ia": "iang",
             "ie": "ing", "ua": "uang", "iou": "iong", "uei": "uen", "er": "eng"}  # fmt: skip
# a glide onset / medial joined to a final
_GLIDE = {
    "w": {"a": "ua", "o": "uo", "e": "uo", "ei": "uei", "ai": "uai", "i": "uei", "u": "u",
          "ao": "uo", "ou": "u", "uo": "uo", "er": "uo", "an": "uan", "en": "uen",
          "ang": "uang", "eng": "ueng", "in": "uen", "ie": "uei", "iou": "u", "v": "u"},
    "y": {"a": "ia", "o": "io", "e": "ie", "ei": "ie", "ai": "ia", "i": "i", "u": "iou",
          "ao": "iao", "ou": "iou", "uo": "io", "er": "ie", "an": "ian", "en": "in",
          "ang": "iang", "eng": "ing", "in": "in", "ie": "ie", "iou": "iou", "v": "v",
          "ong": "iong"},
}  # fmt: skip
_PALATAL = {"g": "j", "k": "q", "h": "x", "s": "x", "z": "j", "c": "q"}


def _make(ini: str, fin: str) -> tuple[str, str] | None:
    """A legal (initial, final) from an onset and a final, glides resolved, or None."""
    if ini in ("w", "y"):
        fin = _GLIDE[ini].get(fin, fin)
        ini = ""
    if _is_legal(ini, fin):
        return (ini, fin)
    if fin == "o" and ini:  # o follows b p m f only: ko is written ke (科), do duo (多)
        fin = "e" if ini in ("g", "k", "h") else "uo"
        return (ini, fin) if _is_legal(ini, fin) else None
    if ini in ("j", "q", "x") and fin[:1] not in ("i", "v"):
        # palatals take an i medial: JH AA -> jia, JH EH -> jie
        fin = _GLIDE["y"].get(fin, "i" + fin)
        if _is_legal(ini, fin):
            return (ini, fin)
    return None


def _pinyin_str(ini: str, fin: str) -> str:
    """Normalised (initial, final) back to a pinyin spelling (``("", "uei")`` -> ``wei``)."""
    if not ini:
        if fin.startswith("i"):
            rest = fin[1:]
            return "y" + (fin if rest in ("", "n", "ng") else rest)
        if fin.startswith("u"):
            rest = fin[1:]
            return "w" + ("u" if not rest else rest.replace("ei", "ei").replace("en", "en"))
        if fin.startswith("v"):
            return "yu" + fin[1:].replace("n", "n")
        return fin
    fin2 = {"iou": "iu", "uei": "ui", "uen": "un"}.get(fin, fin)
    if ini in ("j", "q", "x") and fin2.startswith("v"):
        fin2 = "u" + fin2[1:]
    return ini + fin2


def _split(s: str) -> list[tuple[str, str]]:
    return [(lambda x: (x[0], x[1]))(syllable(p)) for p in s.split()]


def _vowel_options(v: str, letter: str = "") -> list[tuple[str, float]]:
    base = v.rstrip("012")
    opts = list(_VOWEL.get(base, ()))
    if v.endswith("0") and base != "ER":  # reduced: schwa first, the full vowel dearer
        best = dict(_UNSTRESSED)
        for f, c in opts:
            best[f] = min(best.get(f, 9.0), c + 0.1)
        opts = sorted(best.items(), key=lambda fc: fc[1])
    if letter and (base in _COLOURED or v.endswith("0")):
        best = dict(opts)
        for f, c in _SPELLED.get(letter, ()):
            best[f] = min(best.get(f, 9.0), c)
        opts = sorted(best.items(), key=lambda fc: fc[1])
    return opts


# Vowels whose Mandarin rendering may follow the spelling (Kotlin 科特林, Java 加瓦: a
# Chinese speaker reads the letter), and the finals each vowel letter gives.
_COLOURED = frozenset(("AA", "AH", "AO", "AE", "ER"))
_SPELLED: dict[str, tuple[tuple[str, float], ...]] = {
    "a": (("a", 0.0), ("ai", 0.15)),
    "o": (("o", 0.0), ("ou", 0.05), ("ao", 0.1)),
    "e": (("e", 0.0), ("ei", 0.05), ("ai", 0.1)),
    "i": (("i", 0.0),),
}


def _vowel_letters(spelling: str, phones: Phones) -> tuple[str, ...]:
    """The vowel letter spelling each vowel phone, where the word's single-letter vowel
    groups line up one to one with its vowel phones (a silent final e left out); ``""``
    for a vowel written with two letters (ea, ou) or when they do not line up."""
    w = spelling.lower()
    if not w.isalpha() or not w.isascii():
        return ()
    if len(w) > 2 and w.endswith("e") and w[-2] not in "aeiouy":
        w = w[:-1]
    groups = [m.group() for m in re.finditer(r"[aeiou]+|(?<=[^aeiou])y", w)]
    n_vowels = sum(1 for p in phones if p.rstrip("012") in VOWELS)
    if len(groups) != n_vowels:
        return ()
    return tuple(g if len(g) == 1 and g != "y" else "" for g in groups)


@lru_cache(maxsize=16384)
def phones_to_pinyin(
    phones: Phones, k: int = 6, spelling: str = ""
) -> tuple[tuple[float, tuple[str, ...]], ...]:
    """The ``k`` cheapest Mandarin readings of an English phone sequence.

    Each consonant-vowel pair becomes a syllable (a nasal coda joins the final), other
    consonants become syllables of their own with an epenthetic vowel (``S`` -> ``si``)
    or are dropped (a final ``R``); graded costs rank the readings. With the word's
    ``spelling``, a low or reduced vowel may also take the final its letter reads as
    (``Kotlin``: K AA1 ... as ``ke``, as well as ``ka``).

    >>> [(c, " ".join(s)) for c, s in phones_to_pinyin(("D", "AA1", "K", "ER0"), 3)]
    [(0.0, 'da ke'), (0.2, 'da ge'), (0.2, 'da ka')]
    """
    n = len(phones)
    beam = 12
    vowel_at = [i for i, p in enumerate(phones) if p.rstrip("012") in VOWELS]
    letter_at = dict(zip(vowel_at, _vowel_letters(spelling, phones), strict=False))
    # dp[i]: cheapest (cost, syllables) covering phones[:i]
    dp: list[dict[tuple[tuple[str, str], ...], float]] = [{} for _ in range(n + 1)]
    dp[0][()] = 0.0

    def push(j: int, sylls: tuple[tuple[str, str], ...], cost: float) -> None:
        d = dp[j]
        old = d.get(sylls)
        if old is None or cost < old:
            d[sylls] = cost

    def finals_after(i: int) -> list[tuple[str, float, int]]:
        """Finals for the vowel at i, with an optional nasal coda: (final, cost, next)."""
        out: list[tuple[str, float, int]] = []
        for fin, c in _vowel_options(phones[i], letter_at.get(i, "")):
            out.append((fin, c, i + 1))
            if i + 1 < n and phones[i + 1] in ("N", "M", "NG") and " " not in fin:
                nas = phones[i + 1]
                before_vowel = (i + 2 < n and phones[i + 2] in VOWELS) or (
                    i + 2 < n and phones[i + 2].rstrip("012") in VOWELS
                )
                extra = 0.3 if before_vowel else 0.0
                if nas == "M":
                    extra += 0.15
                main, alt = (_NASAL_NG, _NASAL_N) if nas == "NG" else (_NASAL_N, _NASAL_NG)
                if fin in main:
                    out.append((main[fin], c + extra, i + 2))
                    if before_vowel:  # the nasal closes this syllable and opens the next
                        out.append((main[fin], c + 0.1, i + 1))
                if fin in alt:
                    out.append((alt[fin], c + extra + 0.15, i + 2))
        return out

    def is_vowel(i: int) -> bool:
        return i < n and phones[i].rstrip("012") in VOWELS

    for i in range(n):
        if not dp[i]:
            continue
        states = sorted(dp[i].items(), key=lambda kv: kv[1])[:beam]
        ph = phones[i]
        base = ph.rstrip("012")
        moves: list[tuple[tuple[tuple[str, str], ...], float, int]] = []
        if base in VOWELS:
            for fin, c, j in finals_after(i):
                parts = fin.split()
                made = _make("", parts[0])
                if made is None:
                    continue
                extra = [p for p in (_make("", x) for x in parts[1:]) if p]
                moves.append(((made, *extra), c + 0.1, j))  # no onset: a little dearer
        else:
            onset_next = i + 1
            medial = ""
            if is_vowel(i + 1):
                pass
            elif (
                i + 2 < n
                and phones[i + 1] in ("W", "Y")
                and is_vowel(i + 2)
                and base
                not in (
                    "W",
                    "Y",
                )
            ):
                medial = "w" if phones[i + 1] == "W" else "y"
                onset_next = i + 2
            if is_vowel(onset_next):
                for ini, ci in _ONSET.get(base, ()):
                    for fin, cf, j in finals_after(onset_next):
                        parts = fin.split()
                        first = parts[0]
                        if medial:
                            first = _GLIDE[medial].get(first, first)
                            if medial == "y" and ini in _PALATAL:
                                ini2 = _PALATAL[ini]
                                made2 = _make(ini2, first)
                                if made2:
                                    extra = [p for p in (_make("", x) for x in parts[1:]) if p]
                                    moves.append(((made2, *extra), ci + cf + 0.1, j))
                        if medial and ini in ("w", "y"):
                            continue  # a glide onset takes no second glide
                        made = _make(ini, first)
                        if made is None and ini in _PALATAL and first.startswith("i"):
                            made = _make(_PALATAL[ini], first)
                            ci2 = ci + 0.1
                        else:
                            ci2 = ci
                        if made is None:
                            continue
                        extra = [p for p in (_make("", x) for x in parts[1:]) if p]
                        moves.append(((made, *extra), ci2 + cf, j))
                v = phones[onset_next].rstrip("012")
                if base == "R" and not medial and v in ("EH", "EY", "IH", "IY"):
                    # R before a front vowel is often written 瑞 (rui): Redis 瑞迪斯
                    moves.append(((("r", "uei"),), 0.1, onset_next + 1))
            for s, c in _ALONE.get(base, ()):
                moves.append((tuple(_split(s)), c + 0.15, i + 1))
            if i + 1 < n and phones[i + 1] == "Y" and base in _BEFORE_Y:
                # a consonant before a y glide takes an i of its own: V Y UW -> wei you
                moves.append(((_BEFORE_Y[base],), 0.15, i + 1))
            if base in _DROP and not is_vowel(i + 1) and (i > 0 or n == 1):
                moves.append(((), _DROP[base], i + 1))
        for sylls, cost in states:
            for add, c, j in moves:
                push(j, sylls + add, cost + c)
        if len(dp[i + 1]) > 4 * beam:
            dp[i + 1] = dict(sorted(dp[i + 1].items(), key=lambda kv: kv[1])[: 2 * beam])
    best = heapq.nsmallest(k, dp[n].items(), key=lambda kv: (kv[1], kv[0]))
    return tuple((round(c, 6), tuple(_pinyin_str(a, b) for a, b in s)) for s, c in best if s)


# ----------------------------------------------------------------------------- terms
@dataclass(frozen=True, slots=True)
class SpokenForm:
    """One way a Latin term may be heard by a Chinese recognizer.

    Attributes:
        pinyin: toneless syllables separated by spaces (``"dao ke"``).
        source: where it came from (``cmudict``, ``g2p``, ``letters``, ``letters-zh``,
            ``pinyin``, ``user``; pieces from several sources are joined with ``+``).
        phones: the English phones it was mapped from, when any (``"D AA1 K ER0"``).
        cost: generation cost: 0 for the most usual reading, higher for less likely ones.
    """

    pinyin: str
    source: str
    phones: str
    cost: float

    @property
    def syllables(self) -> tuple[Syllable, ...]:
        """Tone-free syllables (tone 5: any tone costs the neutral-tone difference)."""
        return tuple(syllable(p + "5") for p in self.pinyin.split())


@dataclass(frozen=True, slots=True)
class PhoneForm:
    """An English phone sequence a Latin term may be said as (for Latin text)."""

    phones: Phones
    source: str
    cost: float


_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\sA-Za-z0-9]|\s+")


def is_latin_term(text: str) -> bool:
    """True for a term written in Latin letters (digits and symbols allowed, no Han).

    >>> is_latin_term("GPT-4o"), is_latin_term("Node.js"), is_latin_term("B站"), is_latin_term("42")
    (True, True, False, False)
    """
    return (
        bool(text)
        and text.isascii()
        and any(ch.isalpha() for ch in text)
        and all(ch.isalnum() or ch in " .+#-_/&@'" for ch in text)
    )


def _pieces(term: str) -> list[str]:
    return [p for p in _PIECE.findall(term) if p]


# piece readings: (cost, pinyin syllables, source, phones)
_Reading = tuple[float, tuple[str, ...], str, str]


def _sayable(piece: str) -> bool:
    """An all-capitals piece that reads as a word (JSON, REST, CUDA: three letters or
    more, a vowel among them, no three consonants in a row), said as one by many."""
    w = piece.lower()
    return len(w) >= 3 and any(ch in "aeiou" for ch in w) and re.search(r"[^aeiouy]{3}", w) is None


def _is_acronym(piece: str) -> bool:
    p = piece
    if len(p) == 1:
        return True
    if p.isupper() and len(p) <= 5:
        return True
    return not any(ch in "aeiouy" for ch in p.lower())


def _pinyin_reading(letters: str) -> list[tuple[float, tuple[str, ...]]]:
    """The spelling read as pinyin: legal syllables, leftover consonants given a vowel."""
    w = letters.lower()
    w = re.sub(r"([aeiou])\1", r"\1", w)  # saas -> sas
    n = len(w)
    best: list[tuple[float, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0.0, ())
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            chunk = w[i:j]
            s = syllable(chunk.replace("v", "v") + "5")
            if (s[0], s[1]) in _legal_cache() and not (j - i == 1 and chunk not in "aeo"):
                c = cur[0]
            elif j - i == 1 and chunk in _EPENTHETIC:
                chunk = _EPENTHETIC[chunk]
                c = cur[0] + 0.3
            else:
                continue
            cand = (c, (*cur[1], chunk))
            old = best[j]
            if old is None or (cand[0], len(cand[1])) < (old[0], len(old[1])):
                best[j] = cand
    got = best[n]
    return [got] if got is not None and got[1] else []


_EPENTHETIC = {"b": "bu", "c": "ci", "d": "de", "f": "fu", "g": "ge", "h": "he", "j": "ji",
               "k": "ke", "l": "le", "m": "mu", "n": "en", "p": "pu", "q": "qi", "r": "er",
               "s": "si", "t": "te", "w": "wu", "x": "xi", "z": "zi", "i": "yi", "u": "wu",
               "v": "wei", "y": "yi"}  # fmt: skip


def _legal_cache() -> frozenset[tuple[str, str]]:
    global _LEGAL
    if _LEGAL is None:
        _LEGAL = _legal()
    return _LEGAL


def _from_phones(
    phones: Phones, source: str, extra: float, k: int, spelling: str = ""
) -> list[_Reading]:
    return [
        (extra + c, s, source, " ".join(phones)) for c, s in phones_to_pinyin(phones, k, spelling)
    ]


def _letter_readings(piece: str, extra: float) -> list[_Reading]:
    letters = piece.lower()
    out: list[_Reading] = []
    ph = tuple(p for ch in letters for p in LETTER_PHONES.get(ch, ()))
    if ph:
        out += _from_phones(ph, "letters", extra + 0.05, 2)
    # the Chinese letter names: the cheapest combinations of each letter's names, a
    # later name of a letter dearer (艾欧 for L is rarer than 艾勒, not ruled out)
    combos: list[tuple[float, tuple[str, ...]]] = [(0.0, ())]
    for ch in letters:
        opts = LETTERS_ZH.get(ch, ("",))
        combos = heapq.nsmallest(
            _LETTER_COMBOS,
            (
                (round(c + _LETTER_RANK_COST[min(r, 2)], 6), seq + tuple(name.split()))
                for c, seq in combos
                for r, name in enumerate(opts)
            ),
        )
    out += [(extra + c, seq, "letters-zh", "") for c, seq in combos]
    return out


_LETTER_RANK_COST = (0.0, 0.15, 0.25)  # a letter's first, second, later Chinese name
_LETTER_COMBOS = 6


def _piece_readings(piece: str, k: int) -> list[_Reading]:
    if piece.isspace():
        return [(0.0, (), "", "")]
    if piece.isascii() and piece.isdigit():
        out: list[_Reading] = [(0.0, tuple(_DIGITS_ZH[int(d)] for d in piece), "digits-zh", "")]
        if len(piece) == 2 and piece[0] != "0":
            tens, ones = int(piece[0]), int(piece[1])
            sylls = (*(() if tens == 1 else (_DIGITS_ZH[tens],)), "shi")
            sylls += (_DIGITS_ZH[ones],) if ones else ()
            out.append((0.05, sylls, "digits-zh", ""))
        ph = word_phones(piece)
        if ph and ph[0]:
            out += _from_phones(ph[0], "digits-en", 0.1, 2)
        return out
    if not piece.isalpha():
        zh, en = _SYMBOLS.get(piece, (("",), ("",)))
        # later choices cost more; a symbol left unsaid when it is usually said, most
        out = [
            (0.0 if i == 0 else (0.3 if not z else 0.2 * i), tuple(z.split()), "symbol-zh", "")
            for i, z in enumerate(zh)
        ]
        for word in en:
            if word:
                ph = _cmu(word)
                if ph:
                    out += _from_phones(ph[0], "symbol-en", 0.1, 2)
            else:  # left unsaid: free only for a symbol usually silent (a hyphen)
                out.append((0.0 if not zh[0] else 0.3, (), "symbol-en", ""))
        return out
    out = []
    acronym = _is_acronym(piece)
    word_extra = 0.2 if acronym else 0.0
    sayable = acronym and _sayable(piece)
    for i, (pron, src) in enumerate(pronunciations(piece)):
        if acronym and src != "cmudict" and not sayable:
            continue  # an acronym is not sounded out by rules, unless it reads as a word
        extra = word_extra + 0.1 * i + (0.1 if src == "g2p" else 0)
        out += _from_phones(pron, src, extra, k, piece)
    if acronym or len(piece) <= 4:
        out += _letter_readings(piece, 0.0 if acronym else 0.5)
    for c, s in _pinyin_reading(piece):
        out.append((c + (0.1 if acronym or len(piece) <= 4 else 0.4), s, "pinyin", ""))
    return out


def _join_source(a: str, b: str) -> str:
    """``cmudict`` + ``letters-zh`` -> ``cmudict+letters-zh``; a repeated source once."""
    if not b or b == a.rpartition("+")[2]:
        return a
    return f"{a}+{b}" if a else b


def _combine(per_piece: Sequence[list[_Reading]], k: int) -> list[_Reading]:
    combos: list[_Reading] = [(0.0, (), "", "")]
    for readings in per_piece:
        nxt: dict[tuple[str, ...], _Reading] = {}
        for c0, s0, src0, ph0 in combos:
            for c1, s1, src1, ph1 in readings:
                s = s0 + s1
                src = (
                    src0
                    if not src1 or src1 == src0.rpartition("+")[2]
                    else (f"{src0}+{src1}" if src0 else src1)
                )
                ph = f"{ph0} {ph1}".strip()
                cand = (round(c0 + c1, 6), s, src, ph)
                old = nxt.get(s)
                if old is None or cand[0] < old[0]:
                    nxt[s] = cand
        combos = heapq.nsmallest(3 * k, nxt.values(), key=lambda r: (r[0], r[1]))
    return combos


@lru_cache(maxsize=16384)
def spoken_forms(term: str, max_forms: int = 12) -> tuple[SpokenForm, ...]:
    """Plausible Mandarin syllable sequences for a Latin term, cheapest first.

    Forms costlier than the best by more than 1.0, or with fewer than 2 syllables, are
    left out; ``()`` for a term with no Latin letters.

    >>> [(f.pinyin, f.source) for f in spoken_forms("SQL")][:2]
    [('ai si qiu ai le', 'letters-zh'), ('ai si kou ai le', 'letters-zh')]
    >>> [f.pinyin for f in spoken_forms("Vue3")][:2]
    ['fu you san', 'wei you san']
    >>> spoken_forms("C++")[0].pinyin
    'xi jia jia'
    """
    if not is_latin_term(term):
        return ()
    pieces = _pieces(term)
    per_piece = [_piece_readings(p, max_forms) for p in pieces]
    combos = [c for c in _combine(per_piece, max_forms) if len(c[1]) >= 2]
    if len(pieces) > 1 and term.isalpha():  # SaaS, GitHub: the whole word may be listed
        for pron in _cmu(term)[:1]:
            whole = _from_phones(pron, "cmudict", 0.0, max_forms, term)
            combos += [c for c in whole if len(c[1]) >= 2]
    return _to_forms(combos, max_forms)


def is_mixed_term(text: str) -> bool:
    """True for a term mixing Han characters with Latin letters or digits (``B站``).

    >>> is_mixed_term("B站"), is_mixed_term("K8s 集群"), is_mixed_term("重庆"), is_mixed_term("AI")
    (True, True, False, False)
    """
    return any(is_cjk(ch) for ch in text) and any(ch.isascii() and ch.isalnum() for ch in text)


_SCRIPT_RUN = re.compile(r"[^\x00-\x7f]+|[\x00-\x7f]+")


@lru_cache(maxsize=16384)
def mixed_spoken_forms(term: str, max_forms: int = 12) -> tuple[SpokenForm, ...]:
    """Syllable sequences of a term mixing Latin and Han: the Latin part's readings (as
    :func:`spoken_forms` makes them, a single letter included) joined with the Han
    part's pinyin (phrase-aware, tone free). Forms costlier than the best by more than
    1.0 are left out; ``()`` for a term that is not mixed.

    >>> [f.pinyin for f in mixed_spoken_forms("B站")][:2]
    ['bi zhan', 'bu yi zhan']
    >>> mixed_spoken_forms("iPhone 手机")[0].pinyin, mixed_spoken_forms("iPhone 手机")[0].source
    ('ai fou en shou ji', 'letters-zh+cmudict+han')
    """
    from hotfuse.phonetics import hotword_pinyin

    if not is_mixed_term(term):
        return ()
    per_piece: list[list[_Reading]] = []
    for run in _SCRIPT_RUN.findall(term):
        if run.isascii():
            per_piece += [_piece_readings(p, max_forms) for p in _pieces(run)]
        else:
            sylls = tuple(r.rstrip("12345") for r in hotword_pinyin(run) if r)
            per_piece.append([(0.0, sylls, "han", "")])
    combos = [c for c in _combine(per_piece, max_forms) if len(c[1]) >= 2]
    return _to_forms(combos, max_forms)


def _to_forms(combos: Sequence[_Reading], max_forms: int) -> tuple[SpokenForm, ...]:
    """The forms of ``combos``, cheapest first, one per syllable sequence, at most
    ``max_forms``, none costlier than the best by more than 1.0."""
    if not combos:
        return ()
    best = min(c[0] for c in combos)
    out: list[SpokenForm] = []
    seen: set[str] = set()
    for c, s, src, ph in sorted(combos, key=lambda r: (r[0], r[1])):
        py = " ".join(s)
        if c > best + 1.0 or py in seen:
            continue
        seen.add(py)
        out.append(SpokenForm(py, src or "letters", ph, round(c - best, 6)))
        if len(out) >= max_forms:
            break
    return tuple(out)


def _spelled_pinyin(word: str) -> list[tuple[str, ...]]:
    """``word`` split into pinyin syllables as spelled (``beijing`` -> ``bei jing``), fewest
    syllables first (at most two splits); ``[]`` when it is no pinyin spelling."""
    w = word.lower()
    n = len(w)
    if n < 2 or not w.isascii() or not w.isalpha():
        return []
    legal = _legal_cache()
    best: list[list[tuple[str, ...]]] = [[] for _ in range(n + 1)]
    best[0] = [()]
    for i in range(n):
        if not best[i]:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            chunk = w[i:j]
            ini, fin, _tone = syllable(chunk)
            if (
                (ini, fin) not in legal
                or _pinyin_str(ini, fin) != chunk
                or not any(v in chunk for v in "aeiouv")  # ng, hm: interjections
            ):
                continue
            best[j] = sorted({*best[j], *((*p, chunk) for p in best[i])}, key=len)[:2]
    # a one-letter syllable is no way to write a longer word (guo is not gu o)
    return [p for p in best[n] if len(p) == 1 or all(len(x) > 1 for x in p)]


@lru_cache(maxsize=65536)
def latin_readings(
    word: str, max_readings: int = 4
) -> tuple[tuple[float, tuple[str, ...], str], ...]:
    """How a Latin word of a transcript may be heard as Mandarin syllables, cheapest first:
    ``(cost, syllables, source)``.

    A word spelled as pinyin (``bei``, ``Beijing``: a bilingual recognizer writing Chinese
    in letters) is read as spelled, at no cost unless it is also a common English word
    (0.15 per Zipf unit over 3); every word also as an English word is said (dictionary
    or rules, mapped by :func:`phones_to_pinyin`), a short or capitalised one letter by
    letter too, digits in Chinese. Readings costlier than the best by more than
    0.6 are left out.

    >>> latin_readings("Beijing")[1], latin_readings("jing")[0]
    ((0.168, ('bei', 'jing'), 'pinyin'), (0.0, ('jing',), 'pinyin'))
    >>> [(c, " ".join(s)) for c, s, _src in latin_readings("case")][:1]
    [(0.15, 'kei si')]
    """
    if not word or not word.isascii() or not word.isalnum():
        return ()
    # a common English word is less likely pinyin: its spelled reading costs more
    as_pinyin = round(0.15 * max(0.0, english_zipf(word) - 3.0), 6)
    out: list[tuple[float, tuple[str, ...], str]] = [
        (as_pinyin, s, "pinyin") for s in _spelled_pinyin(word)
    ]
    per_piece = [
        [r for r in _piece_readings(p, 4) if r[2] != "pinyin"] or _piece_readings(p, 4)
        for p in _pieces(word)
    ]
    out += [(c, s, src) for c, s, src, _ph in _combine(per_piece, 4) if s]
    if not out:
        return ()
    # one entry per syllable sequence, at its lowest cost; a pinyin spelling of a word
    # rarer than Zipf 5 (spelled cost <= 0.3) is pinyin even where English rules say the
    # same syllables (``jing``, ``hang``), a common word stays English (``long``)
    by_sylls: dict[tuple[str, ...], tuple[float, str]] = {}
    for c, s, src in out:
        old = by_sylls.get(s)
        if old is None:
            by_sylls[s] = (c, src)
        elif old[1] == "pinyin" and old[0] <= 0.3:
            by_sylls[s] = (min(c, old[0]), "pinyin")
        elif c < old[0]:
            by_sylls[s] = (c, src)
    best = min(c for c, _src in by_sylls.values())
    kept = sorted(
        ((round(c, 6), s, src) for s, (c, src) in by_sylls.items() if c <= best + 0.6),
        key=lambda r: (r[0], len(r[1])),
    )
    return tuple(kept[:max_readings])


@lru_cache(maxsize=16384)
def phone_forms(term: str, max_forms: int = 6) -> tuple[PhoneForm, ...]:
    """English phone sequences a Latin term may be said as, cheapest first.

    >>> [(" ".join(f.phones), f.source) for f in phone_forms("Kotlin")][:1]
    [('K AA1 T L IH1 N', 'compound')]
    >>> " ".join(phone_forms("SQL")[0].phones)
    'EH1 S K Y UW1 EH1 L'
    """
    if not is_latin_term(term):
        return ()
    per: list[list[tuple[float, Phones, str]]] = []
    for piece in _pieces(term):
        opts: list[tuple[float, Phones, str]] = []
        if piece.isspace():
            continue
        if piece.isascii() and piece.isdigit():
            opts.append((0.0, word_phones(piece)[0], "digits-en"))
        elif not piece.isalpha():
            _zh, en = _SYMBOLS.get(piece, ((), ("",)))
            for w in en:
                ph = _cmu(w)[0] if w and _cmu(w) else ()
                opts.append((0.0 if not w else 0.1, ph, "symbol-en"))
        else:
            acronym = _is_acronym(piece)
            sayable = acronym and _sayable(piece)
            for i, (ph, src) in enumerate(pronunciations(piece)):
                if acronym and src != "cmudict" and not sayable:
                    continue
                opts.append((0.1 * i + (0.2 if acronym else 0.0), ph, src))
            if acronym or len(piece) <= 4:
                letters = tuple(p for ch in piece.lower() for p in LETTER_PHONES.get(ch, ()))
                opts.append((0.0 if acronym else 0.5, letters, "letters"))
        per.append(opts)
    combos: list[tuple[float, Phones, str]] = [(0.0, (), "")]
    for opts in per:
        combos = heapq.nsmallest(
            3 * max_forms,
            [
                (
                    c0 + c1,
                    p0 + p1,
                    s0 if s1 == s0.rpartition("+")[2] else (f"{s0}+{s1}" if s0 else s1),
                )
                for c0, p0, s0 in combos
                for c1, p1, s1 in opts
            ],
            key=lambda r: (r[0], r[1]),
        )
    if len(per) > 1 and term.isalpha():
        combos = [(0.0, ph, "cmudict") for ph in _cmu(term)[:1]] + combos
    out: list[PhoneForm] = []
    seen: set[Phones] = set()
    for c, p, s in sorted(combos, key=lambda r: r[0]):
        if p and p not in seen:
            seen.add(p)
            out.append(PhoneForm(p, s, round(c, 6)))
    return tuple(out[:max_forms])


# ----------------------------------------------------------------------------- distance
_CLOSE: dict[frozenset[str], float] = {}


def _close(groups: Iterable[tuple[str, ...]], cost: float) -> None:
    for g in groups:
        for a in g:
            for b in g:
                if a != b:
                    _CLOSE.setdefault(frozenset((a, b)), cost)


_close([("AA", "AO", "AH"), ("IH", "IY"), ("AH", "IH"), ("AH", "EH"), ("EH", "AE", "EY"),
        ("UH", "UW"), ("ER", "AH"),
        ("AO", "OW"), ("AW", "AO"), ("AY", "AE")], 0.25)  # fmt: skip
_close([("P", "B"), ("T", "D"), ("K", "G"), ("F", "V"), ("S", "Z"), ("SH", "ZH"),
        ("CH", "JH"), ("TH", "DH"), ("TH", "S"), ("DH", "D"), ("M", "N"), ("N", "NG"),
        ("ER", "R"), ("W", "UW"), ("Y", "IY"), ("SH", "S"), ("CH", "SH"),
        ("TH", "F")], 0.3)  # fmt: skip
_close([("L", "R")], 0.45)


@lru_cache(maxsize=4096)
def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    c = _CLOSE.get(frozenset((a, b)))
    if c is not None:
        return c
    if a in VOWELS and b in VOWELS:
        return 0.5
    return 1.0


@lru_cache(maxsize=256)
def _indel_cost(p: str) -> float:
    return 0.6 if p in ("AH", "HH", "R", "Y", "W") or p in VOWELS else 1.0


def phone_distance(a: Sequence[str], b: Sequence[str], limit: float = math.inf) -> float:
    """Weighted edit distance between two phone sequences per phone of ``b`` (stress ignored).

    With ``limit``, returns ``inf`` as soon as the distance must exceed it.

    >>> round(phone_distance(word_phones("cotton")[0], phone_forms("Kotlin")[0].phones), 2)
    0.21
    >>> phone_distance(("K", "AA1", "T"), ("D", "OW1", "G"), limit=0.25)
    inf
    """
    return _phone_distance(_strip(tuple(a)), _strip(tuple(b)), limit)


@lru_cache(maxsize=65536)
def _strip(phones: Phones) -> Phones:
    return tuple(p.rstrip("012") for p in phones)


def _phone_distance(x: Phones, y: Phones, limit: float) -> float:
    m = len(y)
    if not m:
        return math.inf
    bound = limit * m + 1e-9
    indel_y = [_indel_cost(q) for q in y]
    prev = [0.0]
    for c in indel_y:
        prev.append(prev[-1] + c)
    for p in x:
        dp_p = _indel_cost(p)
        cur = [prev[0] + dp_p]
        row_min = cur[0]
        for j, q in enumerate(y):
            sub = 0.0 if p == q else _sub_cost(p, q)
            v = prev[j] + sub
            up = prev[j + 1] + dp_p
            if up < v:
                v = up
            left = cur[j] + indel_y[j]
            if left < v:
                v = left
            cur.append(v)
            if v < row_min:
                row_min = v
        if row_min > bound:
            return math.inf
        prev = cur
    d = prev[-1] / m
    return round(d, 6) if d <= limit + 1e-9 else math.inf


# ----------------------------------------------------------------------------- user forms
def _is_pinyin_phrase(text: str) -> bool:
    toks = text.lower().split()
    if not toks:
        return False
    for tok in toks:
        if not re.fullmatch(r"[a-zv]+[1-5]?", tok):
            return False
        ini, fin, _tone = syllable(tok)
        if not _is_legal(ini, fin):
            return False
    return True


@lru_cache(maxsize=16384)
def hotword_spoken(
    term: str, user: tuple[str, ...] = (), auto: bool = True
) -> tuple[tuple[SpokenForm, ...], tuple[PhoneForm, ...]]:
    """The spoken forms of a Latin (or mixed Latin-Han) hotword: the user's (cost 0) and,
    with ``auto``, the generated ones (:func:`spoken_forms`, :func:`phone_forms`; for a
    mixed term :func:`mixed_spoken_forms`). A user form is toneless pinyin (``"dao ke"``)
    or English words (``"engine x"``, read by the dictionary and rules).

    One syllable sequence (or phone sequence) is one form: a generated form the user also
    gave is kept once, as the user's (source ``user``, the lower of the two costs).

    >>> py, ph = hotword_spoken("Nginx", ("engine x",))
    >>> py[0].pinyin, py[0].source, " ".join(ph[0].phones)
    ('en jie nei ke si', 'user', 'EH1 N JH AH0 N EH1 K S')
    >>> hotword_spoken("Nginx", ("en jin ke si",), auto=False)[0][0].pinyin
    'en jin ke si'
    >>> [f.source for f in hotword_spoken("Docker", ("dao ke",))[0] if f.pinyin == "dao ke"]
    ['user']
    """
    pinyin_out: list[SpokenForm] = []
    phone_out: list[PhoneForm] = []
    for form in user:
        if _is_pinyin_phrase(form):
            toks = [t.rstrip("12345") for t in form.lower().split()]
            pinyin_out.append(SpokenForm(" ".join(toks), "user", "", 0.0))
            continue
        words = re.findall(r"[A-Za-z]+|[0-9]+", form)
        per: list[Phones] = []
        for w in words:
            got = word_phones(w)
            if got:
                per.append(got[0])
        phones = tuple(p for ph in per for p in ph)
        if phones:
            phone_out.append(PhoneForm(phones, "user", 0.0))
            for c, s in phones_to_pinyin(phones, 3):
                pinyin_out.append(SpokenForm(" ".join(s), "user", " ".join(phones), c))
    if auto and is_mixed_term(term):
        pinyin_out += mixed_spoken_forms(term)
    elif auto:
        pinyin_out += spoken_forms(term)
        phone_out += phone_forms(term)
    return _dedupe_pinyin(pinyin_out), _dedupe_phones(phone_out)


def _dedupe_pinyin(forms: Sequence[SpokenForm]) -> tuple[SpokenForm, ...]:
    """One form per syllable sequence, in first-seen order: the first one's source and
    phones (the user's come first), the lowest cost."""
    best: dict[str, SpokenForm] = {}
    for f in forms:
        old = best.get(f.pinyin)
        if old is None:
            best[f.pinyin] = f
        elif f.cost < old.cost:
            best[f.pinyin] = SpokenForm(old.pinyin, old.source, old.phones, f.cost)
    return tuple(best.values())


def _dedupe_phones(forms: Sequence[PhoneForm]) -> tuple[PhoneForm, ...]:
    """One form per phone sequence (stress kept), as :func:`_dedupe_pinyin`."""
    best: dict[Phones, PhoneForm] = {}
    for f in forms:
        old = best.get(f.phones)
        if old is None:
            best[f.phones] = f
        elif f.cost < old.cost:
            best[f.phones] = PhoneForm(old.phones, old.source, f.cost)
    return tuple(best.values())
