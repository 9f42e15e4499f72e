"""The core's layers (issue 20, package P1): ``carescale.library`` split by concern keeps every
name it had as one module; the library reads area templates through a reader that
``carescale.areas`` registers (no import from the library up to the areas); overrides of a figure
only another model reads are still refused after ``Scenario`` moved above the overrides."""

from __future__ import annotations


import pytest

import carescale
import carescale.library as L
from carescale.areas import read_area_file, template_table, to_csv
from carescale.areas.load import read_template_area
from carescale.errors import InputFileError, SettingsError

from .conftest import run_probe

#: Every name ``carescale.library`` had as one file (library.py) that is not a standard-library or
#: typing name: the split must keep each importable from the old path.
OLD_NAMES = (
    "Area", "CaseStudy", "DATA_DIR", "InputFileError", "Intervention", "Library", "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH", "MAX_YAML_NODES", "ModelError", "OverlapSet", "PortfolioSet", "Quantity",
    "Reference", "SettingsError", "SourceSet", "UnknownIdError", "Vocabulary", "YAMLShapeError",
    "_BOOL", "_BOOL_TAG", "_EXPONENT_FLOAT", "_FLOAT_TAG", "_FastStrictLoader", "_KEY_TYPES",
    "_StrictLoader", "_children", "_construct_document", "_construct_mapping", "_last_broken",
    "_library_with_user_areas", "_user_area_files", "check_id_list", "check_node_graph",
    "clear_library_cache", "default_library", "display_path", "expect", "format_loc",
    "format_validation_error", "iter_instances", "iter_quantities", "iter_references",
    "load_area_file", "load_intervention_file", "load_library", "load_model", "packaged_library",
    "parse_model", "parse_yaml_text", "read_user_text", "read_yaml", "take_broken_area_notices",
    "text_nesting_bound", "user_areas_dir", "user_home", "validate_file",
)


def test_the_library_keeps_every_name_it_had() -> None:
    missing = [n for n in OLD_NAMES if not hasattr(L, n)]
    assert missing == []
    from carescale import evidence
    from carescale.io import messages, paths, yaml
    from carescale.library import checks, core, files, load, user
    from carescale.schema import walk

    # the same objects, not copies: module state (caches, _last_broken) lives in one place
    assert L.read_yaml is yaml.read_yaml and L.read_user_text is yaml.read_user_text
    assert L.display_path is paths.display_path is messages.display_path
    assert L.load_model is messages.load_model and L.iter_quantities is walk.iter_quantities
    assert L.Library is core.Library and L.load_library is load.load_library
    assert L.default_library is user.default_library and L._last_broken is user._last_broken
    assert L.load_area_file is files.load_area_file is carescale.load_area_file
    assert evidence.check_case_study is checks.check_case_study is L.check_case_study
    assert evidence.load_case_study_file is files.load_case_study_file


def test_default_library_cache_clear_empties_both_caches() -> None:
    L.default_library()
    assert L.packaged_library.cache_info().currsize == 1
    L.default_library.cache_clear()
    assert L.packaged_library.cache_info().currsize == 0
    assert L._library_with_user_areas.cache_info().currsize == 0


def _birmingham_template(tmp_path):
    lib = L.default_library()
    path = tmp_path / "birmingham.csv"
    path.write_text(to_csv(template_table(lib, lib.area("birmingham"))), encoding="utf-8")
    return path


def test_the_library_reads_a_template_through_the_reader_areas_registers(tmp_path) -> None:
    assert L.AREA_FILE_READERS[".csv"] is L.AREA_FILE_READERS[".xlsx"] is read_template_area
    path = _birmingham_template(tmp_path)
    area = L.load_area_file(path)
    assert area == read_area_file(path).area
    assert area.cohorts["population_65_plus"].value == L.default_library().area("birmingham").cohorts["population_65_plus"].value


def test_a_fresh_process_reads_a_template_without_importing_the_areas_first(tmp_path) -> None:
    """``import carescale`` leaves carescale.areas unloaded (start-up stays light) and registers a
    stand-in reader that loads it on the first template read."""
    path = _birmingham_template(tmp_path)
    probe = (
        "import sys, carescale.library as L\n"
        "before = 'carescale.areas' in sys.modules\n"
        f"area = L.load_area_file({str(path)!r})\n"
        "print(before, 'carescale.areas' in sys.modules, area.id, area.cohorts['population_65_plus'].value)\n"
    )
    out = run_probe(probe)
    want = L.default_library().area("birmingham").cohorts["population_65_plus"].value
    assert out.split() == ["False", "True", "birmingham", repr(want)]


def test_a_template_with_no_reader_registered_is_one_line(tmp_path, monkeypatch) -> None:
    path = _birmingham_template(tmp_path)
    monkeypatch.delitem(L.AREA_FILE_READERS, ".csv")
    with pytest.raises(InputFileError) as err:
        L.load_area_file(path)
    assert str(err.value) == (
        f"{L.display_path(path)}: no reader for .csv area files is loaded (import carescale.areas); "
        "area files that can be read here: .yaml, .xlsx"
    )


def test_an_override_only_another_model_reads_is_refused() -> None:
    # overrides.py builds the wide scenario (every runnable model, no prices, no scale) with
    # dataclasses.replace now that Scenario sits above it
    scenario = carescale.define_scenario("birmingham", ["living-well"], prices=2024, scale={"living-well": 0.5})
    for path in ("area.cohorts.learning_disability_long_term_support", "area.provision.shared-lives.learning-disability"):
        with pytest.raises(SettingsError) as err:
            scenario.with_overrides({path: 5})
        assert str(err.value) == (
            f"overrides: {path!r} is not used by this scenario (potential basis, interventions "
            "living-well), so changing it would change nothing"
        )
    with pytest.raises(SettingsError) as err:
        scenario.with_overrides({"area.provision.living-well.main": 5})
    assert str(err.value) == (
        "overrides: unknown path 'area.provision.living-well.main'; see 'carescale parameters' for the valid paths"
    )


def test_yaml_written_by_carescale_reads_back_as_written():
    """The strict loader reads 1e5 as a number (YAML 1.2); text that looks like one is quoted when
    carescale writes YAML (scenario files, saved areas, logic models), so it reads back as text."""
    from carescale.io.yaml import dump_yaml, parse_yaml_text

    data = {"note": "1e5", "other": "0E-3", "n": 1e5, "plain": "1.5e3 people", "ok": 2.5}
    text = dump_yaml(data)
    assert "'1e5'" in text and "'0E-3'" in text
    assert parse_yaml_text(text, "x") == data
    assert parse_yaml_text("a: 1e308\nb: -2E-3\n", "x") == {"a": 1e308, "b": -0.002}
