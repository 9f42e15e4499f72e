"""Where carescale's packaged data lives, and how a message names a file.

The lowest module of :mod:`carescale.io`: the YAML reader, the one-line messages, the spreadsheet
reader and every official-data reader name files through :func:`display_path`.
"""

from __future__ import annotations

from pathlib import Path

from ..config import DATA_DIR  # noqa: F401 - the packaged data folder (carescale/data), named once in carescale.config


def display_path(path: Path) -> str:
    """A short path for messages: relative to the packaged data folder or the working folder."""
    path = Path(path)
    for base in (DATA_DIR, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
