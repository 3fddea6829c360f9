"""Collection rules for the doctest run over hotfuse/ (pytest --doctest-modules).

A module whose optional extra is not installed is left out: the README's test command
installs only ``[test]``, and these modules' examples run once their extra is there
(``.ci/run`` installs the extras and runs the suite again).
"""

from __future__ import annotations

import importlib.util

_NEEDS = {
    "hotfuse/webui/app.py": ("starlette",),  # imports the [webui] extra at module level
    "hotfuse/runners/audio.py": ("scipy", "soundfile"),  # its example resamples
    "hotfuse/scale.py": ("dask",),  # its example computes a Dask bag ([dask] extra)
}

collect_ignore = [
    path
    for path, modules in _NEEDS.items()
    if any(importlib.util.find_spec(m) is None for m in modules)
]
