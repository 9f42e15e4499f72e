"""Official files: read with python-calamine (same values as xlrd gave), and cached by content
so a second national run does not parse the workbooks again (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carescale.library import display_path
from carescale.official import OfficialDataError, ascof, mye, read_ascof, read_mye
from carescale.official.cache import cache_dir

from .test_official import MYE_FILE, ascof_row, make_ascof_csv, make_mye_xlsx

from .conftest import run_probe

AGES = [float(a % 7 + 1) for a in range(91)]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """These tests count and spoil entries: a cache of their own, not the run's shared one (conftest)."""
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "own-home"))


def entries() -> list[Path]:
    folder = cache_dir() / "official"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def small_ascof(path: Path, count: str = "120") -> Path:
    return make_ascof_csv(path, [ascof_row("406", "Birmingham", "Council", "E08000025", "1E", "Denominator", count)])


def refuse(*_a, **_k):
    raise AssertionError("parsed again: the cache was not used")


def test_cache_lives_in_carescale_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / "cache"
    monkeypatch.delenv("CARESCALE_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "carescale"  # platformdirs on Linux


def test_second_read_comes_from_the_cache(tmp_path, monkeypatch):
    p = small_ascof(tmp_path / "ascof.csv")
    first = read_ascof(p)
    assert len(entries()) == 1
    monkeypatch.setattr(ascof, "_parse_ascof", refuse)
    again = read_ascof(p)
    assert again.get("E08000025").ld_long_term_support == 120
    assert again.councils.keys() == first.councils.keys() and again.england == first.england
    # a copy elsewhere with the same content is the same entry, reported under its own path
    copy = tmp_path / "elsewhere.csv"
    copy.write_bytes(p.read_bytes())
    assert read_ascof(copy).path == copy


def test_changed_content_is_parsed_again(tmp_path, monkeypatch):
    p = small_ascof(tmp_path / "ascof.csv")
    read_ascof(p)
    small_ascof(p, count="121")  # same name and size class, different bytes
    assert read_ascof(p).get("E08000025").ld_long_term_support == 121
    assert len(entries()) == 2
    monkeypatch.setattr(ascof, "_parse_ascof", refuse)
    assert read_ascof(p).get("E08000025").ld_long_term_support == 121


def test_sheet_is_part_of_the_key(tmp_path, monkeypatch):
    p = make_mye_xlsx(tmp_path / "mye.xlsx", [("E06000001", "Hartlepool", "Unitary Authority", AGES)])
    read_mye(p)
    with pytest.raises(OfficialDataError) as info:
        read_mye(p, sheet="MYE2 - Males")
    assert "no sheet 'MYE2 - Males'" in info.value.message


def test_a_bad_file_is_never_cached_and_keeps_its_message(tmp_path):
    p = make_mye_xlsx(tmp_path / "mye.xlsx", [("E06000001", "Hartlepool", "Unitary Authority", AGES)])
    import openpyxl

    wb = openpyxl.load_workbook(p)
    wb.active["H9"] = "n/a"
    wb.save(p)
    expected = f"{display_path(p)}: sheet 'MYE2 - Persons', cell H9 (E06000001, age 3): 'n/a' is not a number"
    for _ in range(2):
        with pytest.raises(OfficialDataError) as info:
            read_mye(p)
        assert info.value.message == expected
    assert entries() == []


def test_cache_can_be_turned_off_and_an_unwritable_cache_is_ignored(tmp_path, monkeypatch):
    p = small_ascof(tmp_path / "ascof.csv")
    monkeypatch.setenv("CARESCALE_NO_CACHE", "1")
    read_ascof(p)
    assert entries() == []
    monkeypatch.delenv("CARESCALE_NO_CACHE")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("CARESCALE_HOME", str(blocker))
    assert read_ascof(p).get("E08000025").ld_long_term_support == 120  # still reads


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    p = small_ascof(tmp_path / "ascof.csv")
    read_ascof(p)
    (entry,) = entries()
    entry.write_bytes(b"not a pickle")
    assert read_ascof(p).get("E08000025").ld_long_term_support == 120
    assert entry.read_bytes() != b"not a pickle"


def test_calamine_reads_the_real_mye_as_xlrd_did(raw_dir, monkeypatch):
    """Every figure of every row of the real MYE2 sheet, read by python-calamine, equals xlrd's."""
    import xlrd

    path = raw_dir / MYE_FILE
    monkeypatch.setenv("CARESCALE_NO_CACHE", "1")
    table = read_mye(path)
    sh = xlrd.open_workbook(str(path), on_demand=True).sheet_by_name("MYE2 - Persons")
    header = next(r for r in range(30) if sh.cell_value(r, 0) == "Code")
    seen = 0
    for r in range(header + 1, sh.nrows):
        code = str(sh.cell_value(r, 0)).strip()
        if not code:
            continue
        row = table.get(code)
        assert row.row == r + 1
        assert [row.all_ages, *row.ages] == [float(x) for x in sh.row_values(r)[3:95]]
        seen += 1
    assert seen == len(table.rows) > 400
    assert table.period == "mid-2020"


def test_mye_module_uses_the_cache(tmp_path, monkeypatch):
    p = make_mye_xlsx(tmp_path / "mye.xlsx", [("E06000001", "Hartlepool", "Unitary Authority", AGES)])
    first = read_mye(p)
    monkeypatch.setattr(mye, "_parse_mye", refuse)
    assert read_mye(p).rows == first.rows


# -- the packaged library (carescale.cache) ---------------------------------------------------

LIBRARY_PROBE = (
    "import carescale.library.load as L\n"
    "if {forbid}: L.load_library = None  # the cache must answer without loading the YAML\n"
    "lib = L.packaged_library()\n"
    "print(len(lib.interventions), len(lib.areas), len(lib.case_studies))\n"
)


def test_a_new_process_reads_the_library_from_the_cache(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "CARESCALE_HOME": str(tmp_path)}
    first = run_probe(LIBRARY_PROBE.format(forbid=False), env)
    assert len(list((tmp_path / "cache" / "library").glob("*.pickle"))) == 1
    assert run_probe(LIBRARY_PROBE.format(forbid=True), env) == first
    off = subprocess.run([sys.executable, "-c", LIBRARY_PROBE.format(forbid=True)], capture_output=True, text=True,
                         env={**env, "CARESCALE_NO_CACHE": "1"})
    assert off.returncode != 0 and "NoneType" in off.stderr  # with the cache off it loads the YAML


def test_the_cached_library_equals_a_fresh_load():
    import pickle

    from carescale.library import DATA_DIR, load_library

    fresh = load_library(DATA_DIR)
    again = pickle.loads(pickle.dumps(fresh))
    assert again.interventions == fresh.interventions and again.areas == fresh.areas
    assert again.case_studies == fresh.case_studies and again.overlaps == fresh.overlaps


def test_content_key_follows_every_byte_and_the_code(tmp_path):
    from carescale.cache import files_key

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("x: 1\n")
    b.write_text("y: 2\n")
    k = files_key([a, b], "names")
    assert files_key([a, b], "names") == k
    b.write_text("y: 3\n")
    assert files_key([a, b], "names") != k
    assert files_key([a, b], "other names") != files_key([a, b], "names")


def test_another_copy_of_the_same_code_has_its_own_cache_entries(monkeypatch, tmp_path):
    """Entries can hold absolute paths into the copy of carescale that made them: a second checkout
    of the same commit must not read them (the first may be moved or deleted)."""
    from carescale import cache

    import shutil

    here = cache.code_fingerprint()
    copy = tmp_path / "another-checkout" / "carescale"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "data"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    cache.code_fingerprint.cache_clear()
    try:
        assert cache.code_fingerprint() != here  # the same sources, another place
    finally:
        monkeypatch.undo()
        cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == here
