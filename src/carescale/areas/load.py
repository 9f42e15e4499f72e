"""Reading one area profile of any kind: a YAML file, or a filled-in area template.

The library reads templates through a reader registered from above it
(:func:`carescale.library.files.register_area_file_reader`), so it never imports this layer:
``import carescale`` registers a stand-in that imports this module on first use, and importing
this module registers :func:`read_template_area` itself for ``.csv`` and ``.xlsx``.
:func:`load_area_file` here is :func:`carescale.library.load_area_file`, the same function.
"""

from __future__ import annotations

from pathlib import Path

from ..library.core import Library
from ..library.files import TEMPLATE_SUFFIXES, load_area_file, register_area_file_reader
from ..schema import Area
from .importer import read_area_file

__all__ = ["load_area_file", "read_template_area"]


def read_template_area(path: Path, library: Library) -> Area:
    """The checked area of a filled-in template (blank figures of a council estimated)."""
    return read_area_file(path, library).area


for _suffix in TEMPLATE_SUFFIXES:
    register_area_file_reader(_suffix, read_template_area)
