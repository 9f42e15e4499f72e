"""The ``carescale`` command: a thin shell over the library (no model logic here).

Every command parses its options, calls library functions and prints. Input problems raise a
:class:`~carescale.errors.CarescaleError`; :func:`main` prints its one line and exits 2. One
module per command group, imported when its command runs: ``catalogue`` (interventions, areas), ``run`` (run, parameters,
validate), ``appraise``, ``areas`` (templates, import, export), ``national``, ``uncertainty``,
``evidence``, ``serve`` (the web app), ``optimise``, ``logic_models`` (logic-model), ``plans``
(plans, reviews); ``common`` holds the apps and printing helpers they share.
"""

from __future__ import annotations

import sys

from typing import Any

import typer

from ..errors import CarescaleError
from ..safe_text import one_line
from . import apps
from .apps import app, click_command

# The command modules register their commands when imported, and are imported only when their
# command runs (cli.apps.LazyGroup; issue 25: start-up). cli.listing keeps the order of
# 'carescale --help' and which module registers which command.

__all__ = ["app", "entry", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning any CarescaleError into one line on stderr and exit 2."""
    if f"{__name__}.common" in sys.modules:  # a console made for an earlier command
        sys.modules[f"{__name__}.common"].reset_console()
    library = sys.modules.get("carescale.library")  # no notices unless the library was loaded
    if library is not None:
        library.take_broken_area_notices()
    try:
        click_command()(args=argv, prog_name="carescale", standalone_mode=False)
        library = sys.modules.get("carescale.library")
        notices = library.take_broken_area_notices() if library is not None else {}
        for aid, problem in notices.items():
            typer.echo(
                f"warning: saved area profile {aid!r} was skipped: {one_line(problem)} (fix the file, or "
                f"remove it with 'carescale areas remove {aid}')",
                err=True,
            )
    except CarescaleError as exc:
        typer.echo(f"error: {one_line(exc.message)}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except typer.TyperException as exc:  # typer's (vendored click's) errors
        if type(exc).__name__ == "NoArgsIsHelpError":  # 'carescale areas' alone: its help
            exc.show()  # type: ignore[attr-defined]
        elif hasattr(exc, "ctx"):  # a usage error: bad option, bad choice, missing value
            typer.echo(f"error: {usage_message(exc, argv if argv is not None else sys.argv[1:])}", err=True)
        else:
            typer.echo(f"error: {one_line(exc.format_message())}", err=True)  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", 2))
    return 0


def usage_message(exc: Any, argv: list[str] = ()) -> str:  # type: ignore[assignment]
    """A usage error as one line naming the command, the option and the value."""
    cmd = exc.ctx.command_path if exc.ctx is not None else "carescale"
    msg = exc.format_message().replace("Value error, ", "").rstrip(".")
    msg = msg[:1].lower() + msg[1:]
    value = _given_value(getattr(exc, "param", None), list(argv))
    if value is not None and repr(value) not in msg:
        msg += f" (got {value!r})"
    return one_line(f"{cmd}: {msg} (see '{cmd} --help')")


def _given_value(param: Any, argv: list[str]) -> str | None:
    """What the user typed for ``param`` (the last time it was given), if we can tell."""
    opts = list(getattr(param, "opts", []) or [])
    found = None
    for i, arg in enumerate(argv):
        for opt in opts:
            if arg == opt and i + 1 < len(argv):
                found = argv[i + 1]
            elif arg.startswith(opt + "="):
                found = arg[len(opt) + 1:]
    return found


def _without_pydantic_plugins() -> None:
    """The ``carescale`` command runs without pydantic plugins (carescale has none): pydantic's
    plugin loader imports ``importlib.metadata`` and reads the metadata of every installed
    package to look for them, 20-30 ms of each start (issue 25). Its module is a stand-in that
    finds none, as ``PYDANTIC_DISABLE_PLUGINS=__all__`` would, without that import. Set
    ``PYDANTIC_DISABLE_PLUGINS`` yourself (to an empty value to disable none) and pydantic's own
    loader looks for them as usual."""
    import types

    from ..config import pydantic_plugins_chosen

    name = "pydantic.plugin._loader"
    if pydantic_plugins_chosen() or name in sys.modules:
        return
    stub = types.ModuleType(name)

    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(attr: str) -> Any:  # anything else: pydantic's own module
        import importlib

        if attr.startswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(name) is stub:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)

    stub.get_plugins = get_plugins  # type: ignore[attr-defined]
    stub.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = stub


def entry() -> None:  # console_scripts target
    import gc

    from ..config import blas_threads_sleep_when_idle

    blas_threads_sleep_when_idle()  # before numpy loads: its BLAS threads spin 50 ms of CPU otherwise
    _without_pydantic_plugins()
    from . import codecache

    codecache.install()  # dataclasses' methods and string annotations compiled once per machine
    # Start-up makes some hundred thousand objects that live as long as the process (modules,
    # classes, the cached library), and none is garbage: the collector, let run, went over them
    # again and again (a tenth of 'carescale run', issue 25). It starts once the command's
    # modules are loaded (cli.apps.LazyGroup), with those objects set aside (gc.freeze).
    gc.disable()
    apps.collect_after_start_up = True
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # 'carescale run | head': the reader left; not an error of ours
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    except KeyboardInterrupt:
        typer.echo("aborted", err=True)
        code = 130
    codecache.save()
    sys.exit(code)
