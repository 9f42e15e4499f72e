"""Logic models: read and check one, turn it into the library's :class:`Intervention`, run it
through the engine, appraisal and uncertainty (with its break-even targets), and write a template
to start from (blank, or from a promising model's record)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io.yaml import dump_yaml

from ..errors import InputFileError, SettingsError, UnknownIdError
from ..library import Library, default_library, display_path, parse_model, read_yaml
from ..scenarios.evaluation import copied
from ..schema.intervention import Intervention, Outcome, Segment, Sizing, Source
from ..formatting import parse_number
from ..schema.logic_model import LogicModel, expand_plain_numbers
from .scenario_adapter import evaluation, make_document

SEGMENT = "service"


def parse_logic_model(data: Any, name: str, library: Library | None = None) -> LogicModel:
    """Validate a logic model (a dict read from YAML), checked against the library like an
    evidence file: the cohort is in the vocabulary, references name known documents (the
    library's or the model's own), ``based_on`` names a model in the evidence library."""
    lib = library or default_library()
    try:  # numbers written plainly, or typed as text ("0.5%", "£400"), become full figures
        data = expand_plain_numbers(data, read=lambda text, unit, where: parse_number(text, unit, where))
    except (ValueError, SettingsError) as exc:
        raise InputFileError(f"{name}: {getattr(exc, 'message', None) or exc}") from None
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


#: Keys whose empty value (``take_up:``) is a blank of the template still to fill in (other
#: keys may be empty: a stored logic model writes its optional fields as ``null``).
BLANKS = frozenset({"id", "name", "description", "target_group", "cohort", "take_up", "unit_cost", "rate",
                    "unit_saving", "staff", "per", "role", "payer", "term", "evidence", "evidence_ref",
                    "evidence_grade", "document", "section", "quote", "level", "reason", "title", "publisher",
                    "transformation_area", "cost_shares", "outcomes", "theory_of_change", "inputs", "asc", "nhs"})


def unfilled(data: Any, loc: str = "") -> list[str]:
    """Where a template is still unfilled: an empty figure (``take_up:`` or ``value: null``), an
    empty line of text (``- ``) or a text starting ``FILL IN``."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            here = f"{loc}.{k}" if loc else str(k)
            if v is None and (k == "value" or k in BLANKS):
                out.append(here)
            else:
                out.extend(unfilled(v, here))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            label = v.get("id") if isinstance(v, dict) and isinstance(v.get("id"), str) else i
            if v is None:
                out.append(f"{loc}[{label}]")
            else:
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


