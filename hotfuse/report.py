"""The HTML evaluation report (``pip install 'hotfuse[report]'`` for jinja2).

One self-contained page, no JavaScript: the before/after metric table, an inline SVG plot
of hotword recall, precision and false-alarm rate against the replacement threshold, and
the utterances, worst first, with the reference, the recognizer output and the fused
output aligned character by character (errors marked, replacements highlighted).

Every text that comes from a transcript or a lexicon passes through jinja2's autoescaping,
so a transcript holding ``<script>`` shows as text. Each REF/ASR/OUT line (and each
utterance id) is isolated in a ``<bdi>``, so right-to-left text or a stray U+202E cannot
reorder what is shown, and invisible or reordering characters (controls, zero-width and
bidi format characters, line separators: the ones a hotword may not hold) are shown as
``⟨U+202E⟩`` in a ``ctrl`` span.
The metric cells carry their exact values in ``data-system``/``data-metric``/``data-value``
attributes (``data-value`` is empty for an undefined rate), the same numbers
``hotfuse eval --json`` prints.

The threshold sweep scores every candidate once (:meth:`hotfuse.Fuser.candidates`
with the lowest threshold) and re-selects, for each grid threshold, the non-overlapping
set of eligible candidates with the largest total margin ``score - threshold``, as the
fuser does; no second fusion pass per threshold is needed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from hotfuse.errors import MissingDependencyError
from hotfuse.fuser import Fuser
from hotfuse.lexicon import _is_hidden
from hotfuse.metrics import EvalReport, UtteranceResult, evaluate
from hotfuse.result import FuseResult
from hotfuse.transcript import Transcript

__all__ = [
    "DEFAULT_THRESHOLDS",
    "SweepPoint",
    "render_report",
    "threshold_sweep",
    "write_report",
]

#: The grid of the threshold plot: -4 to 8 in steps of 0.5 (scores are log-odds).
DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(-4.0 + 0.5 * k for k in range(25))

_LOWEST = -50.0  # FuseConfig's lowest threshold: every unblocked candidate is eligible
_MARGIN_TIE = 1e-9


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """The metrics of fusion at one replacement threshold.

    Attributes:
        threshold: the decision threshold (log-odds).
        recall: hotword recall (nan without reference hotwords).
        precision: hotword precision (nan without hotwords in the outputs).
        false_alarm_rate: share of hotword-free utterances that gained a hotword.
        damaged_rate: share of utterances whose edit count rose.
        cer: character error rate.
        replacements: replacements made over all utterances.
    """

    threshold: float
    recall: float
    precision: float
    false_alarm_rate: float
    damaged_rate: float
    cer: float
    replacements: int


def threshold_sweep(
    references: Sequence[str],
    hypotheses: Sequence[Transcript],
    fusers: Sequence[Fuser],
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    *,
    progress: bool = False,
) -> tuple[SweepPoint, ...]:
    """Recall, precision, false alarms (and more) of fusion at each threshold.

    Args:
        references: the reference texts.
        hypotheses: the recognizer transcripts, one per reference.
        fusers: the fuser of each utterance (the same object may serve many); only its
            hotwords and non-threshold settings are used.
        thresholds: the grid.
        progress: show a progress bar on a terminal.

    Returns:
        One point per threshold, in the order given.

    >>> from hotfuse import Fuser
    >>> f = Fuser(["伊丽莎白"])
    >>> hyp = Transcript.from_text("伊丽沙白来了")
    >>> pts = threshold_sweep(["伊丽莎白来了"], [hyp], [f], [0.0, 20.0])
    >>> [(p.threshold, p.recall, p.replacements) for p in pts]
    [(0.0, 1.0, 1), (20.0, 0.0, 0)]
    """
    n = len(references)
    if len(hypotheses) != n or len(fusers) != n:
        msg = (
            f"threshold_sweep() needs one hypothesis and one fuser per reference, got "
            f"{n} references, {len(hypotheses)} hypotheses and {len(fusers)} fusers"
        )
        raise ValueError(msg)
    grid = [float(t) for t in thresholds]
    from hotfuse._progress import progress as bar

    pairs = bar(
        zip(fusers, hypotheses, strict=True), desc="threshold sweep", total=n, enabled=progress
    )
    per_utt = [f.sweep(hyp, grid) for f, hyp in pairs]
    hotwords = [[hw.text for hw in f.hotwords] for f in fusers]
    hyp_texts = [h.text for h in hypotheses]
    points = []
    for k, t in enumerate(grid):
        outs = [results[k].text for results in per_utt]
        r = evaluate(references, outs, hotwords, hypotheses=hyp_texts)
        points.append(
            SweepPoint(
                threshold=t,
                recall=r.recall(),
                precision=r.precision(),
                false_alarm_rate=r.false_alarm_rate(),
                damaged_rate=r.damaged_rate(),
                cer=r.cer(),
                replacements=sum(len(results[k].replacements) for results in per_utt),
            )
        )
    return tuple(points)


# ---------------------------------------------------------------------- page model
_METRIC_ROWS = (
    ("recall", "hotword recall", "recall_ci"),
    ("precision", "hotword precision", "precision_ci"),
    ("false_alarm_rate", "false-alarm rate", "false_alarm_ci"),
    ("damaged_rate", "damaged rate", "damaged_ci"),
    ("cer", "CER", None),
    ("b_cer", "B-CER (hotword characters)", None),
    ("u_cer", "U-CER (other characters)", None),
)


def _value_attr(v: float | None) -> str:
    return "" if v is None else repr(v)


def _pct(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{100.0 * v:.1f}%"


def _metric_cell(report: EvalReport, system: str, name: str, ci: str | None) -> dict[str, Any]:
    value = report.metrics()[name]
    cell: dict[str, Any] = {
        "system": system,
        "metric": name,
        "value": _value_attr(value),
        "shown": _pct(value),
        "ci": "",
    }
    if ci is not None and value is not None:
        lo, hi = getattr(report, ci)()
        cell["ci"] = f"[{100.0 * lo:.1f}, {100.0 * hi:.1f}]"
    elif value is None and name in ("cer", "b_cer", "u_cer"):
        raw = getattr(report, name)()
        cell["shown"] = "inf" if math.isinf(raw) else "n/a"
    return cell


def _escape_hidden(text: str) -> str:
    """``text`` with every hidden character written as ``⟨U+XXXX⟩`` (for attributes)."""
    return "".join(t for t, _ in _visible_parts(text))


def _visible_parts(text: str) -> tuple[tuple[str, bool], ...]:
    """``text`` split into runs: (plain text, False) and (``⟨U+XXXX⟩``, True) per hidden char.

    >>> _visible_parts("a\u202eb")
    (('a', False), ('⟨U+202E⟩', True), ('b', False))
    """
    parts: list[tuple[str, bool]] = []
    for ch in text:
        if _is_hidden(ch):
            parts.append((f"⟨U+{ord(ch):04X}⟩", True))
        elif parts and not parts[-1][1]:
            parts[-1] = (parts[-1][0] + ch, False)
        else:
            parts.append((ch, False))
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class _Seg:
    text: str
    cls: str
    title: str

    @property
    def parts(self) -> tuple[tuple[str, bool], ...]:
        return _visible_parts(self.text)

    @property
    def shown_title(self) -> str:
        return _escape_hidden(self.title)


def _segments(chars: Sequence[str], classes: Sequence[str], titles: Sequence[str]) -> list[_Seg]:
    segs: list[_Seg] = []
    for ch, cl, ti in zip(chars, classes, titles, strict=True):
        if segs and segs[-1].cls == cl and segs[-1].title == ti:
            segs[-1] = _Seg(segs[-1].text + ch, cl, ti)
        else:
            segs.append(_Seg(ch, cl, ti))
    return segs


def _error_marks(ref: str, other: str) -> tuple[list[bool], list[bool]]:
    """Per-character flags: reference chars missed by ``other``, ``other`` chars wrong."""
    ref_bad = [False] * len(ref)
    out_bad = [False] * len(other)
    for op in Levenshtein.opcodes(ref, other):
        if op.tag in ("replace", "delete"):
            for i in range(op.src_start, op.src_end):
                ref_bad[i] = True
        if op.tag in ("replace", "insert"):
            for j in range(op.dest_start, op.dest_end):
                out_bad[j] = True
    return ref_bad, out_bad


def _utterance_view(u: UtteranceResult, result: FuseResult | None) -> dict[str, Any]:
    ref, out = u.reference, u.output
    ref_bad, out_bad = _error_marks(ref, out)
    ref_classes = ["miss" if b else "" for b in ref_bad]
    out_classes = ["err" if b else "" for b in out_bad]
    out_titles = [""] * len(out)
    if result is not None and result.text == out:
        shift = 0
        for rep in result.replacements:
            s = rep.start + shift
            e = s + len(rep.hotword)
            note = f"{rep.original} → {rep.hotword} (score {rep.score:+.2f}; {rep.reason})"
            for j in range(s, min(e, len(out))):
                out_classes[j] = ("rep " + out_classes[j]).strip()
                out_titles[j] = note
            shift += len(rep.hotword) - (rep.end - rep.start)
    lines = [
        {"label": "REF", "segments": _segments(ref, ref_classes, [""] * len(ref))},
    ]
    if u.hypothesis is not None:
        _, hyp_bad = _error_marks(ref, u.hypothesis)
        hyp_classes = ["err" if b else "" for b in hyp_bad]
        hyp_titles = [""] * len(u.hypothesis)
        lines.append({"label": "ASR", "segments": _segments(u.hypothesis, hyp_classes, hyp_titles)})
    lines.append({"label": "OUT", "segments": _segments(out, out_classes, out_titles)})
    flags = []
    if u.damaged:
        flags.append(("damaged", "damaged"))
    if u.false_alarm:
        flags.append(("false alarm", "fa"))
    if u.edits_before is not None and u.edits < u.edits_before:
        flags.append(("improved", "improved"))
    return {
        "index": u.index,
        "id": _visible_parts(u.id if u.id is not None else f"#{u.index + 1}"),
        "edits": u.edits,
        "edits_before": u.edits_before,
        "hits": u.hits,
        "ref_hotwords": u.ref_hotwords,
        "flags": flags,
        "lines": lines,
        "replacements": [] if result is None else list(result.replacements),
    }


def _worst_first(u: UtteranceResult) -> tuple[int, int, int, float, int]:
    """Damaged first, then false alarms, then most edits, highest CER, input order."""
    cer = u.edits / u.ref_chars if u.ref_chars else float(u.edits)
    return (-int(u.damaged), -int(u.false_alarm), -u.edits, -cer, u.index)


_W, _H = 640, 320
_ML, _MR, _MT, _MB = 56, 150, 20, 44
_SERIES = (
    ("recall", "recall", "#1f77b4"),
    ("precision", "precision", "#2ca02c"),
    ("false_alarm_rate", "false-alarm rate", "#d62728"),
)


def _plot(points: Sequence[SweepPoint], threshold: float | None) -> dict[str, Any] | None:
    """Coordinates for the SVG threshold plot (numbers only; labels are fixed strings)."""
    if len(points) < 2:
        return None
    xs = [p.threshold for p in points]
    x0, x1 = min(xs), max(xs)
    if threshold is not None and math.isfinite(threshold):
        x0, x1 = min(x0, threshold), max(x1, threshold)
    if x1 <= x0:
        return None
    pw, ph = _W - _ML - _MR, _H - _MT - _MB

    def sx(x: float) -> float:
        return round(_ML + (x - x0) / (x1 - x0) * pw, 2)

    def sy(y: float) -> float:
        return round(_MT + (1.0 - y) * ph, 2)

    series = []
    for k, (attr, label, colour) in enumerate(_SERIES):
        runs: list[list[tuple[float, float]]] = [[]]
        for p in points:
            v = getattr(p, attr)
            if math.isfinite(v):
                runs[-1].append((sx(p.threshold), sy(v)))
            elif runs[-1]:
                runs.append([])
        lines = [" ".join(f"{x},{y}" for x, y in run) for run in runs if run]
        dots = [pt for run in runs for pt in run]
        series.append(
            {
                "name": attr,
                "label": label,
                "colour": colour,
                "lines": lines,
                "dots": dots,
                "legend_y": _MT + 14 + 20 * k,
            }
        )
    step = 1.0 if x1 - x0 <= 12 else 2.0
    ticks = []
    t = math.ceil(x0 / step) * step
    while t <= x1 + 1e-9:
        ticks.append({"x": sx(t), "label": f"{t:g}"})
        t += step
    yticks = [{"y": sy(v), "label": f"{int(v * 100)}%"} for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    marker = None
    if threshold is not None and math.isfinite(threshold):
        marker = {"x": sx(threshold), "label": f"{threshold:g}"}
    return {
        "w": _W,
        "h": _H,
        "left": _ML,
        "right": _W - _MR,
        "top": _MT,
        "bottom": _H - _MB,
        "legend_x": _W - _MR + 14,
        "series": series,
        "xticks": ticks,
        "yticks": yticks,
        "marker": marker,
    }


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }
table.metrics { border-collapse: collapse; margin: 1em 0; }
table.metrics th, table.metrics td { border: 1px solid #ccc; padding: .3em .8em; }
table.metrics td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ci { color: #777; font-size: 85%; margin-left: .4em; }
.utt { border-top: 1px solid #ddd; padding: .6em 0; }
.utt h3 { font-size: 100%; margin: 0 0 .3em 0; font-weight: 600; }
.line { font-family: ui-monospace, monospace; white-space: pre-wrap; margin: .1em 0; }
.line .label { display: inline-block; width: 3.5em; color: #888; }
.miss { background: #fde2e1; text-decoration: line-through; }
.err { background: #fde2e1; }
.rep { background: #fff3b0; outline: 1px solid #e0b000; }
.rep.err { background: #ffd8a8; }
.flag { font-size: 80%; padding: 0 .4em; border-radius: .3em; margin-left: .4em; }
.flag.damaged, .flag.fa { background: #d62728; color: white; }
.flag.improved { background: #2ca02c; color: white; }
.muted { color: #777; }
bdi { unicode-bidi: isolate; }
.ctrl { color: #a0522d; background: #eee; font-size: 80%; border-radius: .2em; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p id="summary">{{ report.n_utts }} utterances, {{ report.ref_chars }} reference characters,
{{ report.hotword_ref }} hotword occurrences in the references,
{{ report.n_no_hotword_utts }} utterances without an active hotword;
{{ n_replacements }} replacements{% if threshold is not none %} at threshold
<span id="threshold" data-value="{{ threshold }}">{{ threshold }}</span>{% endif %}.</p>
{% if inputs %}<ul class="muted">{% for k, v in inputs %}<li>{{ k }}: {{ v }}</li>{% endfor %}</ul>{% endif %}

<h2>Metrics</h2>
<table class="metrics" id="metrics">
<thead><tr><th>metric</th><th>no fusion</th><th>hotfuse</th></tr></thead>
<tbody>
{% for row in rows %}<tr><th scope="row">{{ row.label }}</th>
{% for cell in row.cells %}<td class="num" id="m-{{ cell.system }}-{{ cell.metric }}" data-system="{{ cell.system }}" data-metric="{{ cell.metric }}" data-value="{{ cell.value }}">{{ cell.shown }}{% if cell.ci %}<span class="ci">{{ cell.ci }}</span>{% endif %}</td>
{% endfor %}</tr>
{% endfor %}</tbody>
</table>
<p class="muted">Rates with Wilson 95% intervals (percent). Text is normalised before scoring
(NFKC, no spaces or punctuation, Latin lower-cased). B-CER counts the edits inside hotword
occurrences of the references; insertions count there only strictly inside a hotword.</p>

{% if plot %}
<h2>Against the replacement threshold</h2>
<svg id="sweep" xmlns="http://www.w3.org/2000/svg" width="{{ plot.w }}" height="{{ plot.h }}" viewBox="0 0 {{ plot.w }} {{ plot.h }}" role="img" aria-label="recall, precision and false-alarm rate against the threshold">
<rect x="{{ plot.left }}" y="{{ plot.top }}" width="{{ plot.right - plot.left }}" height="{{ plot.bottom - plot.top }}" fill="none" stroke="#999"/>
{% for t in plot.yticks %}<line x1="{{ plot.left }}" x2="{{ plot.right }}" y1="{{ t.y }}" y2="{{ t.y }}" stroke="#eee"/><text x="{{ plot.left - 6 }}" y="{{ t.y + 4 }}" font-size="11" text-anchor="end">{{ t.label }}</text>
{% endfor %}{% for t in plot.xticks %}<line x1="{{ t.x }}" x2="{{ t.x }}" y1="{{ plot.bottom }}" y2="{{ plot.bottom + 4 }}" stroke="#999"/><text x="{{ t.x }}" y="{{ plot.bottom + 16 }}" font-size="11" text-anchor="middle">{{ t.label }}</text>
{% endfor %}<text x="{{ (plot.left + plot.right) / 2 }}" y="{{ plot.h - 8 }}" font-size="12" text-anchor="middle">threshold (log-odds)</text>
{% if plot.marker %}<line id="sweep-marker" x1="{{ plot.marker.x }}" x2="{{ plot.marker.x }}" y1="{{ plot.top }}" y2="{{ plot.bottom }}" stroke="#555" stroke-dasharray="4 3"/>
{% endif %}{% for s in plot.series %}{% for pts in s.lines %}<polyline class="series-{{ s.name }}" points="{{ pts }}" fill="none" stroke="{{ s.colour }}" stroke-width="2"/>
{% endfor %}{% for x, y in s.dots %}<circle cx="{{ x }}" cy="{{ y }}" r="2" fill="{{ s.colour }}"/>{% endfor %}
<line x1="{{ plot.legend_x }}" x2="{{ plot.legend_x + 18 }}" y1="{{ s.legend_y }}" y2="{{ s.legend_y }}" stroke="{{ s.colour }}" stroke-width="2"/><text x="{{ plot.legend_x + 24 }}" y="{{ s.legend_y + 4 }}" font-size="12">{{ s.label }}</text>
{% endfor %}</svg>
<table class="metrics" id="sweep-table">
<thead><tr><th>threshold</th><th>recall</th><th>precision</th><th>false alarms</th><th>damaged</th><th>CER</th><th>replacements</th></tr></thead>
<tbody>{% for p in sweep %}<tr><td class="num">{{ p.threshold }}</td><td class="num">{{ pct(p.recall) }}</td><td class="num">{{ pct(p.precision) }}</td><td class="num">{{ pct(p.false_alarm_rate) }}</td><td class="num">{{ pct(p.damaged_rate) }}</td><td class="num">{{ pct(p.cer) }}</td><td class="num">{{ p.replacements }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}

<h2>Utterances, worst first</h2>
<p class="muted">{{ shown }} of {{ report.n_utts }} shown. REF: reference (struck out: missed
by the output); ASR: before fusion; OUT: after fusion (red: wrong, yellow: replaced; hover
for the reason).</p>
{% for u in utterances %}<section class="utt" id="utt-{{ u.index }}">
<h3><bdi>{% for t, c in u.id %}{% if c %}<span class="ctrl">{{ t }}</span>{% else %}{{ t }}{% endif %}{% endfor %}</bdi> <span class="muted">edits {% if u.edits_before is not none %}{{ u.edits_before }} → {% endif %}{{ u.edits }}, hotwords {{ u.hits }}/{{ u.ref_hotwords }}</span>{% for label, cls in u.flags %}<span class="flag {{ cls }}">{{ label }}</span>{% endfor %}</h3>
{% for line in u.lines %}<div class="line"><span class="label">{{ line.label }}</span><bdi>{% for s in line.segments %}{% if s.cls %}<span class="{{ s.cls }}"{% if s.title %} title="{{ s.shown_title }}"{% endif %}>{% endif %}{% for t, c in s.parts %}{% if c %}<span class="ctrl">{{ t }}</span>{% else %}{{ t }}{% endif %}{% endfor %}{% if s.cls %}</span>{% endif %}{% endfor %}</bdi></div>
{% endfor %}</section>
{% endfor %}
</body>
</html>
"""  # noqa: E501 - HTML template lines


