"""``hotfuse webui``: the service, the HTTP API, and the page in headless Chromium.

The API tests use Starlette's TestClient (the [webui] extra plus httpx). The browser tests
(``-m browser``) start ``python -m hotfuse webui`` on a free loopback port, drive Debian's
Chromium through Playwright (``executable_path=/usr/bin/chromium``, no browser download),
recognise generated audio with the tiny random Paraformer of ``tests/tiny_models.py``,
compare the page with the runner's own transcript computed here, and record every
request the page makes. Screenshots go to ``$HOTFUSE_SCREENSHOTS`` (or a temp dir).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hotfuse import Fuser, Token, Transcript
from hotfuse.cli import main as cli_main
from hotfuse.webui.service import (
    NO_HOTWORDS_LINE,
    WebService,
    bundle_zip,
    fusion_record,
    parse_hotwords,
    srt_from_transcript,
)

ROOT = Path(__file__).resolve().parent.parent
SR = 16000
HAVE_WEB = all(importlib.util.find_spec(m) for m in ("starlette", "uvicorn", "python_multipart"))
HAVE_HTTPX = importlib.util.find_spec("httpx") is not None
HAVE_FUNASR = all(importlib.util.find_spec(m) for m in ("funasr", "torch", "soundfile"))
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser

needs_web = pytest.mark.skipif(
    not (HAVE_WEB and HAVE_HTTPX), reason="pip install 'hotfuse[webui]' httpx for the API tests"
)
needs_funasr = pytest.mark.skipif(
    not HAVE_FUNASR, reason="funasr / torch not installed (pip install 'hotfuse[funasr]')"
)


def chirp(seconds: float, seed: int = 0) -> np.ndarray:
    """A rising tone plus a little noise (as in test_paraformer): the random model varies."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    x = 0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t) + 0.05 * rng.standard_normal(t.size)
    return x.astype(np.float32)


# --------------------------------------------------------------------------- service
@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ("伊丽莎白 达西", ["伊丽莎白", "达西"]),
        ("伊丽莎白，达西、宾利;简", ["伊丽莎白", "达西", "宾利", "简"]),
        ("New York\n达西\n", ["New York", "达西"]),
        ("  \n# comment\n达西\n达西\n", ["达西"]),
        ("", []),
        ("\n\n", []),
    ],
)
def test_parse_hotwords(box: str, expected: list[str]) -> None:
    assert parse_hotwords(box) == expected


def _timed(text: str, times: list[tuple[float, float]]) -> Transcript:
    return Transcript.from_text(text, timestamps=times)


@pytest.mark.parametrize(
    ("text", "times", "cues"),
    [
        # sentence punctuation ends a cue; the punctuation stays with it
        ("你好。再见", [(0, 0.2), (0.2, 0.4), (2, 2.3), (2.3, 2.5)], ["你好。", "再见"]),
        # a long pause ends a cue even without punctuation
        ("你好再见", [(0, 0.2), (0.2, 0.4), (3, 3.3), (3.3, 3.5)], ["你好", "再见"]),
        # close tokens stay together
        ("你好再见", [(0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8)], ["你好再见"]),
    ],
)
def test_srt_cues(text: str, times: list[tuple[float, float]], cues: list[str]) -> None:
    srt = srt_from_transcript(_timed(text, times))
    assert srt is not None
    blocks = [b.splitlines() for b in srt.strip().split("\n\n")]
    assert [b[2] for b in blocks] == cues
    assert [b[0] for b in blocks] == [str(i) for i in range(1, len(cues) + 1)]
    first = blocks[0][1]
    assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", first)
    assert first.startswith(f"00:00:0{int(times[0][0])},{round(times[0][0] % 1 * 1000):03d}")


def test_srt_long_cue_is_split_and_untimed_gives_none() -> None:
    text = "一" * 60
    srt = srt_from_transcript(_timed(text, [(i * 0.1, i * 0.1 + 0.1) for i in range(60)]))
    assert srt is not None
    lines = [b.splitlines()[2] for b in srt.strip().split("\n\n")]
    assert "".join(lines) == text and max(len(x) for x in lines) <= 24
    assert srt_from_transcript(Transcript.from_text("你好")) is None


