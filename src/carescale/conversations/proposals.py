"""Proposals: models to grow, with their figures from the engine for the council, and services
that could be reduced as a result, each with what it means for people.

A 'grow' proposal is one scenario document (:mod:`carescale.scenarios`): the council's built-in
profile, the model (a library model, a case study's models together, or the council's logic
model) at ``scale`` of its potential, priced in the conversation's price base. Its figures are the
engine's evaluation of that document (:func:`carescale.scenarios.evaluate_document`): nothing is
worked out again here, so the pack's figures are the engine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import ConversationError, ModelError
from ..library import Library, default_library
from .model import DECISIONS_FOR, ModelFigures, Money, Proposal, ProposalIn, SpendLine

PAYERS = ("asc", "nhs")


def resolve_model(spec: ProposalIn, library: Library, where: str) -> tuple[Library, str, str, str, list[str], int | None, int, dict | None]:
    """(library holding the model, kind, reference, name, model ids to evaluate, evidence level,
    transformation area, the logic model's data or None) of a 'grow' proposal."""
    m = spec.model
    if m is None or sum(x is not None for x in (m.library, m.case_study, m.logic_model)) != 1:
        raise ConversationError(
            f"{where}: model: give exactly one of library (a model id), case_study (a case study id) "
            "or logic_model (the council's logic model)")
    if m.library is not None:
        if m.library not in library.interventions:
            raise ConversationError(
                f"{where}: model.library: unknown model {m.library!r}; runnable models are: "
                f"{', '.join(sorted(library.runnable))}")
        iv = library.intervention(m.library)
        _runnable(library, iv, where)
        return library, "library", iv.id, iv.name, [iv.id], iv.evidence_grade.level, iv.transformation_area, None
    if m.case_study is not None:
        if m.case_study not in library.case_studies:
            raise ConversationError(
                f"{where}: model.case_study: unknown case study {m.case_study!r}; case studies are: "
                f"{', '.join(sorted(library.case_studies))}")
        cs = library.case_study(m.case_study)
        ivs = [library.intervention(x) for x in cs.models if x in library.runnable]
        if not ivs:
            raise ConversationError(
                f"{where}: model.case_study: {cs.id!r} uses no runnable model "
                f"({', '.join(cs.models)}); choose a library model instead")
        return (library, "case-study", cs.id, cs.name, [iv.id for iv in ivs], cs.evidence_grade.level,
                ivs[0].transformation_area, None)
    from ..plans.logic_model import library_with, parse_logic_model

    lm = parse_logic_model(m.logic_model, f"{where}: model.logic_model", library)
    lib = library_with(lm, library, f"{where}: model.logic_model")
    iv = lib.interventions[lm.id]
    return lib, "logic-model", lm.id, iv.name, [iv.id], iv.evidence_grade.level, iv.transformation_area, lm.model_dump(mode="json")


def model_choices(library: Library | None = None) -> dict[str, list[tuple[str, str]]]:
    """(id, name) of every model :func:`resolve_model` accepts from the library: ``library`` (the
    runnable models) and ``case_study`` (case studies using at least one runnable model), by name."""
    lib = library or default_library()
    models = [(i, lib.intervention(i).name) for i in lib.runnable]
    studies = [(c, lib.case_study(c).name) for c in lib.case_studies
               if any(x in lib.runnable for x in lib.case_study(c).models)]
    return {"library": sorted(models, key=lambda x: x[1].lower()), "case_study": sorted(studies, key=lambda x: x[1].lower())}


def _runnable(library: Library, iv: Any, where: str) -> None:
    try:
        library.require_runnable(iv)
    except ModelError as exc:
        raise ConversationError(f"{where}: model.library: {exc.message}") from None


def model_document(area_id: str, models: list[str], scale: float, price_year: str) -> Any:
    """The scenario document of a 'grow' proposal: the council's profile, the models at ``scale``
    of their potential, every money figure re-priced to ``price_year``."""
    from ..scenarios import parse_data

    return parse_data({"version": 1, "area": area_id, "interventions": list(models), "basis": "potential",
                       "scale": {m: float(scale) for m in models}, "price_base_year": price_year,
                       "note": "conversation proposal"})


def engine_figures(doc: Any, library: Library, evidence_level: int | None) -> ModelFigures:
    """The figures of ``doc`` from the engine: its run (a year at full scale) and its appraisal
    (NPV over the appraisal period, break-even month), money in the document's price base."""
    from ..scenarios import evaluate_document

    ev = evaluate_document(doc, library)
    run, appraisal = ev.run, ev.appraisal_summary()
    pb = run["prices"]["price_base_year"]
    t = run["totals"]
    metrics = appraisal["portfolio"]["metrics"]

    def money(x: float) -> Money:
        return Money(real=round(float(x), 2), price_base=pb)

    net = sum(t["net_savings"][p] for p in PAYERS)
    return ModelFigures(
        scenario_id=doc.scenario_id, area_id=run["area"]["id"], models=[i["id"] for i in run["interventions"]],
        people_helped=round(float(t["beneficiaries"]), 3), cost=money(t["cost"]), setup=money(t["setup_investment"]),
        gross_savings={p: money(t["gross_savings"][p]) for p in PAYERS},
        net_savings={p: money(t["net_savings"][p]) for p in PAYERS}, net=money(net),
        npv=money(metrics["npv"]), npv_by_payer={p: money(metrics["npv_by_payer"][p]) for p in PAYERS},
        years=int(appraisal["settings"]["years"]), break_even_month=metrics.get("break_even_month"),
        break_even_starts=metrics.get("break_even_month_starts"), evidence_level=evidence_level)


def build_proposal(spec: ProposalIn, *, number: int, area_id: str, price_year: str, lines: list[SpendLine],
                   existing: dict[str, Proposal], by: str, at: dt.datetime,
                   library: Library | None = None, where: str | None = None) -> tuple[Proposal, dict[str, Any], Any]:
    """(the proposal, its stored definition, its scenario document or None) for ``spec``;
    ``where`` names it in messages (default ``proposal 'ID'``)."""
    where = where or f"proposal {spec.id!r}"
    if spec.id in existing:
        raise ConversationError(f"{where}: id: already a proposal of this conversation; choose another id")
    if not spec.meaning_for_people:
        raise ConversationError(f"{where}: meaning_for_people: is empty; say what it means for people, not only money")
    lib = library or default_library()
    common = {"id": spec.id, "number": number, "kind": spec.kind, "title": spec.title,
              "meaning_for_people": spec.meaning_for_people, "created_by": by, "created_at": at}
    if spec.kind == "grow":
        if spec.service is not None or spec.reduction is not None or spec.because_of:
            raise ConversationError(f"{where}: a 'grow' proposal names a model, not service, reduction or because_of")
        lib2, kind, ref, name, models, level, area, lm = resolve_model(spec, lib, where)
        doc = model_document(area_id, models, spec.scale, price_year)
        figures = engine_figures(doc, lib2, level)
        prop = Proposal(**common, area=area, model_kind=kind, model_ref=ref, model_name=name, scale=spec.scale,
                        figures=figures)
        return prop, {"spec": spec.model_dump(mode="json"), "proposal": prop.model_dump(mode="json"),
                      "logic_model": lm}, doc
    if spec.model is not None:
        raise ConversationError(f"{where}: a 'reduce' proposal names a service, not a model")
    known = {x.id: x for x in lines}
    if spec.service is None or spec.service not in known:
        raise ConversationError(
            f"{where}: service: {'required' if spec.service is None else f'unknown service {spec.service!r}'}; "
            f"services in the local picture are: {', '.join(known)}")
    line = known[spec.service]
    if spec.reduction is None:
        raise ConversationError(f"{where}: reduction: required; give the pounds a year the service could be reduced by")
    if line.money is not None and spec.reduction > line.money.real + 0.005:
        raise ConversationError(
            f"{where}: reduction: £{spec.reduction:,.0f} is more than the service's spend today "
            f"(£{line.money.real:,.0f} a year, {line.money.price_base} prices); give at most that")
    for b in spec.because_of:
        if b not in existing or existing[b].kind != "grow":
            grow = [p for p, x in existing.items() if x.kind == "grow"]
            raise ConversationError(
                f"{where}: because_of: {b!r} is not a 'grow' proposal of this conversation; "
                f"they are: {', '.join(grow) if grow else 'none yet'}")
    area = line.area
    if not area:  # a line by primary support reason: the area of the models that make it possible
        if not spec.because_of:
            raise ConversationError(
                f"{where}: because_of: {line.label} serves every area; name the 'grow' proposals that make the "
                "reduction possible (the proposal takes their area)")
        area = existing[spec.because_of[0]].area
    prop = Proposal(**common, area=area, service=line, reduction=Money(real=round(spec.reduction, 2), price_base=price_year),
                    because_of=list(spec.because_of))
    return prop, {"spec": spec.model_dump(mode="json"), "proposal": prop.model_dump(mode="json"), "logic_model": None}, None


def check_decision(prop: Proposal, decision: str) -> None:
    valid = DECISIONS_FOR[prop.kind]
    if decision not in valid:
        raise ConversationError(
            f"decision: {decision!r} does not fit a {prop.kind!r} proposal ({prop.id!r}); give one of: {', '.join(valid)}")


def _month(day: str | None) -> str:
    """``"2027-07-01"`` -> ``"July 2027"`` (a month in words, as the pages write dates)."""
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(day).strftime("%B %Y") if day else "a month not known"
    except ValueError:
        return day


def evidence_lines(prop: Proposal, proposals: dict[str, Proposal]) -> list[str]:
    """Plain lines of what a decision on ``prop`` rests on (its figures and evidence)."""
    from ..formatting import short_money

    out = []
    f = prop.figures
    if f is not None:
        out.append(f"{prop.model_name}: {f.people_helped:,.0f} people helped a year; cost {short_money(f.cost.real)} a year; "
                   f"savings to the council {short_money(f.gross_savings['asc'].real)} and to the NHS "
                   f"{short_money(f.gross_savings['nhs'].real)} a year; net {short_money(f.net.real)} a year "
                   f"({f.cost.price_base} prices; engine scenario {f.scenario_id})")
        be = (f"breaks even in month {f.break_even_month} ({_month(f.break_even_starts)})" if f.break_even_month
              else f"does not break even within {f.years} years")
        out.append(f"Net present value over {f.years} years {short_money(f.npv.real)}; {be}")
        if f.evidence_level is not None:
            out.append(f"Evidence level {f.evidence_level} of 5 (Nesta Standards of Evidence)"
                       + (f"; {prop.model_kind.replace('-', ' ')} {prop.model_ref}" if prop.model_kind != "library" else ""))
    if prop.service is not None and prop.reduction is not None:
        s = prop.service
        today = f"{short_money(s.money.real)} a year today ({s.source})" if s.money else f"no official figure ({s.missing})"
        out.append(f"{s.label}: {today}; reduced by {short_money(prop.reduction.real)} a year ({prop.reduction.price_base} prices)")
        for b in prop.because_of:
            g = proposals.get(b)
            if g is not None and g.figures is not None:
                out.append(f"Made possible by {g.title}: savings to the council {short_money(g.figures.gross_savings['asc'].real)} a year")
    return out
