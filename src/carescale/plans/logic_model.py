"""Logic models: read and check one, turn it into the library's :class:`Intervention`, run it
through the engine, appraisal and uncertainty (with its break-even targets), and write a template
to start from (blank, or from a promising model's record)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io.yaml import dump_yaml

from ..errors import InputFileError, UnknownIdError
from ..library import Library, default_library, display_path, parse_model, read_yaml
from ..scenarios.evaluation import copied
from ..schema.intervention import Intervention, Outcome, Segment, Sizing, Source
from ..schema.logic_model import LogicModel
from .scenario_adapter import evaluation, make_document

SEGMENT = "service"


def parse_logic_model(data: Any, name: str, library: Library | None = None) -> LogicModel:
    """Validate a logic model (a dict read from YAML), checked against the library like an
    evidence file: the cohort is in the vocabulary, references name known documents (the
    library's or the model's own), ``based_on`` names a model in the evidence library."""
    lib = library or default_library()
    gaps = unfilled(data)
    if gaps:
        more = f" (and {len(gaps) - 1} more to fill in)" if len(gaps) > 1 else ""
        raise InputFileError(f"{name}: {gaps[0]}: not filled in yet; the template leaves it empty{more}")
    lm = parse_model(LogicModel, data, name)
    if lm.cohort not in lib.vocabulary.cohorts:
        raise InputFileError(
            f"{name}: cohort: unknown cohort {lm.cohort!r}; valid cohorts are: "
            f"{', '.join(sorted(lib.vocabulary.cohorts))}"
        )
    if lm.based_on is not None and lm.based_on not in lib.interventions:
        raise InputFileError(
            f"{name}: based_on: unknown model {lm.based_on!r}; valid models are: "
            f"{', '.join(sorted(lib.interventions))}"
        )
    check_refs(lib, lm, name, dict(lm.documents))
    library_with(lm, lib, name)  # every other cross-check an evidence file gets
    return lm


def unfilled(data: Any, loc: str = "") -> list[str]:
    """Where a template is still unfilled: a ``value: null`` or a text starting ``FILL IN``."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            here = f"{loc}.{k}" if loc else str(k)
            if k == "value" and v is None:
                out.append(here)
            else:
                out.extend(unfilled(v, here))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            label = v.get("id") if isinstance(v, dict) and isinstance(v.get("id"), str) else i
            out.extend(unfilled(v, f"{loc}[{label}]"))
    elif isinstance(data, str) and data.startswith(FILL):
        out.append(loc)
    return out


def check_refs(lib: Library, record: Any, name: str, documents: dict[str, Any]) -> None:
    """Every reference in ``record`` names a document of the library or one of the record's own
    ``documents``."""
    lib.with_documents(documents, name).check_refs(record, name)


def load_logic_model(path: Path | str, library: Library | None = None) -> LogicModel:
    path = Path(path)
    return parse_logic_model(read_yaml(path), display_path(path), library)


def to_intervention(lm: LogicModel) -> Intervention:
    """The logic model as a runnable intervention with one segment (``service``): the same
    record the engine, appraisal and uncertainty read for every model in the library."""
    staff = lm.theory_of_change.inputs
    return Intervention(
        id=lm.id,
        name=lm.name,
        status="runnable",
        transformation_area=lm.transformation_area,
        transformation_area_note=None,
        description=lm.description,
        target_group=lm.target_group,
        source=Source(
            site=f"logic model {lm.id}",
            period="planned",
            description="The figures of the logic model (SCIE 2017, Appendix B)",
            ref=lm.evidence_ref,
        ),
        segments=(
            Segment(
                id=SEGMENT,
                description=lm.target_group,
                sizing=Sizing(basis="share_of_cohort", cohort=lm.cohort, rate=lm.take_up),
                unit_cost=lm.unit_cost,
                outcomes=tuple(
                    Outcome(id=o.id, description=o.description, payer=o.payer, rate=o.rate, unit_saving=o.unit_saving,
                            priced_by=o.priced_by)
                    for o in lm.outcomes
                ),
            ),
        ),
        cost_shares=lm.cost_shares,
        setup=lm.setup,
        ramp_up=lm.ramp_up,
        workforce=staff.staff + staff.volunteers,
        wider_benefits=lm.wider_benefits,
        evidence=lm.evidence,
        evidence_ref=lm.evidence_ref,
        evidence_grade=lm.evidence_grade,
    )


