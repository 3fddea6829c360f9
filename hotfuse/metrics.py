"""Evaluation metrics: CER, biased / unbiased CER, hotword recall, precision, false alarms.

:func:`evaluate` makes one alignment pass per (reference, output) pair with rapidfuzz's
Levenshtein edit operations and fills an :class:`EvalReport`; ``cer()`` and the other
readers are one-line ratios of its counts.

Definitions (all counted on *normalised* text, see :func:`normalize_text`):

* **Hotword occurrences** in a text are found longest-first: every match of every active
  hotword is collected, the longer ones claim their characters first (ties: leftmost, then
  by the word itself), and a match overlapping an already claimed character is dropped.
  So with hotwords ``达西`` and ``达西先生`` the text ``达西先生`` holds one ``达西先生`` and
  no ``达西``. The same rule counts occurrences in references, outputs and hypotheses.
* **CER** = (substitutions + deletions + insertions) / reference characters.
* **B-CER / U-CER**: each reference character is *biased* when it lies inside a hotword
  occurrence of the reference and *unbiased* otherwise; these are the denominators. A
  substitution or deletion is attributed to the class of the reference character it
  touches. An insertion sits *between* two reference characters; it is biased only when
  both neighbours belong to the *same* occurrence (strictly inside the span). Insertions
  at a hotword's edge (just before its first or just after its last character), at the
  start or end of the utterance, and between two adjacent occurrences are unbiased. The
  position of an insertion is the one rapidfuzz's alignment chooses.
* **Recall** = Σ min(occ in output, occ in reference) / Σ occ in reference, summed over
  the utterances and the active hotwords occurring in each reference.
* **Precision** = the same hits / Σ occurrences of active hotwords in the outputs.
* **False-alarm rate** = share of the utterances whose reference holds no active hotword
  in which the output holds more occurrences of some hotword than the hypothesis (the text
  before fusion) did; without hypotheses, in which the output holds any.
* **Damaged rate** = share of all utterances whose edit count rose from the hypothesis to
  the output (needs hypotheses; NaN without).

Zero denominators never raise: a CER over zero reference characters is ``0.0`` when there
are no edits and ``inf`` when there are (insertions into an empty reference); a rate with
no trials (recall without reference hotwords, false alarms without hotword-free
utterances, damaged without hypotheses) is ``nan``. :meth:`EvalReport.to_dict` writes both
as ``None`` so its output is strict JSON.

Example:
    >>> r = evaluate(["我爱伊丽莎白"], ["我爱伊丽沙白"], ["伊丽莎白"])
    >>> r.cer(), r.b_cer(), r.u_cer(), r.recall()
    (0.16666666666666666, 0.25, 0.0, 0.0)
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz.distance import Levenshtein

from hotfuse.errors import InputError
from hotfuse.lexicon import Hotword

__all__ = [
    "EvalReport",
    "HotwordStat",
    "UtteranceResult",
    "evaluate",
    "hotword_occurrences",
    "interval",
    "normalize_text",
]

Normalizer = Callable[[str], str]


def normalize_text(text: str) -> str:
    """The default normalisation applied before scoring.

    Steps, in order: Unicode NFKC (full-width letters, digits and punctuation become
    half-width, compatibility forms are unfolded); every whitespace character and every
    character of a Unicode punctuation (``P*``), symbol (``S*``), separator (``Z*``) or
    control/format (``C*``, e.g. zero-width spaces) category is dropped; the rest is
    lower-cased (this affects Latin and other cased scripts, never Chinese).

    >>> normalize_text("Ｈｅｌｌｏ，世界！ PyTorch 2.0")
    'hello世界pytorch20'
    """
    folded = unicodedata.normalize("NFKC", text)
    kept = [ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZC"]
    return "".join(kept).lower()


def _identity(text: str) -> str:
    return text


def interval(successes: int, trials: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``successes / trials``.

    With no trials nothing is known and the interval is the whole ``(0.0, 1.0)``.

    >>> lo, hi = interval(8, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.4902, 0.9433)
    """
    if trials < 0 or successes < 0 or successes > trials:
        msg = f"interval() needs 0 <= successes <= trials, got {successes} of {trials}"
        raise InputError(msg)
    if not 0.0 < confidence < 1.0:
        msg = f"confidence must be between 0 and 1 (exclusive), got {confidence!r}"
        raise InputError(msg)
    if trials == 0:
        return (0.0, 1.0)
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2.0)
    n = float(trials)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _ratio(num: int, den: int) -> float:
    """A rate: ``nan`` when there are no trials."""
    return num / den if den else math.nan