def render_report(
    report: EvalReport,
    *,
    results: Sequence[FuseResult] | None = None,
    sweep: Sequence[SweepPoint] = (),
    threshold: float | None = None,
    title: str = "hotfuse evaluation",
    inputs: Mapping[str, str] | None = None,
    max_utterances: int = 500,
) -> str:
    """The report page as a string.

    Args:
        report: the metrics after fusion; ``report.before`` (when present) fills the
            "no fusion" column.
        results: the fusion result per utterance (same order), for highlighting.
        sweep: points of :func:`threshold_sweep`; fewer than two draw no plot.
        threshold: the threshold used, marked on the plot.
        title: the page title.
        inputs: labelled input descriptions (file names...) listed under the title.
        max_utterances: how many utterances to list, worst first.

    Raises:
        MissingDependencyError: jinja2 is not installed.
    """
    try:
        import jinja2
    except ImportError:
        pkg = "jinja2"
        raise MissingDependencyError(pkg, "report", "the HTML report") from None
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["pct"] = lambda v: "n/a" if not math.isfinite(v) else f"{100.0 * v:.1f}%"
    before = report.before if report.before is not None else report
    rows = []
    for name, label, ci in _METRIC_ROWS:
        rows.append(
            {
                "label": label,
                "cells": [
                    _metric_cell(before, "no_fusion", name, ci),
                    _metric_cell(report, "hotfuse", name, ci),
                ],
            }
        )
    res = list(results) if results is not None else [None] * report.n_utts
    if len(res) != report.n_utts:
        msg = f"render_report() got {len(res)} results for {report.n_utts} utterances"
        raise ValueError(msg)
    order = sorted(report.utterances, key=_worst_first)[: max(0, max_utterances)]
    views = [_utterance_view(u, res[u.index]) for u in order]
    n_rep = sum(len(r.replacements) for r in res if r is not None)
    return env.from_string(_TEMPLATE).render(
        title=title,
        report=report,
        rows=rows,
        n_replacements=n_rep,
        threshold=threshold,
        inputs=list((inputs or {}).items()),
        plot=_plot(sweep, threshold),
        sweep=list(sweep),
        utterances=views,
        shown=len(views),
    )


def write_report(path: str | os.PathLike[str], html_text: str) -> None:
    """Write a rendered page atomically (a temporary file renamed over ``path``)."""
    from hotfuse._files import atomic_write_text

    atomic_write_text(path, html_text)
