"""Fitting the scoring model and the decision threshold on a user's own data.

Recognizers put their confidences on different scales, so the shipped coefficients (fitted
on the benchmark's training split) are a starting point. Given references, first-pass
transcripts and the hotwords that were active, :func:`fit` labels every candidate span the
engine proposes and refits the logistic model and the threshold:

* **label**: a candidate is *good* when making that one replacement alone brings the
  hypothesis strictly closer (character Levenshtein distance) to the reference;
* **model**: L2-regularised logistic regression (Newton's method in numpy) over the
  features of :mod:`hotfuse.fuser`, once with the confidence feature for transcripts that
  have confidences and once without it;
* **threshold**: the grid value that maximises ``good - cost_fp * bad`` replacements made
  by the full fuser (selection included) on the same data; ``cost_fp`` (default 3) says a
  wrong replacement costs three missed fixes, since damaging correct text is worse than
  leaving an error.

Example:
    >>> from hotfuse.tune import fit_logistic
    >>> import numpy as np
    >>> w = fit_logistic(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1]))
    >>> bool(w[1] > 0)
    True
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import Levenshtein

from hotfuse._progress import progress as _progress
from hotfuse.config import FEATURES, FuseConfig, ScoringModel
from hotfuse.errors import InputError
from hotfuse.fuser import Fuser, features
from hotfuse.transcript import Transcript

__all__ = [
    "LabelledCandidate",
    "TuneResult",
    "fit",
    "fit_logistic",
    "label_candidates",
]

log = logging.getLogger("hotfuse")


@dataclass(frozen=True, slots=True)
class LabelledCandidate:
    """One candidate's features, whether it had a confidence, and its label."""

    x: dict[str, float]
    has_conf: bool
    good: bool


@dataclass(frozen=True, slots=True)
class TuneResult:
    """The fitted config plus the figures behind it."""

    config: FuseConfig
    n_candidates: int
    n_good: int
    threshold_table: tuple[tuple[float, int, int], ...]  # (threshold, good, bad)


def _gain(hyp: str, ref: str, start: int, end: int, new: str) -> int:
    before = Levenshtein.distance(hyp, ref)
    after = Levenshtein.distance(hyp[:start] + new + hyp[end:], ref)
    return before - after


def label_candidates(
    references: Sequence[str],
    transcripts: Sequence[Transcript],
    hotword_lists: Sequence[Sequence[Any]],
    config: FuseConfig | None = None,
    *,
    progress: bool = False,
) -> list[LabelledCandidate]:
    """Every candidate the engine proposes on these utterances, labelled good or bad
    (``progress``: a progress bar on a terminal)."""
    if not (len(references) == len(transcripts) == len(hotword_lists)):
        msg = (
            f"references ({len(references)}), transcripts ({len(transcripts)}) and hotword "
            f"lists ({len(hotword_lists)}) must have the same length"
        )
        raise InputError(msg)
    cfg = config or FuseConfig()
    out: list[LabelledCandidate] = []
    cache: dict[tuple[Any, ...], Fuser] = {}
    rows = zip(references, transcripts, hotword_lists, strict=True)
    for ref, tr, hws in _progress(rows, desc="labelling", total=len(references), enabled=progress):
        key = tuple(hws)
        fuser = cache.get(key)
        if fuser is None:
            fuser = cache[key] = Fuser(hws, cfg)
        for c in fuser.candidates(tr):
            if "overlaps the exact hotword" in c.reason or "blocking context" in c.reason:
                continue
            hw = fuser._by_text[c.hotword]
            x = features(c, tr, hw, fuser._n_active)
            has_conf = "conf" in x
            good = _gain(tr.text, ref, c.start, c.end, c.hotword) > 0
            out.append(LabelledCandidate(x, has_conf, good))
    return out


