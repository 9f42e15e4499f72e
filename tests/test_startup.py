"""Start-up stays instant: importing carescale, ``carescale --help`` and ``carescale run`` load
none of the heavy libraries (issue 12). Each probe runs in a fresh interpreter, because this test
process has long since imported everything.

If this fails after you added a package: import it inside the function that uses it, not at
the top of a module reachable from ``import carescale`` or ``carescale.cli``. The message names
the module and the chain of imports that pulled it in.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import probe_json, run_probe

#: Libraries that must be imported only inside the functions that use them (team brief).
DEFERRED = (
    "scipy.stats", "scipy.optimize", "SALib", "pandas", "openpyxl", "xlrd", "python_calamine",
    "fastapi", "uvicorn", "starlette", "jinja2", "plotly", "weasyprint", "xlsxwriter",
    "matplotlib", "sqlalchemy", "alembic", "psycopg", "dask", "distributed", "playwright",
    "numba", "llvmlite",
)

PROBE = r"""
import contextlib, io, json, sys
deferred = %r
def loaded():
    return sorted(m for m in deferred if m in sys.modules)
out = {}
import carescale, carescale.cli
out["import carescale, carescale.cli"] = loaded()
from carescale.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["--help"])
out["carescale --help"] = loaded()
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["run", "--area", "birmingham"])
out["carescale run --area birmingham"] = loaded() if code == 0 else ["run failed with exit %%d" %% code]
print(json.dumps(out))
""" % (DEFERRED,)


def import_chains(statement: str, modules: list[str]) -> dict[str, str]:
    """For each module, the chain of imports that first loaded it (outermost first), read from
    ``python -X importtime`` (which prints each import after its children, indented by depth)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True)
    lines = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)", line)
        if m:
            lines.append((len(m.group(1)), m.group(2)))
    chains = {}
    for want in modules:
        exact = [i for i, (_, name) in enumerate(lines) if name == want]
        inner = [i for i, (_, name) in enumerate(lines) if name.startswith(want + ".")]
        first = (exact or inner)[:1]
        if not first:
            continue
        d, name = lines[first[0]]
        chain = [name]
        for depth, parent in lines[first[0] + 1 :]:  # parents come later, less indented
            if depth < d:
                chain.append(parent)
                d = depth
        chains[want] = " -> ".join(reversed(chain))
    return chains


def test_deferred_libraries_are_not_imported_at_start_up() -> None:
    result = probe_json(PROBE)
    assert set(result) == {"import carescale, carescale.cli", "carescale --help", "carescale run --area birmingham"}
    problems = []
    for stage, mods in result.items():
        if mods and mods[0].startswith("run failed"):
            problems.append(f"{stage}: {mods[0]}")
            continue
        if mods:
            stmt = ("import carescale, carescale.cli" if stage.startswith("import") else
                    "from carescale.cli import main; main(%r)" % (["--help"] if "help" in stage else ["run", "--area", "birmingham"]))
            chains = import_chains(stmt, mods)
            for m in mods:
                problems.append(
                    f"{stage} imported {m} (via {chains.get(m, 'unknown')}); import it inside the function "
                    f"that uses it. See: python -X importtime -c {stmt!r} 2>&1 | grep -n {m}"
                )
    assert not problems, "\n".join(problems)


def test_import_chain_names_who_imported_a_module() -> None:
    """The failure message's chain is right (so a teammate can act on it): json is imported by
    this probe through a module of the standard library that we know."""
    chains = import_chains("import json.decoder", ["json.scanner"])
    assert chains["json.scanner"].startswith("json")
    assert chains["json.scanner"].endswith("json.scanner")



HELP_PROBE = r"""
import contextlib, io, json, sys
from carescale.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    main(["--help"])
import pydantic
from carescale.schema.base import StrictModel
def models(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from models(sub)
built = sorted({m.__qualname__ for m in models(StrictModel) if m.__pydantic_complete__})
print(json.dumps({"markdown": sorted(m for m in ("markdown_it", "rich.markdown") if m in sys.modules and hasattr(sys.modules[m], "__file__")),
                  "built": built, "models": len(list(models(StrictModel))), "help": "Usage: carescale" in out.getvalue()}))
"""


def test_help_builds_no_schema_and_loads_no_markdown() -> None:
    """Issue 25: ``carescale --help`` builds no pydantic schema (the models defer it to their first
    use) and does not load rich's Markdown (typer imports it for help it never writes in Markdown:
    carescale.cli.common puts a stand-in in its place)."""
    got = probe_json(HELP_PROBE)
    assert got["help"] and got["models"] > 20
    assert got["built"] == [], f"pydantic schemas built at start-up: {got['built']}"
    assert got["markdown"] == [], f"loaded for --help: {got['markdown']}"


def test_the_markdown_stand_in_gives_the_real_class_when_used() -> None:
    probe = ("import sys, carescale.cli.common\n"
             "import rich.markdown\n"
             "m = rich.markdown.Markdown('# title')\n"
             "from rich.markdown import Heading\n"
             "print(type(m).__module__, type(m).__name__, Heading.__module__, hasattr(sys.modules['rich.markdown'], '__file__'))")
    assert run_probe(probe).split() == ["rich.markdown", "Markdown", "rich.markdown", "True"]


