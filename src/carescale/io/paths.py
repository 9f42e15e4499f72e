"""Where carescale's packaged data lives, and how a message names a file.

The lowest module of :mod:`carescale.io`: the YAML reader, the one-line messages, the spreadsheet
reader and every official-data reader name files through :func:`display_path`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The packaged data folder (``carescale/data``): the evidence library, prices, prevalence.
DATA_DIR = Path(str(resources.files("carescale") / "data"))


def display_path(path: Path) -> str:
    """A short path for messages: relative to the packaged data folder or the working folder."""
    path = Path(path)
    for base in (DATA_DIR, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
