"""Two results side by side: what changed, by model and payer, by bridge step and in the overlap.

``compare_results(a, b)`` reads each document's one :class:`~carescale.scenarios.Evaluation`
(``run_output``, ``appraisal_output``: nothing is worked out again) and lines the figures up; it
is what the web's compare page shows and what ``carescale scenario diff A B --results`` prints,
so the two give the same figures. Every amount is in pounds, unrounded, signed as the result
shows it (an overlap deduction is negative: it takes from the net), and ``difference`` is
``b - a``. :func:`baseline_of` is a document's baseline: the same area, models, scale and
settings with every figure at its evidence value (no overrides).
"""

from __future__ import annotations

from typing import Any

from ..schema import PAYERS
from .document import ScenarioDocument

#: the headline rows, in the order they are shown: (key, label in words)
HEADLINES = (
    ("net_asc", "Net saving a year to the council's adult social care"),
    ("net_nhs", "Net saving a year to the NHS"),
    ("net_total", "Net saving a year, council and NHS"),
    ("overlap_total", "Overlap between target groups, a year (taken off the net)"),
    ("cost", "Running cost a year"),
    ("people", "People helped a year"),
    ("setup", "Set-up investment"),
    ("net_over_period", "Net over the appraisal period, undiscounted"),
    ("npv", "Net present value"),
)

PAYER_WORDS = {"asc": "council (adult social care)", "nhs": "NHS", "total": "council and NHS"}


def baseline_of(doc: ScenarioDocument) -> ScenarioDocument:
    """``doc``'s baseline: every figure at its evidence value (its overrides dropped); the area,
    models, scale, prices and appraisal settings kept."""
    data = doc.data()
    data["overrides"] = {}
    data["note"] = ""
    from .document import parse_data

    out = parse_data(data, doc.source or "scenario", origin=doc.origin)
    out._base_dir = doc.base_dir
    return out


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):  # an empty mapping adds no setting
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data}


def diff_documents(a: ScenarioDocument, b: ScenarioDocument) -> list[dict[str, Any]]:
    """The settings two documents differ in: ``[{"key", "a", "b"}]`` (a missing key is None)."""
    fa, fb = _flat(a.data()), _flat(b.data())
    keys = sorted(set(fa) | set(fb))
    return [{"key": k, "a": fa.get(k), "b": fb.get(k)} for k in keys if fa.get(k) != fb.get(k)]


#: the document's settings in words (docs/scenarios.md)
SETTING_WORDS = {
    "area": "Area", "interventions": "Care models", "basis": "Sized by", "reprice": "Re-priced to one year",
    "price_base_year": "Price base year", "preset": "Preset", "note": "Note",
    "appraisal.years": "Appraisal period (years)", "appraisal.start_date": "Start date",
    "appraisal.discount_rate": "Discount rate (none: the Green Book schedule)",
    "appraisal.optimism_bias": "Optimism bias applied", "appraisal.optimism_bias_method": "Optimism-bias method",
    "appraisal.counterfactual": "Deadweight and attribution from the evidence design",
    "appraisal.setup_timing": "When set-up is paid", "appraisal.price_base_year": "Appraisal price base label",
    "uncertainty.draws": "Simulated cases", "uncertainty.seed": "Random seed",
    "uncertainty.width_scale": "Width of the ranges", "uncertainty.sobol": "Sobol indices",
}


def setting_label(key: str, labels: dict[str, str] | None = None) -> str:
    """A setting of a scenario document (``appraisal.years``, ``overrides.PATH.value``,
    ``scale.ID``) in words, with ``labels`` giving each changed figure's label by path."""
    labels = labels or {}
    if key in SETTING_WORDS:
        return SETTING_WORDS[key]
    if key.startswith("overrides."):
        path, _, field = key.removeprefix("overrides.").rpartition(".")
        what = {"value": "", "note": " (note)", "low": " (low end)", "high": " (high end)",
                "distribution": " (distribution)"}.get(field, f" ({field})")
        label = labels.get(path)
        if path.endswith(".people"):
            label = (label or path).split(":")[0] + ": people supported a year"
        return f"Changed figure: {label or path}{what}".replace("_", " ")
    if key.startswith("scale."):
        return f"How far to scale: {key.removeprefix('scale.')}"
    return key.replace(".", ": ").replace("_", " ")


def _row(key: str, label: str, a: float | None, b: float | None, **extra: Any) -> dict[str, Any]:
    diff = None if a is None or b is None else float(b) - float(a)
    return {"key": key, "label": label, "a": a, "b": b, "difference": diff, **extra}


def _headlines(run: dict[str, Any], appraisal: dict[str, Any]) -> dict[str, float]:
    t = run["totals"]
    m = appraisal["portfolio"]["metrics"]
    return {
        "net_asc": t["net_savings"]["asc"], "net_nhs": t["net_savings"]["nhs"],
        "net_total": t["net_savings"]["asc"] + t["net_savings"]["nhs"],
        "overlap_total": -(t["overlap_deduction"]["asc"] + t["overlap_deduction"]["nhs"]),
        "cost": t["cost"], "people": t["beneficiaries"], "setup": t["setup_investment"],
        "net_over_period": m["net_budget_impact"], "npv": m["npv"],
    }


