"""One-line messages for problems in a user's file, and reading a file into a schema model.

A pydantic error becomes one line naming the file, the field (list items by their ``id``), the
bad value and what is valid: :func:`format_validation_error`. :func:`parse_model` and
:func:`load_model` validate data (or a YAML file read by :mod:`carescale.io.yaml`) into a model
and raise that line as an :class:`~carescale.errors.InputFileError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InputFileError
from .paths import DATA_DIR, display_path

M = TypeVar("M", bound=BaseModel)

__all__ = ["DATA_DIR", "display_path", "format_loc", "format_validation_error", "load_model", "parse_model"]


def format_loc(loc: Iterable[Any], data: Any = None) -> str:
    """``('segments', 0, 'rate')`` -> ``segments[older-people].rate``: list items are named by
    their ``id`` in the file where they have one, else by position."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            out += f"[{label if label is not None else part}]"
            node = item
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def format_validation_error(name: str, exc: ValidationError, data: Any = None) -> str:
    """One line for a pydantic error: the first problem, and how many more there are.

    Errors from the ``None`` branch of optional fields (``none_required``) only repeat the real
    problem, so they are left out, as are errors about a container that only echo a more specific
    error inside it."""
    every = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in every]
    errors = [
        e
        for e in every
        if e["type"] != "none_required"
        # a container error that only echoes a more specific error inside it
        and not any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locs)
    ] or every
    first = errors[0]
    loc = format_loc([p for p in first["loc"] if p not in ("Quantity",)], data)
    kind = first["type"]
    if kind == "missing":
        msg = "required key is missing"
    elif kind == "value_error":
        msg = str(first["msg"]).removeprefix("Value error, ")
    else:
        msg = f"{first['msg'][0].lower()}{first['msg'][1:]} (got {first.get('input')!r})"
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{name}: {loc + ': ' if loc else ''}{msg}{tail}"


def parse_model(model: type[M], data: Any, name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(format_validation_error(name, exc, data)) from None


def load_model(model: type[M], path: Path) -> M:
    from .yaml import read_yaml  # PyYAML only when a file is read (issue 25: start-up)

    return parse_model(model, read_yaml(path), display_path(path))
