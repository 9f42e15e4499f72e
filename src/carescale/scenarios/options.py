"""The options appraisal: business as usual, do minimum and the preferred portfolio side by side,
as HM Treasury's Green Book asks of a business case (docs/appraisal.md, "Options appraisal").

* **Business as usual**: nothing new is commissioned; today's services and spending carry on.
  The appraisal measures every figure against it, so its own cost, saving and NPV are nil by
  definition (it is the baseline, not a model that costs nothing).
* **Do minimum**: only the preferred portfolio's models that need **no set-up investment** and
  that on their own **save more than they cost** over the appraisal (NPV above zero), at the
  scale the scenario gives them: the least the council can do that commits no up-front money
  and includes nothing that loses money. It is appraised as a portfolio of its own (the same
  settings, prices and overlaps between the models it keeps).
* **Preferred**: the scenario as given.

Each option gets its NPV, present values of cost and savings, BCR, undiscounted cost and
savings over the period, net budget impact and break-even month, all from the ordinary appraisal
(:meth:`Evaluation.appraisal_summary`).
"""

from __future__ import annotations

from typing import Any, Callable

BAU = ("Business as usual: nothing new is commissioned and today's services and spending carry on. "
       "Every other option is measured against it, so its own cost, saving and NPV are nil by definition.")
DO_MINIMUM = ("Do minimum: only the models that need no set-up investment and, on their own, save more than "
              "they cost over the appraisal (NPV above zero), at the scale the scenario gives them; no up-front "
              "money is committed and nothing that loses money is included.")
PREFERRED = "Preferred: the portfolio as chosen in this scenario."


def _row(oid: str, name: str, definition: str, ids: list[str], app: dict[str, Any] | None,
         names: dict[str, str]) -> dict[str, Any]:
    models = [names.get(i, i) for i in ids]
    if app is None:
        return {"id": oid, "name": name, "definition": definition, "interventions": ids, "models": models, "npv": 0.0,
                "pv_cost": 0.0, "pv_savings": 0.0, "bcr": None, "cost": 0.0, "savings": 0.0,
                "net_budget_impact": 0.0, "break_even_month": None, "breaks_even": None}
    m = app["portfolio"]["metrics"]
    years = app["portfolio"]["years"]
    cost = sum(y["cost"] for y in years)
    savings = sum(y["gross_savings"] - y.get("overlap_deduction", 0.0) for y in years)
    return {"id": oid, "name": name, "definition": definition, "interventions": ids, "models": models, "npv": m["npv"],
            "pv_cost": m["pv_cost"], "pv_savings": m["pv_savings"], "bcr": m["bcr"], "cost": round(cost, 2),
            "savings": round(savings, 2), "net_budget_impact": m["net_budget_impact"],
            "break_even_month": m["break_even_month"], "breaks_even": m["breaks_even"]}


def _subset(ev: Any, keep: list[str]) -> Any:
    """The document of ``ev`` with only the models ``keep``: their scale, overrides and appraisal
    settings kept; those of the models left out dropped (and overrides of overlaps they are in),
    as they would name models the document no longer has."""
    from .document import parse_data

    doc = ev.document
    dropped = {iv.id for iv in ev.scenario.interventions} - set(keep)
    gone_overlaps = {ov.id for ov in ev.scenario.overlaps if set(ov.interventions) & dropped}
    data = doc.data()
    data["interventions"] = list(keep)
    data["scale"] = {k: v for k, v in (data.get("scale") or {}).items() if k not in dropped}
    appraisal = dict(data.get("appraisal") or {})
    appraisal["interventions"] = {k: v for k, v in (appraisal.get("interventions") or {}).items() if k not in dropped}
    data["appraisal"] = appraisal

    def kept(path: str) -> bool:
        parts = path.split(".")
        if parts[0] == "overlaps":
            return len(parts) < 2 or parts[1] not in gone_overlaps
        return parts[0] not in dropped

    data["overrides"] = {k: v for k, v in (data.get("overrides") or {}).items() if kept(k)}
    out = parse_data(data, doc.source or "scenario", origin=doc.origin)
    out._base_dir, out._source = doc.base_dir, doc.source
    return out


def options_appraisal(ev: Any, appraise_other: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """The three options of the scenario of ``ev`` (an :class:`~carescale.scenarios.Evaluation`),
    side by side (plain figures); ``appraise_other(document)`` gives another document's appraisal
    summary (the do-minimum portfolio's)."""
    app = ev.appraisal_summary()
    run = {i["id"]: i for i in ev.run["interventions"]}
    ids = [i["id"] for i in app["interventions"]]
    keep = [i["id"] for i in app["interventions"]
            if run[i["id"]]["setup_investment"] == 0 and i["metrics"]["npv"] > 0]
    names = {iv.id: iv.name for iv in ev.scenario.interventions}
    left_out = [
        {"id": iid, "name": names.get(iid, iid), "why": ("needs set-up investment" if run[iid]["setup_investment"] > 0
                            else "costs more than it saves on its own")}
        for iid in ids if iid not in keep
    ]
    if keep == ids:
        minimum_app = app
    elif keep:
        minimum_app = appraise_other(_subset(ev, keep))
    else:
        minimum_app = None
    options = [
        _row("business-as-usual", "Business as usual", BAU, [], None, names),
        _row("do-minimum", "Do minimum", DO_MINIMUM, keep, minimum_app, names),
        _row("preferred", "Preferred portfolio", PREFERRED, ids, app, names),
    ]
    return {
        "years": app["settings"]["years"],
        "prices": app.get("prices"),
        "options": options,
        "do_minimum_left_out": left_out,
        "notes": [
            "Figures are over the appraisal period, in real terms; NPV and the present values are discounted "
            "as in the appraisal; cost and savings are undiscounted totals (savings after the overlap deduction).",
            "Business as usual is the baseline: each option's figures are what changes against it.",
        ],
    }
