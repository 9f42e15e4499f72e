"""NHS England National Cost Collection 2023/24 (NICE's extract): the derived check values of
../shared/data/nhs_costs/SOURCES.md, and the fixtures of tests/invalid_inputs/official."""

from __future__ import annotations

import pytest

from carescale.errors import OfficialDataError
from carescale.io.paths import display_path
from carescale.official.ncc import read_ncc

from .official_shared import FIXTURES, shared_file


def test_activity_weighted_unit_costs():
    ncc = read_ncc(shared_file("nhs_costs", "ncc_2023_24.csv"))
    assert ncc.year == "2023/24"
    ae = ncc.mean_unit_cost("a_and_e_attendance")
    assert round(ae.value, 2) == 272.97
    assert ae.note.endswith("over 22,004,144 activity")  # 22.0m attendances
    assert (ae.table, ae.year, ae.cell) == ("Emergency Care", "2023/24", "rows 4770-4781")
    assert round(ncc.mean_unit_cost("non_elective_long_stay").value) == 5_132
    assert round(ncc.mean_unit_cost("non_elective_short_stay").value, 2) == 790.84
    spell = ncc.mean_unit_cost("non_elective_spell")
    assert 790.84 < spell.value < 5_132


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("ncc_not_a_number.csv", "row 3 (Emergency Care VB02Z): Activity '[c]' is not a number"),
        ("ncc_missing_column.csv",
         "row 1: no column 'Unit cost'; the National Cost Collection CSV has the columns: Service Code, "
         "Dept or Currency Code, Dept or Currency Desc, Activity, Unit cost, Cost"),
    ],
)
def test_invalid_ncc_messages(fixture, message):
    path = FIXTURES / fixture
    with pytest.raises(OfficialDataError) as info:
        read_ncc(path)
    assert info.value.message == f"{display_path(path)}: {message}"


def test_unknown_service(tmp_path):
    p = tmp_path / "ncc_2023_24.csv"
    p.write_text("Service Code,Dept or Currency Code,Dept or Currency Desc,Activity,Unit cost,Cost\n"
                 "Emergency Care,VB01Z,x,10,100,1000\n", encoding="utf-8")
    ncc = read_ncc(p)
    assert ncc.mean_unit_cost("Emergency Care").value == 100
    with pytest.raises(OfficialDataError) as info:
        ncc.mean_unit_cost("non_elective_spell")
    assert info.value.message == (
        f"{display_path(p)}: no rows with Service Code 'Non-Elective Inpatient - Long Stay'; the services are: Emergency Care"
    )
