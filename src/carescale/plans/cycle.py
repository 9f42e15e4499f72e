"""The whole cycle without files (issue 24; docs/plans.md, "In the web app and the API"): a logic
model from a few plain answers (the web's question pages and ``POST /api/v1/logic-models``), stored
by the hash of its canonical JSON; a plan created from a stored logic model or a library model; and
a plan's history as the plan page shows it (targets against actuals, each rate's posterior over
time). Everything here calls the same functions as the CLI (:mod:`.logic_model`, :mod:`.plan`,
:mod:`.review`) and the same store; the web app only reads forms and lays the results out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

from pydantic import Field, model_validator

from ..errors import PlanError, UnknownIdError
from ..library import Library, default_library
from ..schema.base import MAX_VALUE, Payer, StrictModel, bounded_text
from ..schema.plan import MAX_ID, MAX_NAME, Date, FundingRoute, ReviewPeriod
from .logic_model import library_with, parse_logic_model

Start = Literal["model", "case-study", "blank"]
#: Where the figures of a logic model built from answers come from (the derivation of each).
ENTERED = "entered in carescale's logic-model builder: the council's own assumption, to be tested by the reviews"
OWN_DOCUMENT = "own-evidence"
MAX_TEXT = 2_000
MAX_LINES = 20


def _slug(text: str, most: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:most].strip("-")
    return s or "outcome"


# -- the answers -----------------------------------------------------------------------------


class OutcomeAnswer(StrictModel):
    """One outcome that saves money: what it is, who saves, the share of the people supported who
    achieve it in a year, and what each one saves (pounds)."""

    description: bounded_text(500)  # type: ignore[valid-type]
    payer: Payer
    rate: float = Field(gt=0, le=1)
    saving: float = Field(gt=0, le=MAX_VALUE)


class OwnDocument(StrictModel):
    """A blank logic model's evidence: the council's own document and a sentence from it."""

    title: bounded_text(500)  # type: ignore[valid-type]
    publisher: bounded_text(500)  # type: ignore[valid-type]
    quote: bounded_text(MAX_TEXT)  # type: ignore[valid-type]


Lines = tuple[bounded_text(MAX_TEXT), ...]  # type: ignore[valid-type]


class Answers(StrictModel):
    """The answers of the logic-model builder (one question a page), from which
    :func:`logic_model_data` writes a complete logic model. Shares are fractions (0.005 is 0.5%),
    money is pounds a person a year in ``price_year`` prices."""

    start: Start = "blank"
    source: str | None = None  # the promising model or case study it starts from
    name: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    description: bounded_text(MAX_TEXT)  # type: ignore[valid-type]
    transformation_area: int = Field(1, ge=1, le=5)
    target_group: bounded_text(500)  # type: ignore[valid-type]
    cohort: str
    take_up: float = Field(gt=0, le=1)
    unit_cost: float = Field(gt=0, le=MAX_VALUE)
    council_share: float = Field(ge=0, le=1)
    outcomes: tuple[OutcomeAnswer, ...] = Field(min_length=1, max_length=10)
    activities: Lines = Field(min_length=1, max_length=MAX_LINES)
    assumptions: Lines = Field(min_length=1, max_length=MAX_LINES)
    short_term_outcomes: Lines = Field(min_length=1, max_length=MAX_LINES)
    longer_term_outcomes: Lines = Field((), max_length=MAX_LINES)
    resources: Lines = Field(min_length=1, max_length=MAX_LINES)
    own_contribution: Lines = Field((), max_length=MAX_LINES)
    evidence: bounded_text(MAX_TEXT)  # type: ignore[valid-type]
    evidence_level: int = Field(ge=1, le=5)
    evidence_reason: bounded_text(MAX_TEXT)  # type: ignore[valid-type]
    document: OwnDocument | None = None
    price_year: str = Field("2024/25", pattern=r"^\d{4}/\d{2}$")

    @model_validator(mode="after")
    def _check(self) -> "Answers":
        if self.start != "blank" and not self.source:
            raise ValueError(f"source: starting from a {self.start.replace('-', ' ')}, name which one")
        if self.start == "blank" and self.document is None:
            raise ValueError("document: a logic model started blank needs the document its figures come from")
        return self


def _can_start(iv: Any) -> bool:
    """A logic model starts from a promising model (no figures yet) or from a model calibrated to
    one site (issue 23: runnable on that site's figures, which a council replaces with its own;
    its ``missing_numbers`` say what to add)."""
    return iv.status == "promising" or bool(iv.calibration)


def starting_points(library: Library | None = None) -> dict[str, list[dict[str, str]]]:
    """The promising models, the models calibrated to one site, and the case studies a logic
    model can start from."""
    lib = library or default_library()
    models = [{"id": iv.id, "name": iv.name, "target_group": iv.target_group}
              for iv in sorted(lib.interventions.values(), key=lambda i: i.name) if _can_start(iv)]
    cases = [{"id": c.id, "name": c.name, "place": c.place}
             for c in sorted(lib.case_studies.values(), key=lambda c: c.name)]
    return {"models": models, "case_studies": cases}


def _source(start: str, source: str | None, lib: Library) -> Any:
    if start == "model":
        if source not in lib.interventions or not _can_start(lib.interventions[source]):
            promising = [i for i, iv in lib.interventions.items() if _can_start(iv)]
            raise UnknownIdError("promising or calibrated model", str(source), promising)
        return lib.interventions[source]
    if start == "case-study":
        return lib.case_study(str(source))
    return None


def draft(start: str, source: str | None = None, library: Library | None = None) -> dict[str, Any]:
    """The answers filled in from a promising model's record or a case study (its name, what it
    does, who it is for, its evidence and grade); a blank start fills in nothing but the
    defaults. Every number is left for the council to give."""
    lib = library or default_library()
    if start not in ("model", "case-study", "blank"):
        raise PlanError(f"start: {start!r} is not a way to start; give model, case-study or blank")
    try:
        rec = _source(start, source, lib)
    except UnknownIdError as exc:
        raise PlanError(f"source: {exc.message}") from None
    out: dict[str, Any] = {"start": start, "cohort": "population_65_plus", "council_share": 0.5,
                           "price_year": "2024/25"}
    if start == "model":
        out.update(source=rec.id, name=rec.name, description=" ".join(rec.description.split()),
                   transformation_area=rec.transformation_area, target_group=rec.target_group,
                   evidence=" ".join(rec.evidence.split()), evidence_level=rec.evidence_grade.level,
                   evidence_reason=" ".join(rec.evidence_grade.reason.split()))
    elif start == "case-study":
        based = next((lib.interventions[m] for m in rec.models if m in lib.interventions), None)
        out.update(source=rec.id, name=f"{rec.name}", description=" ".join(rec.what_was_done.split()),
                   transformation_area=based.transformation_area if based else 1, target_group=rec.target_group,
                   evidence=f"{rec.name} ({rec.place}, {rec.period}): " + " ".join(rec.what_was_done.split()),
                   evidence_level=rec.evidence_grade.level,
                   evidence_reason=" ".join(rec.evidence_grade.reason.split()))
    return out


def source_notes(start: str, source: str | None, library: Library | None = None) -> dict[str, Any]:
    """What the builder shows beside the questions: the numbers the evidence does not give yet
    (a promising model) or the results a case study reported, and the reference the figures will cite."""
    lib = library or default_library()
    rec = _source(start, source, lib)
    if rec is None:
        return {"missing": [], "results": [], "reference": None}
    ref = _reference(start, rec)
    if start == "model":
        return {"missing": list(rec.missing_numbers), "results": [], "reference": ref}
    return {"missing": [], "reference": ref,
            "results": [{"description": r.description, "value": r.value.value, "unit": r.value.unit} for r in rec.results]}


def _reference(start: str, rec: Any) -> dict[str, str]:
    if start == "model":
        first = rec.references[0] if rec.references else rec.evidence_ref
    else:
        first = rec.refs[0]
    return first.model_dump()


def logic_model_data(answers: Answers | dict[str, Any], library: Library | None = None) -> dict[str, Any]:
    """A complete logic model (the YAML ``carescale logic-model validate`` reads) from the
    builder's answers: every number a ``Quantity`` with its unit, price year, status
    ``assumption``, the derivation :data:`ENTERED` and the reference of the model or case study it
    starts from (or the council's own document). Validate it with :func:`build_logic_model`."""
    lib = library or default_library()
    a = answers if isinstance(answers, Answers) else Answers.model_validate(answers)
    rec = _source(a.start, a.source, lib)
    documents: dict[str, Any] = {}
    if rec is None:
        doc = a.document
        if doc is None:  # Answers refuses it; kept for an Answers built without validation
            raise PlanError("document: a logic model started blank needs the document its figures come from")
        documents[OWN_DOCUMENT] = {"title": doc.title, "publisher": doc.publisher, "date": a.price_year[:4]}
        ref = {"document": OWN_DOCUMENT, "section": "as entered in the logic-model builder", "quote": doc.quote}
    else:
        ref = _reference(a.start, rec)

    def q(value: float, unit: str, why: str = ENTERED) -> dict[str, Any]:
        out: dict[str, Any] = {"value": value, "unit": unit}
        if unit.startswith("GBP"):
            out["price_year"] = a.price_year
        out.update(status="assumption", derivation=why, ref=dict(ref))
        return out

    based_on = None
    if a.start == "model":
        based_on = rec.id
    elif a.start == "case-study":
        based_on = next((m for m in rec.models if m in lib.interventions), None)
    model_id = _slug(a.name)
    if model_id in lib.interventions:
        model_id = f"{model_id}-local"
    outcomes, seen = [], set()
    for o in a.outcomes:
        oid = _slug(o.description)
        n = 2
        while oid in seen:
            oid, n = f"{_slug(o.description, 55)}-{n}", n + 1
        seen.add(oid)
        outcomes.append({"id": oid, "description": o.description, "term": "short", "payer": o.payer,
                         "rate": q(o.rate, "proportion"), "unit_saving": q(o.saving, "GBP_per_person_per_year")})
    data: dict[str, Any] = {"id": model_id, "name": a.name}
    if based_on:
        data["based_on"] = based_on
    data.update(
        transformation_area=a.transformation_area,
        description=a.description,
        target_group=a.target_group,
        theory_of_change={
            "inputs": {"staff": [], "volunteers": [], "own_contribution": list(a.own_contribution),
                       "resources": list(a.resources)},
            "activities": list(a.activities),
            "assumptions": list(a.assumptions),
            "short_term_outcomes": list(a.short_term_outcomes),
            "longer_term_outcomes": list(a.longer_term_outcomes),
            "impacts": [],
        },
        cohort=a.cohort,
        take_up=q(a.take_up, "proportion"),
        unit_cost=q(a.unit_cost, "GBP_per_person_per_year"),
        cost_shares={
            "asc": q(a.council_share, "proportion"),
            "nhs": q(round(1 - a.council_share, 10), "proportion", f"1 - {a.council_share:g} = {1 - a.council_share:g}"),
        },
        outcomes=outcomes,
        evidence=a.evidence,
        evidence_ref=dict(ref),
        evidence_grade={"level": a.evidence_level, "reason": a.evidence_reason},
    )
    if documents:
        data["documents"] = documents
    return data


def build_logic_model(answers: Answers | dict[str, Any], library: Library | None = None,
                      name: str = "logic_model") -> tuple[Any, dict[str, Any]]:
    """(the checked :class:`~carescale.schema.logic_model.LogicModel`, its data) from the answers;
    checked exactly as ``carescale logic-model validate`` checks a file (messages start ``name:``)."""
    lib = library or default_library()
    if not isinstance(answers, Answers):
        from ..library import parse_model

        answers = parse_model(Answers, answers, name)
    data = logic_model_data(answers, lib)
    return parse_logic_model(data, name, lib), data


def save_logic_model(data: dict[str, Any], *, url: str | None = None, library: Library | None = None,
                     owner: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Check a logic model (as ``logic-model validate``) and store it by the hash of its
    canonical JSON (written once; the same model, the same key); ``owner``, an organisation,
    becomes one of its owners. Returns its record."""
    from ..store import open_store

    lm = parse_logic_model(data, "logic_model", library)
    key = open_store(url).save_logic_model(lm.id, lm.model_dump(mode="json"), owner=owner, actor=actor)
    return stored_logic_model(key, url=url)


def stored_logic_model(key: str, *, url: str | None = None) -> dict[str, Any]:
    """A stored logic model: ``{"key", "id", "name", "logic_model"}``; an unknown key is a
    one-line PlanError naming it."""
    from ..errors import StoreUnavailableError, StoreError
    from ..store import open_store

    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-f]{16,128}", key):
        raise PlanError(f"logic_model: {key!r} is not a saved logic model (unknown logic model; a key is the hex "
                        "hash it was saved under)")
    try:
        data = open_store(url).load_logic_model(key)
    except StoreUnavailableError:
        raise
    except StoreError:
        raise PlanError(f"logic_model: {key!r} is not a saved logic model (unknown logic model); save one first") from None
    return {"key": key, "id": data["id"], "name": data["name"], "logic_model": data}


# -- plans -----------------------------------------------------------------------------------


class PhaseIn(StrictModel):
    name: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    start: Date
    end: Date
    scale: float = Field(ge=0, le=1)


class ReducedLineIn(StrictModel):
    name: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    spend_line: str | None = None
    amount: float = Field(gt=0, le=MAX_VALUE)  # pounds a year


class FundingIn(StrictModel):
    route: FundingRoute
    reduced_service_lines: tuple[ReducedLineIn, ...] = ()
    source: bounded_text(MAX_NAME) | None = None  # type: ignore[valid-type]


class BaselineIn(StrictModel):
    """What would be expected without the service: exactly one of ``official`` (the council's own
    official data: ``ascof-2a2``), ``rate`` (a yearly rate from the evidence, a fraction) or
    ``comparison`` (a comparison group recorded at each review: ``matched`` or ``waiting-list``)."""

    official: Literal["ascof-2a2"] | None = None
    rate: float | None = Field(None, gt=0, le=1)
    comparison: Literal["matched", "waiting-list"] | None = None


class CounterfactualIn(StrictModel):
    """An outcome observed among the people served (admissions, care packages started, people
    still at home), and its baseline (docs/plans.md, "A counterfactual for observed outcomes")."""

    id: bounded_text(MAX_ID) | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")  # type: ignore[valid-type]
    description: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    baseline: BaselineIn


class PlanRequest(StrictModel):
    """A plan without files: the model is a stored logic model (``logic_model``, its key) or a
    runnable model of the library (``library``); the area is an id (a scenario document file
    cannot be named over the web); money is pounds."""

    id: bounded_text(MAX_ID) = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")  # type: ignore[valid-type]
    name: bounded_text(MAX_NAME)  # type: ignore[valid-type]
    logic_model: str | None = None
    library: str | None = None
    area: str
    start: Date
    end: Date
    review_period: ReviewPeriod = "quarterly"
    budget: float = Field(gt=0, le=MAX_VALUE)
    phases: tuple[PhaseIn, ...] = Field(min_length=1, max_length=20)
    funding: FundingIn
    note: bounded_text(MAX_TEXT) | None = None  # type: ignore[valid-type]
    created_by: bounded_text(MAX_ID) | None = None  # type: ignore[valid-type]
    counterfactual: tuple[CounterfactualIn, ...] = Field((), max_length=10)

    @model_validator(mode="after")
    def _one(self) -> "PlanRequest":
        if (self.logic_model is None) == (self.library is None):
            raise ValueError("give exactly one of logic_model (a stored logic model's key) or library (a model id)")
        return self


def plan_spec_data(req: PlanRequest, price_year: str) -> dict[str, Any]:
    """The plan file (``schema.plan.PlanSpec``) a request describes: budget and service lines as
    ``Quantity``s referring to the plan itself (its own document ``plan-as-entered``)."""
    ref = {"document": "plan-as-entered", "section": "the plan as entered",
           "quote": f"{req.name}: budget £{req.budget:,.2f}"}

    def money(value: float, unit: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "price_year": price_year, "status": "assumption",
                "derivation": "entered when the plan was created", "ref": dict(ref)}

    return {
        "id": req.id, "name": req.name,
        "model": {"library": req.library or "-"},  # replaced by the resolved model (create_plan_from)
        "area": req.area, "start": req.start.isoformat(), "end": req.end.isoformat(),
        "review_period": req.review_period, "budget": money(req.budget, "GBP"),
        "phases": [{"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat(), "scale": p.scale}
                   for p in req.phases],
        "funding": {"route": req.funding.route, "source": req.funding.source,
                    "reduced_service_lines": [
                        {"name": ln.name, "spend_line": ln.spend_line, "amount": money(ln.amount, "GBP_per_year")}
                        for ln in req.funding.reduced_service_lines]},
        "note": req.note,
        "counterfactual": [_counterfactual(c, ref) for c in req.counterfactual],
        "documents": {"plan-as-entered": {"title": f"{req.name} (the plan as entered in carescale)",
                                          "publisher": "the council", "date": req.start.isoformat()[:4]}},
    }


def _counterfactual(c: CounterfactualIn, ref: dict[str, str]) -> dict[str, Any]:
    b = c.baseline
    given = {k: v for k, v in (("official", b.official), ("comparison", b.comparison)) if v is not None}
    if b.rate is not None:
        given["rate"] = {"value": b.rate, "unit": "proportion", "status": "assumption",
                         "derivation": "the yearly rate without the service, entered when the plan was created",
                         "ref": dict(ref)}
    return {"id": c.id or _slug(c.description, 40), "description": c.description, "baseline": given}


def create_plan_from(req: PlanRequest | dict[str, Any], *, by: str | None = None, url: str | None = None,
                     library: Library | None = None, owner: str | None = None,
                     actor: str | None = None) -> dict[str, Any]:
    """Create and store a plan from a request (the web's plan page, ``POST /api/v1/plans``): the
    same targets, schedule, NPV and scenario document as ``carescale plans create`` derives for the
    same plan file, stored in the same store. Returns what ``plans show`` prints."""
    from ..library import parse_model
    from ..schema.plan import PlanSpec
    from ..store import open_store
    from ..store.core import canonical_json, now
    from ..store.models import PlanRow
    from .logic_model import check_refs
    from .plan import build_definition, show_plan, who

    req = req if isinstance(req, PlanRequest) else parse_model(PlanRequest, req, "plan")
    lib0 = library or default_library()
    lm_data = None
    if req.logic_model is not None:
        lm_data = stored_logic_model(req.logic_model, url=url)["logic_model"]
        lm = parse_logic_model(lm_data, "logic model", lib0)
        lib = library_with(lm, lib0)
        model_id, price_year = lm.id, lm.unit_cost.price_year or "2024/25"
    else:
        lib = lib0
        iv = lib.intervention(str(req.library))
        model_id = iv.id
        price_year = next((s.unit_cost.price_year for s in iv.segments if s.unit_cost and s.unit_cost.price_year), "2024/25")
    data = plan_spec_data(req, price_year)
    data["model"] = {"library": model_id}  # the logic model is in ``lib`` as a model like any other
    spec = parse_model(PlanSpec, data, "plan")
    check_refs(lib, spec, "plan", spec.documents)
    definition, doc, _ = build_definition(spec, None, "plan", lib)
    store = open_store(url)
    if store.get_plan(spec.id) is not None:
        raise PlanError(f"plan: id: a plan {spec.id!r} is already saved; plans are never overwritten, choose another id")
    scenario_id = store.save_scenario_document(doc)
    lm_key = None
    if lm_data is not None:
        lm_key = req.logic_model
        definition["model"].update(kind="logic_model", logic_model_hash=lm_key)
        definition["spec"]["model"] = {"library": None, "logic_model": f"stored logic model {lm_key}"}
    store.add_plan(PlanRow(
        id=spec.id, name=spec.name, definition_json=canonical_json(definition), scenario_id=scenario_id,
        logic_model_id=lm_key, start_date=spec.start, end_date=spec.end, created_by=who(by or req.created_by or "web"),
        created_at=now(), owner_org=owner, public=False,
    ), actor=actor)
    return show_plan(spec.id, url=url)


# -- a plan's history as the plan page shows it ------------------------------------------------


def history(plan_id: str, *, url: str | None = None) -> dict[str, Any]:
    """``plans show`` plus what the plan page lays out: for each review, people and spend against
    the plan for the same period and each outcome against the number that breaks even; for each
    tracked outcome, its rate's prior and posterior after every review (mean and 90% interval)."""
    from .plan import load_plan, show_plan
    from .review import _interval

    shown = show_plan(plan_id, url=url)
    plan, row = load_plan(plan_id, url=url)
    d = plan.definition
    rows = []
    for r in row.reviews:
        start, end = r.period_start, r.period_end
        planned = plan.planned_people(start, end)
        details = json.loads(r.recommendation.details_json) if r.recommendation else {}
        outs = {}
        for o in d["outcomes"]:
            rate = o["break_even_rate"]
            got = next((x.achieved for x in r.outcomes if x.outcome_id == o["id"]), 0)
            outs[o["id"]] = {"achieved": got,
                             "break_even": None if rate is None else round(rate * r.people_supported, 1)}
        rows.append({
            "number": r.number, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "people_supported": r.people_supported, "planned_people": round(planned, 1),
            "money_spent": float(r.money_spent), "planned_spend": round(planned * d["unit_cost"], 2),
            "outcomes": outs,
            "decision": r.recommendation.decision if r.recommendation else None,
            "reason": r.recommendation.reason if r.recommendation else None,
            "expected_npv": r.recommendation.expected_npv if r.recommendation else None,
            "prob_saving": r.recommendation.prob_saving if r.recommendation else None,
            "cost_per_person": (details.get("updated") or {}).get("cost_per_person", {}).get("mean"),
            "recorded_by": r.recorded_by,
        })
    series = []
    for o in d["outcomes"]:
        points = []
        for r in row.reviews:
            details = json.loads(r.recommendation.details_json) if r.recommendation else {}
            got = next((x for x in details.get("outcomes", []) if x["id"] == o["id"]), None)
            if got is None:
                continue
            if not points:  # the prior, at the plan's start
                a0, b0 = got["prior"]["a"], got["prior"]["b"]
                lo, hi = _interval(a0, b0)
                points.append({"label": "before any review", "date": d["spec"]["start"], "review": 0,
                               "mean": round(a0 / (a0 + b0), 6), "p05": round(lo, 6), "p95": round(hi, 6)})
            post = got["posterior"]
            points.append({"label": f"after review {r.number}", "date": r.period_end.isoformat(), "review": r.number,
                           "mean": post["mean"], "p05": post["p05"], "p95": post["p95"]})
        series.append({"id": o["id"], "description": o["description"], "break_even_rate": o["break_even_rate"],
                       "evidence_rate": o["evidence_rate"], "points": points})
    return {**shown, "rows": rows, "series": series}


def next_period_start(plan_id: str, *, url: str | None = None) -> dt.date:
    """The day the next review's period starts (the plan's start, or the day after the last review)."""
    from .plan import load_plan

    plan, row = load_plan(plan_id, url=url)
    return row.reviews[-1].period_end + dt.timedelta(days=1) if row.reviews else plan.start
