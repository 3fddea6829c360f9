"""Fusion config files: the TOML that ``hotfuse tune`` writes and ``--config`` reads."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotfuse.config import FuseConfig
from hotfuse.errors import ConfigError

__all__ = ["load_config", "write_config"]


def load_config(path: str | Path) -> FuseConfig:
    """Read a TOML config (as written by ``hotfuse tune``) into a :class:`FuseConfig`.

    The file may hold the fields at top level or under a ``[fuse]`` table.
    """
    import tomllib

    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"config file {p} does not exist; write one with 'hotfuse tune'"
        raise ConfigError(msg) from None
    except IsADirectoryError:
        msg = f"config file {p} is a directory; give the TOML file 'hotfuse tune' wrote"
        raise ConfigError(msg) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"config file {p} is not valid TOML: {exc}"
        raise ConfigError(msg) from None
    except RecursionError:
        msg = f"config file {p} is not a hotfuse config: its arrays or tables nest too deeply"
        raise ConfigError(msg) from None
    except OSError as exc:
        msg = f"cannot read config file {p}: {exc.strerror or exc}"
        raise ConfigError(msg) from None
    if "fuse" in data:
        data = data["fuse"]
        if not isinstance(data, dict):
            msg = (
                f"config file {p}: 'fuse' must be a table of FuseConfig fields "
                f"([fuse] threshold = ...), got {data!r:.80}"
            )
            raise ConfigError(msg)
    data = dict(data)
    data.pop("meta", None)
    return FuseConfig.coerce(data)


def write_config(
    path: str | Path, config: FuseConfig, meta: Mapping[str, Any] | None = None
) -> None:
    """Write a config TOML (atomically) that :func:`hotfuse.load_config` reads back."""
    import tomlkit

    from hotfuse._files import atomic_write_text

    doc = tomlkit.document()
    doc.add(tomlkit.comment("hotfuse fusion config, written by 'hotfuse tune'"))
    data = config.to_dict()
    for k in ("threshold", "use_confidence", "max_distance", "latin_max_distance"):
        doc[k] = data[k]
    if meta:
        doc["meta"] = dict(meta)
    model = tomlkit.table()
    model["with_conf"] = data["model"]["with_conf"]
    model["no_conf"] = data["model"]["no_conf"]
    doc["model"] = model
    doc["costs"] = data["costs"]
    if "calibration" in data:
        cal = tomlkit.table()
        cal.add(tomlkit.comment("raw confidence upper edges -> observed share of right characters"))
        cal["knots"] = data["calibration"]["knots"]
        cal["values"] = data["calibration"]["values"]
        doc["calibration"] = cal
    atomic_write_text(path, tomlkit.dumps(doc), error=ConfigError)
