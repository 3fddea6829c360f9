"""``import hotfuse`` stays light: no torch, funasr, pypinyin or jieba (and fusing loads
none of them either: the engine reads compact copies of pypinyin's and jieba's tables)."""

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


def test_fusing_loads_no_torch_pypinyin_or_jieba() -> None:
    """A fused sentence reads the compact tables (hotfuse._tables), not jieba or pypinyin."""
    code = (
        "import sys, hotfuse\n"
        "out = hotfuse.fuse('伊丽沙白这会儿真太高兴了', ['伊丽莎白']).text\n"
        "assert out == '伊丽莎白这会儿真太高兴了'\n"
        "assert hotfuse.fuse('我们在崇庆开会', ['重庆']).text == '我们在重庆开会'\n"
        "assert 'hotfuse._tables' in sys.modules  # not vacuous: the tables did the work"
    )
    assert _loaded_after(code) == set()


def test_fusing_with_a_latin_hotword_loads_no_pypinyin() -> None:
    """Spoken forms of a Latin hotword need the legal Mandarin syllables: they come from
    the compact character table, so a cold ``PyTorch`` fuse stays light too."""
    code = (
        "import sys, hotfuse\n"
        "out = hotfuse.fuse('我们用派托奇训练', ['PyTorch']).text\n"
        "assert out == '我们用PyTorch训练', out\n"
        "assert 'hotfuse.english' in sys.modules  # not vacuous: spoken forms were made"
    )
    assert _loaded_after(code) == set()


def test_cli_fuse_off_a_terminal_loads_no_progress_bar_module() -> None:
    """The one-line CLI call (stderr not a terminal) needs no tqdm, whose import is slow,
    and none of the other commands' modules, nor the evaluation code (read from
    ``hotfuse`` on first use)."""
    probe = (
        "import sys\n"
        "from hotfuse.cli import main\n"
        "rc = main(['fuse', '伊丽沙白这会儿真太高兴了', '--hotword', '伊丽莎白'])\n"
        "print(rc, 'tqdm' in sys.modules)\n"
        "from hotfuse.cli import _COMMAND_MODULES\n"
        "print(sorted(set(_COMMAND_MODULES) & set(sys.modules)))\n"
        "print('hotfuse.metrics' in sys.modules)\n"
        "import hotfuse\n"
        "print(hotfuse.evaluate.__module__, 'evaluate' in dir(hotfuse))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    want = ["伊丽莎白这会儿真太高兴了", "0 False", "[]", "False", "hotfuse.metrics True"]
    assert out.stdout.splitlines() == want, out.stderr