def _error_rate(edits: int, chars: int) -> float:
    """An error rate: 0.0 for no edits over no characters, ``inf`` for edits over none."""
    if chars:
        return edits / chars
    return 0.0 if edits == 0 else math.inf


# ---------------------------------------------------------------------- hotword matching
class _HotwordIndex:
    """Normalised hotwords grouped by first character, for longest-first matching."""

    __slots__ = ("by_first", "words")

    def __init__(self, words: Iterable[str]) -> None:
        uniq = sorted(set(words), key=lambda w: (-len(w), w))
        self.words: tuple[str, ...] = tuple(uniq)
        by_first: dict[str, list[str]] = {}
        for w in uniq:
            by_first.setdefault(w[0], []).append(w)
        self.by_first = by_first

    def occurrences(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping occurrences ``(start, end, word)`` in text order."""
        if not self.words or not text:
            return []
        matches: list[tuple[int, int, str]] = []
        for i, ch in enumerate(text):
            for w in self.by_first.get(ch, ()):
                if text.startswith(w, i):
                    matches.append((i, i + len(w), w))
        if not matches:
            return []
        matches.sort(key=lambda m: (m[0] - m[1], m[0], m[2]))
        claimed = bytearray(len(text))
        chosen: list[tuple[int, int, str]] = []
        for s, e, w in matches:
            if any(claimed[s:e]):
                continue
            claimed[s:e] = b"\x01" * (e - s)
            chosen.append((s, e, w))
        chosen.sort()
        return chosen


def hotword_occurrences(
    text: str, hotwords: Iterable[str | Hotword], *, normalize: Normalizer | None = None
) -> tuple[tuple[int, int, str], ...]:
    """Hotword occurrences in ``text``, longest-first and non-overlapping.

    Both the text and the hotwords pass through ``normalize`` (identity by default here,
    so offsets refer to ``text`` itself); offsets are half-open, in text order.

    >>> hotword_occurrences("达西先生和达西", ["达西", "达西先生"])
    ((0, 4, '达西先生'), (5, 7, '达西'))
    """
    norm = normalize or _identity
    words = [norm(_word_text(h)) for h in hotwords]
    return tuple(_HotwordIndex(w for w in words if w).occurrences(norm(text)))


def _word_text(item: object) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, Hotword):
        return item.text
    msg = f"a hotword must be a string or a Hotword, got {type(item).__name__} ({item!r})"
    raise InputError(msg)


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class HotwordStat:
    """Occurrence counts of one hotword over the whole evaluation set.

    Attributes:
        word: the normalised hotword.
        ref: occurrences in the references.
        out: occurrences in the outputs.
        hits: Σ over utterances of min(occurrences in output, occurrences in reference).
    """

    word: str
    ref: int
    out: int
    hits: int


@dataclass(frozen=True, slots=True)
class UtteranceResult:
    """Per-utterance counts, for worst-first listings.

    Attributes:
        index: position in the input sequences.
        id: the utterance id when given to :func:`evaluate`, else None.
        reference: the reference text as given (not normalised).
        output: the output text as given.
        hypothesis: the text before fusion as given, or None.
        ref_chars: normalised reference length.
        subs: substitutions in the output.
        dels: deletions in the output.
        ins: insertions in the output.
        biased_edits: the edits attributed to hotword occurrences.
        edits_before: edits of the hypothesis, or None without hypotheses.
        ref_hotwords: hotword occurrences in the reference.
        out_hotwords: hotword occurrences in the output.
        hits: Σ min(occ in output, occ in reference) over the hotwords.
        false_alarm: the reference holds no hotword and the output gained one.
        damaged: the output has more edits than the hypothesis.
    """

    index: int
    id: str | None
    reference: str
    output: str
    hypothesis: str | None
    ref_chars: int
    subs: int
    dels: int
    ins: int
    biased_edits: int
    edits_before: int | None
    ref_hotwords: int
    out_hotwords: int
    hits: int
    false_alarm: bool
    damaged: bool

    @property
    def edits(self) -> int:
        """Substitutions + deletions + insertions."""
        return self.subs + self.dels + self.ins

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field plus ``edits``."""
        return {
            "index": self.index,
            "id": self.id,
            "reference": self.reference,
            "output": self.output,
            "hypothesis": self.hypothesis,
            "ref_chars": self.ref_chars,
            "subs": self.subs,
            "dels": self.dels,
            "ins": self.ins,
            "edits": self.edits,
            "biased_edits": self.biased_edits,
            "edits_before": self.edits_before,
            "ref_hotwords": self.ref_hotwords,
            "out_hotwords": self.out_hotwords,
            "hits": self.hits,
            "false_alarm": self.false_alarm,
            "damaged": self.damaged,
        }


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Counts from one :func:`evaluate` pass; the metric methods are ratios of them.

    Every metric is a method (``report.cer()``, ``report.recall()``...); the ``*_ci()``
    methods give Wilson 95% intervals of the rates. ``before`` is the report of the
    hypotheses (the "no fusion" row: its false-alarm and damaged counts are 0 by
    definition) when hypotheses were given, else None.
    """

    n_utts: int
    ref_chars: int
    subs: int
    dels: int
    ins: int
    biased_ref_chars: int
    biased_subs: int
    biased_dels: int
    biased_ins: int
    unbiased_ref_chars: int
    unbiased_subs: int
    unbiased_dels: int
    unbiased_ins: int
    hotword_ref: int
    hotword_out: int
    hotword_hits: int
    n_no_hotword_utts: int
    false_alarm_utts: int
    damaged_utts: int
    has_hypotheses: bool
    hotword_stats: tuple[HotwordStat, ...]
    utterances: tuple[UtteranceResult, ...]
    before: EvalReport | None = None

    # ------------------------------------------------------------------ counts
    def edits(self) -> int:
        """All substitutions, deletions and insertions."""
        return self.subs + self.dels + self.ins

    def biased_edits(self) -> int:
        """Edits attributed to hotword occurrences of the references."""
        return self.biased_subs + self.biased_dels + self.biased_ins

    def unbiased_edits(self) -> int:
        """Edits attributed to the rest of the references."""
        return self.unbiased_subs + self.unbiased_dels + self.unbiased_ins

    # ------------------------------------------------------------------ metrics
    def cer(self) -> float:
        """Character error rate over all reference characters."""
        return _error_rate(self.edits(), self.ref_chars)

    def b_cer(self) -> float:
        """CER restricted to the characters of hotword occurrences in the references."""
        return _error_rate(self.biased_edits(), self.biased_ref_chars)

    def u_cer(self) -> float:
        """CER over the reference characters outside hotword occurrences."""
        return _error_rate(self.unbiased_edits(), self.unbiased_ref_chars)

    def recall(self) -> float:
        """Hotword hits over hotword occurrences in the references."""
        return _ratio(self.hotword_hits, self.hotword_ref)

    def precision(self) -> float:
        """Hotword hits over hotword occurrences in the outputs."""
        return _ratio(self.hotword_hits, self.hotword_out)

    def false_alarm_rate(self) -> float:
        """Share of hotword-free references whose output gained a hotword."""
        return _ratio(self.false_alarm_utts, self.n_no_hotword_utts)

    def damaged_rate(self) -> float:
        """Share of utterances whose edit count rose (nan without hypotheses)."""
        return _ratio(self.damaged_utts, self.n_utts) if self.has_hypotheses else math.nan

    def recall_ci(self) -> tuple[float, float]:
        """Wilson 95% interval of :meth:`recall`."""
        return interval(self.hotword_hits, self.hotword_ref)

    def precision_ci(self) -> tuple[float, float]:
        """Wilson 95% interval of :meth:`precision`."""
        return interval(self.hotword_hits, self.hotword_out)

    def false_alarm_ci(self) -> tuple[float, float]:
        """Wilson 95% interval of :meth:`false_alarm_rate`."""
        return interval(self.false_alarm_utts, self.n_no_hotword_utts)

    def damaged_ci(self) -> tuple[float, float]:
        """Wilson 95% interval of :meth:`damaged_rate` ((0, 1) without hypotheses)."""
        return interval(self.damaged_utts, self.n_utts if self.has_hypotheses else 0)

    def recall_of(self, words: Iterable[str]) -> float:
        """Recall restricted to some hotwords (normalised forms), e.g. unseen entities."""
        wanted = set(words)
        ref = sum(s.ref for s in self.hotword_stats if s.word in wanted)
        hits = sum(s.hits for s in self.hotword_stats if s.word in wanted)
        return _ratio(hits, ref)

    def metrics(self) -> dict[str, float | None]:
        """The headline metrics by name; non-finite values become None."""
        return {
            "cer": _json_float(self.cer()),
            "b_cer": _json_float(self.b_cer()),
            "u_cer": _json_float(self.u_cer()),
            "recall": _json_float(self.recall()),
            "precision": _json_float(self.precision()),
            "false_alarm_rate": _json_float(self.false_alarm_rate()),
            "damaged_rate": _json_float(self.damaged_rate()),
        }

    def to_dict(self, *, utterances: bool = False) -> dict[str, Any]:
        """A strict-JSON mapping: counts, ``metrics``, ``intervals`` and ``before``.

        Args:
            utterances: also list every :class:`UtteranceResult` as a mapping.
        """
        counts = {
            name: getattr(self, name)
            for name in (
                "n_utts",
                "ref_chars",
                "subs",
                "dels",
                "ins",
                "biased_ref_chars",
                "biased_subs",
                "biased_dels",
                "biased_ins",
                "unbiased_ref_chars",
                "unbiased_subs",
                "unbiased_dels",
                "unbiased_ins",
                "hotword_ref",
                "hotword_out",
                "hotword_hits",
                "n_no_hotword_utts",
                "false_alarm_utts",
                "damaged_utts",
            )
        }
        out: dict[str, Any] = {
            "counts": counts,
            "has_hypotheses": self.has_hypotheses,
            "metrics": self.metrics(),
            "intervals": {
                "recall": list(self.recall_ci()),
                "precision": list(self.precision_ci()),
                "false_alarm_rate": list(self.false_alarm_ci()),
                "damaged_rate": list(self.damaged_ci()),
            },
            "before": None if self.before is None else self.before.to_dict(),
        }
        if utterances:
            out["utterances"] = [u.to_dict() for u in self.utterances]
        return out


# ---------------------------------------------------------------------- evaluation
def _per_utterance_hotwords(hotwords: object, n: int) -> tuple[bool, list[list[str]]]:
    """(is_global, lists): one list for all utterances, or one list per utterance."""
    if isinstance(hotwords, str | bytes) or not isinstance(hotwords, Iterable):
        msg = (
            "hotwords must be a list of words (global) or a list of lists (one per "
            f"utterance), got {type(hotwords).__name__}"
        )
        raise InputError(msg)
    items = list(hotwords)
    if all(isinstance(h, str | Hotword) for h in items):
        return True, [[_word_text(h) for h in items]]
    if all(not isinstance(h, str | bytes) and isinstance(h, Iterable) for h in items):
        seen: dict[int, list[str]] = {}  # the same list object for many utterances
        lists = []
        for h in items:
            if id(h) not in seen:
                seen[id(h)] = [_word_text(w) for w in h]
            lists.append(seen[id(h)])
        if len(lists) != n:
            msg = (
                f"per-utterance hotwords hold {len(lists)} lists for {n} utterances; "
                "give one list per utterance, or one flat list of words for all"
            )
            raise InputError(msg)
        return False, lists
    msg = (
        "hotwords mixes words and lists; give a flat list of words (the same for every "
        "utterance) or a list of lists (one per utterance)"
    )
    raise InputError(msg)


def _as_list(values: object, name: str) -> list[str]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        msg = f"{name} must be a sequence of strings, got {type(values).__name__}"
        raise InputError(msg)
    out = list(values)
    for k, v in enumerate(out):
        if not isinstance(v, str):
            msg = f"{name}[{k}] must be a string, got {type(v).__name__}"
            raise InputError(msg)
    return out


def _build_index(words: list[str], norm: Normalizer) -> _HotwordIndex:
    return _HotwordIndex(nw for nw in (norm(w) for w in words) if nw)


def evaluate(
    references: Sequence[str],
    outputs: Sequence[str],
    hotwords: Sequence[str | Hotword] | Sequence[Sequence[str | Hotword]],
    *,
    hypotheses: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    normalize: Normalizer | None = normalize_text,
) -> EvalReport:
    """Score outputs against references; see the module docstring for definitions.

    Args:
        references: the reference transcripts.
        outputs: the texts to score (after fusion), one per reference.
        hotwords: the active hotwords: a flat sequence of strings / Hotwords for every
            utterance, or a sequence of such sequences, one per utterance (its length must
            equal the number of references). Only ``Hotword.text`` counts, not aliases.
        hypotheses: the texts before fusion; when given, the report holds the false-alarm
            and damaged counts relative to them and ``before``, the report of the
            hypotheses themselves.
        ids: utterance ids for the per-utterance records.
        normalize: applied to every text and hotword before scoring; None for identity.

    Raises:
        InputError: the sequences differ in length, or hotwords has neither shape.

    >>> r = evaluate(["达西来了"], ["达西来了了"], ["达西"], hypotheses=["大西来了"])
    >>> r.recall(), r.before.recall(), r.edits(), r.before.edits()
    (1.0, 0.0, 1, 1)
    """
    refs = _as_list(references, "references")
    outs = _as_list(outputs, "outputs")
    n = len(refs)
    if len(outs) != n:
        msg = f"{n} references but {len(outs)} outputs; give one output per reference"
        raise InputError(msg)
    hyps = None if hypotheses is None else _as_list(hypotheses, "hypotheses")
    if hyps is not None and len(hyps) != n:
        msg = f"{n} references but {len(hyps)} hypotheses; give one per reference"
        raise InputError(msg)
    id_list = None if ids is None else _as_list(ids, "ids")
    if id_list is not None and len(id_list) != n:
        msg = f"{n} references but {len(id_list)} ids; give one id per reference"
        raise InputError(msg)
    norm = normalize or _identity
    is_global, lists = _per_utterance_hotwords(hotwords, n)
    if is_global:
        index = _build_index(lists[0], norm)
        indexes = [index] * n
    else:
        by_obj: dict[int, _HotwordIndex] = {}
        by_words: dict[tuple[str, ...], _HotwordIndex] = {}
        indexes = []
        for words in lists:
            if id(words) not in by_obj:
                key = tuple(words)
                if key not in by_words:
                    by_words[key] = _build_index(words, norm)
                by_obj[id(words)] = by_words[key]
            indexes.append(by_obj[id(words)])
    report = _score(refs, outs, hyps, indexes, id_list, norm)
    if hyps is None:
        return report
    before = _score(refs, hyps, hyps, indexes, id_list, norm)
    return replace(report, before=before)


def _score(
    refs: list[str],
    outs: list[str],
    hyps: list[str] | None,
    indexes: list[_HotwordIndex],
    id_list: list[str] | None,
    norm: Normalizer,
) -> EvalReport:
    """One alignment pass per utterance; ``before`` is left None."""
    n = len(refs)
    c: Counter[str] = Counter()
    stat_ref: Counter[str] = Counter()
    stat_out: Counter[str] = Counter()
    stat_hits: Counter[str] = Counter()
    utts: list[UtteranceResult] = []
    for k in range(n):
        index = indexes[k]
        ref = norm(refs[k])
        out = norm(outs[k])
        ref_occ = index.occurrences(ref)
        owner = [-1] * len(ref)
        for j, (s, e, _) in enumerate(ref_occ):
            for i in range(s, e):
                owner[i] = j
        n_biased = sum(e - s for s, e, _ in ref_occ)
        c["ref_chars"] += len(ref)
        c["biased_ref_chars"] += n_biased
        c["unbiased_ref_chars"] += len(ref) - n_biased

        u: Counter[str] = Counter()
        for op in Levenshtein.editops(ref, out):
            i = op.src_pos
            if op.tag == "insert":
                kind = "ins"
                biased = 0 < i < len(ref) and owner[i - 1] == owner[i] != -1
            else:
                kind = "subs" if op.tag == "replace" else "dels"
                biased = owner[i] != -1
            u[kind] += 1
            u[("biased_" if biased else "unbiased_") + kind] += 1
        c.update(u)

        ref_counts = Counter(w for _, _, w in ref_occ)
        out_counts = Counter(w for _, _, w in index.occurrences(out))
        hits = sum(min(cnt, out_counts[w]) for w, cnt in ref_counts.items())
        stat_ref.update(ref_counts)
        stat_out.update(out_counts)
        for w, cnt in ref_counts.items():
            stat_hits[w] += min(cnt, out_counts[w])
        c["hotword_ref"] += sum(ref_counts.values())
        c["hotword_out"] += sum(out_counts.values())
        c["hotword_hits"] += hits

        edits = u["subs"] + u["dels"] + u["ins"]
        edits_before = None
        hyp_text = None
        false_alarm = False
        if not ref_counts:
            c["n_no_hotword_utts"] += 1
            if hyps is None:
                false_alarm = bool(out_counts)
            else:
                hyp_counts = Counter(w for _, _, w in index.occurrences(norm(hyps[k])))
                false_alarm = any(cnt > hyp_counts[w] for w, cnt in out_counts.items())
        if hyps is not None:
            hyp_text = hyps[k]
            edits_before = Levenshtein.distance(ref, norm(hyp_text))
        damaged = edits_before is not None and edits > edits_before
        c["false_alarm_utts"] += int(false_alarm)
        c["damaged_utts"] += int(damaged)
        utts.append(
            UtteranceResult(
                index=k,
                id=None if id_list is None else id_list[k],
                reference=refs[k],
                output=outs[k],
                hypothesis=hyp_text,
                ref_chars=len(ref),
                subs=u["subs"],
                dels=u["dels"],
                ins=u["ins"],
                biased_edits=u["biased_subs"] + u["biased_dels"] + u["biased_ins"],
                edits_before=edits_before,
                ref_hotwords=sum(ref_counts.values()),
                out_hotwords=sum(out_counts.values()),
                hits=hits,
                false_alarm=false_alarm,
                damaged=damaged,
            )
        )

    words = sorted(set(stat_ref) | set(stat_out))
    stats = tuple(HotwordStat(w, stat_ref[w], stat_out[w], stat_hits[w]) for w in words)
    return EvalReport(
        n_utts=n,
        ref_chars=c["ref_chars"],
        subs=c["subs"],
        dels=c["dels"],
        ins=c["ins"],
        biased_ref_chars=c["biased_ref_chars"],
        biased_subs=c["biased_subs"],
        biased_dels=c["biased_dels"],
        biased_ins=c["biased_ins"],
        unbiased_ref_chars=c["unbiased_ref_chars"],
        unbiased_subs=c["unbiased_subs"],
        unbiased_dels=c["unbiased_dels"],
        unbiased_ins=c["unbiased_ins"],
        hotword_ref=c["hotword_ref"],
        hotword_out=c["hotword_out"],
        hotword_hits=c["hotword_hits"],
        n_no_hotword_utts=c["n_no_hotword_utts"],
        false_alarm_utts=c["false_alarm_utts"],
        damaged_utts=c["damaged_utts"],
        has_hypotheses=hyps is not None,
        hotword_stats=stats,
        utterances=tuple(utts),
    )
