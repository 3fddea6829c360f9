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
  by the full fuser (selection included) on the same data, summed over the run with
  confidences and the run without them when the data has confidences (one threshold
  serves both coefficient sets); ``cost_fp`` (default 3) says a wrong replacement costs
  three missed fixes, since damaging correct text is worse than leaving an error;
* **calibration**: an isotonic map of the recognizer's confidences (fitted first, see
  :func:`fit_calibration`), so the model is fitted on calibrated values;
* **amount**: too few labelled candidates (:data:`MIN_GOOD`, :data:`MIN_BAD`) is refused
  with :class:`~hotfuse.errors.TooLittleDataError` unless ``force``.

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
from hotfuse.calibration import Calibration
from hotfuse.config import FEATURES, FuseConfig, ScoringModel
from hotfuse.errors import InputError, TooLittleDataError
from hotfuse.fuser import Fuser, features
from hotfuse.transcript import Transcript

__all__ = [
    "MIN_BAD",
    "MIN_GOOD",
    "WARN_BAD",
    "WARN_GOOD",
    "LabelledCandidate",
    "TuneResult",
    "fit",
    "fit_calibration",
    "fit_logistic",
    "label_candidates",
]

log = logging.getLogger("hotfuse")

# Below MIN_GOOD good or MIN_BAD bad labelled candidates a refit is refused (``force``
# overrides); below WARN_GOOD / WARN_BAD it is fitted with a warning. Read from the learning
# curve of eval/tune_curve.py on the real-recognizer train split (eval/README.md): fits on
# 50 utterances (11-34 good, 11-24 bad) raised false alarms to 2-3% and one broke the
# README's first example; at 200 utterances (80-105 good, 60-95 bad) false alarms were
# 0-1.8%, and at 400 (about 200 good, 150 bad) 0-0.3%, precision still 0.5-1.5 points
# under the shipped model's, which was fitted on some 17,000 utterances.
MIN_GOOD = 100
MIN_BAD = 50
WARN_GOOD = 200
WARN_BAD = 150


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
    # the same sweep with the no-confidence model (empty when the data has no confidences)
    no_conf_table: tuple[tuple[float, int, int], ...] = ()


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
        scored = cfg.scoring_view(tr)  # the scorer sees calibrated confidences
        for c in fuser.candidates(tr):
            if "overlaps the exact hotword" in c.reason or "blocking context" in c.reason:
                continue
            hw = fuser._by_text[c.hotword]
            x = features(c, scored, hw, fuser._n_active)
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
    calibrate: bool = True,
    force: bool = False,
) -> TuneResult:
    """Refit the scoring model and threshold (see the module docstring).

    With ``calibrate`` (the default) and transcripts that carry confidences, an isotonic
    :class:`~hotfuse.calibration.Calibration` of those confidences is fitted first (each
    hypothesis character against the reference) and the model is fitted on calibrated
    values; the config returned carries the calibration.

    Raises:
        TooLittleDataError: fewer than :data:`MIN_GOOD` good or :data:`MIN_BAD` bad
            candidates were found (with ``force``, a warning instead).
    """
    cfg = base or FuseConfig()
    if calibrate and cfg.use_confidence:
        cal = fit_calibration(references, transcripts)
        if cal is not None:
            cfg = replace(cfg, calibration=cal)
    items = label_candidates(references, transcripts, hotword_lists, cfg, progress=progress)
    _check_amount(len(references), items, force=force)
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
    grid = None if grid is None else list(grid)
    table = threshold_table(references, transcripts, hotword_lists, fitted, grid, progress=progress)
    # One threshold serves both coefficient sets: when the data has confidences, the sweep
    # is also run without them, and the threshold maximises the two objectives together
    # (else a fit whose confidences separate perfectly could pick a threshold that the
    # no-confidence model, used for text without confidences, never reaches).
    gain = {t: good - cost_fp * bad for t, good, bad in table}
    no_conf_table: list[tuple[float, int, int]] = []
    if with_conf_items and fitted.use_confidence:
        plain = replace(fitted, use_confidence=False)
        no_conf_table = threshold_table(
            references, transcripts, hotword_lists, plain, grid, progress=progress
        )
        for t, good, bad in no_conf_table:
            gain[t] += good - cost_fp * bad
    best = max(table, key=lambda r: (gain[r[0]], r[0]))
    final = replace(fitted, threshold=best[0])
    return TuneResult(
        final, len(items), sum(it.good for it in items), tuple(table), tuple(no_conf_table)
    )


def _check_amount(n_utts: int, items: Sequence[LabelledCandidate], *, force: bool) -> None:
    good = sum(it.good for it in items)
    bad = len(items) - good
    found = f"{n_utts} utterances gave {good} good and {bad} bad candidate replacements"
    if good >= WARN_GOOD and bad >= WARN_BAD:
        return
    if good >= MIN_GOOD and bad >= MIN_BAD:
        log.warning(
            "tuning on little data: %s (at least %d good and %d bad are advised); compare "
            "the result with the defaults on held-out data ('hotfuse eval --config')",
            found,
            WARN_GOOD,
            WARN_BAD,
        )
        return
    problem = (
        f"too little data to tune: {found}, and a fit needs at least {MIN_GOOD} good and "
        f"{MIN_BAD} bad (some hundreds of utterances where the recognizer got hotwords wrong)"
    )
    if not force:
        msg = (
            f"{problem}; add labelled utterances, or pass --force to fit anyway (the result "
            "may be worse than the defaults)"
        )
        raise TooLittleDataError(msg, utterances=n_utts, good=good, bad=bad)
    log.warning("%s; fitting anyway (--force)", problem)


def fit_calibration(
    references: Sequence[str],
    transcripts: Sequence[Transcript],
    *,
    min_chars: int = 500,
    min_count: int | None = None,
) -> Calibration | None:
    """An isotonic calibration of the transcripts' confidences, or None when fewer than
    ``min_chars`` characters carry one (or every character is right, or every one wrong).
    Each step holds at least ``min_count`` characters (default: 50, or 0.5% of them).

    References and hypotheses are compared after :func:`hotfuse.metrics.normalize_text`.

    Example:
        >>> from hotfuse.transcript import Transcript
        >>> hyps = [Transcript.from_text("我爱伊丽沙白", confidences=[.9, .9, .8, .7, .3, .8])]
        >>> cal = fit_calibration(["我爱伊丽莎白"], hyps, min_chars=6, min_count=1)
        >>> cal.knots, cal.values
        ((0.3, 0.9), (0.02, 0.98))
    """
    from hotfuse.calibration import labelled_chars
    from hotfuse.metrics import normalize_text

    with_conf = [
        (normalize_text(r), t)
        for r, t in zip(references, transcripts, strict=True)
        if t.has_confidences
    ]
    confs, right = labelled_chars([r for r, _ in with_conf], [t for _, t in with_conf])
    if len(confs) < min_chars or all(right) or not any(right):
        log.info("too few labelled characters with confidences (%d) to calibrate", len(confs))
        return None
    if min_count is None:
        min_count = max(50, len(confs) // 200)
    return Calibration.fit(confs, right, min_count=min_count)


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
