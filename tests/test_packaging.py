"""What a user gets from ``pip install hotfuse``: metadata, extras, package data, license."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
DEV_TOOLS = {"pytest", "hypothesis", "pytest-benchmark", "ruff", "mypy"}


def _names(reqs: list[str]) -> set[str]:
    return {re.split(r"[<>=!\[; ]", r, maxsplit=1)[0].lower() for r in reqs}


def _expanded(extra: str) -> set[str]:
    out: set[str] = set()
    for req in EXTRAS[extra]:
        m = re.match(r"hotfuse\[(.*)\]", req)
        if m:
            for sub in m.group(1).split(","):
                out |= _expanded(sub.strip())
        else:
            out |= _names([req])
    return out


def test_license_file_is_the_apache_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_all_extra_has_no_developer_tools() -> None:
    assert _expanded("all") & DEV_TOOLS == set()
    assert {"funasr", "jinja2"} <= _expanded("all")


def test_audio_reader_dependencies_are_declared() -> None:
    """Every package hotfuse/runners/audio.py imports is in the extras that run it."""
    tree = ast.parse((ROOT / "hotfuse" / "runners" / "audio.py").read_text(encoding="utf-8"))
    imported = {
        (n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])  # type: ignore[attr-defined]
        if not (isinstance(n, ast.ImportFrom) and n.level)
    }
    third_party = imported - {"__future__", "logging", "math", "os", "pathlib", "warnings"}
    third_party -= {"hotfuse", "numpy"}  # numpy is a core dependency
    assert third_party == {"scipy", "soundfile", "librosa"}
    assert {"scipy", "soundfile"} <= _names(EXTRAS["funasr"])
    assert third_party <= _names(EXTRAS["audio"])


def test_shipped_lexicons_go_into_the_wheel_under_the_package() -> None:
    include = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include == {"lexicons": "hotfuse/lexicons"}
    from hotfuse.formats.lexicon_toml import shipped_lexicons

    found = shipped_lexicons()
    assert set(found) == {p.stem for p in (ROOT / "lexicons").glob("*.toml")}


def test_readme_says_a_model_directory_must_be_trusted() -> None:
    # issue 16, finding 14: FunASR unpickles model.pt, so loading a model can run code
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Recognize with SeACo-Paraformer, then fuse")
    section = readme[start : readme.index("\n## ", start + 1)]
    assert re.search(r"model directory[^.]*trust", section)
    assert "pickle" in section and "model.pt" in section