LIGHT_PROBE = r"""
import contextlib, io, json, sys
out = {}
import carescale
out["import carescale"] = sorted(m for m in %(heavy)r if m in sys.modules)
from carescale.cli import main
with contextlib.redirect_stdout(io.StringIO()) as text:
    main(["--help"])
out["carescale --help"] = sorted(m for m in %(heavy)r if m in sys.modules)
out["commands imported"] = sorted(m for m in sys.modules if m.startswith("carescale.cli.") and m not in
                                  ("carescale.cli.apps", "carescale.cli.listing"))
out["help"] = text.getvalue()
print(json.dumps(out))
""" % {"heavy": ("carescale.engine", "carescale.library", "carescale.schema", "carescale.appraisal",
                 "carescale.uncertainty", "pydantic", "numpy")}


def test_help_imports_neither_the_engine_nor_pydantic() -> None:
    """Issue 25: ``import carescale`` exposes its names lazily and the CLI imports a command's
    module only when that command runs, so ``carescale --help`` loads no engine, no schemas, no
    pydantic and no numpy, and no command module."""
    got = probe_json(LIGHT_PROBE)
    assert got["import carescale"] == []
    assert got["carescale --help"] == []
    assert got["commands imported"] == []
    assert "│ run " in got["help"] and "│ reviews " in got["help"]


def test_the_lazy_listing_is_the_one_the_command_modules_register() -> None:
    """The root group lists commands from carescale.cli.listing without importing them; this is
    the listing read from the command modules themselves (else: regenerate it, as its docstring
    says), and ``carescale --help`` prints the same with every module imported or none."""
    probe = ("import contextlib, io, json\n"
             "from carescale.cli import main\n"
             "from carescale.cli.listing import COMMANDS\n"
             "from carescale.cli.apps import eager_listing\n"
             "def helptext():\n"
             "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
             "        main(['--help'])\n"
             "    return out.getvalue()\n"
             "lazy = helptext()\n"
             "eager = eager_listing()\n"
             "print(json.dumps({'same': eager == COMMANDS, 'names': list(eager) == list(COMMANDS),\n"
             "                  'help': lazy == helptext(), 'count': len(eager)}))\n")
    got = probe_json(probe)
    assert got["count"] == 20  # issue 28 added conversation
    assert got["names"] and got["same"], "carescale/cli/listing.py is out of date: python -m carescale.cli.apps"
    assert got["help"]


def test_package_names_load_on_first_use() -> None:
    probe = ("import sys, carescale\n"
             "before = 'carescale.engine.scenario' in sys.modules\n"
             "f = carescale.define_scenario\n"
             "from carescale import appraise, CarescaleError\n"
             "print(before, f.__module__, appraise.__module__, CarescaleError.__module__, "
             "sorted(set(carescale.__all__) - set(dir(carescale))), carescale.engine.__name__)")
    assert run_probe(probe).split() == ["False", "carescale.engine.scenario", "carescale.appraisal.core",
                                   "carescale.errors", "[]", "carescale.engine"]


RUN_PROBE = r"""
import contextlib, gc, io, json, sys
sys.argv = ["carescale", "run", "--area", "birmingham"]
from carescale.cli import entry
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        entry()
    except SystemExit as exc:
        code = exc.code
import pydantic
m = pydantic.create_model("Probe", x=(int, 0))  # a model built after start-up: pydantic still works
print(json.dumps({"code": code, "printed": "Scaling up what works" in out.getvalue(), "probe": m(x="3").x,
                  "loaded": sorted(n for n in %r if n in sys.modules), "collecting": gc.isenabled(),
                  "frozen": gc.get_freeze_count() > 0}))
""" % (("importlib.metadata", "yaml", "zipfile", "xml.etree.ElementTree", "carescale.official.ascfr"),)


def test_the_run_command_reads_no_package_metadata_and_no_yaml(tmp_path) -> None:
    """Issue 25: the ``carescale`` command (``cli.entry``) runs without pydantic plugins, so their
    loader's ``importlib.metadata`` is not imported; a run served from the disk cache parses no
    YAML (PyYAML not imported) and no workbook (``zipfile``, the ASC-FR reader); the garbage
    collector, paused for start-up, is running again with start-up's objects frozen. The second
    run is timed against the first's cache."""
    env = {**os.environ, "CARESCALE_HOME": str(tmp_path)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    probe_json(RUN_PROBE, env)  # the first fills the cache
    got = probe_json(RUN_PROBE, env)
    assert got == {"code": 0, "printed": True, "probe": 3, "loaded": [], "collecting": True, "frozen": True}


def test_pydantic_plugins_are_looked_for_when_the_user_says_so(tmp_path) -> None:
    """With ``PYDANTIC_DISABLE_PLUGINS`` set (even empty) pydantic's own loader looks for plugins."""
    env = {**os.environ, "CARESCALE_HOME": str(tmp_path), "PYDANTIC_DISABLE_PLUGINS": ""}
    assert "importlib.metadata" in probe_json(RUN_PROBE, env)["loaded"]
