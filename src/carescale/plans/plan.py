"""Investment plans: create one from a plan file (targets per outcome from the break-even
analysis), store it, and read it back with its history (docs/plans.md)."""

from __future__ import annotations

import calendar
import datetime as dt
import getpass
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..appraisal import make_settings
from ..errors import PlanError, SettingsError
from ..library import Library, default_library, display_path, parse_model, read_yaml
from ..library.core import council_profiles
from ..scenarios import load_scenario
from ..schema import Intervention
from ..schema.plan import MAX_ID, PERIOD_MONTHS, PlanSpec
from ..uncertainty import Model, switching_values
from .counterfactual import resolve as resolve_counterfactual
from .logic_model import check_refs, library_with, parse_logic_model
from .records import review_record
from .scenario_adapter import area_label, evaluation, make_document

DAYS_PER_YEAR = 365.25


def who(by: str | None) -> str:
    """Who recorded something: the name given, else the login name."""
    if by and by.strip():
        by = by.strip()
        if len(by) > MAX_ID:
            raise PlanError(f"--by: a name of {len(by):,} characters is too long; give at most {MAX_ID} characters")
        if "\x00" in by:
            raise PlanError("--by: contains a NUL character (\\x00); text may not contain NUL characters")
        return by
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container): say so
        return "unknown"


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus ``months`` calendar months (the last day of a shorter month); past the last
    date Python can hold, that date (9999-12-31)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class TrackedOutcome:
    """An outcome rate the plan tracks: its evidence value, break-even target and paths."""

    id: str
    description: str
    payer: str
    paths: tuple[str, ...]
    evidence_rate: float
    break_even_rate: float | None
    target: str


@dataclass(frozen=True)
class Plan:
    """A stored plan (its ``definition`` is what ``plans show`` prints)."""

    id: str
    definition: dict[str, Any]

    @property
    def spec(self) -> PlanSpec:
        return PlanSpec.model_validate(self.definition["spec"])

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.definition["spec"]["start"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.definition["spec"]["end"])

    @property
    def outcomes(self) -> list[TrackedOutcome]:
        return [TrackedOutcome(**{**o, "paths": tuple(o["paths"])}) for o in self.definition["outcomes"]]

    @property
    def intervention_id(self) -> str:
        return self.definition["model"]["id"]

    def planned_people(self, start: dt.date, end: dt.date) -> float:
        """People the plan expects to support from ``start`` to ``end`` (inclusive): the
        model's people a year at full scale x each phase's scale x the days of the phase in the
        period / 365.25."""
        full = self.definition["full_scale_people_per_year"]
        total = 0.0
        for ph in self.definition["spec"]["phases"]:
            a = max(start, dt.date.fromisoformat(ph["start"]))
            b = min(end, dt.date.fromisoformat(ph["end"]))
            if b >= a:
                total += full * ph["scale"] * ((b - a).days + 1) / DAYS_PER_YEAR
        return total

    def planned_spend(self, start: dt.date, end: dt.date) -> float:
        return self.planned_people(start, end) * self.definition["unit_cost"]


def _tracked(iv: Intervention) -> list[dict[str, Any]]:
    """Outcomes with a rate, grouped by id across segments (one rate per id is tracked)."""
    out: dict[str, dict[str, Any]] = {}
    for seg in iv.segments:
        for o in seg.outcomes:
            if o.rate is None:
                continue
            path = f"{iv.id}.{seg.id}.outcomes.{o.id}.rate"
            item = out.setdefault(
                o.id, {"id": o.id, "description": o.description, "payer": o.payer, "paths": [], "evidence_rate": o.rate.value}
            )
            item["paths"].append(path)
    return list(out.values())


def resolve_model(spec: PlanSpec, base_dir: Path | None, name: str, library: Library) -> tuple[Library, Intervention, dict | None]:
    """(library holding the model, the model as an intervention, the logic model's data or None)."""
    if spec.model.library is not None:
        iv = library.intervention(spec.model.library)
        library.require_runnable(iv)
        return library, iv, None
    path = Path(spec.model.logic_model)  # type: ignore[arg-type]
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    data = read_yaml(path)
    lm = parse_logic_model(data, display_path(path), library)
    lib = library_with(lm, library, display_path(path))
    return lib, lib.interventions[lm.id], lm.model_dump(mode="json")


