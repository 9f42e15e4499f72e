"""Parsed official files cached by their content (:mod:`carescale.cache`), so a second
national run does not parse the same workbook again. The key is the file's bytes with the
reader and the sheet (and carescale's source); only a file that read without error is cached, so
a bad file is parsed, and refused with its message, every time."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, TypeVar

from ..cache import cache_dir, cached, files_key

T = TypeVar("T")

__all__ = ["cache_dir", "cached_parse"]


def cached_parse(path: Path, reader: str, parse: Callable[[], T], *parts: object) -> T:
    """``parse()``'s result for ``path``, from the cache when this content was parsed before.
    The result is a dataclass with a ``path`` field, set to ``path`` on the way out (the same
    content may sit under another name)."""
    table = cached("official", f"{reader}-{files_key([path], reader, *parts)}", parse)
    return dataclasses.replace(table, path=path)
