"""The national roll-up: the default portfolio (or a scenario document) run on every council's
profile (:mod:`carescale.national.councils`), and the England total. Each council's figures are
its scenario document's one :class:`~carescale.scenarios.Evaluation` (built once, run once)."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..areas.keys import figures
from ..engine.scenario import Scenario
from ..library import Library, default_library
from ..scenarios import Evaluation, ScenarioDocument
from ..scenarios.document import AreaInline
from ..schema import PAYERS, Area, Quantity
from .councils import NationalInputs
from .regions import council_region, ranked_councils, regional_totals


def _sum_payers(items: Iterable[dict[str, float]]) -> dict[str, float]:
    items = list(items)
    return {p: round(sum(i[p] for i in items), 2) for p in PAYERS}


def council_document(area: Area, document: ScenarioDocument | None = None) -> ScenarioDocument:
    """The scenario document run in one council: the paper's portfolio in the one default price
    base (the same as every other entry point's), or the document's interventions, basis, scale, overrides, price base,
    appraisal and uncertainty settings with its ``area`` replaced by the council's profile."""
    if document is None:
        return ScenarioDocument(area=AreaInline(inline=area))
    return document.model_copy(update={"area": AreaInline(inline=area)})


def council_evaluation(area: Area, library: Library, document: ScenarioDocument | None = None) -> Evaluation:
    """The one :class:`~carescale.scenarios.Evaluation` of a council's document. Not kept in the
    process's cache of evaluations: the roll-up reads each council once, and 150 councils would
    push out the evaluations a server keeps for its pages."""
    if document is None:  # the paper's portfolio: a bad profile is named by its council
        library.check_area(area, f"{area.name} ({area.ons_code})")
    return Evaluation(council_document(area, document), library)


def council_scenario(area: Area, library: Library, document: ScenarioDocument | None = None) -> Scenario:
    """The scenario run in one council (see :func:`council_document`): its evaluation's."""
    return council_evaluation(area, library, document).scenario


#: How a figure's source is named in ``figures_by_source``, by its reference's document.
SOURCE_NAMES = {
    "ons-mye-2023": "official: ONS mid-2023",
    "nhs-digital-ascfr-2022": "official: ASC-FR/SALT 2021-22",
    "ons-mye-2020": "official: ONS mid-2020",
    "ons-mye": "official: ONS (file given)",
    "nhs-digital-ascof-2021": "official: ASCOF 2020-21",
    "nhs-digital-ascof": "official: ASCOF (file given)",
    "user-area-file": "the council's own (imported)",
}


def figure_source(q: Quantity) -> str:
    """Where a figure comes from, for the counts by source: ``estimated`` for an estimate
    (whatever its base), else the official series or the profile it came from."""
    if q.status == "estimated":
        return "estimated"
    return SOURCE_NAMES.get(q.ref.document, f"published: {q.ref.document}")


def _input_counts(params: Any) -> dict[str, int]:
    """How many of the numbers a council's run reads are the area's official (or its own)
    figures, its estimated figures, or the evidence library's (model) figures."""
    out: dict[str, int] = {}
    for p in params:
        if p.path.startswith("area."):
            kind = "area: estimated" if p.quantity.status == "estimated" else "area: official or own"
        else:
            kind = "evidence (model figures)"
        out[kind] = out.get(kind, 0) + 1
    return out


def _sources(inputs: NationalInputs) -> dict[str, Any]:
    if inputs.mye is not None and inputs.ascof is not None:
        return {
            "mye": {"file": str(inputs.mye.path), "sheet": inputs.mye.sheet, "title": inputs.mye.title},
            "ascof": {"file": str(inputs.ascof.path)},
        }
    from ..official.councils import PACKAGED

    return {"official": {"folder": "carescale/data/official (docs/data.md)", "files": sorted(p.name for p in PACKAGED.glob("*.csv")),
                         "profiles": ("carescale.areas.official: ONS mid-2023, ASC-FR/SALT 2021-22; an official cell with no usable "
                                      "value estimated; Support at Home and Shared Lives sized on official groups (docs/fidelity.md)")}}


def run_national(
    inputs: NationalInputs,
    library: Library | None = None,
    progress: Callable[[str], None] | None = None,
    document: Any = None,
) -> dict[str, Any]:
    """Run the portfolio on every council; the ``carescale national --format json`` contract.
    ``document``: a :class:`carescale.scenarios.ScenarioDocument` to run in every council
    (see :func:`council_scenario`)."""
    lib = library or default_library()
    areas = []
    prices: dict[str, Any] | None = None
    for prof in inputs.councils:
        area = prof.area
        ev = council_evaluation(area, lib, document)
        data = ev.run  # built once, run once
        prices = prices or data["prices"]  # one document, so one price base for every council
        t = data["totals"]
        figs = figures(area)
        areas.append({
            "code": area.ons_code,
            "name": area.name,
            "cassr": prof.cassr,
            "beneficiaries": t["beneficiaries"],
            "cost": t["cost"],
            "gross_savings": t["gross_savings"],
            "overlap_deduction": t["overlap_deduction"],
            "net_savings": t["net_savings"],
            "setup_investment": t["setup_investment"],
            "interventions": {
                i["id"]: {"beneficiaries": i["beneficiaries"], "net_savings": i["net_savings"]}
                for i in data["interventions"]
            },
            "region": council_region(area.ons_code),
            "profile": prof.profile,
            "figures": {k: {"value": q.value, "status": q.status, "source": figure_source(q)} for k, q in figs.items()},
            "estimated": list(prof.estimated),
            "notes": list(prof.notes),
            "not_modelled": data["not_modelled"],
            "inputs": _input_counts(ev.parameters),
        })
        if progress:
            progress(area.name)
    n_est = sum(len(a["estimated"]) for a in areas)
    n_fig = sum(len(a["figures"]) for a in areas)
    by_source: dict[str, int] = {}
    for a in areas:
        for f in a["figures"].values():
            by_source[f["source"]] = by_source.get(f["source"], 0) + 1
    profiles: dict[str, int] = {}
    for a in areas:
        profiles[a["profile"]] = profiles.get(a["profile"], 0) + 1
    read: dict[str, int] = {}
    for a in areas:
        for k, v in a["inputs"].items():
            read[k] = read.get(k, 0) + v
    n_in = sum(read.values())
    totals = {
        "councils": len(areas),
        "beneficiaries": round(sum(a["beneficiaries"] for a in areas), 3),
        "cost": round(sum(a["cost"] for a in areas), 2),
        "gross_savings": _sum_payers(a["gross_savings"] for a in areas),
        "overlap_deduction": _sum_payers(a["overlap_deduction"] for a in areas),
        "net_savings": _sum_payers(a["net_savings"] for a in areas),
        "setup_investment": round(sum(a["setup_investment"] for a in areas), 2),
        "figures": n_fig,
        "estimated_figures": n_est,
        "estimated_share": round(n_est / n_fig, 4) if n_fig else 0.0,
        "figures_by_source": dict(sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "councils_by_profile": profiles,
        "councils_with_estimates": sum(1 for a in areas if a["estimated"]),
        # every number the councils' runs read (area figures and the evidence's), by kind: a
        # wider count than "figures" (the area profiles' own figures), for context
        "inputs": {"count": n_in, "by_kind": dict(sorted(read.items())),
                   "estimated_share": round(read.get("area: estimated", 0) / n_in, 4) if n_in else 0.0},
    }
    return {
        "basis": "potential" if document is None else document.basis,
        "portfolio": lib.portfolios.default if document is None or document.interventions is None else list(document.interventions),
        "scenario": None if document is None else {"id": document.scenario_id, "note": document.note},
        "boundaries": inputs.boundaries,
        "units": f"GBP a year at full scale, {(prices or {}).get('label', 'no councils')}; beneficiaries are people a year",
        "prices": prices,
        "sources": _sources(inputs),
        "areas": areas,
        "excluded": list(inputs.excluded),
        "totals": totals,
        "regions": regional_totals(areas),
        "ranked": ranked_councils(areas),
    }