@pytest.mark.parametrize(
    ("text", "hotwords"),
    [
        ("伊丽沙白这会儿真太高兴了，她和大西先生", ["伊丽莎白", "达西"]),
        ("我们用 py torch 训练", ["PyTorch"]),
        ("今天天气不错", ["伊丽莎白"]),
    ],
)
def test_fusion_record_segments_rebuild_both_texts(text: str, hotwords: list[str]) -> None:
    res = Fuser(hotwords).fuse(text)
    rec = fusion_record(res)
    assert "".join(s["text"] for s in rec["original_segments"]) == res.source.text
    assert "".join(s["text"] for s in rec["fused_segments"]) == res.text
    for i, r in enumerate(rec["replacements"]):
        assert [s["text"] for s in rec["original_segments"] if s["rep"] == i] == [r["original"]]
        assert [s["text"] for s in rec["fused_segments"] if s["rep"] == i] == [r["hotword"]]
    assert len(rec["replacements"]) == len(res.replacements)
    json.dumps(rec)  # JSON-ready


def test_fusion_record_carries_times_confidence_and_srt() -> None:
    toks = [Token(c, i * 0.3, i * 0.3 + 0.3, 0.4) for i, c in enumerate("伊丽沙白来了")]
    rec = fusion_record(Fuser(["伊丽莎白"]).fuse(Transcript.from_tokens(toks)))
    (r,) = rec["replacements"]
    assert (r["time_start"], r["time_end"], r["confidence"]) == pytest.approx((0.0, 1.2, 0.4))
    assert rec["tokens"][0] == {"text": "伊", "start": 0.0, "end": 0.3, "confidence": 0.4}
    assert rec["srt"] is not None and "伊丽莎白来了" in rec["srt"]


def test_service_requests_and_errors(tmp_path: Path) -> None:
    lex = tmp_path / "people.toml"
    lex.write_text('[[entry]]\ntext = "伊丽莎白"\n', encoding="utf-8")
    svc = WebService([lex])
    rec = svc.fuse_request({"text": "伊丽沙白来了", "lexicons": ["people"]})
    assert rec["text"] == "伊丽莎白来了"
    stamps = [[0, 200], [200, 400], [400, 600], [600, 800]]
    funasr_raw = {"key": "u", "text": "伊 丽 沙 白", "timestamp": stamps}
    rec = svc.fuse_text_box(json.dumps(funasr_raw), {"hotwords": "伊丽莎白"})
    assert rec["text"] == "伊丽莎白" and rec["replacements"][0]["time_end"] == 0.8
    # hotfuse's own token records round-trip (what the Recognize tab downloads)
    rec2 = svc.fuse_request({"result": {"tokens": rec["tokens"]}, "hotwords": ["伊丽莎白"]})
    assert rec2["text"] == "伊丽莎白"
    with pytest.raises(ValueError, match="no hotwords"):
        svc.fuse_request({"text": "伊丽沙白"})
    with pytest.raises(ValueError, match="unknown lexicon 'nope'; loaded lexicons: people"):
        svc.fuse_request({"text": "x", "lexicons": ["nope"]})
    with pytest.raises(ValueError, match="not valid JSON"):
        svc.fuse_text_box('{"text": ', {"hotwords": "a"})
    with pytest.raises(ValueError, match="give 'text'"):
        svc.fuse_request({"hotwords": ["a"]})
    with pytest.raises(ValueError, match="no recognizer is loaded"):
        svc.recognize(tmp_path / "a.wav", "a.wav")
    assert svc.system_info()["lexicons"] == [{"name": "people", "path": str(lex), "size": 1}]


