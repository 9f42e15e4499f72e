"""Moved to :mod:`carescale.areas.prevalence` (issue 20). Names asked for at this old path are
looked up there when first used (a module ``__getattr__``), so imports from the old path keep
working without this layer importing the one above it (:mod:`carescale.areas.official` imports
:mod:`carescale.official`; a static import back would be a circle). New code imports from the new path."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    module = importlib.import_module("carescale.areas.prevalence")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
