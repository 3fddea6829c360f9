"""Collection rules for the doctest run over hotfuse/ (pytest --doctest-modules)."""

from __future__ import annotations

import importlib.util

# hotfuse/webui/app.py imports the [webui] extra's Starlette at module level.
collect_ignore = [] if importlib.util.find_spec("starlette") else ["hotfuse/webui/app.py"]
