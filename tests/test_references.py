"""Every reference in the library points to a known document and quotes text really in it."""

from __future__ import annotations

import pytest

from carescale.library import default_library, iter_references

from .conftest import normalise


def _all_refs():
    lib = default_library()
    for kind, objs in (("interventions", lib.interventions), ("areas", lib.areas)):
        for oid, obj in objs.items():
            for loc, ref in iter_references(obj):
                yield f"{kind}/{oid}:{loc}", ref
    for loc, ref in iter_references(lib.overlaps):
        yield f"overlaps:{loc}", ref
    for loc, ref in iter_references(lib.portfolios):
        yield f"portfolios:{loc}", ref


REFS = list(_all_refs())


def test_there_are_references():
    assert len(REFS) > 80


@pytest.mark.parametrize("where,ref", REFS, ids=[w for w, _ in REFS])
def test_quote_is_in_the_seed_it_cites(where, ref, seeds_dir):
    doc = default_library().sources.documents[ref.document]
    if doc.seed is None:
        pytest.skip(f"{ref.document} is not a seed document (no text to check against)")
    text = normalise((seeds_dir / doc.seed).read_text(encoding="utf-8"))
    assert normalise(ref.quote) in text, f"{where}: quote not found in {doc.seed}: {ref.quote!r}"