def fit_logistic(
    x: NDArray[np.float64],
    y: NDArray[np.int64] | NDArray[np.float64],
    *,
    l2: float = 1.0,
    offset: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """L2-regularised logistic regression by Newton's method; returns [bias, *coefs].

    The bias is not penalised; ``offset`` is a fixed term added to every logit.
    """
    n, d = x.shape
    xb = np.hstack([np.ones((n, 1)), x])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[0] = 0.0
    for _ in range(50):
        z = np.clip(xb @ w + (0.0 if offset is None else offset), -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return w


def _fit_set(
    items: Sequence[LabelledCandidate], names: Sequence[str], l2: float, prior: Mapping[str, float]
) -> dict[str, float]:
    """Fit the features that vary in ``items``; the others keep their ``prior`` weight."""
    y = np.array([1.0 if it.good else 0.0 for it in items])
    if len(items) < 10 or y.min() == y.max():
        msg = (
            f"cannot fit: {len(items)} candidates, {int(y.sum())} good; tuning needs "
            "utterances where the recognizer got some hotwords wrong and some right"
        )
        raise InputError(msg)
    full = np.array([[it.x.get(k, 0.0) for k in names] for it in items], dtype=np.float64)
    varying = [j for j in range(len(names)) if float(np.ptp(full[:, j])) > 0.0]
    fixed = [j for j in range(len(names)) if j not in varying]
    offset = sum(full[:, j] * prior.get(names[j], 0.0) for j in fixed) if fixed else 0.0
    w = fit_logistic(full[:, varying], y, l2=l2, offset=np.asarray(offset, dtype=np.float64))
    coefs = {"bias": round(float(w[0]), 4)}
    for j, name in enumerate(names):
        if j in varying:
            coefs[name] = round(float(w[1 + varying.index(j)]), 4)
        else:
            coefs[name] = float(prior.get(name, 0.0))
    return coefs


def fit(
    references: Sequence[str],
    transcripts: Sequence[Transcript],
    hotword_lists: Sequence[Sequence[Any]],
    *,
    base: FuseConfig | None = None,
    cost_fp: float = 3.0,
    l2: float = 1.0,
    grid: Iterable[float] | None = None,
    progress: bool = False,
) -> TuneResult:
    """Refit the scoring model and threshold (see the module docstring)."""
    cfg = base or FuseConfig()
    items = label_candidates(references, transcripts, hotword_lists, cfg, progress=progress)
    with_conf_items = [it for it in items if it.has_conf]
    no_conf_names = [f for f in FEATURES if f != "conf"]
    no_conf = _fit_set(items, no_conf_names, l2, cfg.model.no_conf)
    with_conf = dict(cfg.model.with_conf)
    if len(with_conf_items) >= 10:
        with_conf = _fit_set(with_conf_items, list(FEATURES), l2, cfg.model.with_conf)
    else:
        log.warning("too few candidates with confidences to fit; keeping the shipped ones")
    model = ScoringModel(with_conf=with_conf, no_conf=no_conf)
    fitted = replace(cfg, model=model)
    table = threshold_table(references, transcripts, hotword_lists, fitted, grid, progress=progress)
    best = max(table, key=lambda r: (r[1] - cost_fp * r[2], r[0]))
    final = replace(fitted, threshold=best[0])
    return TuneResult(final, len(items), sum(it.good for it in items), tuple(table))


def threshold_table(
    references: Sequence[str],
    transcripts: Sequence[Transcript],
    hotword_lists: Sequence[Sequence[Any]],
    config: FuseConfig,
    grid: Iterable[float] | None = None,
    *,
    progress: bool = False,
) -> list[tuple[float, int, int]]:
    """(threshold, good replacements, bad replacements) over a grid of thresholds.

    Uses :meth:`Fuser.sweep`, so the counts are exactly what :meth:`Fuser.fuse` would do.
    """
    values = sorted(grid) if grid is not None else [x / 4 for x in range(-8, 25)]
    counts = {t: [0, 0] for t in values}
    fusers: dict[tuple[Any, ...], Fuser] = {}
    rows = zip(references, transcripts, hotword_lists, strict=True)
    for ref, tr, hws in _progress(
        rows, desc="threshold sweep", total=len(references), enabled=progress
    ):
        key = tuple(hws)
        f = fusers.get(key)
        if f is None:
            f = fusers[key] = Fuser(hws, config)
        gains: dict[tuple[int, int, str], bool] = {}
        for t, res in zip(values, f.sweep(tr, values), strict=True):
            for r in res.replacements:
                k = (r.start, r.end, r.hotword)
                if k not in gains:
                    gains[k] = _gain(tr.text, ref, r.start, r.end, r.hotword) > 0
                counts[t][0 if gains[k] else 1] += 1
    return [(t, counts[t][0], counts[t][1]) for t in values]
