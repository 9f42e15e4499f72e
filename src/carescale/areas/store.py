"""Saving an imported area profile where the library finds it (:func:`~carescale.library.
user_areas_dir`: ``$CARESCALE_HOME/areas``, by default ``~/.local/share/carescale/areas``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..io.yaml import dump_yaml

from ..library import Library, packaged_library, user_areas_dir
from ..schema import Area
from ..errors import OutputPathError
from ..safe_text import one_line, output_errors
from .importer import ID_PATTERN, AreaFileError


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
    _check_store_folder(folder)
    path = folder / f"{area.id}.yaml"
    if path.exists() and not replace:
        raise AreaFileError(
            f"area.id: a saved profile {area.id!r} already exists ({path}); use --replace to "
            f"overwrite it"
        )
    with output_errors(folder, "CARESCALE_HOME"):
        folder.mkdir(parents=True, exist_ok=True)
    data = area.model_dump(mode="json", exclude_none=True)
    text = "# Saved by 'carescale areas import'. Edit the template and import again to change it.\n"
    text += dump_yaml(data)
    with output_errors(path, "CARESCALE_HOME"):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".area.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path


def _check_store_folder(folder: Path) -> None:
    """The user's area folder and every folder above it must be folders (or not exist yet)."""
    for p in (folder, *folder.parents):
        if p.exists():
            if not p.is_dir():
                raise OutputPathError(
                    f"CARESCALE_HOME: {one_line(str(p))!r} is a file, not a folder; saved area "
                    f"profiles go in {one_line(str(folder))!r}: point CARESCALE_HOME at a folder"
                )
            return


def remove_area(area_id: str) -> Path:
    """Delete a saved area profile (``carescale areas remove ID``); returns the path removed.
    Works on a profile that no longer loads, so a broken file can always be cleared."""
    builtin = packaged_library().areas
    if area_id in builtin:
        raise AreaFileError(f"{area_id!r} is a built-in area profile and cannot be removed")
    folder = user_areas_dir()
    path = folder / f"{area_id}.yaml"
    if not ID_PATTERN.match(area_id) or not path.is_file():
        saved = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        raise AreaFileError(
            f"no saved area profile {one_line(area_id)!r}; saved profiles are: "
            f"{', '.join(saved) if saved else 'none'} (in {one_line(str(folder))})"
        )
    with output_errors(path, "CARESCALE_HOME"):
        path.unlink()
    return path
