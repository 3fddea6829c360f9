"""A slow, obviously correct reference for the candidate rule of :mod:`hotfuse.match`.

It shares no code with ``hotfuse/match.py``: it takes readings and the syllable cost table
from :mod:`hotfuse.phonetics`, the tokenizer's notion of a CJK character from
:mod:`hotfuse.transcript`, and does everything else itself, by brute force:

* **pinyin** targets (a hotword or alias of two to ``MAX_PHONETIC_SYLLABLES`` Chinese
  characters; a longer hotword is an exact form): every span of
  ``m-1`` (``m >= 3``), ``m`` or ``m+1`` Chinese characters inside one run (whitespace may
  stand between the characters, nothing else) is tried; it is a candidate when it holds
  two characters at most two apart whose coarse keys equal those of two target syllables
  at most two apart, in the same order (or, when the lexicon has at most
  ``SINGLE_ANCHOR_MAX_TARGETS`` pinyin targets, one character whose coarse key equals one
  target syllable's), and its edit distance per target syllable is at most
  ``max_distance``;
* **latin** targets (letters, digits, spaces, ``-``, ``.``, ``'``): every run of one to
  ``LATIN_MAX_WORDS`` consecutive Latin words (joined by spaces, ``-`` or ``.``) whose
  letters are at normalised Levenshtein distance at most ``latin_max_distance``;
* **exact** forms: every occurrence of an alias, or of the hotword itself when it mixes
  Chinese with Latin letters or digits (``B站``), ignoring case, width and whitespace;
* **spoken** forms of a Latin hotword (:func:`hotfuse.english.hotword_spoken`, taken as
  given): scanned as pinyin targets, the form's generation cost added to the distance
  before dividing by its syllables;
* **phone** forms of a Latin hotword (three phones or more): every run of one to
  ``LATIN_MAX_WORDS`` Latin words, each read by its first
  :func:`hotfuse.english.word_phones` reading, sharing a consonant-skeleton key with the
  form (its first consonant class with its second or third), of two letters or more
  (not only digits), whose letters are not the hotword's letters plus more, at
  :func:`hotfuse.english.phone_distance` plus cost per phone at most
  ``phone_max_distance``.

* **readings** of Latin words: a *run* is a sequence of units (a Chinese character, a
  Latin word; mixed tokens belong to none) whose gaps are whitespace only (``-`` and
  ``.`` too between two Latin words); every window of one to ``READING_UNITS`` units
  of a run holding a Latin word with a letter, all of whose Latin words have readings
  (:func:`hotfuse.english.latin_readings`, taken as given: the first three, and the
  first pinyin spelling when none of them is one), whose
  shortest reading (a character one syllable, a Latin word its shortest reading) is at
  most the longest pinyin target plus one syllable, is read in every combination; the
  ``READING_BEAM`` cheapest (cost summed left to right, rounded to 6 places; then
  syllable count; then the syllables), and the cheapest reading every Latin word as
  spelled pinyin when none of those does, are tried against every pinyin target (Chinese
  forms and spoken forms) of length n-1..n+1 (n the reading's syllables; not n-1 for a
  two-syllable target; n >= 2) of a hotword holding a Han character, that is anchored:
  a position q and p in q-2..q-1 with p or q from a Latin word, whose coarse keys equal
  the target's at j and j+1 or j+2 for some j in p-1..p+1 (or, in a small lexicon, a
  position from a Latin word sharing a coarse key with the target); a candidate at
  distance (edit distance + reading cost + form cost) / target syllables at most
  ``max_distance``.

Latin and exact spans start and end at word boundaries: where the span's first (last)
character is a Latin letter or digit, the character before (after) it is not one, nor an
apostrophe or dot with a letter or digit beyond it (``torch.AI`` is one word).
A span equal to the hotword's own text is never a candidate. The result is the set of
``(start, end, hotword, distance)`` with the smallest distance per span and hotword.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from hotfuse import english
from hotfuse.lexicon import Hotword
from hotfuse.phonetics import DEFAULT_COSTS, CostTable, char_readings, hotword_pinyin, syllable
from hotfuse.transcript import Transcript, is_cjk

__all__ = ["LATIN_MAX_WORDS", "MAX_PHONETIC_SYLLABLES", "READING_UNITS", "reference_candidates"]

Syl = tuple[str, str, int]
Key = tuple[int, int, str, float]

LATIN_MAX_WORDS = 4
READING_UNITS = 8
READING_BEAM = 6
"""Longest Latin candidate in words (the engine's window; the docstring does not state it)."""

MAX_PHONETIC_SYLLABLES = 32
#: the small-lexicon clause of the rule (a property of the rule, not shared code)
SINGLE_ANCHOR_MAX_TARGETS = 64
"""Longest Chinese form matched by sound (the limit of a lexicon file entry)."""

_MERGE_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n", "r": "n", "h": "f"}


def ref_coarse(syl: Syl) -> str:
    """Toneless syllable, z/zh c/ch s/sh n/l/r f/h merged, -ng written -n."""
    initial = _MERGE_INITIAL.get(syl[0], syl[0])
    final = syl[1]
    if len(final) > 2 and final.endswith("ng"):
        final = final[:-1]
    return initial + "|" + final


def ref_distance(hyp: Sequence[Sequence[Syl]], ref: Sequence[Syl], costs: CostTable) -> float:
    """Plain weighted Levenshtein; a hypothesis position costs its cheapest reading."""
    n, m = len(hyp), len(ref)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i * costs.indel_cost
    for j in range(m + 1):
        d[0][j] = j * costs.indel_cost
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [costs.cost(h, ref[j - 1]) for h in hyp[i - 1]]
            sub = min(options) if options else costs.max_cost
            d[i][j] = min(
                d[i - 1][j - 1] + sub,
                d[i - 1][j] + costs.indel_cost,
                d[i][j - 1] + costs.indel_cost,
            )
    return d[n][m]


def ref_levenshtein(a: str, b: str) -> int:
    """Unit-cost edit distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j - 1] + (ca != cb), prev[j] + 1, cur[j - 1] + 1))
        prev = cur
    return prev[-1]


def _chinese_runs(tr: Transcript) -> list[list[int]]:
    """Runs of character positions of all-CJK tokens with only whitespace between them."""
    positions = [
        i for s, e in tr.spans if all(is_cjk(ch) for ch in tr.text[s:e]) for i in range(s, e)
    ]
    runs: list[list[int]] = []
    for i in positions:
        between = tr.text[runs[-1][-1] + 1 : i] if runs else None
        if between is not None and (between == "" or between.isspace()):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _latin_runs(tr: Transcript) -> list[list[tuple[int, int]]]:
    """Runs of Latin tokens joined by nothing, whitespace, ``-`` or ``.``."""
    runs: list[list[tuple[int, int]]] = []
    prev_end = -1
    for s, e in tr.spans:
        word = tr.text[s:e]
        if any(is_cjk(ch) for ch in word):
            prev_end = -1
            continue
        gap = tr.text[prev_end:s] if prev_end >= 0 else None
        if gap is not None and all(ch.isspace() or ch in "-." for ch in gap):
            runs[-1].append((s, e))
        else:
            runs.append([(s, e)])
        prev_end = e
    return runs


def _latin_word_char(ch: str) -> bool:
    return any(c.isalnum() and not is_cjk(c) for c in _fold(ch))


def _inside_word(text: str, i: int) -> bool:
    """Offset ``i`` falls inside a word: between two letters/digits, or on either side of
    an apostrophe or dot that stands between two of them (``torch.AI``, ``don't``)."""
    w = [0 <= k < len(text) and _latin_word_char(text[k]) for k in (i - 2, i - 1, i, i + 1)]
    joiner = [0 <= k < len(text) and text[k] in "'.’" for k in (i - 1, i)]
    return (w[1] and w[2]) or (joiner[0] and w[0] and w[2]) or (joiner[1] and w[1] and w[3])


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not _inside_word(text, start)


def _ends_word(text: str, end: int) -> bool:
    return end == len(text) or not _inside_word(text, end)


def _letters(s: str) -> str:
    return "".join(c for ch in s for c in _fold(ch) if c.isalnum())


def _record(out: dict[tuple[int, int, str], float], key: tuple[int, int, str], d: float) -> None:
    if key not in out or d < out[key]:
        out[key] = d


def reference_candidates(
    transcript: Transcript,
    hotwords: Sequence[Hotword],
    *,
    costs: CostTable = DEFAULT_COSTS,
    max_distance: float = 0.5,
    latin_max_distance: float = 0.25,
    phone_max_distance: float = 0.25,
) -> set[Key]:
    """Every candidate ``(start, end, hotword text, distance)`` by exhaustive scan."""
    text = transcript.text
    found: dict[tuple[int, int, str], float] = {}
    runs = _chinese_runs(transcript)
    latin_runs = _latin_runs(transcript)
    n_pinyin = sum(
        1
        for hw in hotwords
        if hw.weight > 0
        for form in (hw.text, *hw.aliases)
        if 2 <= len(form) <= MAX_PHONETIC_SYLLABLES and all(is_cjk(ch) for ch in form)
    )
    spoken = {
        hw.text: english.hotword_spoken(hw.text, hw.spoken, hw.auto_spoken)
        for hw in hotwords
        if hw.weight > 0 and (english.is_latin_term(hw.text) or english.is_mixed_term(hw.text))
    }
    n_pinyin += sum(
        1
        for py_forms, _ph in spoken.values()
        for f in py_forms
        if 2 <= len(f.syllables) <= MAX_PHONETIC_SYLLABLES
    )
    single = n_pinyin <= SINGLE_ANCHOR_MAX_TARGETS
    targets: list[tuple[list[Syl], str, float]] = []
    for hw in hotwords:
        if hw.weight <= 0:
            continue
        forms = [(hw.text, False)] + [(a, True) for a in hw.aliases]
        mixed = any(is_cjk(ch) for ch in hw.text) and any(
            ch.isalnum() and not is_cjk(ch) for ch in hw.text
        )
        if mixed:
            _exact(text, hw.text, hw.text, found)
        for form, is_alias in forms:
            if is_alias:
                _exact(text, form, hw.text, found)
            if len(form) > MAX_PHONETIC_SYLLABLES and all(is_cjk(ch) for ch in form):
                if not is_alias:
                    _exact(text, form, hw.text, found)
            elif len(form) >= 2 and all(is_cjk(ch) for ch in form):
                if not is_alias and hw.pinyin is not None and len(hw.pinyin) == len(form):
                    target = [syllable(r) for r in hw.pinyin]
                else:
                    target = [syllable(r) for r in hotword_pinyin(form)]
                _pinyin(text, runs, target, hw.text, costs, max_distance, found, single)
                targets.append((target, hw.text, 0.0))
            elif not any(is_cjk(ch) for ch in form) and all(
                ch.isalnum() or ch in " -.'" for ch in form
            ):
                letters = _letters(form)
                if len(letters) >= 2:
                    _latin(text, latin_runs, letters, hw.text, latin_max_distance, found)
        if hw.text in spoken:
            py_forms, ph_forms = spoken[hw.text]
            for f in py_forms:
                target = [syllable(p + "5") for p in f.pinyin.split()]
                if 2 <= len(target) <= MAX_PHONETIC_SYLLABLES:
                    _pinyin(text, runs, target, hw.text, costs, max_distance, found, single, f.cost)
                    targets.append((target, hw.text, f.cost))
            for pf in ph_forms:
                if len(pf.phones) >= 3:
                    _phones(text, latin_runs, pf, hw.text, phone_max_distance, found)
    if targets:
        _readings(transcript, targets, costs, max_distance, found, single)
    return {(s, e, h, round(d, 4)) for (s, e, h), d in found.items() if text[s:e] != h}


def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower()


def _exact(text: str, form: str, word: str, found: dict[tuple[int, int, str], float]) -> None:
    want = "".join(_fold(ch) for ch in form if not ch.isspace())
    if not want:
        return
    for start in range(len(text)):
        if text[start].isspace():
            continue
        got = ""
        end = start
        while end < len(text) and len(got) < len(want):
            if not text[end].isspace():
                got += _fold(text[end])
            end += 1
        if got == want and _starts_word(text, start) and _ends_word(text, end):
            _record(found, (start, end, word), 0.0)


def _pinyin(
    text: str,
    runs: list[list[int]],
    target: list[Syl],
    word: str,
    costs: CostTable,
    max_distance: float,
    found: dict[tuple[int, int, str], float],
    single: bool,
    cost: float = 0.0,
) -> None:
    m = len(target)
    lengths = [m, m + 1] + ([m - 1] if m >= 3 else [])
    tkeys = [ref_coarse(s) for s in target]
    target_pairs = {(tkeys[j], tkeys[k]) for j in range(m) for k in range(j + 1, min(m, j + 3))}
    for run in runs:
        for length in lengths:
            for a in range(len(run) - length + 1):
                chars = [text[i] for i in run[a : a + length]]
                hyp = [[syllable(r) for r in char_readings(ch)] for ch in chars]
                keys = [{ref_coarse(s) for s in readings} for readings in hyp]
                seed = (single and any(k in tkeys for ks in keys for k in ks)) or any(
                    (k1, k2) in target_pairs
                    for p in range(length)
                    for q in range(p + 1, min(length, p + 3))
                    for k1 in keys[p]
                    for k2 in keys[q]
                )
                if not seed:
                    continue
                d = (ref_distance(hyp, target, costs) + cost) / m
                if d <= max_distance + 1e-9:
                    _record(found, (run[a], run[a + length - 1] + 1, word), d)


def _latin(
    text: str,
    runs: list[list[tuple[int, int]]],
    letters: str,
    word: str,
    latin_max_distance: float,
    found: dict[tuple[int, int, str], float],
) -> None:
    for run in runs:
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + LATIN_MAX_WORDS) + 1):
                start, end = run[a][0], run[b - 1][1]
                if not (_starts_word(text, start) and _ends_word(text, end)):
                    continue
                span = _letters(text[start:end])
                d = ref_levenshtein(span, letters) / max(len(span), len(letters))
                if d <= latin_max_distance + 1e-9:
                    _record(found, (start, end, word), d)


