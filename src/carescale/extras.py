"""Optional parts of carescale and the extras that install them (pyproject.toml
``[project.optional-dependencies]``): a command that needs one says which, in one line, instead
of failing with an ImportError deep inside::

    require("weasyprint", "reports", "carescale report --format pdf")
    # CarescaleError: carescale report --format pdf needs the 'reports' extra:
    #   pip install 'carescale[reports]' (weasyprint is not installed)

Nothing is imported here: whether a library is installed is read from its module spec.
"""

from __future__ import annotations

import importlib.util
from typing import Iterable

from .errors import CarescaleError

#: extra -> the top-level modules it installs that carescale imports
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "python_multipart", "govuk_frontend_jinja", "plotly"),
    "reports": ("weasyprint", "xlsxwriter", "matplotlib"),
    "postgres": ("psycopg",),
    "dask": ("dask", "distributed"),
}


def available(module: str) -> bool:
    """Whether the top-level ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules (absent)
        return False


def missing(modules: str | Iterable[str]) -> list[str]:
    """The modules of ``modules`` that are not installed."""
    names = [modules] if isinstance(modules, str) else list(modules)
    return [m for m in names if not available(m)]


def require(modules: str | Iterable[str], extra: str, what: str = "this command") -> None:
    """Refuse, as one :class:`~carescale.errors.CarescaleError` line naming the extra to
    install, when any of ``modules`` is not installed."""
    absent = missing(modules)
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        raise CarescaleError(
            f"{what} needs the '{extra}' extra: pip install 'carescale[{extra}]' "
            f"({', '.join(absent)} {verb} not installed)"
        )