def _by_model(run: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Net saving a year by model (and by overlap, negative) and payer."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    names = {iv["id"]: iv["name"] for iv in run["interventions"]}
    for iv in run["interventions"]:
        for p in PAYERS:
            out[(iv["id"], p)] = {"name": iv["name"], "short": iv["name"], "kind": "model", "value": iv["net_savings"][p]}
    for o in run.get("overlaps") or []:
        description = o.get("description", o["id"])
        pair = " and ".join(names.get(i, i) for i in o.get("interventions") or ())
        short = f"Overlap: {pair}" + (" (NHS savings)" if description.endswith("(NHS savings)") else "")
        for p in PAYERS:
            out[(o["id"], p)] = {"name": "Overlap: " + description, "short": short if pair else "Overlap: " + description,
                                 "kind": "overlap", "value": -o["deduction"][p]}
    return out


def _bridge_rows(run: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """The bridge's lines (:func:`carescale.appraisal.bridge.bridge`) by (step, model), with asc,
    nhs and total; a subtotal by (step, None). Unlike the printed bridge, no small row is folded
    away here, so both results have the same rows to line up."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for ln in run["bridge"]["lines"]:
        if ln["kind"] == "subtotal":
            out[(ln["step"], None)] = {"kind": "subtotal", "label": ln["label"], "model_name": "",
                                       **{p: ln["by_payer"][p] for p in PAYERS}, "total": ln["amount"]}
            continue
        row = out.setdefault((ln["step"], ln["model"]), {"kind": "step", "label": ln["label"],
                                                         "model_name": ln["model_name"],
                                                         **{p: 0.0 for p in PAYERS}, "total": 0.0})
        row[ln["payer"]] += ln["amount"]
        row["total"] += ln["amount"]
    return out


#: a bridge row under half a penny on every payer in both results is not listed
SHOWN = 0.005


def compare_results(a: ScenarioDocument, b: ScenarioDocument) -> dict[str, Any]:
    """The results of ``a`` and ``b`` side by side (``difference`` = b - a).

    Returns ``{"a": {...}, "b": {...}, "identical", "settings", "headlines", "by_model",
    "overlaps", "bridge", "units"}``:

    * ``settings``: the settings the documents differ in (``[{"key", "a", "b"}]``);
    * ``headlines``: ``[{"key", "label", "a", "b", "difference"}]`` (:data:`HEADLINES`);
    * ``by_model``: net saving a year by model and payer, each overlap as its own negative row
      (``{"key": id, "label", "short", "kind": "model"|"overlap", "payer", "a", "b", "difference"}``,
      ``short`` naming an overlap by its two models; a
      model in one result only has None on the other side); they add up to the net headlines;
    * ``overlaps``: the ``overlap`` rows of ``by_model``;
    * ``bridge``: every step of the bridge (:func:`carescale.appraisal.bridge.bridge_table`) by
      model, with ``{"step", "label", "model", "model_name", "kind", "payer", "a", "b",
      "difference"}`` for asc, nhs and total.
    """
    from .evaluation import evaluate_document

    ea, eb = evaluate_document(a), evaluate_document(b)
    ra, rb = ea.run_output(), eb.run_output()
    aa, ab = ea.appraisal_output(), eb.appraisal_output()
    ha, hb = _headlines(ra, aa), _headlines(rb, ab)
    headlines = [_row(k, label, ha[k], hb[k]) for k, label in HEADLINES]

    ma, mb = _by_model(ra), _by_model(rb)
    keys = list(dict.fromkeys([*ma, *mb]))
    by_model = []
    for key in keys:
        x, y = ma.get(key), mb.get(key)
        info = x or y
        by_model.append(_row(key[0], info["name"], x["value"] if x else None, y["value"] if y else None,
                             kind=info["kind"], payer=key[1], short=info["short"]))

    ba, bb = _bridge_rows(ra), _bridge_rows(rb)
    bridge = []
    for key in dict.fromkeys([*ba, *bb]):
        x, y = ba.get(key), bb.get(key)
        info = y or x
        if all(abs((r or {}).get(p) or 0.0) < SHOWN for r in (x, y) for p in PAYERS):
            continue
        for p in (*PAYERS, "total"):
            bridge.append(_row(key[0], info["label"], x[p] if x else None, y[p] if y else None,
                               step=key[0], model=key[1], model_name=info["model_name"], kind=info["kind"],
                               payer=p))

    labels = {c["path"]: c["label"] for r in (ra, rb) for c in r.get("changes") or []}
    settings = [{**r, "label": setting_label(r["key"], labels)} for r in diff_documents(a, b)]
    return {
        "a": {"scenario_id": a.scenario_id, "area": ra["area"]["name"]},
        "b": {"scenario_id": b.scenario_id, "area": rb["area"]["name"]},
        "identical": not settings,
        "settings": settings,
        "units": f"pounds, {(rb.get('prices') or {}).get('label') or 'prices as published'}; difference = second - first",
        "headlines": headlines,
        "by_model": by_model,
        "overlaps": [r for r in by_model if r["kind"] == "overlap"],
        "bridge": bridge,
    }


def compare_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every compared figure as one flat row (CSV): ``section, key, label, model, payer, a, b,
    difference``."""
    out = []
    for r in data["headlines"]:
        out.append({"section": "headline", "key": r["key"], "label": r["label"], "model": "", "payer": "",
                    "a": r["a"], "b": r["b"], "difference": r["difference"]})
    for r in data["by_model"]:
        out.append({"section": r["kind"], "key": r["key"], "label": r["label"], "model": r["key"], "payer": r["payer"],
                    "a": r["a"], "b": r["b"], "difference": r["difference"]})
    for r in data["bridge"]:
        out.append({"section": "bridge", "key": r["step"], "label": r["label"], "model": r["model"] or "",
                    "payer": r["payer"], "a": r["a"], "b": r["b"], "difference": r["difference"]})
    return out