_PHONE_CLASSES = {
    "p": "P B", "t": "T D DH TH", "k": "K G", "f": "F V", "s": "S Z SH ZH CH JH",
    "n": "M N NG", "l": "L R",
}  # fmt: skip


def _skeleton_keys(phones: Sequence[str]) -> set[tuple[str, str]]:
    """First consonant class paired with the second and with the third (vowels, W, Y
    and HH are not consonants here); one consonant alone pairs with ``""``."""
    cls = []
    for p in phones:
        base = p.rstrip("012")
        c = next((c for c, ps in _PHONE_CLASSES.items() if base in ps.split()), None)
        if c:
            cls.append(c)
    if not cls:
        return set()
    if len(cls) == 1:
        return {(cls[0], "")}
    keys = {(cls[0], cls[1])}
    if len(cls) > 2:
        keys.add((cls[0], cls[2]))
    return keys


def _phones(
    text: str,
    runs: list[list[tuple[int, int]]],
    form: english.PhoneForm,
    word: str,
    phone_max_distance: float,
    found: dict[tuple[int, int, str], float],
) -> None:
    own = _letters(word)
    tkeys = _skeleton_keys(form.phones)
    for run in runs:
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + LATIN_MAX_WORDS) + 1):
                start, end = run[a][0], run[b - 1][1]
                if not (_starts_word(text, start) and _ends_word(text, end)):
                    continue
                words = [_letters(text[s:e]) for s, e in run[a:b]]
                readings = [english.word_phones(w) if w else () for w in words]
                if not all(readings):
                    continue
                hyp = tuple(p for r in readings for p in r[0])
                if not tkeys & _skeleton_keys(hyp):
                    continue
                span = "".join(words)
                if len(span) < 2 or span.isdigit() or (own != span and own in span):
                    continue
                d = english.phone_distance(hyp, form.phones) + form.cost / len(form.phones)
                if d <= phone_max_distance + 1e-9:
                    _record(found, (start, end, word), d)


