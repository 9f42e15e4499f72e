"""Saving an imported area profile where the library finds it (:func:`~carescale.library.
user_areas_dir`: ``$CARESCALE_HOME/areas``, by default ``~/.local/share/carescale/areas``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from ..library import Library, packaged_library, user_areas_dir
from ..schema import Area
from .importer import AreaFileError


def save_area(area: Area, replace: bool = False, library: Library | None = None) -> Path:
    """Write ``area`` as YAML to the user's area folder; returns the path. Refuses a built-in id,
    and an id already saved unless ``replace``."""
    builtin = packaged_library().areas
    if area.id in builtin:
        raise AreaFileError(
            f"area.id: {area.id!r} is a built-in area profile; give this profile another id "
            f"(change the area.id row, or use --id)"
        )
    folder = user_areas_dir()
    path = folder / f"{area.id}.yaml"
    if path.exists() and not replace:
        raise AreaFileError(
            f"area.id: a saved profile {area.id!r} already exists ({path}); use --replace to "
            f"overwrite it"
        )
    folder.mkdir(parents=True, exist_ok=True)
    data = area.model_dump(mode="json", exclude_none=True)
    text = "# Saved by 'carescale areas import'. Edit the template and import again to change it.\n"
    text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{area.id}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
