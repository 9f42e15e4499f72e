"""The user's saved area profiles and the default library (the packaged one plus them).

``carescale areas import`` saves profiles in :func:`user_areas_dir`; :func:`default_library` adds
them to the packaged library, cached until a saved file changes. A saved file that no longer
loads is left out (one broken file does not break every command) and reported once through
:func:`take_broken_area_notices`. The module-level state (the caches and ``_last_broken``) lives
here only.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from ..config import user_areas_dir, user_home  # noqa: F401 - re-exported: carescale.library.user_home
from ..errors import InputFileError
from ..io.messages import load_model
from ..schema import Area
from .core import Library
from .load import packaged_library


def _user_area_files() -> tuple[tuple[str, int, int], ...]:
    folder = user_areas_dir()
    try:
        if not folder.is_dir():
            return ()
        out = []
        for path in sorted(folder.glob("*.yaml")):
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
    except OSError:  # an unreadable folder: as if nothing were saved (saving says why)
        return ()
    return tuple(out)


_last_broken: dict[str, str] = {}


def take_broken_area_notices() -> dict[str, str]:
    """Saved area profiles left out by the last :func:`default_library` call (id -> problem),
    once: the CLI prints each as a warning after a command that did not need them."""
    out = dict(_last_broken)
    _last_broken.clear()
    return out


@functools.lru_cache(maxsize=4)
def _library_with_user_areas(files: tuple[tuple[str, int, int], ...]) -> Library:
    lib = packaged_library()
    for path_str, _, _ in files:
        path = Path(path_str)
        name = str(path)
        try:
            area = load_model(Area, path)
            if area.id != path.stem:
                raise InputFileError(
                    f"{name}: id: {area.id!r} does not match the file name; it must be {path.stem!r}"
                )
            if area.id in lib.areas and f"areas/{area.id}" in lib.files:
                raise InputFileError(
                    f"{name}: id: {area.id!r} is a built-in area profile; rename the file and its id"
                )
            lib = lib.with_area(area, name)
        except InputFileError as exc:
            if path.stem in packaged_library().areas:
                continue  # a stray copy of a built-in profile: the built-in one is used
            lib = replace(lib, broken_areas={**lib.broken_areas, path.stem: exc.message})
    return lib


def default_library() -> Library:
    """The library shipped with carescale plus the area profiles the user has saved with
    ``carescale areas import`` (in :func:`user_areas_dir`). Cached until a saved file changes."""
    files = _user_area_files()
    lib = _library_with_user_areas(files) if files else packaged_library()
    _last_broken.clear()
    _last_broken.update(lib.broken_areas)
    return lib


def clear_library_cache() -> None:
    packaged_library.cache_clear()
    _library_with_user_areas.cache_clear()


default_library.cache_clear = clear_library_cache  # type: ignore[attr-defined]