def library_with(lm: LogicModel, library: Library | None = None, name: str | None = None) -> Library:
    """The library with the logic model added as an intervention (and its own documents)."""
    lib = library or default_library()
    return lib.with_intervention(to_intervention(lm), name or lm.id, dict(lm.documents))


def rate_path(lm_or_iv: Any, outcome_id: str) -> str:
    """The parameter path of an outcome rate (``carescale parameters``)."""
    iv = lm_or_iv
    seg = iv.segments[0].id if isinstance(iv, Intervention) else SEGMENT
    return f"{iv.id}.{seg}.outcomes.{outcome_id}.rate"


# -- running ---------------------------------------------------------------------------------


def run_logic_model(
    lm: LogicModel,
    area: str | None = None,
    *,
    scenario: Any = None,
    library: Library | None = None,
    years: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """The logic model through the ordinary engine, appraisal and uncertainty, on a scenario
    document: ``scenario`` (the user's own, narrowed to this model) or a new one in ``area``
    (default Birmingham). Returns the same dicts as ``carescale run/appraise/uncertainty
    --format json`` (``run_document``, ``appraise_document``, ``uncertainty_document``), plus its
    break-even targets (switching values) by figure."""
    lib = library_with(lm, library)
    doc = make_document(lm.id, area=area, base=scenario, note=f"logic model {lm.id}")
    changes: dict[str, Any] = {}
    if years is not None:
        changes["appraisal"] = {**doc.appraisal.model_dump(mode="json"), "years": years}
    if draws is not None or seed is not None:
        unc = doc.uncertainty.model_dump()
        unc.update({k: v for k, v in (("draws", draws), ("seed", seed)) if v is not None})
        changes["uncertainty"] = unc
    if changes:
        doc = doc.with_changes(**changes)
    # One evaluation of the document: built once, run once, appraised once, Monte Carlo once
    # (copies, so a caller may change what it is given without changing the shared evaluation).
    ev = evaluation(doc, lib)
    unc = copied(ev.uncertainty())
    item = next(i for i in unc["interventions"] if i["id"] == lm.id)
    return {
        "logic_model": {"id": lm.id, "name": lm.name, "based_on": lm.based_on,
                        "evidence_level": lm.evidence_grade.level},
        "scenario": {"id": doc.scenario_id, "document": doc.data()},
        "run": copied(ev.run),
        "appraisal": copied(ev.appraisal_summary()),
        "uncertainty": unc,
        "break_even_targets": break_even_targets(item),
    }


def break_even_targets(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The break-even targets of one intervention's uncertainty block, council and NHS together:
    the figure each parameter must reach (all else at its value) for the service to pay for
    itself, with the sentence that says so."""
    out = []
    for sv in item.get("switching_values", []):
        if sv["perspective"] != "total":
            continue
        out.append({
            "parameter": sv["parameter"],
            "label": sv["label"],
            "unit": sv["unit"],
            "value": sv["base"],
            "break_even": sv["switch"],
            "target": sv.get("target") or sv.get("reason"),
        })
    return out


# -- templates -------------------------------------------------------------------------------

FILL = "FILL IN"


def template(from_model: str | None = None, library: Library | None = None, model_id: str | None = None) -> str:
    """A logic model to fill in, as YAML text. From a promising model's record (``from_model``)
    its name, description, target group, references and evidence grade are filled in and every
    number the seeds do not give (its ``missing_numbers``, listed at the top) is left empty
    (``value: null``); a blank template leaves everything to fill. Neither validates until the
    numbers are filled in."""
    lib = library or default_library()
    iv: Intervention | None = None
    if from_model is not None:
        if from_model not in lib.interventions:
            raise UnknownIdError("intervention", from_model, list(lib.interventions))
        iv = lib.interventions[from_model]
    if iv is not None:
        first = iv.references[0] if iv.references else iv.evidence_ref
        ref = first.model_dump()
    else:
        ref = {"document": "my-business-case", "section": FILL, "quote": f"{FILL}: the sentence the figure comes from, word for word"}

    def q(unit: str, value: float | None = None, derivation: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"value": value, "unit": unit}
        if unit.startswith("GBP"):
            out["price_year"] = "2023/24"
        out.update(status="assumption", derivation=derivation or f"{FILL}: the arithmetic behind the figure", ref=dict(ref))
        return out

    data: dict[str, Any] = {
        "id": model_id or (f"{iv.id}-local" if iv else "my-new-service"),
        "name": iv.name if iv else "My new service",
    }
    if iv:
        data["based_on"] = iv.id
    data.update(
        transformation_area=iv.transformation_area if iv else 1,
        description=" ".join(iv.description.split()) if iv else f"{FILL}: what the service does",
        target_group=iv.target_group if iv else f"{FILL}: who the service is for",
        theory_of_change={
            "inputs": {
                "staff": [{"role": "coordinators", "staff": q("people"), "per": q("people")}],
                "volunteers": [],
                "own_contribution": [f"{FILL}: what people who need support and their families contribute"],
                "resources": [],
            },
            "activities": [f"{FILL}: what the service does"],
            "assumptions": [f"{FILL}: what must hold for the activities to lead to the outcomes"],
            "short_term_outcomes": [f"{FILL}: the changes people make"],
            "longer_term_outcomes": [],
            "impacts": [],
        },
        cohort="population_65_plus",
        take_up=q("proportion"),
        unit_cost=q("GBP_per_person_per_year"),
        cost_shares={
            "asc": q("proportion", 0.5, f"{FILL}: who pays the running cost (asc + nhs = 1)"),
            "nhs": q("proportion", 0.5, "1 - 0.5 = 0.5"),
        },
        outcomes=[
            {
                "id": "first-outcome",
                "description": f"{FILL}: an outcome that brings a saving",
                "term": "short",
                "payer": iv.savings_to[0] if iv and iv.savings_to else "nhs",
                "rate": q("proportion"),
                "unit_saving": q("GBP_per_person_per_year"),
            }
        ],
        evidence=" ".join(iv.evidence.split()) if iv else f"{FILL}: what evidence there is so far",
        evidence_ref=dict(ref),
        evidence_grade=(
            {"level": iv.evidence_grade.level, "reason": " ".join(iv.evidence_grade.reason.split())}
            if iv else {"level": 1, "reason": f"{FILL}: the Nesta Standards of Evidence level and why"}
        ),
    )
    if iv is None:
        data["documents"] = {"my-business-case": {"title": f"{FILL}: your business case or evaluation", "publisher": "Your council", "date": "2026"}}
    missing = [f"#   - {m}" for m in iv.missing_numbers] if iv else ["#   - every number (a new idea)"]
    head = [
        "# A logic model (SCIE 2017, Appendix B; Nesta's Theory of Change). Fill in every null and",
        "# every FILL IN, then: carescale logic-model validate FILE; carescale logic-model run FILE",
        "# take_up: share of the cohort reached a year at full scale; outcomes[].rate: share of the",
        "# people supported who achieve it in a year; unit_saving: saved each time it is achieved.",
        f"# Numbers {'the evidence does not give yet' if iv else 'to find'}:",
        *missing,
    ]
    body = dump_yaml(data)
    return "\n".join(head) + "\n" + body
