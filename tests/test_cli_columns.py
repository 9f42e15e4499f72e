"""`carescale run` at 80 columns prints every money figure whole (issue 26): money columns never
wrap or get cut; the least important columns are left out instead, and the table says which."""

from __future__ import annotations

import re

import pytest

from carescale.formatting import money, people, short_money
from carescale.appraisal.bridge import bridge_table
from tests.conftest import run_cli


def _whole(figure: str, out: str) -> bool:
    """``figure`` appears whole: not preceded by a digit, comma or sign, not followed by one."""
    return re.search(rf"(?<![\d,.£+-]){re.escape(figure)}(?![\d,.])", out) is not None


@pytest.fixture(scope="module")
def at80():
    mp = pytest.MonkeyPatch()
    mp.setenv("COLUMNS", "80")
    try:
        out = run_cli("run").out
    finally:
        mp.undo()
    return out, run_cli("run", "--format", "json").json()


def test_no_line_is_wider_than_80_and_nothing_is_cut(at80):
    out, _ = at80
    assert max(len(line) for line in out.splitlines()) <= 80
    assert not re.search(r"£[\d,.]*…", out)  # the '£9.7…'


def test_every_money_figure_of_the_summary_table_is_whole(at80):
    out, data = at80
    t = data["totals"]
    shown = [short_money(t["cost"]), short_money(t["gross_savings"]["asc"]), short_money(t["gross_savings"]["nhs"]),
             short_money(t["net_savings"]["asc"]), short_money(t["net_savings"]["nhs"]),
             short_money(-t["overlap_deduction"]["asc"]), short_money(-t["overlap_deduction"]["nhs"]),
             people(t["beneficiaries"])]
    for iv in data["interventions"]:
        shown += [short_money(iv["gross_savings"]["asc"]), short_money(iv["gross_savings"]["nhs"]),
                  short_money(iv["net_savings"]["asc"]), short_money(iv["net_savings"]["nhs"])]
    missing = [f for f in shown if not _whole(f, out)]
    assert not missing, missing
    # what did not fit is left out, and said
    assert "Left out to fit 80 columns: Transformation area, Set-up" in " ".join(out.split())


def test_every_money_figure_of_the_bridge_and_value_tables_is_whole(at80):
    out, data = at80
    pence = [money(r[p], pence=True) for r in bridge_table(data["bridge"]) for p in ("asc", "nhs")]
    missing = [f for f in pence if not _whole(f, out)]
    assert not missing, missing[:5]
    assert len(pence) > 50


def test_wide_terminals_keep_every_column(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = run_cli("run").out
    assert "Transformation area" in out and "Left out" not in out


def test_a_long_setting_folds_instead_of_dropping_a_column(tmp_path, monkeypatch):
    """`scenario diff` at 80 columns: the long setting path folds onto two lines and both
    scenarios' columns stay; the results' money is whole."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("version: 1\n")
    b.write_text("version: 1\noverrides:\n  living-well.older-people-multiple-ltc.people: 2000\n")
    monkeypatch.setenv("COLUMNS", "80")
    out = run_cli("scenario", "diff", str(a), str(b), "--results").out
    assert "Left out" not in out and "2000.0" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert not re.search(r"£[\d,.]*…", out) and "…" not in out
    assert _whole("+£670,161", out) and _whole("-£740,901", out)