@pytest.mark.parametrize(
    ("filename", "content", "fmt", "read_as", "words"),
    [
        ("names.txt", "伊丽莎白 20\n达西\n", "auto", "funasr", [("伊丽莎白", 1.0), ("达西", 1.0)]),
        ("hot.txt", "达西\n", "plain", "plain", [("达西", 1.0)]),
        ("w.toml", '[[entry]]\ntext = "宾利"\nweight = 2\n', "auto", "toml", [("宾利", 2.0)]),
        ("a.json", '{"达西": 4}', "auto", "aliyun", [("达西", 2.0)]),
    ],
)
def test_add_lexicon_from_the_page(
    filename: str, content: str, fmt: str, read_as: str, words: list[tuple[str, float]]
) -> None:
    svc = WebService()
    got = svc.add_lexicon(content.encode("utf-8-sig"), filename, fmt)
    assert (got["format"], got["size"]) == (read_as, len(words))
    assert [(h.text, h.weight) for h in svc.lexicons[got["name"]].hotwords] == words
    again = svc.add_lexicon(content.encode(), filename, fmt)
    assert again["name"] == got["name"] + "-2"  # a second file of that name is kept apart
    fused = svc.fuse_request({"text": "大西来了", "lexicons": [got["name"]]})
    assert fused["text"] == Fuser(svc.lexicons[got["name"]].hotwords).fuse("大西来了").text


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        ("达西".encode("gbk"), "auto", "names.txt: not UTF-8 text; convert it first"),
        (b"# only a comment\n", "auto", "names.txt: no hotwords found (read as funasr)"),
        (b"x", "word", "unknown hotword file format 'word'"),
        (b'[[entry]]\ntext = "a"\nwieght = 2\n', "toml", "unknown field 'wieght'"),
    ],
)
def test_add_lexicon_errors(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        WebService().add_lexicon(data, "names.txt", fmt)


def test_added_lexicons_are_bounded() -> None:
    from hotfuse.webui.service import MAX_UPLOADED_LEXICONS

    svc = WebService()
    for _ in range(MAX_UPLOADED_LEXICONS):
        svc.add_lexicon("达西\n".encode(), "a.txt")
    with pytest.raises(ValueError, match="hotword files were added already"):
        svc.add_lexicon("达西\n".encode(), "a.txt")


def test_bundle_zip_keeps_names_inside_the_archive() -> None:
    recs: list[dict[str, Any]] = [
        {"file": "../../etc/passwd.wav", "text": "甲", "srt": "1\n00:00:00,000 --> 00:00:01,000\n"},
        {"file": "a.wav", "text": "乙", "srt": None},
        {"file": "a.flac", "text": "丙", "srt": None},
        {"file": "bad.wav", "error": "bad.wav: cannot read the audio"},
    ]  # fmt: skip
    zf = zipfile.ZipFile(io.BytesIO(bundle_zip(recs)))
    names = sorted(zf.namelist())
    expected = {"results.jsonl", "passwd.txt", "passwd.json", "passwd.srt"}
    assert names == sorted(expected | {"a.txt", "a.json", "a-2.txt", "a-2.json"})
    lines = zf.read("results.jsonl").decode().splitlines()
    assert [json.loads(x)["file"] for x in lines] == [r["file"] for r in recs]
    assert zf.read("a-2.txt").decode() == "丙\n"


def test_import_hotfuse_and_the_cli_load_no_web_stack() -> None:
    probe = (
        "import sys, hotfuse, hotfuse.cli, hotfuse.webui\n"
        "hotfuse.cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('starlette', 'uvicorn', 'multipart', 'python_multipart', 'torch', 'gradio')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_missing_web_stack_names_the_extra() -> None:
    probe = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('starlette', 'uvicorn'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from hotfuse.cli import main\n"
        "sys.exit(main(['webui']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "hotfuse: error: starlette is not installed (needed for hotfuse webui); "
        "install it with: pip install 'hotfuse[webui]'"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["webui", "--port", "70000"], "--port must be in 0..65535"),
        (["webui", "--vad-model", "v"], "--vad-model needs --model"),
        (["webui", "--lexicon", "missing.toml"], "missing.toml"),
        (["webui", "--max-upload-mb", "0"], "--max-upload-mb must be positive"),
        (["webui", "--model", "no/such/dir"], "does not exist"),
    ],
)
@needs_web
def test_cli_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if "--model" in argv and not HAVE_FUNASR:
        pytest.skip("funasr not installed")
    assert cli_main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("hotfuse: error: ") and message in err[-1]
    assert "Traceback" not in "\n".join(err)


# --------------------------------------------------------------------------- HTTP API
@pytest.fixture()
def client(tmp_path: Path) -> Iterator[Any]:
    if not (HAVE_WEB and HAVE_HTTPX):
        pytest.skip("pip install 'hotfuse[webui]' httpx for the API tests")
    from starlette.testclient import TestClient

    from hotfuse.webui.app import create_app

    lex = tmp_path / "people.toml"
    lex.write_text('[[entry]]\ntext = "伊丽莎白"\n', encoding="utf-8")
    app = create_app(WebService([lex]), max_upload_bytes=50_000)
    with TestClient(app) as c:
        yield c
    app.state.tmp.cleanup()


