"""One user file at a time: an area profile, an intervention or a case study, read and checked
against a library (the default library when none is given).

Area files that are not YAML (the ``.csv``/``.xlsx`` area template) are read by a reader that a
higher layer registers with :func:`register_area_file_reader`: :mod:`carescale.areas` registers
its template reader when it is imported, and ``import carescale`` imports it, so the library
reads templates without importing the layer above it.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any, Callable

from ..errors import InputFileError, expect
from ..io.messages import display_path, load_model, parse_model
from ..schema import Area, Intervention
from ..schema.case_study import CaseStudy
from .checks import check_case_study
from .core import Library
from .load import load_area_yaml
from .user import default_library

#: A reader of an area file that is not YAML: (path, library) -> the checked area.
AreaFileReader = Callable[[Path, Library], Area]
#: The area-file readers by suffix (lower case, with the dot), filled in by carescale.areas, and
#: the suffixes of the area template (read by a registered reader, never as YAML): they live in
#: :mod:`carescale.io.registry` so that ``import carescale`` registers without loading this module.
from ..io.registry import AREA_FILE_READERS, TEMPLATE_SUFFIXES, register_area_file_reader  # noqa: E402


def load_area_file(path: Path | str, library: Library | None = None) -> Area:
    """Read and check one area profile: a YAML file, or a filled-in template (``.csv`` or
    ``.xlsx``, see :mod:`carescale.areas`)."""
    expect(path, (str, PathLike), "path", "the path of an area file (str or pathlib.Path)")
    lib = library or default_library()
    path = Path(path)
    suffix = path.suffix.lower()
    reader = AREA_FILE_READERS.get(suffix)
    if reader is not None:
        return reader(path, lib)
    if suffix in TEMPLATE_SUFFIXES:  # only when carescale.areas was never imported
        readable = ", ".join([".yaml", *sorted(AREA_FILE_READERS)])
        raise InputFileError(
            f"{display_path(path)}: no reader for {suffix} area files is loaded (import "
            f"carescale.areas); area files that can be read here: {readable}"
        )
    return load_area_yaml(path, lib)


def load_intervention_file(path: Path | str, library: Library | None = None) -> Intervention:
    """Read and check one intervention YAML file."""
    lib = library or default_library()
    path = Path(path)
    iv = load_model(Intervention, path)
    return lib.check_intervention(iv, display_path(path))


def load_case_study_file(path: Any, library: Any = None) -> CaseStudy:
    """Read and check one case-study YAML file against the (default) library."""
    lib = library or default_library()
    path = Path(path)
    return check_case_study(lib, load_model(CaseStudy, path), display_path(path))


def validate_file(path: Path | str, library: Library | None = None) -> Intervention | Area | CaseStudy:
    """Check a data file of any kind: an intervention (it has ``segments`` or a
    ``transformation_area``), a case study (it has ``what_was_done``) or an area."""
    lib = library or default_library()
    path = Path(path)
    name = display_path(path)
    if path.suffix.lower() in (".csv", ".xlsx", ".xls", ".ods"):
        raise InputFileError(
            f"{name}: 'carescale validate' checks YAML files; to check a filled-in area template "
            f"use 'carescale areas import {name}' (it checks every row and saves nothing unless "
            f"the whole file is valid)"
        )
    from ..io.yaml import read_yaml

    data = read_yaml(path)
    if "what_was_done" in data:
        return check_case_study(lib, parse_model(CaseStudy, data, name), name)
    if "segments" in data or "transformation_area" in data:
        return lib.check_intervention(parse_model(Intervention, data, name), name)
    return lib.check_area(parse_model(Area, data, name), name)
