"""Names a package loads on first use (PEP 562), so that importing it stays light (issue 25:
start-up): ``__getattr__, __dir__ = lazy_names(__name__, {"name": ".module", ...})`` in the
package's ``__init__``. A name, once loaded, becomes an ordinary attribute of the package."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, Mapping


def lazy_names(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` that load each name of ``where``
    (name -> relative module) from its module the first time it is asked for."""

    def __getattr__(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name], package), name)
            setattr(sys.modules[package], name, value)  # once loaded, an ordinary attribute
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
