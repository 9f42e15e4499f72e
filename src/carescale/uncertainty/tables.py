"""Readable tables for ``carescale uncertainty`` (formatting only: no model arithmetic)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ..report import money


def print_uncertainty(data: dict[str, Any], console: Console, top: int = 10) -> None:
    title = (
        f"How sure are the savings? {data['area']['name']} ({data['basis']} basis): "
        f"{data['draws']:,} draws, seed {data['seed']}"
    )
    table = Table(title=title)
    cols = ["Model", "Evidence", "Central", "Mean", "5th pct", "Median", "95th pct", "P(saves)"]
    npv = data["portfolio"].get("npv") is not None
    if npv:
        cols += ["NPV 5th", "NPV median", "NPV 95th"]
    for c in cols:
        table.add_column(c, justify="left" if c == "Model" else "right")

    def row(name: str, level: str, d: dict[str, Any], **kw: Any) -> None:
        s = d["net_savings"]
        cells = [name, level, money(d["deterministic"]["total"]), money(s["mean"]), money(s["p05"]),
                 money(s["p50"]), money(s["p95"]), f"{100 * d['prob_saving']:.1f}%"]
        if npv:
            n = d["npv"]["summary"]
            cells += [money(n["p05"]), money(n["p50"]), money(n["p95"])]
        table.add_row(*cells, **kw)

    for i in data["interventions"]:
        row(i["name"], f"level {i['evidence_level']}", i)
    row("[bold]Portfolio[/bold] (after overlap)", "", data["portfolio"], end_section=True)
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

    console.print("[bold]Break-even targets[/bold] (switching values, annual net saving):")
    for i in data["interventions"]:
        for s in i["switching_values"]:
            if s["switch"] is not None:
                console.print(f"  - {s['target']}.")
    if npv:
        console.print(f"[bold]Pay-back targets[/bold] (switching values, NPV over {data['npv_settings']['years']} years):")
        for i in data["interventions"]:
            for s in i.get("npv_switching_values", []):
                if s["switch"] is not None:
                    console.print(f"  - {s['target']}.")
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