def _scalar(v: Any) -> str:
    """One YAML scalar on one line: plain where YAML reads it back as the same text, else a
    double-quoted JSON string (valid YAML)."""
    import json

    text = dump_yaml({"k": v}).strip()
    if "\n" not in text and text.startswith("k: "):
        return text[len("k: "):]
    return json.dumps(v, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    """Long text as a folded block (no quoting to get wrong when it is edited)."""
    pad = " " * indent
    words, lines, line = " ".join(text.split()).split(" "), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > 92 - indent:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return ">-\n" + "\n".join(pad + ln for ln in lines)


def template(from_model: str | None = None, library: Library | None = None, model_id: str | None = None) -> str:
    """A logic model to fill in, as YAML text a commissioner can edit: one figure a line, a
    plain comment above each saying what it is, sensible defaults where there are any (the
    cohort, cost shares of a half each, the prices), and a blank after each figure only the
    council can give. From a promising model's record (``from_model``) its name, description,
    target group, evidence and grade are filled in and its ``missing_numbers`` listed at the top.
    Numbers are written plainly (``take_up: 0.005``): each is recorded as the commissioner's own
    assumption, referenced to the model's evidence (``schema.logic_model.expand_plain_numbers``).
    It does not validate until every blank is filled in."""
    lib = library or default_library()
    iv: Intervention | None = None
    if from_model is not None:
        if from_model not in lib.interventions:
            raise UnknownIdError("intervention", from_model, list(lib.interventions))
        iv = lib.interventions[from_model]
    cohorts = ", ".join(sorted(lib.vocabulary.cohorts))
    lines = [
        "# A logic model for a new service (SCIE 2017, Appendix B; Nesta's Theory of Change)"
        + (f",\n# started from the promising model '{iv.id}' in carescale's evidence library." if iv else "."),
        "#",
        "# Fill in every blank (a line ending in ':' or a '- ' with nothing after it). Write numbers plainly:",
        "# 0.05 for 5%, pounds without the £ sign. Lines starting with # are notes and can stay. Then:",
        "#     carescale logic-model validate THIS-FILE",
        "#     carescale logic-model run THIS-FILE --area YOUR-AREA",
        "# Each plain number is recorded as your own assumption, referenced to the evidence at the end.",
        "# To give a figure its own source, write it in full (value, unit, status, derivation, ref) as in",
        "# docs/examples/falls-prevention-logic-model.yaml.",
    ]
    if iv is not None and iv.missing_numbers:
        lines += ["#", "# Numbers the evidence does not give yet (find them locally):",
                  *(f"#   - {m}" for m in iv.missing_numbers)]
    lines += [
        "",
        f"id: {_scalar(model_id or (f'{iv.id}-local' if iv else 'my-new-service'))}",
        "# The service's name, what it does and who it is for.",
        f"name: {_scalar(iv.name) if iv else ''}".rstrip(),
    ]
    if iv is not None:
        lines.append(f"based_on: {iv.id}")
    lines += [
        "# The paper's area of transformation, 1 to 5 (carescale evidence list shows them).",
        f"transformation_area: {iv.transformation_area if iv else 1}",
        f"description: {_block(iv.description, 2)}" if iv else "description:",
        f"target_group: {_scalar(iv.target_group)}" if iv else "target_group:",
        "",
        "# Who the service is sized on: one of",
        f"# {cohorts}.",
        "cohort: population_65_plus",
        "# Share of that population the service reaches in a year at full scale (0.005 = 0.5%).",
        "take_up:",
        "# The prices the money figures below are in (a financial year).",
        "price_year: 2024/25",
        "# Running cost per person supported, pounds a year.",
        "unit_cost:",
        "# Who pays the running cost (asc: the council's adult social care; nhs): shares adding up to 1.",
        "cost_shares:",
        "  asc: 0.5",
        "  nhs: 0.5",
        "",
        "# The outcomes that save money. For each: the share of the people supported who achieve it in a",
        "# year (rate), what each one saves (unit_saving, pounds), who saves (payer: asc or nhs), and when",
        "# it comes in the Theory of Change (term: short or longer). Copy the block for more outcomes.",
        "outcomes:",
        "  - id: first-outcome",
        "    description:",
        "    term: short",
        f"    payer: {iv.savings_to[0] if iv and iv.savings_to else 'nhs'}",
        "    rate:",
        "    unit_saving:",
        "",
        "# The Theory of Change.",
        "theory_of_change:",
        "  inputs:",
        "    # Staff: 'staff' people in the role for every 'per' people supported a year.",
        "    staff:",
        "      - role: coordinators",
        "        staff: 1",
        "        per:",
        "    volunteers: []",
        "    # What people who need support and their families contribute themselves.",
        "    own_contribution:",
        "      -",
        "    resources: []",
        "  # What the service does.",
        "  activities:",
        "    -",
        "  # What must hold for the activities to lead to the outcomes.",
        "  assumptions:",
        "    -",
        "  # The changes people make soon after support; longer-term outcomes and impacts may stay empty.",
        "  short_term_outcomes:",
        "    -",
        "  longer_term_outcomes: []",
        "  impacts: []",
        "",
        "# The evidence so far, where it is written, and its strength (Nesta Standards of Evidence, 1 to 5).",
    ]
    if iv is not None:
        ref = (iv.references[0] if iv.references else iv.evidence_ref).model_dump()
        lines += [
            f"evidence: {_block(iv.evidence, 2)}",
            "evidence_ref:",
            *(f"  {k}: {_scalar(v)}" for k, v in ref.items()),
            "evidence_grade:",
            f"  level: {iv.evidence_grade.level}",
            f"  reason: {_block(iv.evidence_grade.reason, 4)}",
        ]
    else:
        lines += [
            "evidence:",
            "evidence_ref:",
            "  # A document named under 'documents' below (your business case or evaluation).",
            "  document: my-business-case",
            "  section:",
            "  # The sentence your evidence comes from, word for word.",
            "  quote:",
            "evidence_grade:",
            "  level: 1",
            "  reason:",
            "# Your own documents: a title, who published it and when.",
            "documents:",
            "  my-business-case:",
            "    title:",
            "    publisher:",
            "    date:",
        ]
    return "\n".join(lines) + "\n"
