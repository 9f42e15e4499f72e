"""Baseline spend (issue 22: "describe what we do at the moment and how much it costs"): each
council's adult social care spend by support reason, age and setting, its prevention lines and
the trend, from the shipped official figures, re-priced, shown under `carescale run` and by
`carescale areas baseline`."""

from __future__ import annotations

import pytest

from carescale.official.spend_baseline import baseline_lines, council_baseline
from carescale.prices import price_base

from .conftest import run_cli


@pytest.fixture(scope="module")
def leeds():
    return council_baseline("E08000035")


def test_leeds_totals_trend_and_prices(leeds):
    pb = price_base()
    ro3 = {t["year"]: t for t in leeds["total"] if t["measure"] == "total expenditure (RO3 C3)"}
    assert ro3["2024-25"]["cash"] == 437_881_000  # RO3 2024-25 Leeds total (SOURCES.md check value)
    assert ro3["2024-25"]["cell"] == "RO3_LA_Data_202425!KL200"
    assert ro3["2022-23"]["real"] == pytest.approx(373_565_000 * pb.factor("2022/23"), abs=0.01)
    asc_fr = leeds["total"][0]
    assert (asc_fr["year"], asc_fr["cash"], asc_fr["cell"]) == ("2021-22", 301_796_000, "T14!L63")
    assert [n["cash"] for n in leeds["net_total"]] == [281_623_000, 298_336_000, 322_733_000]
    t = leeds["trend"]
    assert (t["from"], t["to"]) == ("2022-23", "2024-25")
    assert t["real_change"] == round(437_881_000 / (373_565_000 * pb.factor("2022/23")) - 1, 4) == 0.0865
    assert leeds["region"] == {"code": "E12000003", "name": "Yorkshire and The Humber"}
    assert leeds["missing"] == []


def test_leeds_by_reason_setting_and_prevention(leeds):
    reasons = {(r["reason"], r["age"]): r["cash"] for r in leeds["by_reason"]["2024-25"]}
    assert reasons[("learning disability support", "18-64")] == 120_949_000
    assert reasons[("physical support", "65+")] == 89_616_000
    assert len(reasons) == 18  # every RO3 line but the total
    setting = {(s["setting"], s["age"]): s["cash"] for s in leeds["by_setting"]}
    assert setting[("long-term: nursing", "65+")] == 22_623_000 and setting[("long-term: residential", "65+")] == 37_667_000
    assert setting[("short-term: other", "65+")] == 10_856_000
    prevention = {p["line"]: [y["cash"] for y in p["years"]] for p in leeds["prevention"]}
    assert prevention["social support: social isolation"] == [719_000, 570_000, 724_000]
    assert set(prevention) == {"social support: social isolation", "information and early intervention",
                               "social support: support for carer", "assistive equipment and technology"}


def test_a_council_with_no_return_says_so_never_zero():
    b = council_baseline("E08000025")  # Birmingham: no RO3 return in any year
    assert b["trend"] is None
    assert b["missing"] == [
        f"MHCLG, Local authority revenue expenditure and financing: RO3 outturn {y}, RO3 ({y}): [x] no return (24 figures)"
        for y in ("2022-23", "2023-24", "2024-25")
    ]
    lines = baseline_lines(b)
    assert lines[0] == ("Adult social care spend (2024/25 prices (forecast: OBR, November 2023)): £444.57m gross current "
                        "expenditure (ASC-FR 2021-22); no RO3 return since.")
    # the three years' one gap is said once, not once a year (it ran onto a page of its own in the PDF)
    assert lines[-1] == ("Not in the official figures: MHCLG, Local authority revenue expenditure and financing: RO3 "
                         "outturn, RO3 (2022-23, 2023-24 and 2024-25): [x] no return (24 figures a year).")
    assert sum(line.startswith("Not in the official figures") for line in lines) == 1


def test_gaps_in_several_tables_of_one_return_are_one_sentence():
    b = council_baseline("E09000012")  # Hackney: no ASC-FR 2021-22 return ([x]) in five tables
    assert [line for line in baseline_lines(b) if line.startswith("Not in")] == [
        "Not in the official figures: NHS Digital, Adult Social Care Activity and Finance Report, T14, T30, T31, T43 "
        "and T44 (2021-22): [x] data not submitted (13 figures)."]
    assert sum(g["figures"] for g in b["gaps"]) == 13 and len(b["missing"]) == 5  # the data keeps each table


def test_run_shows_the_baseline_under_the_results():
    r = run_cli("run", "--area", "leeds")
    assert r.code == 0, r.err
    text = " ".join(r.out.split())
    assert "Baseline: what Leeds spends now (official figures;" in text
    assert ("Adult social care spend now (2024/25 prices (forecast: OBR, November 2023)): £437.88m gross, £322.73m net "
            "(RO3 2024-25); real change 2022-23 to 2024-25: +8.6%.") in text
    assert "Baseline:" not in run_cli("run", "--area", "kent").out  # a source site, not a council profile


