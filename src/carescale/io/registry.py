"""Hooks that a higher layer fills in for the library, kept in a module that imports nothing
heavy so that ``import carescale`` can register them without loading pydantic or the schemas
(issue 25: start-up). :mod:`carescale.library.files` and :mod:`carescale.library.core` re-export
these very objects under their old names."""

from __future__ import annotations

from typing import Any, Callable, Mapping

#: The area-file readers by suffix (lower case, with the dot): (path, library) -> the checked area.
AREA_FILE_READERS: dict[str, Callable[[Any, Any], Any]] = {}
#: The suffixes of the area template, read by a registered reader, never as YAML.
TEMPLATE_SUFFIXES = (".csv", ".xlsx")
#: Providers of the built-in council profiles (id -> Area); one at a time.
COUNCIL_PROFILES: list[Callable[[], Mapping[str, Any]]] = []


def register_area_file_reader(suffix: str, reader: Callable[[Any, Any], Any]) -> None:
    """Read area files ending in ``suffix`` (for example ``".csv"``) with ``reader``."""
    AREA_FILE_READERS[suffix.lower()] = reader


def register_council_profiles(provider: Callable[[], Mapping[str, Any]]) -> None:
    """Use ``provider`` for the built-in council profiles (replacing any earlier one)."""
    COUNCIL_PROFILES[:] = [provider]
