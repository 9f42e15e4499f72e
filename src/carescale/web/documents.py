"""The one adapter between the web app and the scenario document (``carescale.scenarios``;
docs/web.md, docs/scenarios.md).

Every page and API call describes "what was asked" as a scenario document and calls the
functions here; :func:`run`, :func:`appraise` and :func:`uncertainty` return what
``carescale run/appraise/uncertainty --format json`` print for the same document. Nothing else
in ``carescale.web`` touches the engine.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from ..errors import SettingsError

Progress = Callable[[str, int, int], None]


def parse(data: Any) -> Any:
    """A :class:`~carescale.scenarios.ScenarioDocument` from a JSON mapping (or one already
    parsed); a :class:`~carescale.errors.CarescaleError` starting with the field for anything
    invalid (``field: message``, which the API turns into field-level detail). Every document
    the web app handles comes through here with ``origin="web"``: a field naming a file on the
    server is refused (docs/security.md, "Files")."""
    from ..scenarios import ScenarioDocument, parse_data

    if isinstance(data, ScenarioDocument):
        if data.origin == "web":
            return data
        data = data.data()
    if not isinstance(data, Mapping):
        raise SettingsError("scenario: the body must be a JSON object (a scenario document)")
    return parse_data(dict(data), None, origin="web")


def runnable(data: Any) -> Any:
    """:func:`parse`, then build the scenario (ids, area, overrides, prices: no evaluation), so a
    document that cannot be run is refused before it is stored or queued, with the same one-line
    message ``run`` would give."""
    from ..scenarios import build_scenario

    doc = parse(data)
    build_scenario(doc)
    return doc


def scenario_id(doc: Any) -> str:
    return parse(doc).scenario_id


def canonical(doc: Any) -> dict[str, Any]:
    """The document as the JSON mapping it is stored and hashed as (every default filled in)."""
    return json.loads(parse(doc).canonical_json())


def updated(doc: Any, **changes: Any) -> Any:
    """A new document: ``doc`` with some top-level fields replaced (the old one is unchanged)."""
    data = canonical(doc)
    data.update(changes)
    return parse(data)


def run(doc: Any, bridge: bool = True, value: bool = True, shared: bool = False) -> dict[str, Any]:
    """What ``carescale run --format json`` prints (``bridge``/``value`` False: without that part,
    which is then not worked out). ``shared``: the scenario's Evaluation's own object, not a copy
    (read only: for an answer serialised at once, the API's)."""
    from ..scenarios import evaluate_document
    from ..scenarios.evaluation import copied

    out = evaluate_document(parse(doc)).run_output(bridge=bridge, value=value)
    return out if shared else copied(out)


def appraise(doc: Any, monthly: bool = False) -> dict[str, Any]:
    """``monthly``: also the flows month by month (as ``appraise --monthly``)."""
    from ..scenarios import appraise_document

    return appraise_document(parse(doc), monthly=monthly)


def cash(doc: Any) -> dict[str, Any]:
    """The cash budget view (as ``carescale cash``), with the default assumptions."""
    from ..scenarios import evaluate_document
    from ..scenarios.evaluation import copied

    return copied(evaluate_document(parse(doc)).cash_view())


def options(doc: Any) -> dict[str, Any]:
    """The options appraisal: business as usual, do minimum, preferred."""
    from ..scenarios import evaluate_document
    from ..scenarios.evaluation import copied

    return copied(evaluate_document(parse(doc)).options())


def uncertainty(doc: Any, progress: Progress | None = None) -> dict[str, Any]:
    from ..scenarios import uncertainty_document

    return uncertainty_document(parse(doc), progress=progress)


def draws(doc: Any) -> int:
    """How many Monte Carlo draws the document asks for."""
    return int(parse(doc).uncertainty.draws)


def scenario(doc: Any) -> Any:
    """The :class:`carescale.Scenario` a document describes (overrides, scale and prices applied)."""
    from ..scenarios import build_scenario

    return build_scenario(parse(doc)).scenario


def parameters(doc: Any) -> list[dict[str, Any]]:
    """Every number the document's run uses (as ``carescale parameters``) with its evidence value,
    unit, status, source quote and the model's evidence grade, and the document's override of it."""
    from ..engine import ParameterTable

    d = parse(doc)
    evidence = scenario(updated(d, overrides={}))
    ivs = {iv.id: iv for iv in evidence.interventions}
    overrides = overrides_of(d)
    out = []
    for p in ParameterTable.from_scenario(evidence):
        q = p.quantity
        iv = ivs.get(p.intervention or "")
        out.append({
            "path": p.path,
            "label": p.label,
            "kind": p.kind,
            "intervention": p.intervention,
            "value": q.value,
            "unit": q.unit,
            "status": q.status,
            "price_year": q.price_year or q.period or "",
            "published_value": p.published.value,
            "published_year": p.published.price_year or "",
            "derivation": q.derivation or "",
            "document": q.ref.document,
            "section": q.ref.section,
            "quote": q.ref.quote,
            "evidence_level": iv.evidence_grade.level if iv is not None else None,
            "override": overrides.get(p.path),
        })
    return out


def overrides_of(doc: Any) -> dict[str, dict[str, Any]]:
    """The document's overrides as ``{path: {"value": x, "note": text}}``."""
    return {
        path: {"value": o.value, "note": o.note or ""}
        for path, o in parse(doc).overrides.items()
    }
