"""Walking a model: every instance of a class inside it, with its dotted location.

Used by the library's cross-checks (every reference names a known document), the figure check
(every published figure is in its quote) and the evidence pages (every figure of a model).
"""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

from pydantic import BaseModel

from .base import Quantity, Reference

T = TypeVar("T")


def iter_instances(obj: Any, cls: type[T], loc: str = "") -> Iterable[tuple[str, T]]:
    """Every instance of ``cls`` inside a model, with its dotted location (list items are named
    by their ``id`` where they have one)."""
    if isinstance(obj, cls):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for key in type(obj).model_fields:
            yield from iter_instances(getattr(obj, key), cls, f"{loc}.{key}" if loc else key)
    elif isinstance(obj, dict):
        for key, val in obj.items():
            yield from iter_instances(val, cls, f"{loc}.{key}" if loc else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, val in enumerate(obj):
            label = getattr(val, "id", None) or i
            yield from iter_instances(val, cls, f"{loc}[{label}]")


def iter_quantities(obj: Any) -> Iterable[tuple[str, Quantity]]:
    return iter_instances(obj, Quantity)


def iter_references(obj: Any) -> Iterable[tuple[str, Reference]]:
    return iter_instances(obj, Reference)