def _break_even(scenario: Any, iv: Intervention) -> dict[str, dict[str, Any]]:
    """Switching value of each outcome rate, council and NHS together (annual net saving).
    The engine runs here are of other values (each rate moved off its base), not a second run
    of the plan's document: they stay."""
    model = Model.build(scenario)
    sv = switching_values(scenario, model.params, model.groups, model.defaults)
    out: dict[str, dict[str, Any]] = {}
    for row in sv.get(iv.id, []):
        if row["perspective"] == "total" and row["parameter"].endswith(".rate") and ".outcomes." in row["parameter"]:
            out[row["parameter"]] = row
    return out


def build_definition(spec: PlanSpec, base_dir: Path | None, name: str, library: Library | None = None) -> tuple[dict[str, Any], Any, dict | None]:
    """The stored definition of a plan: the spec, the model, the scenario document, the tracked
    outcomes with their break-even targets, and the schedule of reviews with planned people,
    spend and outcome targets. Returns (definition, scenario document, logic model data)."""
    lib0 = library or default_library()
    base = None
    if spec.scenario is not None:
        path = Path(spec.scenario)
        base = load_scenario(path if path.is_absolute() or base_dir is None else base_dir / path)
    elif spec.area not in lib0.areas and spec.area not in council_profiles():
        raise PlanError(f"{name}: area: unknown area {spec.area!r}; valid areas are: {', '.join(sorted(lib0.areas))}")
    lib, iv, lm_data = resolve_model(spec, base_dir, name, lib0)
    for line in spec.funding.reduced_service_lines:
        if line.spend_line and line.spend_line not in lib.vocabulary.spend_lines:
            raise PlanError(
                f"{name}: funding.reduced_service_lines[{line.name}].spend_line: unknown spend line "
                f"{line.spend_line!r}; valid spend lines are: {', '.join(sorted(lib.vocabulary.spend_lines))}"
            )
    tracked = _tracked(iv)
    if not tracked:
        raise PlanError(
            f"{name}: model: {iv.id!r} has no outcome with a rate to review against; a plan tracks "
            "outcome rates (write a logic model with rates for its outcomes)"
        )
    target_scale = max(ph.scale for ph in spec.phases)
    try:  # the reviews appraise the plan from its start: refuse now what they could not run
        make_settings({**(base.appraisal.model_dump(mode="json") if base is not None else {}),
                       "start_date": spec.start.isoformat()})
    except SettingsError as exc:
        raise PlanError(f"{name}: start: {exc.message.removeprefix('start_date: ')}") from None
    doc = make_document(iv.id, area=spec.area, base=base, note=f"plan {spec.id}: {iv.name}", start=spec.start)
    ev = evaluation(doc, lib)  # built once and run once; the break-even analysis reads its scenario
    item = next(i for i in ev.run["interventions"] if i["id"] == iv.id)
    people_year = float(item["beneficiaries"])
    switching = _break_even(ev.scenario, iv)
    outcomes = []
    for t in tracked:
        row = switching.get(t["paths"][0])
        rate = row["switch"] if row else None
        text = (row.get("target") or row.get("reason")) if row else (
            f"No break-even target: the net saving of {iv.name} does not depend on this outcome's rate"
        )
        outcomes.append({**t, "break_even_rate": rate, "target": text})
    unit_cost = float(sum(seg.unit_cost.value for seg in iv.segments if seg.unit_cost) / max(1, len(iv.segments)))
    # The plan's document: the model at the plan's target scale (at full scale, the document the
    # targets came from). Its NPV on the one yardstick (the document's appraisal settings) is what
    # the reviews update and what `logic-model run` gives for the same document.
    plan_doc = doc if target_scale == 1.0 else make_document(
        iv.id, area=spec.area, scale=target_scale, base=base, note=f"plan {spec.id}: {iv.name}", start=spec.start)
    plan_eval = ev if plan_doc is doc else evaluation(plan_doc, lib)
    settings = plan_eval.appraisal_summary()["settings"]
    definition: dict[str, Any] = {
        "spec": spec.model_dump(mode="json"),
        "model": {"kind": "library" if lm_data is None else "logic_model", "id": iv.id, "name": iv.name,
                  "evidence_level": iv.evidence_grade.level},
        "scenario_id": plan_doc.scenario_id,
        "area": area_label(plan_doc),
        "target_scale": target_scale,
        "full_scale_people_per_year": people_year,
        "unit_cost": unit_cost,
        "outcomes": outcomes,
        "npv": plan_eval.appraisal_summary()["portfolio"]["metrics"]["npv"],
        "yardstick": {"years": settings["years"], "optimism_bias": settings["optimism_bias"],
                      "start_date": settings["start_date"]},
    }
    if spec.counterfactual:
        definition["counterfactual"] = resolve_counterfactual(spec, ev.scenario.area, name, [t["id"] for t in tracked])
    plan = Plan(spec.id, definition)
    schedule = []
    start, n = spec.start, 1
    months = PERIOD_MONTHS[spec.review_period]
    while True:
        nxt = add_months(spec.start, months * n)
        end = spec.end if nxt == dt.date.max else min(nxt - dt.timedelta(days=1), spec.end)
        people = plan.planned_people(start, end)
        schedule.append({
            "number": n,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "planned_people": round(people, 1),
            "planned_spend": round(people * unit_cost, 2),
            "break_even_outcomes": {
                o["id"]: (None if o["break_even_rate"] is None else round(o["break_even_rate"] * people, 1))
                for o in outcomes
            },
        })
        if end >= spec.end:
            break
        start, n = end + dt.timedelta(days=1), n + 1
    definition["schedule"] = schedule
    planned_total = sum(p["planned_spend"] for p in schedule)
    definition["planned_spend"] = round(planned_total, 2)
    definition["within_budget"] = planned_total <= spec.budget.value + 0.005
    return definition, plan_doc, lm_data


