"""ONS mid-2023 (workbook) and mid-2024 (CSV) population, the LTLA-to-UTLA lookups of December
2022 and April 2023, and the one place figures are carried across April 2023 (issue 22)."""

from __future__ import annotations

import pytest

from carescale.errors import OfficialDataError
from carescale.io.paths import display_path
from carescale.official.boundaries import (
    check_april_2023,
    figures_to_2023,
    is_upper_tier,
    read_lookup,
    successors_2023,
)
from carescale.official.figures import Figure
from carescale.official.mye import read_mye

from .official_shared import FIXTURES, shared_file


@pytest.fixture(scope="module")
def mye23():
    return read_mye(shared_file("ons", "mye23tablesew.xlsx"))


def test_mid_2023_check_values(mye23):
    assert mye23.period == "mid-2023"
    b = mye23.get("E08000025")
    assert (b.all_ages, b.aged_18_64, b.aged_65_plus, b.between(85)) == (1_166_049, 723_815, 152_753, 21_647)
    assert mye23.get("E92000001").all_ages == 57_690_323
    councils = [c for c in mye23.rows if is_upper_tier(c)]
    assert len(councils) == 153
    assert {"E06000063", "E06000064", "E06000065", "E06000066"} <= set(councils)


def test_mid_2024_csv_check_values():
    m = read_mye(shared_file("ons", "mye24tablesew.csv"))
    assert m.period == "mid-2024"  # from the file name: a CSV has no title
    assert m.get("E92000001").all_ages == 58_620_101
    b = m.get("E08000025")
    assert (b.all_ages, b.aged_65_plus) == (1_183_618, 154_406)
    # 357 area rows: SOURCES.md says 356 (the file has no final newline, so `wc -l` counts 357 lines with the header)
    assert len(m.rows) == 357
    assert len([c for c in m.rows if is_upper_tier(c)]) == 153
    assert read_mye(shared_file("ons", "mye24tablesew.csv"), period="mid-2025").period == "mid-2025"


def test_lookups_confirm_the_april_2023_changes():
    before = read_lookup(shared_file("ons", "ltla-utla-lookup-2022-12.csv"))
    after = read_lookup(shared_file("ons", "ltla-utla-lookup-2023-04.csv"))
    assert (before.vintage, after.vintage) == ("22", "23")
    assert (len(before.councils), len(after.councils)) == (152, 153)
    assert before.districts["E06000010"][0] == "Kingston upon Hull, City of"  # a quoted comma
    assert check_april_2023(before, after) == [
        "Cumberland (E06000063) = Allerdale, Carlisle, Copeland, part of E10000006",
        "Westmorland and Furness (E06000064) = Barrow-in-Furness, Eden, South Lakeland, part of E10000006",
        "North Yorkshire: E10000023 -> E06000065 (its 7 districts became one council)",
        "Somerset: E10000027 -> E06000066 (its 4 districts became one council)",
    ]
    # the lookups the other way round disagree with the changes, in one line
    with pytest.raises(OfficialDataError) as info:
        check_april_2023(after, before)
    assert info.value.message == (
        f"{display_path(after.path)}: E10000006 is made of no districts; carescale expects "
        "E07000026, E07000027, E07000028, E07000029, E07000030, E07000031 before April 2023"
    )


def _fig(code: str, name: str, value: float | None, missing: str | None = None) -> Figure:
    return Figure(value=value, source="test", table="T14", year="2021-22", cell="T14!L1", area=code, name=name,
                  measure="GCE", missing=missing)


def test_cumbria_split_by_population_and_recodes(mye23):
    cumberland = mye23.get("E06000063").between(18)
    wf = mye23.get("E06000064").between(18)
    shares = successors_2023("E10000006", mye23)
    assert [s.code for s in shares] == ["E06000063", "E06000064"]
    assert shares[0].fraction == pytest.approx(cumberland / (cumberland + wf))
    assert shares[0].method == (
        f"April 2023 split: Cumberland's share of E10000006's figure is {cumberland / (cumberland + wf):.1%}, "
        f"by population aged 18+ (mid-2023: Cumberland {cumberland:,.0f}, Westmorland and Furness {wf:,.0f})"
    )
    assert successors_2023("E08000025", mye23) is None
    figs = {
        "E10000006": _fig("E10000006", "Cumbria", 1000.0),
        "E10000023": _fig("E10000023", "North Yorkshire", 500.0),
        "E10000027": _fig("E10000027", "Somerset", None, "[x] data not submitted"),
        "E08000025": _fig("E08000025", "Birmingham", 385_833.0),
    }
    out = figures_to_2023(figs, mye23)
    assert set(out) == {"E06000063", "E06000064", "E06000065", "E08000025", "E06000066"}
    assert out["E06000063"].value + out["E06000064"].value == pytest.approx(1000.0)
    assert out["E06000063"].note == shares[0].method  # the method is stated with the split figure
    assert "April 2023 split" in out["E06000064"].cite()
    assert (out["E06000065"].value, out["E06000065"].name) == (500.0, "North Yorkshire")
    assert out["E06000065"].note == "April 2023: North Yorkshire E10000023 became E06000065 on the same footprint; figure unchanged"
    assert (out["E06000066"].value, out["E06000066"].missing) == (None, "[x] data not submitted")  # never zero
    assert out["E08000025"] is figs["E08000025"]
    # by 65+ when the figure is about older people
    old = successors_2023("E10000006", mye23, ages=(65, None))
    assert "by population aged 65+" in old[0].method


def test_split_with_districts_when_the_population_is_on_old_boundaries():
    mye20 = read_mye(shared_file("raw", "ukpopestimatesmid2020on2021geography.xls"))
    shares = successors_2023("E10000006", mye20, ages=(18, 64))
    parts = [sum(mye20.get(d).between(18, 64) for d in ds)
             for ds in (("E07000026", "E07000028", "E07000029"), ("E07000027", "E07000030", "E07000031"))]
    assert shares[0].fraction == pytest.approx(parts[0] / sum(parts))
    assert "by population aged 18-64 (mid-2020:" in shares[0].method


def test_lookup_missing_column():
    path = FIXTURES / "lookup_missing_column.csv"
    with pytest.raises(OfficialDataError) as info:
        read_lookup(path)
    assert info.value.message == (
        f"{display_path(path)}: row 1: no column UTLAyyCD/UTLAyyNM (such as UTLA23CD); an ONS LTLA to UTLA "
        "lookup has LTLAyyCD, LTLAyyNM, UTLAyyCD, UTLAyyNM"
    )
