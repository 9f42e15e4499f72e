"""Readable tables for ``carescale uncertainty`` (formatting only: no model arithmetic)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ..engine.summary import money
from ..safe_text import styled


def print_uncertainty(data: dict[str, Any], console: Console, top: int = 10) -> None:
    title = (
        f"How sure are the savings? {data['area']['name']} ({data['basis']} basis): "
        f"{data['draws']:,} draws, seed {data['seed']}; {(data.get('prices') or {}).get('label', 'prices as published')}"
    )
    table = Table(title=title)
    cols = ["Model", "Evidence", "Central", "Mean", "5th pct", "Median", "95th pct", "P(saves)"]
    npv = data["portfolio"].get("npv") is not None
    if npv:
        cols += ["NPV 5th", "NPV median", "NPV 95th"]
    for c in cols:
        table.add_column(c, justify="left" if c == "Model" else "right")

    def row(name: Any, level: str, d: dict[str, Any], **kw: Any) -> None:
        s = d["net_savings"]
        cells = [name, level, money(d["deterministic"]["total"]), money(s["mean"]), money(s["p05"]),
                 money(s["p50"]), money(s["p95"]), f"{100 * d['prob_saving']:.1f}%"]
        if npv:
            n = d["npv"]["summary"]
            cells += [money(n["p05"]), money(n["p50"]), money(n["p95"])]
        table.add_row(*cells, **kw)

    for i in data["interventions"]:
        row(i["name"], f"level {i['evidence_level']}", i)
    row(styled(("Portfolio", "bold"), " (after overlap)"), "", data["portfolio"], end_section=True)
    console.print(table)
    console.print(f"Net saving: {data['measure']}.")
    if npv:
        st = data["npv_settings"]
        console.print(f"NPV: over {st['years']} years with the appraisal's default settings (carescale appraise).")

    if data["tornado"]:
        t = Table(title=f"Which figures matter most (portfolio net saving a year; top {min(top, len(data['tornado']))})")
        for c in ("Figure", "Low", "High", "Net at low", "Net at high", "Swing"):
            t.add_column(c, justify="left" if c == "Figure" else "right", overflow="fold")
        for r in data["tornado"][:top]:
            t.add_row(r["label"], f"{r['low_value']:,.6g}", f"{r['high_value']:,.6g}", money(r["low"]),
                      money(r["high"]), money(r["swing"]))
        console.print(t)

    console.print(styled(("Break-even targets", "bold"), ": how far one figure may move, the others as the evidence "
                         "gives them, before the model stops saving money each year (switching values)"))
    _print_targets(data, "switching_values", console)
    if npv:
        console.print(styled(("Pay-back targets", "bold"), f": the same for paying back within {data['npv_settings']['years']} "
                             "years (NPV of zero or more)"))
        _print_targets(data, "npv_switching_values", console)
    console.print("Figures with no switching value in range are listed in --format json (with the reason).")
    if data.get("sobol"):
        t = Table(title="Sobol indices of portfolio net saving (first order S1, total ST)")
        for c in ("Figure", "S1", "ST"):
            t.add_column(c, justify="left" if c == "Figure" else "right", overflow="fold")
        for r in data["sobol"][:top]:
            t.add_row(r["label"], f"{r['S1']:.3f} ± {r['S1_conf']:.3f}", f"{r['ST']:.3f} ± {r['ST_conf']:.3f}")
        console.print(t)
    for n in data["not_modelled"]:
        console.print(f"Not modelled: {n['id']} (the area profile has no {', '.join(n['missing'])})")


_PAYER_ORDER = ("asc", "nhs", "total")
_WHO = {"total": "for the council and the NHS together", "asc": "for the council", "nhs": "for the NHS"}
#: A running cost a person a year above this is far beyond any real service's: a break-even
#: cost this high means the figure does not decide whether the model pays.
IMPLAUSIBLE_COST = 100_000


def grouped_targets(data: dict[str, Any], key: str) -> list[tuple[str, list[str]]]:
    """The break-even sentences of each model, without the model's name, with the sentences
    that differ only in the payer merged into one ("for the council, and for the council and
    the NHS together"); a break-even cost above :data:`IMPLAUSIBLE_COST` says so."""
    out = []
    for item in data["interventions"]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for sv in item.get(key, []):
            if sv.get("switch") is None or not sv.get("target"):
                continue
            text = sv["target"].removeprefix(item["name"] + " ")
            groups.setdefault(text.replace(_WHO[sv["perspective"]], "{who}", 1), []).append(sv)
        lines = []
        for generic, svs in groups.items():
            payers = sorted({sv["perspective"] for sv in svs}, key=_PAYER_ORDER.index)
            who = "for " + ", and for ".join(_WHO[p].removeprefix("for ") for p in payers)
            if len(payers) > 1:
                who += ","
            line = generic.replace("{who}", who, 1)
            sv = svs[0]
            if sv["parameter"].endswith("unit_cost") and sv["switch"] > IMPLAUSIBLE_COST:
                line += (": far above any real cost, so this figure does not decide whether it pays")
            lines.append(line)
        if lines:
            out.append((item["name"], lines))
    return out


def _print_targets(data: dict[str, Any], key: str, console: Console) -> None:
    for name, lines in grouped_targets(data, key):
        console.print(f"  {name}:")
        for line in lines:
            console.print(f"    - {line}.")
    overlap = data.get("portfolio", {}).get(key) or []
    lines = [sv["target"] for sv in overlap if sv.get("target")]
    if not lines:
        lines = [sv["reason"] for sv in overlap if sv.get("perspective") == "total" and sv.get("reason")]
    if lines:
        console.print("  The overlap share (all the models together):")
        for line in lines:
            console.print(f"    - {line}.")


#: Columns of ``carescale uncertainty --format csv`` (one row per model and payer, then the
#: portfolio; NPV columns are on the ``total`` rows only).
ROW_COLUMNS = (
    "id", "name", "evidence_level", "payer", "central", "mean", "sd", "p05", "p50", "p95",
    "prob_saving", "npv_central", "npv_mean", "npv_p05", "npv_p50", "npv_p95", "npv_prob_positive",
)


def uncertainty_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows for CSV from the ``carescale uncertainty --format json`` dict: for each model
    and for the portfolio (id ``portfolio``), a ``total`` row and one row per payer, with the
    central (deterministic) annual net saving, the Monte Carlo mean, sd and 5th/50th/95th
    percentiles, the probability of a saving and, on the total row, the NPV summary."""
    out: list[dict[str, Any]] = []
    items = [*data["interventions"], {**data["portfolio"], "id": "portfolio", "name": "Portfolio (after overlap)",
                                      "evidence_level": None}]
    for item in items:
        npv = item.get("npv") or None
        for payer in ("total", "asc", "nhs"):
            s = item["net_savings"] if payer == "total" else item["net_savings_by_payer"][payer]
            row = {c: None for c in ROW_COLUMNS}
            row.update(
                id=item["id"], name=item["name"], evidence_level=item.get("evidence_level"), payer=payer,
                central=item["deterministic"][payer], mean=s["mean"], sd=s["sd"], p05=s["p05"],
                p50=s["p50"], p95=s["p95"],
                prob_saving=item["prob_saving"] if payer == "total" else s.get("prob_saving"),
            )
            if npv and payer == "total":
                n = npv["summary"]
                row.update(npv_central=npv["deterministic"], npv_mean=n["mean"], npv_p05=n["p05"],
                           npv_p50=n["p50"], npv_p95=n["p95"], npv_prob_positive=npv.get("prob_positive"))
            out.append(row)
    return out