def create_plan(
    path: Path | str,
    *,
    by: str | None = None,
    url: str | None = None,
    library: Library | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """Read a plan file, derive its targets, and store it (with its scenario document and, for
    a logic model, the logic model). ``owner``: the organisation it belongs to (``plans create
    --org``; None: nobody's until adopted). Returns what ``plans show`` prints."""
    from ..store import open_store
    from ..store.core import canonical_json, now
    from ..store.models import PlanRow

    path = Path(path)
    name = display_path(path)
    spec = parse_model(PlanSpec, read_yaml(path), name)
    lib = library or default_library()
    check_refs(lib, spec, name, spec.documents)
    definition, doc, lm_data = build_definition(spec, path.parent, name, lib)
    store = open_store(url)
    if store.get_plan(spec.id) is not None:
        raise PlanError(f"{name}: id: a plan {spec.id!r} is already saved; plans are never overwritten, choose another id")
    scenario_id = store.save_scenario_document(doc)
    lm_key = None
    if lm_data is not None:
        lm_key = store.save_logic_model(definition["model"]["id"], lm_data, owner=owner, actor=who(by))
        definition["model"]["logic_model_hash"] = lm_key
    row = PlanRow(
        id=spec.id,
        name=spec.name,
        definition_json=canonical_json(definition),
        scenario_id=scenario_id,
        logic_model_id=lm_key,
        start_date=spec.start,
        end_date=spec.end,
        created_by=who(by),
        created_at=now(),
        owner_org=owner,
        public=False,
    )
    store.add_plan(row)
    return show_plan(spec.id, url=url)


def unknown_plan(plan_id: str, known: list[str]) -> PlanError:
    valid = f"saved plans are: {', '.join(known)}" if known else "no plans are saved yet (carescale plans create PLAN.yaml)"
    return PlanError(f"plan {plan_id!r}: unknown plan; {valid}")


def load_plan(plan_id: str, *, url: str | None = None) -> tuple[Plan, Any]:
    """(the plan, its stored row with reviews); an unknown id raises a one-line PlanError."""
    from ..store import open_store

    store = open_store(url)
    row = store.get_plan(plan_id)
    if row is None:
        raise unknown_plan(plan_id, store.plan_ids())
    return Plan(row.id, json.loads(row.definition_json)), row


def plan_summary(row: Any) -> dict[str, Any]:
    from ..store.core import utc_iso

    d = json.loads(row.definition_json)
    last = row.reviews[-1] if row.reviews else None
    return {
        "id": row.id,
        "name": row.name,
        "model": d["model"]["id"],
        "area": d["area"],
        "start": d["spec"]["start"],
        "end": d["spec"]["end"],
        "reviews": len(row.reviews),
        "latest_recommendation": last.recommendation.decision if last is not None and last.recommendation else None,
        "created_by": row.created_by,
        "created_at": utc_iso(row.created_at),
        "owner": row.owner_org,
        "public": bool(row.public),
    }


def list_plans(*, url: str | None = None) -> list[dict[str, Any]]:
    from ..store import open_store

    return [plan_summary(r) for r in open_store(url).list_plans()]


def show_plan(plan_id: str, *, url: str | None = None) -> dict[str, Any]:
    """A plan with its targets, schedule and full history of reviews and recommendations."""
    plan, row = load_plan(plan_id, url=url)
    return {
        **plan_summary(row),
        "scenario_id": row.scenario_id,
        "definition": plan.definition,
        "history": [review_record(r) for r in row.reviews],
    }
