"""The HTML report: escaping, numbers, threshold sweep, and a headless Chromium render."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hotfuse.cli import main
from hotfuse.config import FuseConfig
from hotfuse.errors import MissingDependencyError
from hotfuse.formats.corpus import read_hypotheses, read_texts
from hotfuse.fuser import Fuser
from hotfuse.metrics import evaluate
from hotfuse.report import render_report, threshold_sweep, write_report

DATA = Path(__file__).parent / "data" / "eval"
WORDS = ["伊丽莎白", "达西", "宾利", "简奥斯汀"]
PLANT_REF = (
    '伊丽莎白<script>document.title="PWNED";'
    'document.documentElement.setAttribute("data-pwned","1")</script>来了'
)
PLANT_HYP = "伊丽沙白<img src=x onerror=\"document.title='PWNED2'\">来了"


class _Page(HTMLParser):
    """Collects what the tests look at: metric cells, script elements, title, root attrs."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.tags: list[str] = []
        self.root_attrs: dict[str, str | None] = {}
        self.title = ""
        self.text: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag in ("html", "body"):
            self.root_attrs.update(a)
        if tag == "td" and "data-metric" in a:
            self.cells[(str(a["data-system"]), str(a["data-metric"]))] = str(a["data-value"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.text.append(data)


def _parse(html_text: str) -> _Page:
    page = _Page()
    page.feed(html_text)
    return page


def _planted_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    ref = tmp_path / "ref.txt"
    hyp = tmp_path / "hyp.jsonl"
    words = tmp_path / "words.txt"
    ref.write_text(DATA.joinpath("ref.txt").read_text(encoding="utf-8") + f"u07\t{PLANT_REF}\n")
    hyp_lines = DATA.joinpath("hyp.jsonl").read_text(encoding="utf-8")
    hyp_lines += json.dumps({"id": "u07", "text": PLANT_HYP}, ensure_ascii=False) + "\n"
    hyp.write_text(hyp_lines, encoding="utf-8")
    words.write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    return ref, hyp, words


def _cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict]:  # type: ignore[type-arg]
    ref, hyp, words = _planted_inputs(tmp_path)
    out = tmp_path / "report.html"
    args = ["eval", "--ref", str(ref), "--hyp", str(hyp), "--hotwords", str(words)]
    assert main([*args, "--report", str(out), "--json"]) == 0
    numbers = json.loads(capsys.readouterr().out)
    return out, numbers


def _expected_cells(numbers: dict) -> dict[tuple[str, str], str]:  # type: ignore[type-arg]
    expected = {}
    for system, row in numbers["rows"].items():
        for metric, value in row["metrics"].items():
            expected[(system, metric)] = "" if value is None else repr(value)
    return expected


def test_planted_markup_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, numbers = _cli_report(tmp_path, capsys)
    page_html = out.read_text(encoding="utf-8")
    assert "<script" not in page_html
    assert "<img" not in page_html
    assert "&lt;" in page_html and "PWNED&#34;" in page_html
    page = _parse(page_html)
    assert "script" not in page.tags and "img" not in page.tags
    assert "data-pwned" not in page.root_attrs
    assert page.title == "hotfuse evaluation"
    text = "".join(page.text)
    assert PLANT_REF in text  # shown as text, whole
    assert PLANT_HYP in text
    # the cells carry exactly the numbers of --json
    assert page.cells == _expected_cells(numbers)
    assert len(page.cells) == 14
    assert list(tmp_path.glob(".report.html.*")) == []


def test_cells_and_worst_first_order() -> None:
    refs = read_texts(DATA / "ref.txt")
    hyps = read_hypotheses(DATA / "hyp.jsonl")
    f = Fuser(WORDS)
    results = [f.fuse(t) for t in hyps.items]
    r = evaluate(
        refs.items,
        [x.text for x in results],
        WORDS,
        hypotheses=[t.text for t in hyps.items],
        ids=refs.ids,
    )
    page_html = render_report(r, results=results, threshold=1.0)
    page = _parse(page_html)
    assert page.cells[("hotfuse", "recall")] == "1.0"
    assert page.cells[("no_fusion", "precision")] == ""  # undefined: no hotword output
    # u06 (damaged, false alarm) comes first; an improved utterance later
    order = [page_html.index(f'id="utt-{k}"') for k in range(6)]
    assert order[5] == min(order)
    notes = set(re.findall(r'<span class="rep[^"]*" title="([^"]*)"', page_html))
    assert len(notes) == 5  # every replacement highlighted, its reason in the title
    assert any(n.startswith("伊丽沙白 → 伊丽莎白 (score +") for n in notes)
    assert '<span class="rep err" title="打西 → 达西' in page_html  # the wrong one: both
    assert "<svg" not in page_html  # no sweep given: no plot
    few = render_report(r, results=results, max_utterances=2)
    assert few.count('class="utt"') == 2
    with pytest.raises(ValueError, match="2 results for 6 utterances"):
        render_report(r, results=results[:2])


def test_threshold_sweep_matches_fusion_at_each_threshold() -> None:
    refs = read_texts(DATA / "ref.txt")
    hyps = read_hypotheses(DATA / "hyp.jsonl")
    f = Fuser(WORDS)
    grid = [-3.0, 0.0, 1.0, 1.5, 2.0, 2.6, 3.0, 30.0]
    points = threshold_sweep(refs.items, hyps.items, [f] * len(hyps), grid)
    assert [p.threshold for p in points] == grid
    for p in points:
        ft = Fuser(WORDS, FuseConfig(threshold=p.threshold))
        results = [ft.fuse(t) for t in hyps.items]
        r = evaluate(
            refs.items,
            [x.text for x in results],
            WORDS,
            hypotheses=[t.text for t in hyps.items],
        )
        assert p.replacements == sum(len(x.replacements) for x in results)
        assert p.cer == r.cer()
        for name in ("recall", "precision", "false_alarm_rate", "damaged_rate"):
            a, b = getattr(p, name), getattr(r, name)()
            assert (math.isnan(a) and math.isnan(b)) or a == b
    assert points[-1].replacements == 0
    assert points[1].recall == 1.0 and points[1].false_alarm_rate == 0.5


def test_sweep_plot_rendered() -> None:
    refs = read_texts(DATA / "ref.txt")
    hyps = read_hypotheses(DATA / "hyp.jsonl")
    f = Fuser(WORDS)
    pts = threshold_sweep(refs.items, hyps.items, [f] * len(hyps), [0.0, 1.0, 2.0, 30.0])
    r = evaluate(refs.items, [h.text for h in hyps.items], WORDS)
    page = render_report(r, sweep=pts, threshold=1.0)
    assert page.count("<polyline") >= 3
    assert 'id="sweep-marker"' in page
    assert page.count('<tr><td class="num">') == 4


def test_write_report_atomic(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_report(target, "<p>x</p>")
    assert target.read_text(encoding="utf-8") == "<p>x</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_missing_jinja2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    r = evaluate(["达西"], ["达西"], ["达西"])
    with pytest.raises(MissingDependencyError, match=r"pip install 'hotfuse\[report\]'"):
        render_report(r)


CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
)
def test_report_in_headless_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, numbers = _cli_report(tmp_path, capsys)
    profile = tmp_path / "chromium-profile"
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        out.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert "<body" in dom, proc.stderr[-2000:]
    page = _parse(dom)
    # the planted script did not run: title and root attributes untouched, no elements
    assert page.title == "hotfuse evaluation"
    assert "data-pwned" not in page.root_attrs
    assert "script" not in page.tags and "img" not in page.tags
    assert PLANT_REF in "".join(page.text)  # still shown, as text
    # the numbers on the page are the CLI's
    assert page.cells == _expected_cells(numbers)
    assert "svg" in page.tags and "polyline" in page.tags


def test_bidi_isolated_and_control_characters_shown() -> None:
    # issue 16, finding 13: a U+202E in a transcript must not reorder the REF/ASR/OUT lines
    hidden = "\u202e\u2066\u200b\x00\x1b"
    ref = "伊丽莎白" + hidden + "很高兴"
    hyp = "伊丽沙白" + hidden + "很高兴"
    result = Fuser(["伊丽莎白"]).fuse(hyp)
    r = evaluate([ref], [result.text], ["伊丽莎白"], hypotheses=[hyp], ids=["u\u202eid"])
    page_html = render_report(r, results=[result])
    for ch in hidden:
        assert ch not in page_html
    shown = "".join(f'<span class="ctrl">⟨U+{ord(ch):04X}⟩</span>' for ch in hidden)
    assert page_html.count(shown) == 3  # REF, ASR, OUT
    assert 'u<span class="ctrl">⟨U+202E⟩</span>id' in page_html
    lines = re.findall(r'<div class="line"><span class="label">(\w+)</span>(.*?)</div>', page_html)
    assert [label for label, _ in lines] == ["REF", "ASR", "OUT"]
    assert all(body.startswith("<bdi>") and body.endswith("</bdi>") for _, body in lines)
    assert "unicode-bidi: isolate" in page_html
    text = "".join(_parse(page_html).text)
    assert "伊丽莎白⟨U+202E⟩⟨U+2066⟩⟨U+200B⟩⟨U+0000⟩⟨U+001B⟩很高兴" in text
