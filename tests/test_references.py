"""Every reference in the library points to a known document and quotes text really in it."""

from __future__ import annotations

import pytest

from carescale.library import default_library, iter_references

from .conftest import normalise

#: One library for every parametrised case, whatever the library cache does between tests.
LIB = default_library()


def _all_records():
    lib = default_library()
    for kind, objs in (
        ("interventions", lib.interventions),
        ("areas", lib.areas),
        ("case_studies", lib.case_studies),
    ):
        for oid, obj in objs.items():
            yield f"{kind}/{oid}", obj
    yield "overlaps", lib.overlaps
    yield "portfolios", lib.portfolios


def _all_refs():
    for where, obj in _all_records():
        for loc, ref in iter_references(obj):
            yield f"{where}:{loc}", ref


REFS = list(_all_refs())
#: References to seed documents: their quotes are checked against the seed's text.
SEED_REFS = [(w, r) for w, r in REFS if LIB.sources.documents[r.document].seed is not None]
#: References to the ONS mid-2020 table: their figures are checked against the real file instead.
MYE_REFS = [(w, r) for w, r in REFS if r.document == "ons-mye-2020"]
#: Published web pages with no seed text (the full costs of issue 21): each quote was read at its
#: address (the document's ``url`` in sources.yaml) when it was added, and is listed here, so a
#: new reference to a page, or a changed quote, fails until someone has read it at its source.
WEB_CHECKED = {
    ("new-economy-unit-cost-database", "£40 per social worker per hour"),
    ("lga-lancashire-shared-lives", "The carers are paid between £300 and £450 a week"),
}
WEB_REFS = [(w, r) for w, r in REFS if (r.document, r.quote) in WEB_CHECKED]
#: References to the ASC-FR/SALT 2021-22 tables: checked against the shipped official figures.
ASCFR_REFS = [(w, r) for w, r in REFS if r.document == "nhs-digital-ascfr-2022"]


def test_there_are_references():
    assert len(REFS) > 80
    assert sum(w.startswith("case_studies/") for w, _ in REFS) > 150


def test_every_reference_is_checked_somewhere():
    """Each reference is either a seed quote (checked below), a figure of the ONS table, checked
    against the real file, a figure of the ASC-FR/SALT tables, checked against the shipped official
    figures, or a quote read at its web address (WEB_CHECKED); a reference to any other document
    would need a check of its own."""
    assert len(SEED_REFS) + len(MYE_REFS) + len(ASCFR_REFS) + len(WEB_REFS) == len(REFS)
    for _, r in WEB_REFS:
        assert LIB.sources.documents[r.document].url, r.document


@pytest.mark.parametrize("where,ref", SEED_REFS, ids=[w for w, _ in SEED_REFS])
def test_quote_is_in_the_seed_it_cites(where, ref, seeds_dir):
    doc = LIB.sources.documents[ref.document]
    text = normalise((seeds_dir / doc.seed).read_text(encoding="utf-8"))
    assert normalise(ref.quote) in text, f"{where}: quote not found in {doc.seed}: {ref.quote!r}"


RECORDS = list(_all_records())


@pytest.mark.parametrize("where,obj", RECORDS, ids=[w for w, _ in RECORDS])
def test_every_published_figure_is_written_in_its_quote(where, obj):
    """A typo in a figure fails here: 1182 with the quote '£1,181 gross benefits ...' does not
    pass (tests/test_evidence_figures.py shows the check catching altered figures). Figures with
    status implied/assumption/estimated carry a derivation instead and are skipped, as are figures
    citing statistical tables (documents without seed text). Rule: docs/evidence.md."""
    from carescale.evidence import figure_problems

    texts = {d for d, doc in LIB.sources.documents.items() if doc.seed}
    assert figure_problems(obj, where, texts) == []


_AGES = {
    "All ages": (0, None),
    "sum of single years of age 18 to 64": (18, 64),
    "sum of single years of age 65 to 90+": (65, None),
}


@pytest.mark.parametrize("where,ref", MYE_REFS, ids=[w for w, _ in MYE_REFS])
def test_population_figure_is_in_the_ons_table_it_cites(where, ref, raw_dir):
    """An area's population cohort citing ONS MYE2 mid-2020 equals the sum the quote names, read
    from the real file (../shared/data/raw/, SOURCES.md) by the product's own reader."""
    from carescale.official import read_mye

    table = read_mye(raw_dir / "ukpopestimatesmid2020on2021geography.xls")
    area_id, field = where.split(":")[0].split("/")[1], where.split(":")[1].split(".")[1]
    area = LIB.areas[area_id]
    code = ref.section.split(",")[1].split()[0]
    assert code == area.ons_code
    lo, hi = _AGES[ref.quote]
    assert area.cohorts[field].value == table.get(code).between(lo, hi)


@pytest.mark.parametrize("where,ref", ASCFR_REFS, ids=[w for w, _ in ASCFR_REFS])
def test_ascfr_figure_is_the_official_figure_it_cites(where, ref):
    """A source-site figure citing ASC-FR/SALT 2021-22 equals the shipped official figure whose
    published header is its quote, for the council its section names (cell and code)."""
    from carescale.official.councils import read_council_figures

    figs = read_council_figures()
    area_id, field = where.split(":")[0].split("/")[1], where.split(":")[1].split(".")[1]
    area = LIB.areas[area_id]
    code = ref.section.rsplit("(", 1)[1].rstrip(")")
    assert code == area.ons_code
    series = [sid for sid, s in figs.series.items() if s.measure == ref.quote]
    assert len(series) == 1, ref.quote
    official = figs.figure(code, series[0])
    assert official.cell in ref.section
    assert area.cohorts[field].value == official.value