@pytest.mark.parametrize(("args", "message"), [
    (("kent",), "error: area: 'kent' is not a council in the official figures (it has no ONS code of one of the 153 "
                "councils); give a council's id, such as leeds, or its ONS code\n"),
    (("E09999999",), "error: baseline: 'E09999999' is not a council in the official figures (April 2023 boundaries); "
                     "give an ONS code such as E09000007, E09000001, E09000012\n"),
])
def test_areas_baseline_errors(args, message):
    r = run_cli("areas", "baseline", *args)
    assert (r.code, r.err) == (2, message)


def test_areas_baseline_formats():
    data = run_cli("areas", "baseline", "leeds", "--price-base", "2022/23", "--format", "json").json()
    assert data["prices"]["year"] == "2022/23"
    assert data["total"][1]["real"] == 373_565_000
    rows = run_cli("areas", "baseline", "E08000035", "--format", "csv").out.splitlines()
    assert rows[0].lstrip("\ufeff") == "section,line,age,year,cash,real,source,cell,missing"
    assert len(rows) == 1 + 4 + 3 + 3 * 18 + 12 + 4 * 3


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_the_report_shows_the_baseline():
    from carescale.reports.data import prepare
    from carescale.reports.markdown import markdown_text

    text = markdown_text(prepare({"version": 1, "area": "leeds"}, uncertainty=False))
    assert "## What Leeds spends now" in text
    assert ("- Adult social care spend now (2024/25 prices (forecast: OBR, November 2023)): £437.88m gross, £322.73m net "
            "(RO3 2024-25); real change 2022-23 to 2024-25: +8.6%.") in text
    from carescale.reports.html import html_text

    page = html_text(prepare({"version": 1, "area": "leeds"}))
    assert '<h2 id="baseline-heading">What Leeds spends now</h2>' in page and "£437.88m gross" in page
    # the paper's Birmingham: its figures stay as published, the official spend is shown beside them
    paper = markdown_text(prepare({"version": 1, "area": "birmingham"}, uncertainty=False))
    assert "## What Birmingham spends now" in paper
    assert "£444.57m gross current expenditure (ASC-FR 2021-22); no RO3 return since." in paper
    site = markdown_text(prepare({"version": 1, "area": "kent", "interventions": ["kent-pathways"]}, uncertainty=False))
    assert "spends now" not in site  # a source site reproduces its source


def test_the_services_that_could_be_reduced(leeds):
    from carescale.official.spend_baseline import services

    rows = services(leeds)
    assert rows[0]["id"] == "ro3:2024-25:learning-disability-support:18-64" and rows[0]["cash"] == 120_949_000
    assert [r["real"] for r in rows] == sorted((r["real"] for r in rows), reverse=True)
    ids = {r["id"] for r in rows}
    assert "ascfr:2021-22:long-term-residential:65+" in ids and "ro3:2024-25:social-support-social-isolation:all ages" in ids
    assert len(rows) == 18 + 10  # RO3's lines but the total, and ASC-FR's settings but the two totals
    assert services(council_baseline("E08000025"))[0]["id"].startswith("ascfr:2021-22:")  # no RO3 return


def test_a_kept_baseline_is_the_one_worked_out_afresh_and_follows_its_files(tmp_path, monkeypatch):
    """``baseline_for_area`` is kept in the disk cache (issue 25) by the figures' files, the code and
    the price base: the kept one equals the one worked out with the cache off, for several councils
    and price bases, and a changed figures file is read afresh."""
    import shutil

    from carescale.library import default_library
    from carescale.official import councils
    from carescale.official.spend_baseline import baseline_for_area

    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    lib = default_library()
    cases = [("leeds", None), ("leeds", "2022/23"), ("birmingham", "2024/25"), ("manchester", None), ("hackney", "2023/24")]
    for area, year in cases:
        with monkeypatch.context() as mp:
            mp.setenv("CARESCALE_NO_CACHE", "1")
            fresh = baseline_for_area(lib.area(area), year)
        assert fresh is not None and fresh["prices"]["year"] == (year or fresh["prices"]["year"])
        assert baseline_for_area(lib.area(area), year) == fresh  # worked out and kept
        assert baseline_for_area(lib.area(area), year) == fresh  # read back
    assert baseline_for_area(lib.area("kent"), None) is None  # a source site, not a council
    # the figures rebuilt with Leeds' name changed: another key, the new name
    folder = tmp_path / "figures"
    shutil.copytree(councils.figures_folder(), folder)
    text = (folder / "councils.csv").read_text(encoding="utf-8")
    (folder / "councils.csv").write_text(text.replace(",Leeds,", ",Leeds (rebuilt),", 1), encoding="utf-8")
    monkeypatch.setattr(councils, "figures_folder", lambda: folder)
    assert baseline_for_area(lib.area("leeds"), None)["name"] == "Leeds (rebuilt)"