def _reading_runs(tr: Transcript) -> list[list[tuple[int, int, bool]]]:
    """Runs of units ``(start, end, latin)``: a CJK character or a Latin word, with only
    whitespace between them (``-`` and ``.`` too between two Latin words)."""
    text = tr.text
    runs: list[list[tuple[int, int, bool]]] = []
    prev: tuple[int, int, bool] | None = None
    for s, e in tr.spans:
        tok = text[s:e]
        if all(is_cjk(ch) for ch in tok):
            units = [(i, i + 1, False) for i in range(s, e)]
        elif any(is_cjk(ch) for ch in tok):
            prev = None  # a mixed token: part of no run
            continue
        else:
            units = [(s, e, True)]
        for u in units:
            gap = text[prev[1] : u[0]] if prev is not None else None
            ok = gap is not None and (
                all(ch.isspace() for ch in gap)
                or (
                    prev is not None
                    and prev[2]
                    and u[2]
                    and all(ch.isspace() or ch in "-." for ch in gap)
                )
            )
            if ok:
                runs[-1].append(u)
            else:
                runs.append([u])
            prev = u
    return runs


def _readings(
    tr: Transcript,
    targets: list[tuple[list[Syl], str, float]],
    costs: CostTable,
    max_distance: float,
    found: dict[tuple[int, int, str], float],
    single: bool,
) -> None:
    import itertools

    text = tr.text
    max_len = 1 + max(len(t) for t, _w, _c in targets)
    prepared = []
    for target, word, cost in targets:
        keys = [ref_coarse(x) for x in target]
        posted = {
            (keys[j], keys[j + g], j) for j in range(len(keys)) for g in (1, 2) if j + g < len(keys)
        }
        latin_only = not any(is_cjk(ch) for ch in word)
        prepared.append((target, word, cost, posted, set(keys), latin_only))
    for run in _reading_runs(tr):
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + READING_UNITS) + 1):
                window = run[a:b]
                if not any(
                    latin and any(ch.isalpha() for ch in text[s:e]) for s, e, latin in window
                ):
                    continue  # digits alone are a number
                if window[0][2] and not _starts_word(text, window[0][0]):
                    continue
                if window[-1][2] and not _ends_word(text, window[-1][1]):
                    continue
                options: list[list[tuple[float, tuple[tuple[Syl, ...], ...], bool]]] = []
                for s, e, latin in window:
                    if latin:
                        got = _three_and_spelled(english.latin_readings(_letters(text[s:e])))
                        options.append(
                            [
                                (c, tuple((syllable(x + "5"),) for x in sy), src)
                                for c, sy, src in got
                            ]
                        )
                    else:
                        readings = tuple(syllable(r) for r in char_readings(text[s]))
                        options.append([(0.0, (readings,), "")])
                if not all(options):
                    continue
                if sum(min(len(o[1]) for o in opts) for opts in options) > max_len:
                    continue
                combos = []
                for pick in itertools.product(*options):
                    cost = 0.0
                    hyp: tuple[tuple[Syl, ...], ...] = ()
                    mask: tuple[bool, ...] = ()
                    for c, sy, src in pick:
                        cost = round(cost + c, 6)
                        hyp += sy
                        mask += (src != "",) * len(sy)
                    spelled = all(src in ("", "pinyin") for _c, _sy, src in pick)
                    combos.append((cost, len(hyp), hyp, mask, spelled))
                combos.sort(key=lambda x: (x[0], x[1], x[2]))
                tried = combos[:READING_BEAM]
                tried += [c for c in combos[READING_BEAM:] if c[4]][:1]
                if any(c[4] for c in combos[:READING_BEAM]):
                    tried = combos[:READING_BEAM]
                for cost, n, hyp, mask, _spelled in tried:
                    if n < 2:
                        continue
                    keys = [{ref_coarse(x) for x in r} for r in hyp]
                    for target, word, tcost, posted, tkeys, latin_only in prepared:
                        m = len(target)
                        if latin_only or abs(n - m) > 1 or n < m < 3:
                            continue
                        anchored = any(
                            (k1, k2, j) in posted
                            for q in range(n)
                            for p in (q - 2, q - 1)
                            if p >= 0 and (mask[p] or mask[q])
                            for k1 in keys[p]
                            for k2 in keys[q]
                            for j in (p - 1, p, p + 1)
                        ) or (single and any(mask[q] and keys[q] & tkeys for q in range(n)))
                        if not anchored:
                            continue
                        d = (ref_distance(hyp, target, costs) + cost + tcost) / m
                        if d <= max_distance + 1e-9:
                            _record(found, (window[0][0], window[-1][1], word), d)


def _three_and_spelled(
    readings: Sequence[tuple[float, tuple[str, ...], str]],
) -> list[tuple[float, tuple[str, ...], str]]:
    """The first three readings, and the first pinyin spelling when none of them is one."""
    out = list(readings[:3])
    if not any(src == "pinyin" for _c, _s, src in out):
        out += [r for r in readings[3:] if r[2] == "pinyin"][:1]
    return out
