"""The library's catalogue as JSON-able rows: what ``carescale interventions list``, ``areas list``
and ``... show --format json`` print, and what the API returns for the same question."""

from __future__ import annotations

from typing import Any

from .core import Library, council_profiles
from .user import default_library


def intervention_rows(lib: Library | None = None) -> list[dict[str, Any]]:
    lib = lib or default_library()
    return [
        {
            "id": iv.id,
            "name": iv.name,
            "transformation_area": iv.transformation_area,
            "target_group": iv.target_group,
            "status": iv.status,
            "source_site": iv.source.site if iv.source else "",
        }
        for iv in lib.interventions.values()
    ]


def area_rows(lib: Library | None = None, built_in: bool = False) -> list[dict[str, Any]]:
    """The library's area profiles (packaged and the user's); with ``built_in``, then every
    council's built-in profile from official figures that no library profile of the same id
    overrides, each row saying which profile it is (``profile``: packaged, saved or built-in)."""
    lib = lib or default_library()
    rows = [{"id": a.id, "name": a.name, "kind": a.kind, "ons_code": a.ons_code or ""} for a in lib.areas.values()]
    if not built_in:
        return rows
    for r in rows:
        r["profile"] = "packaged" if f"areas/{r['id']}" in lib.files else "saved"
    rows += [{"id": a.id, "name": a.name, "kind": a.kind, "ons_code": a.ons_code or "", "profile": "built-in"}
             for aid, a in council_profiles().items() if aid not in lib.areas]
    return rows


def definition(obj: Any) -> dict[str, Any]:
    """A whole definition (intervention or area profile) as JSON."""
    return obj.model_dump(mode="json", exclude_none=True)