def test_api_fuse_endpoint(client: Any) -> None:
    r = client.post(
        "/api/fuse", json={"text": "伊丽沙白这会儿真太高兴了", "hotwords": ["伊丽莎白"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["text"] == "伊丽莎白这会儿真太高兴了"
    assert body["replacements"][0]["original"] == "伊丽沙白"
    assert {"score", "confidence", "reason"} <= set(body["replacements"][0])
    r = client.post("/api/fuse", json={"text": "伊丽沙白", "lexicons": ["people"]})
    assert r.json()["text"] == "伊丽莎白"
    r = client.post("/api/fuse", content=b"not json")
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    r = client.post("/api/fuse", json={"text": "伊丽沙白"})
    assert r.status_code == 400 and "no hotwords" in r.json()["error"]


def test_api_add_lexicon(client: Any) -> None:
    files = {"lexicon": ("names.txt", "达西 20\n".encode(), "text/plain")}
    r = client.post("/api/lexicon", files=files, data={"format": "auto"})
    assert r.status_code == 200 and r.json() == {"name": "names", "size": 1, "format": "funasr"}
    names = [lx["name"] for lx in client.get("/api/info").json()["lexicons"]]
    assert names == ["people", "names"]
    r = client.post("/api/fuse", json={"text": "大西来了", "lexicons": ["names"]})
    assert r.json()["text"] == "达西来了"
    bad = {"lexicon": ("gbk.txt", "达西".encode("gbk"), "text/plain")}
    r = client.post("/api/lexicon", files=bad)
    assert r.status_code == 400 and "not UTF-8" in r.json()["error"]


def test_api_headers_limits_and_no_model(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert "http" not in page.text.replace('"/static', "")  # nothing from another origin
    assert client.get("/static/app.js").headers["content-security-policy"] == csp
    info = client.get("/api/info").json()
    assert info["has_model"] is False and info["local_only"] is True
    assert info["no_hotwords_line"] is None and info["lexicons"][0]["size"] == 1
    r = client.post("/api/fuse", json={"text": "甲" * 40_000, "hotwords": ["伊丽莎白"]})
    assert r.status_code == 413 and "--max-upload-mb" in r.json()["error"]
    r = client.post("/api/recognize", files={"audio": ("a.wav", b"RIFF", "audio/wav")})
    assert r.status_code == 409 and "--model DIR" in r.json()["error"]
    zipped = client.post("/api/bundle", json={"records": [{"file": "a.wav", "text": "甲"}]})
    assert zipped.headers["content-type"] == "application/zip"
    assert "a.txt" in zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()


@needs_web
def test_cli_serves_the_page_and_cleans_up_on_sigterm(tmp_path: Path) -> None:
    import signal
    import urllib.request

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfuse", "webui", "--port", "0"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    with proc.stderr:
        line = proc.stderr.readline()
        m = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "api/info", timeout=30) as resp:
            info = json.loads(resp.read())
        assert info["local_only"] is True and info["host"] == "127.0.0.1"
        assert info["port"] == int(m.group(1).rsplit(":", 1)[1].rstrip("/"))
        assert len(list(tmp_path.glob("hotfuse-webui-*"))) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.glob("hotfuse-webui-*")) == []  # the upload dir went with the server


@needs_web
def test_exposed_binding_is_reported() -> None:
    from starlette.testclient import TestClient

    from hotfuse.webui.app import create_app

    app = create_app(WebService(), host="0.0.0.0", port=8080)
    with TestClient(app) as c:
        info = c.get("/api/info").json()
    assert (info["local_only"], info["host"], info["port"]) == (False, "0.0.0.0", 8080)
    app.state.tmp.cleanup()


# --------------------------------------------------------------------------- tiny model
@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not HAVE_FUNASR:
        pytest.skip("funasr / torch not installed (pip install 'hotfuse[funasr]')")
    from tests.tiny_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("webui-model") / "seaco", "seaco")


@pytest.fixture(scope="module")
def runner(tiny_model: Path) -> Any:
    from hotfuse.runners.paraformer import ParaformerRecognizer

    return ParaformerRecognizer(tiny_model, device="cpu")


@pytest.fixture(scope="module")
def audio_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not HAVE_FUNASR:
        pytest.skip("soundfile not installed (pip install 'hotfuse[funasr]')")
    import soundfile

    d = tmp_path_factory.mktemp("webui-audio")
    files = {"a.wav": d / "a.wav", "b.flac": d / "b.flac"}
    soundfile.write(files["a.wav"], chirp(2.0, 0), SR)
    stereo_8k = np.stack([chirp(1.5, 1)[::2], chirp(1.5, 2)[::2]], axis=1)
    soundfile.write(files["b.flac"], stereo_8k, SR // 2)  # converted to 16 kHz mono
    broken = d / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00not really audio")
    files["broken.wav"] = broken
    return files


_POOL: dict[tuple[str, ...], list[str]] = {}


def homophone_hotword(transcript: Transcript) -> str | None:
    """A hotword that sounds like a span of ``transcript`` and that fusion takes.

    A window of 2-4 characters with one character swapped for a common homophone, kept
    when ``Fuser([hotword])`` really replaces that window (checked here, not assumed).
    """
    from hotfuse.phonetics import char_readings, jieba_frequencies

    if not _POOL:
        for w, n in jieba_frequencies().items():
            if len(w) == 1 and n > 2000 and char_readings(w):
                _POOL.setdefault(char_readings(w), []).append(w)
    text = transcript.text
    for size in (4, 3, 2):
        for i in range(len(text) - size + 1):
            win = text[i : i + size]
            if len(set(win)) < size or not all(char_readings(c) for c in win):
                continue
            for j in range(size):
                alts = [c for c in _POOL.get(char_readings(win[j]), []) if c != win[j]]
                for alt in alts[:3]:
                    hw = win[:j] + alt + win[j + 1 :]
                    res = Fuser([hw]).fuse(transcript)
                    if [r.hotword for r in res.replacements] == [hw]:
                        return hw
    return None


@needs_web
def test_api_recognize_matches_the_runner(
    runner: Any, tiny_model: Path, audio_files: dict[str, Path], tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from hotfuse.webui.app import create_app

    own = runner.transcribe(audio_files["a.wav"]).transcript
    hw = homophone_hotword(own)
    assert hw is not None, f"no homophone hotword found for {own.text!r}"
    svc = WebService(recognizer=runner, model_dir=str(tiny_model))
    app = create_app(svc)
    with TestClient(app) as c:
        data = audio_files["a.wav"].read_bytes()
        r = c.post("/api/recognize", files={"audio": ("a.wav", data)}, data={"hotwords": hw})
        assert r.status_code == 200, r.text
        rec = r.json()
        assert rec["first_pass"] == own.text == rec["original"]
        assert rec["text"] == Fuser([hw]).fuse(own).text != own.text
        assert [t["text"] for t in rec["tokens"]] == [t.text for t in own.tokens]
        assert rec["device"] == "cpu" and rec["rtf"] > 0 and rec["srt"]
        bad = audio_files["broken.wav"].read_bytes()
        r = c.post("/api/recognize", files={"audio": ("broken.wav", bad)})
        assert r.status_code == 422 and r.json()["error"].startswith("broken.wav: ")
        r = c.post("/api/recognize", files={"audio": ("x.m4a", bad)})
        if shutil.which("ffmpeg") is None:
            assert "need ffmpeg" in r.json()["error"]
        info = c.get("/api/info").json()
    assert info["has_model"] and info["model_hotword_settings"] == {}
    assert info["no_hotwords_line"] == NO_HOTWORDS_LINE
    assert info["last_call"]["file"] == "a.wav" and info["jobs_done"] == 1
    assert info["torch"] and info["device"] == "cpu"
    assert list(app.state.upload_dir.iterdir()) == []  # uploads removed after each job
    app.state.tmp.cleanup()


class _Watched:
    """The real runner, with a count of the calls inside it and a gate to hold one there."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.device, self.model_class = runner.device, runner.model_class
        self.inside = self.most_inside = 0
        self.lock = threading.Lock()
        self.entered = threading.Event()
        self.gate = threading.Event()

    def model_hotword_settings(self) -> dict[str, Any]:
        return dict(self.runner.model_hotword_settings())

    def transcribe(self, samples: Any) -> Any:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.entered.set()
        try:
            assert self.gate.wait(60), "the test never opened the gate"
            return self.runner.transcribe(samples)
        finally:
            with self.lock:
                self.inside -= 1


@needs_web
def test_one_recognizer_job_at_a_time_and_fusion_beside_it(
    runner: Any, audio_files: dict[str, Path]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from starlette.testclient import TestClient

    from hotfuse.webui.app import create_app

    watched = _Watched(runner)
    app = create_app(WebService(recognizer=watched))
    data = audio_files["a.wav"].read_bytes()
    with TestClient(app) as c, ThreadPoolExecutor(3) as pool:
        jobs = [
            pool.submit(c.post, "/api/recognize", files={"audio": (f"{i}.wav", data)})
            for i in range(3)
        ]
        assert watched.entered.wait(60)
        # a recognition is held inside the model: fusion and the figures still answer
        fused = c.post("/api/fuse", json={"text": "伊丽沙白", "hotwords": ["伊丽莎白"]})
        assert fused.json()["text"] == "伊丽莎白"
        queue_now = c.get("/api/info").json()["queue"]
        assert queue_now["running"] == 1
        watched.gate.set()
        results = [j.result(timeout=120) for j in jobs]
    assert [r.status_code for r in results] == [200, 200, 200]
    assert watched.most_inside == 1
    app.state.tmp.cleanup()


# --------------------------------------------------------------------------- browser
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # a microphone for the recorder: Chromium's built-in test tone, granted without a prompt
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


class Server:
    """``python -m hotfuse webui ARGS --port 0`` as a child process; ``url`` once serving."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hotfuse", "webui", "--port", "0", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()
        self.url = ""
        while not self.url:
            try:
                line = self.lines.get(timeout=180)
            except queue.Empty:
                self.stop()
                pytest.fail("hotfuse webui did not start in 180 s:\n" + "".join(self.log))
            m = re.search(r"serving on (http://\S+/)", line)
            if m:
                self.url = m.group(1)
            elif self.proc.poll() is not None and self.lines.empty():
                pytest.fail("hotfuse webui exited:\n" + "".join(self.log))

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)
            self.lines.put(line)
        self.lines.put("")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)
        self.reader.join(timeout=20)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    if "browser" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("browser test: run with -m browser (see .ci/run)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright not installed (pip install playwright; no browser download)")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = os.environ.get("HOTFUSE_SCREENSHOTS")
    d = Path(out) if out else tmp_path_factory.mktemp("screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


class Page:
    """A fresh browser context; every request the page makes is recorded."""

    def __init__(self, browser: Any, url: str, **context: Any) -> None:
        self.url = url
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, **context)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda req: self.requests.append(req.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.wait_for_selector('.tabs button[aria-selected="true"]')

    def external(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.url, "blob:", "data:"))]

    def table(self, rows: str) -> list[list[str]]:
        """The cells of the rows matched by ``rows``, by their text content.

        ``innerText`` of a row joins its cells with tabs only while the row is rendered (a
        hidden panel gives the bare text), so the cells are read one by one instead.
        """
        cells: list[list[str]] = self.page.eval_on_selector_all(
            rows, "rs => rs.map(r => Array.from(r.cells, c => c.textContent))"
        )
        return cells

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def text_server(browser: Any) -> Iterator[Server]:
    s = Server("--lexicon", str(ROOT / "lexicons" / "ai-speech.toml"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def model_server(browser: Any, tiny_model: Path) -> Iterator[Server]:
    s = Server("--model", str(tiny_model), "--device", "cpu")
    yield s
    s.stop()


@pytest.mark.browser
def test_browser_text_tab_fuses_and_explains(
    browser: Any, text_server: Server, shots: Path
) -> None:
    pg = Page(browser, text_server.url)
    p = pg.page
    assert p.get_attribute("#tab-text", "aria-selected") == "true"  # no --model: Text tab
    assert p.is_disabled("#rec-run") and p.is_visible("#panel-text")
    assert "Local only" in p.inner_text("#binding")
    assert "ai-speech (" in p.inner_text("#lexicons")
    p.fill("#hotwords", "伊丽莎白\n达西")
    p.fill("#text-input", "伊丽沙白这会儿真太高兴了，她和大西先生")
    p.click("#text-run")
    p.wait_for_selector("#text-result .fused mark")
    expected = Fuser(["伊丽莎白", "达西"]).fuse("伊丽沙白这会儿真太高兴了，她和大西先生")
    assert p.inner_text("#text-result .fused") == expected.text
    assert p.inner_text("#text-result .original") == expected.source.text
    marks = p.locator("#text-result .fused mark")
    assert marks.all_inner_texts() == [r.hotword for r in expected.replacements]
    first = expected.replacements[0]
    title = marks.first.get_attribute("title") or ""
    assert f"{first.original} → {first.hotword}" in title
    assert f"score {first.score:.2f}" in title and first.reason in title
    rows = p.locator("#text-result .reps tbody tr").all_inner_texts()
    assert len(rows) == len(expected.replacements) and first.reason in rows[0]
    p.screenshot(path=str(shots / "text.png"), full_page=True)
    p.click("#tab-system")
    p.wait_for_selector("#sys-curl")
    assert "No recognizer loaded" in p.inner_text("#sys-line")
    assert "/api/fuse" in p.inner_text("#sys-curl")
    assert pg.errors == [] and pg.external() == []
    pg.close()


@pytest.mark.browser
def test_browser_planted_script_does_not_run(browser: Any, text_server: Server) -> None:
    pg = Page(browser, text_server.url)
    p = pg.page
    planted = (
        "伊丽沙白说<script>window.__pwned=1</script>"
        '<img src="/planted.png" onerror="window.__pwned=2">好'
    )
    p.fill("#hotwords", "伊丽莎白")
    p.fill("#text-input", planted)
    p.click("#text-run")
    p.wait_for_selector("#text-result .fused mark")
    assert p.inner_text("#text-result .fused") == planted.replace("伊丽沙白", "伊丽莎白")
    assert p.evaluate("window.__pwned") is None
    assert p.locator("#text-result script, #text-result img").count() == 0
    assert not any("planted" in u for u in pg.requests)
    assert pg.errors == [] and pg.external() == []
    pg.close()


@pytest.mark.browser
def test_browser_recognize_tab_shows_the_runner_transcript(
    browser: Any,
    model_server: Server,
    runner: Any,
    tiny_model: Path,
    audio_files: dict[str, Path],
    shots: Path,
) -> None:
    own = runner.transcribe(audio_files["a.wav"]).transcript
    hw = homophone_hotword(own)
    assert hw is not None, f"no homophone hotword found for {own.text!r}"
    fused = Fuser([hw]).fuse(own)
    pg = Page(browser, model_server.url)
    p = pg.page
    assert p.get_attribute("#tab-recognize", "aria-selected") == "true"
    p.fill("#hotwords", hw)
    p.set_input_files("#rec-file", str(audio_files["a.wav"]))
    p.click("#rec-run")
    p.wait_for_selector("#rec-result .fused", timeout=120_000)
    assert p.inner_text("#rec-result .original") == own.text
    assert p.inner_text("#rec-result .fused") == fused.text != own.text
    assert p.locator("#rec-result .fused mark").all_inner_texts() == [hw]
    assert p.locator("#rec-result .tokens tbody tr").count() == len(own.tokens)
    first_tok = p.locator("#rec-result .tokens tbody tr").first.locator("td").all_text_contents()
    assert first_tok[1] == own.tokens[0].text
    assert first_tok[2] == f"{own.tokens[0].start:.2f}"
    assert "RTF" in p.inner_text("#rec-result .figures")
    dl = p.locator("#rec-result .downloads a").all_inner_texts()
    assert dl == ["Download txt", "Download JSON", "Download SRT"]
    p.screenshot(path=str(shots / "recognize.png"), full_page=True)

    p.click("#tab-system")
    p.wait_for_function(
        "() => document.querySelector('#sys-table').innerText.includes('a.wav')", timeout=30_000
    )
    sysinfo = dict(row[:2] for row in pg.table("#sys-table tr"))
    import torch

    assert sysinfo["Device"] == "cpu"
    assert sysinfo["Model directory"] == str(tiny_model)
    assert sysinfo["Model class"] == "SeacoParaformer"
    assert sysinfo["torch"] == str(torch.__version__)
    assert float(sysinfo["RTF of the last call"]) > 0
    assert sysinfo["Peak GPU memory of the last call"] == "– (CPU)"
    assert sysinfo["Hotword settings left in the model"] == "none"
    assert p.inner_text("#sys-line") == NO_HOTWORDS_LINE
    p.screenshot(path=str(shots / "system.png"), full_page=True)
    assert pg.errors == [] and pg.external() == []
    pg.close()


@pytest.mark.browser
def test_browser_batch_reports_a_broken_file_and_finishes_the_others(
    browser: Any,
    model_server: Server,
    runner: Any,
    audio_files: dict[str, Path],
    tmp_path: Path,
    shots: Path,
) -> None:
    planted = tmp_path / "<img src=x onerror=window.__pwned=3>.wav"  # browsers escape quotes
    planted.write_bytes(audio_files["broken.wav"].read_bytes())
    files = [audio_files["a.wav"], planted, audio_files["b.flac"]]
    expected = {f.name: runner.transcribe(f).transcript.text for f in files if f != planted}
    pg = Page(browser, model_server.url)
    p = pg.page
    p.click("#tab-batch")
    p.set_input_files("#batch-files", [str(f) for f in files])
    p.click("#batch-run")
    p.wait_for_function(
        "() => document.querySelector('#batch-status').textContent.startsWith('Finished')",
        timeout=180_000,
    )
    assert p.inner_text("#batch-status") == "Finished: 2 recognized, 1 failed."
    assert p.get_attribute("#batch-progress", "value") == "3"
    rows = p.locator("#batch-table tbody tr")
    assert rows.count() == 3
    cells = pg.table("#batch-table tbody tr")
    assert [c[0] for c in cells] == [f.name for f in files]
    assert cells[0][4] == expected["a.wav"] and cells[2][4] == expected["b.flac"]
    assert cells[2][1] == "1.50"  # 8 kHz stereo flac -> 1.5 s at 16 kHz mono
    assert cells[1][4].startswith(planted.name + ": ")  # the file's own name, as text
    assert p.evaluate("window.__pwned") is None
    assert p.is_enabled("#batch-zip") and p.is_enabled("#batch-jsonl")
    with p.expect_download() as dl:
        p.click("#batch-zip")
    zpath = tmp_path / "batch.zip"
    dl.value.save_as(str(zpath))
    names = zipfile.ZipFile(zpath).namelist()
    assert {"results.jsonl", "a.txt", "a.srt", "b.txt"} <= set(names)
    p.screenshot(path=str(shots / "batch.png"), full_page=True)
    assert pg.errors == [] and pg.external() == []
    pg.close()


@pytest.mark.browser
def test_browser_records_audio_and_recognizes_the_recording(
    browser: Any, model_server: Server, runner: Any, tmp_path: Path
) -> None:
    import soundfile

    pg = Page(browser, model_server.url, permissions=["microphone"])
    p = pg.page
    p.click("#rec-record")
    p.wait_for_function("() => document.querySelector('#rec-status').textContent === 'Recording…'")
    p.wait_for_timeout(1500)
    p.click("#rec-record")
    p.wait_for_function(
        "() => document.querySelector('#rec-status').textContent.startsWith('Recorded')"
    )
    wav = bytes(p.evaluate("async () => Array.from(new Uint8Array(await recorded.arrayBuffer()))"))
    path = tmp_path / "recording.wav"
    path.write_bytes(wav)
    samples, rate = soundfile.read(path)
    assert samples.ndim == 1 and 1.0 < samples.size / rate < 5.0  # a mono WAV of ~1.5 s
    assert float(np.abs(samples).max()) > 0.01  # the fake microphone's tone, not silence
    own = runner.transcribe(path).transcript
    p.click("#rec-run")
    p.wait_for_selector("#rec-result .fused", timeout=120_000)
    assert p.inner_text("#rec-result .original") == own.text
    assert "recording" in (
        p.locator("#rec-result .downloads a").first.get_attribute("download") or ""
    )
    assert pg.errors == [] and pg.external() == []
    pg.close()


@pytest.mark.browser
def test_browser_adds_a_hotword_file_and_fuses_with_it(
    browser: Any, text_server: Server, tmp_path: Path
) -> None:
    words = tmp_path / "names.txt"
    words.write_text("伊丽莎白 20\n达西\n", encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("达西".encode("gbk"))
    pg = Page(browser, text_server.url)
    p = pg.page
    p.set_input_files("#lex-file", str(gbk))
    p.wait_for_selector("#lex-status.error")
    assert "gbk.txt: not UTF-8 text" in p.inner_text("#lex-status")
    p.set_input_files("#lex-file", str(words))
    p.wait_for_function(
        "() => document.querySelector('#lex-status').textContent.startsWith('Added')"
    )
    assert p.inner_text("#lex-status") == "Added names: 2 hotwords (read as funasr)."
    assert p.is_checked("#lexicons input[value='names']")
    p.fill("#hotwords", "")
    p.fill("#text-input", "伊丽沙白和大西")
    p.click("#text-run")
    p.wait_for_selector("#text-result .fused mark")
    assert (
        p.inner_text("#text-result .fused")
        == Fuser(["伊丽莎白", "达西"]).fuse("伊丽沙白和大西").text
    )
    assert pg.errors == [] and pg.external() == []
    pg.close()
