"""The ``carescale`` command: a thin shell over the library (no model logic here).

Every command parses its options, calls library functions and prints. Input problems raise a
:class:`~carescale.errors.CarescaleError`; :func:`main` prints its one line and exits 2. One
module per command group: ``catalogue`` (interventions, areas), ``run`` (run, parameters,
validate), ``appraise``, ``areas`` (templates, import, export), ``national``, ``uncertainty``,
``evidence``, ``serve`` (the web app), ``optimise``, ``logic_models`` (logic-model), ``plans``
(plans, reviews); ``common`` holds the apps and printing helpers they share.
"""

from __future__ import annotations

import sys

import typer

from ..errors import CarescaleError

from ..safe_text import one_line
from .common import app, reset_console

# Importing a module registers its commands; this order is the order of 'carescale --help'
# (so keep it as it is rather than sorted).
from . import run  # noqa: E402,F401,I001  isort: skip
from . import appraise  # noqa: E402,F401,I001  isort: skip
from . import uncertainty  # noqa: E402,F401,I001  isort: skip
from . import national  # noqa: E402,F401,I001  isort: skip
from . import catalogue  # noqa: E402,F401,I001  isort: skip
from . import areas  # noqa: E402,F401,I001  isort: skip
from . import evidence  # noqa: E402,F401,I001  isort: skip
from . import serve  # noqa: E402,F401,I001  isort: skip
from . import scenario  # noqa: E402,F401,I001  isort: skip
from . import optimise  # noqa: E402,F401,I001  isort: skip
from . import logic_models  # noqa: E402,F401,I001  isort: skip
from . import plans  # noqa: E402,F401,I001  isort: skip

__all__ = ["app", "entry", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning any CarescaleError into one line on stderr and exit 2."""
    reset_console()
    try:
        app(args=argv, standalone_mode=False)
    except CarescaleError as exc:
        typer.echo(f"error: {one_line(exc.message)}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as exc:  # usage errors: bad option, bad choice, ...
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    return 0


def entry() -> None:  # console_scripts target
    sys.exit(main())
