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


def test_there_are_references():
    assert len(REFS) > 80
    assert sum(w.startswith("case_studies/") for w, _ in REFS) > 150


@pytest.mark.parametrize("where,ref", REFS, ids=[w for w, _ in REFS])
def test_quote_is_in_the_seed_it_cites(where, ref, seeds_dir):
    doc = LIB.sources.documents[ref.document]
    if doc.seed is None:
        pytest.skip(f"{ref.document} is not a seed document (no text to check against)")
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
