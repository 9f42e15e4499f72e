"""Dependencies where they are used (issue 20): a command whose extra is not installed says which
extra to install in one line (exit 2), and the libraries only tests use are test dependencies."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

from carescale import extras
from carescale.errors import CarescaleError

from .conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "carescale"


def test_require_names_the_extra_and_the_missing_module(monkeypatch) -> None:
    extras.require(("json", "csv"), "reports")  # installed: nothing happens
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    assert extras.available("weasyprint") is False
    assert extras.available("carescale_no_such_module") is False
    with pytest.raises(CarescaleError) as info:
        extras.require(("weasyprint", "carescale_no_such_module", "json"), "reports", "a PDF")
    assert info.value.message == ("a PDF needs the 'reports' extra: pip install 'carescale[reports]' "
                                  "(weasyprint, carescale_no_such_module are not installed)")


def test_report_without_the_reports_extra_is_one_line(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    out = tmp_path / "case.pdf"
    r = run_cli("report", "-o", str(out))
    assert (r.code, r.out) == (2, "")
    assert r.err == ("error: carescale report --format pdf needs the 'reports' extra: "
                     "pip install 'carescale[reports]' (weasyprint is not installed)\n")
    assert not out.exists()
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    r = run_cli("report", "-o", str(tmp_path / "case.xlsx"))
    assert r.err == ("error: carescale report --format xlsx needs the 'reports' extra: "
                     "pip install 'carescale[reports]' (xlsxwriter is not installed)\n")


def test_serve_without_the_web_extra_is_one_line(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    r = run_cli("serve", "--port", "1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("error: carescale serve needs the 'web' extra: pip install 'carescale[web]' "
                     "(fastapi, uvicorn are not installed)\n")


@pytest.mark.parametrize(("name", "module", "message"), [
    ("frontier.html", "plotly", "--chart with an .html file needs the 'web' extra: pip install 'carescale[web]' "
                                "(plotly is not installed)"),
    ("frontier.png", "matplotlib", "--chart with a .png file needs the 'reports' extra: pip install "
                                   "'carescale[reports]' (matplotlib is not installed)"),
])
def test_optimise_chart_without_its_extra_is_one_line(monkeypatch, tmp_path, name, module, message) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    r = run_cli("optimise", "--frontier", "0,1m", "--chart", str(tmp_path / name))
    assert (r.code, r.out, r.err) == (2, "", f"error: {message}\n")
    assert not (tmp_path / name).exists()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_dependencies_sit_where_they_are_used() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    optional = {k: " ".join(v) for k, v in project["optional-dependencies"].items()}
    users: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for mod in _imports(path) & {"numpy_financial", "xlrd", "plotly", "matplotlib"}:
            users.setdefault(mod, set()).add(str(path.relative_to(SRC)))
    # only the tests use numpy-financial and xlrd
    assert "numpy_financial" not in users and "xlrd" not in users
    assert "numpy-financial" not in core and "xlrd" not in core
    assert "numpy-financial" in optional["test"] and "xlrd" in optional["test"]
    # plotly: the web (plotly.js is served from the package) and the optimiser's .html chart
    assert users["plotly"] <= {"optimise/frontier.py"} and "plotly" not in core and "plotly" in optional["web"]
    assert all(p.startswith(("reports/", "optimise/frontier.py")) for p in users["matplotlib"])
    assert "matplotlib" not in core and "matplotlib" in optional["reports"]
