"""The optimiser's pages (``/optimise``): which models, at what scale, for a budget, staff limits,
models that must or must not run and an objective; the chosen portfolio with why each model is in
or out, the efficient frontier (a chart and its table), and the chosen portfolio opened as a
scenario. A thin shell over :mod:`carescale.optimise` (the same functions as ``carescale
optimise``): the route reads the form, calls the library inside one of the resource policy's
inline slots and shows what it returns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import CarescaleError, InfeasibleError
from .. import charts, documents, service
from ..forms import ErrorSummary
from ..national import builtin_councils
from ..optimise_form import BUDGET_KINDS, OBJECTIVES, PAYERS, OptimiseForm, role_field
from ..security import plotly_style_ids
from ..templating import error_page, render, see_other
from .common import save

router = APIRouter(include_in_schema=False)

#: points on the frontier the page draws (each one solve of the same programme, about 20 ms)
FRONTIER_POINTS = 9


def _area_choices(request: Request) -> list[tuple[str, str]]:
    packaged = [(r["id"], r["name"]) for r in service.area_rows()]
    seen = {i for i, _ in packaged}
    national = request.app.state.national or builtin_councils()
    return packaged + [(i, n) for i, n in national.choices() if i not in seen]


def _document(request: Request, area: str) -> Any:
    """The scenario document the optimiser starts from: the area with the default portfolio and
    settings (what ``carescale optimise --area AREA`` starts from)."""
    nat = request.app.state.national
    if nat is not None and nat.area(area) is not None:
        from ...library.catalogue import definition

        return documents.parse({"version": 1, "area": {"inline": definition(nat.area(area))}})
    return documents.parse({"version": 1, "area": area})


def _candidates(doc: Any) -> tuple[list[dict[str, Any]], list[str], int, dict[str, list[str]]]:
    """The models the optimiser chooses among (the document's portfolio), the staff roles they
    need and the appraisal's years."""
    run = documents.run(doc)
    roles: dict[str, list[str]] = {}
    for iv in run["interventions"]:
        for role, n in iv["workforce"].items():
            roles.setdefault(role, []).append(f"{iv['name']}: {n:,.1f} at full scale")
    models = [{"id": iv["id"], "name": iv["name"], "target_group": iv["target_group"]} for iv in run["interventions"]]
    return models, list(roles), int(documents.canonical(doc)["appraisal"]["years"]), roles


def _read(request: Request) -> tuple[str, Any, OptimiseForm, dict[str, Any]]:
    q = request.query_params
    area = (q.get("area") or "birmingham").strip()
    try:
        doc = _document(request, area)
        models, roles, years, role_notes = _candidates(doc)
    except CarescaleError as exc:
        errors = ErrorSummary()
        errors.add(f"Choose an area from the list ({exc.message})", "area")
        doc, area = _document(request, "birmingham"), "birmingham"
        models, roles, years, role_notes = _candidates(doc)
        form = OptimiseForm.read({}, [m["id"] for m in models], roles, years)
        form.errors = errors
        return area, doc, form, {"models": models, "roles": role_notes, "years": years}
    form = OptimiseForm.read(q, [m["id"] for m in models], roles, years)
    return area, doc, form, {"models": models, "roles": role_notes, "years": years}


def _form_page(request: Request, area: str, form: OptimiseForm, ctx: dict[str, Any], status: int = 200,
               errors: list[dict[str, str]] | None = None) -> HTMLResponse:
    return render(request, "optimise.html", status_code=status, title="Which models for your budget?", nav="optimise",
                  area=area, areas=_area_choices(request), form=form, objectives=OBJECTIVES, budget_kinds=BUDGET_KINDS,
                  payers=PAYERS, role_field=role_field, errors=errors if errors is not None else form.errors.items, **ctx)


@router.get("/optimise", response_class=HTMLResponse)
def optimise_form(request: Request) -> HTMLResponse:
    area, _doc, form, ctx = _read(request)
    if form.errors and "area" in form.errors.ids:
        return _form_page(request, area, form, ctx, 422)
    form.errors = ErrorSummary()  # a first visit shows no problems (the fields are blank)
    return _form_page(request, area, form, ctx)


def _solve(request: Request, doc: Any, form: OptimiseForm) -> tuple[Any, list[dict[str, Any]] | None, str]:
    from ... import optimise as opt
    from ...optimise.core import objective_label

    spec = opt.make_spec(None, **form.options)

    def work() -> tuple[Any, Any]:
        result = opt.optimise(doc, spec)
        kind = form.values["budget_kind"]
        amount = form.options.get(kind)
        if amount is None:  # no budget: the frontier up to what the best portfolio costs
            kind, top = "budget", result.figures.cost
        else:
            top = 2 * amount
        rows = None
        if top > 0:
            step = top / (FRONTIER_POINTS - 1)
            rows = opt.frontier(doc, spec, [round(step * k, 2) for k in range(FRONTIER_POINTS)], over=kind)
        return result, rows

    result, rows = request.app.state.inline.run(work)
    return result, rows, objective_label(spec)


@router.get("/optimise/result", response_class=HTMLResponse)
def optimise_result(request: Request) -> HTMLResponse:
    area, doc, form, ctx = _read(request)
    if form.errors:
        return _form_page(request, area, form, ctx, 422)
    try:
        result, rows, label = _solve(request, doc, form)
    except InfeasibleError as exc:
        return _form_page(request, area, form, ctx, 422,
                          [{"text": f"No portfolio meets every limit: {exc.message}", "href": "#budget"}])
    except CarescaleError as exc:
        return _form_page(request, area, form, ctx, 422, [{"text": exc.message, "href": "#objective"}])
    data = result.summary()
    frontier_ids = [m["id"] for m in ctx["models"]]
    chart = charts.frontier(rows, label, form.values["budget_kind"] if form.options.get(form.values["budget_kind"]) is not None
                            else "budget", ctx["models"]) if rows else None
    return render(request, "optimise_result.html", title=f"Best portfolio for {data['area']['name']}", nav="optimise",
                  area=area, form=form, data=data, rows=rows or [], frontier_ids=frontier_ids, label=label,
                  charts=[chart] if chart else [], plotly_style_ids=plotly_style_ids(), query=form.query(),
                  objectives=OBJECTIVES, payers=PAYERS, back=f"/optimise?{form.query()}")


@router.post("/optimise/scenario")
async def optimise_open(request: Request) -> Response:
    """The chosen portfolio as a scenario: the same form (sent again as hidden fields) solved
    again, its document stored, and the scenario's result page opened."""
    from ... import optimise as opt

    posted = await request.form()
    request_q = {k: str(v) for k, v in posted.items()}
    area = (request_q.get("area") or "birmingham").strip()
    try:
        doc = _document(request, area)
        models, roles, years, _notes = _candidates(doc)
    except CarescaleError as exc:
        return error_page(request, 422, [exc.message])
    form = OptimiseForm.read(request_q, [m["id"] for m in models], roles, years)
    if form.errors:
        return error_page(request, 422, [e["text"] for e in form.errors.items])
    spec = opt.make_spec(None, **form.options)
    result = request.app.state.inline.run(lambda: opt.optimise(doc, spec, explain=False))
    return see_other(f"/scenario/{save(request, result.document)}")
