"""How well a recognizer's confidences separate wrong characters from right ones.

A recognizer's per-token confidence is only useful to fusion when it ranks wrong
characters below right ones. This module measures that on labelled data and maps raw
confidences onto calibrated probabilities:

* :func:`char_labels` aligns a hypothesis with its reference (rapidfuzz Levenshtein
  opcodes) and gives every hypothesis character its token's confidence and whether it
  is right (an ``equal`` block) or wrong (a substitution or insertion);
* :func:`auroc` is the probability that a random wrong character has a lower confidence
  than a random right one (0.5: useless, 1.0: perfect separation);
* :func:`reliability` bins confidences and reports the observed share of right
  characters per bin (a reliability curve);
* :class:`Calibration` is a monotone (isotonic, pool-adjacent-violators) map from raw
  confidence to the observed probability of being right, fitted by ``hotfuse tune`` from
  one labelled run, so that the scorer sees confidences on one scale for any recognizer.

Example:
    >>> from hotfuse.transcript import Transcript
    >>> hyp = Transcript.from_text("我爱伊丽沙白", confidences=[0.9, 0.9, 0.8, 0.7, 0.3, 0.8])
    >>> [ok for _, ok in char_labels("我爱伊丽莎白", hyp)]
    [True, True, True, True, False, True]
    >>> auroc([0.9, 0.9, 0.8, 0.7, 0.3, 0.8], [True, True, True, True, False, True])
    1.0
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotfuse.errors import ConfigError
from hotfuse.transcript import Transcript

__all__ = [
    "Calibration",
    "Confusions",
    "auroc",
    "char_labels",
    "labelled_chars",
    "learn_confusions",
    "reliability",
]


def _char_confidences(hyp: Transcript) -> list[float | None]:
    out: list[float | None] = [None] * len(hyp.text)
    for tok, (s, e) in zip(hyp.tokens, hyp.spans, strict=True):
        for i in range(s, e):
            out[i] = tok.confidence
    return out


def char_labels(ref: str, hyp: Transcript) -> list[tuple[float, bool]]:
    """(confidence, is right) for every hypothesis character that has a confidence.

    Characters are compared as written (normalise both sides first when the recognizer
    and the reference differ in script or punctuation); whitespace is skipped.
    """
    from rapidfuzz.distance import Levenshtein

    conf = _char_confidences(hyp)
    right = [False] * len(hyp.text)
    for op in Levenshtein.opcodes(ref, hyp.text):
        if op.tag == "equal":
            for j in range(op.dest_start, op.dest_end):
                right[j] = True
    return [
        (c, right[j]) for j, c in enumerate(conf) if c is not None and not hyp.text[j].isspace()
    ]


def auroc(confidences: Sequence[float], right: Sequence[bool]) -> float:
    """Area under the ROC curve of confidence as a detector of right characters.

    Ties count one half; NaN when one class is empty.
    """
    pairs = sorted(zip(confidences, right, strict=True))
    n_pos = sum(1 for _, r in pairs if r)
    n_neg = len(pairs) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    # Mann-Whitney U with midranks for ties.
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mid = (i + j + 1) / 2.0
        rank_sum += mid * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def reliability(
    confidences: Sequence[float], right: Sequence[bool], *, bins: int = 10
) -> list[dict[str, float | int]]:
    """Equal-width bins over [0, 1]: count, mean confidence and observed accuracy."""
    if bins < 1:
        msg = "bins must be >= 1"
        raise ConfigError(msg)
    rows: list[list[float]] = [[0, 0.0, 0] for _ in range(bins)]
    for c, r in zip(confidences, right, strict=True):
        b = min(bins - 1, max(0, int(c * bins)))
        rows[b][0] += 1
        rows[b][1] += c
        rows[b][2] += 1 if r else 0
    out: list[dict[str, float | int]] = []
    for b, (n, total, ok) in enumerate(rows):
        out.append(
            {
                "low": b / bins,
                "high": (b + 1) / bins,
                "count": int(n),
                "mean_confidence": total / n if n else math.nan,
                "accuracy": ok / n if n else math.nan,
            }
        )
    return out


@dataclass(frozen=True, slots=True)
class Calibration:
    """A monotone step map from raw confidence to the observed probability of being right.

    Attributes:
        knots: increasing raw-confidence upper edges of the steps.
        values: the calibrated probability of each step (non-decreasing), kept inside
            [0.02, 0.98] so that no confidence becomes certainty.
    """

    knots: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        ok = (
            len(self.knots) == len(self.values) >= 1
            and all(0.0 <= v <= 1.0 for v in self.values)
            and all(a <= b for a, b in zip(self.knots, self.knots[1:], strict=False))
            and all(a <= b for a, b in zip(self.values, self.values[1:], strict=False))
        )
        if not ok:
            msg = (
                "calibration needs as many knots as values, both non-decreasing, values "
                "in [0, 1]; refit it with hotfuse tune"
            )
            raise ConfigError(msg)

    @classmethod
    def fit(
        cls, confidences: Sequence[float], right: Sequence[bool], *, min_count: int = 50
    ) -> Calibration:
        """Isotonic regression (pool adjacent violators) on (confidence, right) pairs.

        Steps holding fewer than ``min_count`` characters are pooled with a neighbour.
        """
        pairs = sorted(zip(confidences, right, strict=True))
        if not pairs:
            msg = "no labelled characters to calibrate on"
            raise ConfigError(msg)
        # Blocks: [sum_right, count, max_conf]
        blocks: list[list[float]] = []
        for c, r in pairs:
            blocks.append([1.0 if r else 0.0, 1.0, c])
            while len(blocks) > 1 and (
                blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]
                or blocks[-2][1] < min_count
            ):
                s, n, c2 = blocks.pop()
                blocks[-1][0] += s
                blocks[-1][1] += n
                blocks[-1][2] = c2
        if len(blocks) > 1 and blocks[-1][1] < min_count:
            s, n, c2 = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
            blocks[-1][2] = c2
        knots = tuple(b[2] for b in blocks)
        values = tuple(min(0.98, max(0.02, b[0] / b[1])) for b in blocks)
        # clipping can only flatten, never reverse, the order
        return cls(knots=knots, values=values)

    def __call__(self, confidence: float) -> float:
        """The calibrated value of one raw confidence."""
        i = bisect.bisect_left(self.knots, confidence)
        return self.values[min(i, len(self.values) - 1)]

    def apply(self, transcript: Transcript) -> Transcript:
        """``transcript`` with every token confidence calibrated (None stays None)."""
        from dataclasses import replace

        tokens = [
            t if t.confidence is None else replace(t, confidence=self(t.confidence))
            for t in transcript.tokens
        ]
        return Transcript.from_tokens(tokens, transcript.text)

    def to_dict(self) -> dict[str, list[float]]:
        return {"knots": list(self.knots), "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        try:
            return cls(
                knots=tuple(float(k) for k in data["knots"]),
                values=tuple(float(v) for v in data["values"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"calibration must hold 'knots' and 'values' lists of numbers ({exc})"
            raise ConfigError(msg) from None


def labelled_chars(
    refs: Iterable[str], hyps: Iterable[Transcript]
) -> tuple[list[float], list[bool]]:
    """All (confidence, right) labels of a corpus, as two lists."""
    confs: list[float] = []
    oks: list[bool] = []
    for ref, hyp in zip(refs, hyps, strict=True):
        for c, ok in char_labels(ref, hyp):
            confs.append(c)
            oks.append(ok)
    return confs, oks


@dataclass(frozen=True, slots=True)
class Confusions:
    """Initial and final substitutions a recognizer makes, counted on labelled data.

    Attributes:
        initials: unordered initial pair -> count (``""`` is the zero initial).
        finals: unordered final pair -> count.
        substitutions: aligned Han character substitutions seen (the denominator).
    """

    initials: Mapping[tuple[str, str], int]
    finals: Mapping[tuple[str, str], int]
    substitutions: int

    def frequent(
        self, *, min_count: int = 5, min_share: float = 0.01
    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """Pairs seen at least ``min_count`` times and in ``min_share`` of substitutions."""
        floor = max(min_count, min_share * self.substitutions)

        def pick(table: Mapping[tuple[str, str], int]) -> tuple[tuple[str, str], ...]:
            return tuple(sorted(p for p, n in table.items() if n >= floor))

        return pick(self.initials), pick(self.finals)


def learn_confusions(refs: Iterable[str], hyps: Iterable[str]) -> Confusions:
    """Count the initial and final confusions of aligned, equal-length substitution runs.

    Both sides are read with phrase-aware pinyin in context; only Han-to-Han
    substitutions count (digits written for numerals say nothing about sounds).
    """
    from rapidfuzz.distance import Levenshtein

    from hotfuse.phonetics import char_readings, hotword_pinyin, syllable

    ini: dict[tuple[str, str], int] = {}
    fin: dict[tuple[str, str], int] = {}
    subs = 0
    for ref, hyp in zip(refs, hyps, strict=True):
        ref_py: tuple[str, ...] | None = None
        hyp_py: tuple[str, ...] | None = None
        for op in Levenshtein.opcodes(ref, hyp):
            s1, e1, s2, e2 = op.src_start, op.src_end, op.dest_start, op.dest_end
            if op.tag != "replace" or e1 - s1 != e2 - s2:
                continue
            if ref_py is None or hyp_py is None:
                ref_py, hyp_py = hotword_pinyin(ref), hotword_pinyin(hyp)
            for i, j in zip(range(s1, e1), range(s2, e2), strict=True):
                if not (char_readings(ref[i]) and char_readings(hyp[j])):
                    continue
                if not (ref_py[i] and hyp_py[j]):
                    continue
                a, b = syllable(ref_py[i]), syllable(hyp_py[j])
                subs += 1
                if a[0] != b[0]:
                    key = (min(a[0], b[0]), max(a[0], b[0]))
                    ini[key] = ini.get(key, 0) + 1
                if a[1] != b[1]:
                    key = (min(a[1], b[1]), max(a[1], b[1]))
                    fin[key] = fin.get(key, 0) + 1
    return Confusions(initials=ini, finals=fin, substitutions=subs)
