"""``import hotfuse`` stays light: no torch, funasr, pypinyin or jieba."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "funasr", "pypinyin", "jieba")


def _loaded_after(code: str) -> set[str]:
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_hotfuse_loads_no_heavy_module() -> None:
    assert _loaded_after("import hotfuse") == set()


def test_building_a_fuser_loads_no_torch() -> None:
    loaded = _loaded_after(
        "import hotfuse\nprint(hotfuse.fuse('伊丽沙白这会儿真太高兴了', ['伊丽莎白']).text)"
    )
    assert "torch" not in loaded and "funasr" not in loaded
    assert "pypinyin" in loaded  # the check above is not vacuous: first use loads it
