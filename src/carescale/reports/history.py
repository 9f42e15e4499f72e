"""A plan's review history in the business case (docs/plans.md, "Review history"): a table in
the PDF/HTML and Markdown (targets against actuals, the posterior of each rate, the expected NPV
and the recommendation, with each reason below), and a "Review history" sheet in the workbook
with every column of ``carescale plans history --format csv``. The history is plain data made by
``carescale.plans.history.review_history`` (reports and plans are siblings: neither imports the
other; the command that makes the report passes it in)."""

from __future__ import annotations

from typing import Any

from ..formatting import share
from .numbers import money, people


def _pct(x: Any) -> str:
    return "n/a" if x is None else share(x, 1)


def _money(x: Any) -> str:
    return money(x)


def history_table(h: dict[str, Any]) -> dict[str, Any]:
    p = h["plan"]
    headings = ["Review (to)", "People (planned)", "Spent (planned)"]
    for oid, desc in h["outcomes"]:
        headings.append(f"{desc}: achieved (needed); rate now (90% interval)")
    for _, desc in h["counterfactual"]:
        headings.append(f"{desc}: avoided against the counterfactual (95% interval)")
    headings += ["Expected NPV", "Recommendation"]
    rows = []
    for r in h["rows"]:
        row = [f"{r['number']} ({r['period_end']})",
               f"{people(r['people_supported'])} ({people(r['planned_people'])})",
               f"{_money(r['money_spent'])} ({_money(r['planned_spend'])})"]
        for oid, _ in h["outcomes"]:
            need = r.get(f"target.{oid}")
            row.append(f"{r.get(f'achieved.{oid}')} ({'n/a' if need is None else f'{need:,.1f}'}); "
                       f"{_pct(r.get(f'posterior_mean.{oid}'))} ({_pct(r.get(f'posterior_p05.{oid}'))} to "
                       f"{_pct(r.get(f'posterior_p95.{oid}'))})")
        for cid, _ in h["counterfactual"]:
            a = r.get(f"avoided.{cid}")
            row.append("n/a" if a is None else
                       f"{a:,.1f} ({r[f'avoided_low.{cid}']:,.1f} to {r[f'avoided_high.{cid}']:,.1f})")
        row += [_money(r["expected_npv"]), r["decision"] or "n/a"]
        rows.append(row)
    return {
        "title": f"{p['name']} ({p['id']})",
        "intro": (f"{p['model']} in {p['area']}, {p['start']} to {p['end']}, reviewed {p['review_period']}; budget "
                  f"{_money(p['budget'])}; NPV at the plan's figures {_money(p['npv'])}. Achieved outcomes are the "
                  "reviews' own counts; the rate now is the posterior after each review."),
        "headings": headings,
        "rows": rows,
        "reasons": [{"number": r["number"], "period_end": r["period_end"], "decision": r["decision"],
                     "reason": r["reason"]} for r in h["rows"]],
    }


def history_markdown(h: dict[str, Any]) -> list[str]:
    from .text import md_text as t

    v = history_table(h)
    lines = [f"## Review history: {t(v['title'])}", "", t(v["intro"]), ""]
    lines.append("| " + " | ".join(t(x) for x in v["headings"]) + " |")
    lines.append("|" + "---|" * len(v["headings"]))
    for row in v["rows"]:
        lines.append("| " + " | ".join(t(str(c)) for c in row) + " |")
    lines.append("")
    for r in v["reasons"]:
        lines += [f"- Review {r['number']} ({r['period_end']}), {t(r['decision'] or 'n/a')}: {t(r['reason'] or '')}"]
    return lines + [""]


def history_sheet(book: Any, ws: Any, h: dict[str, Any]) -> None:
    """Every column of the history, one row a review: numbers as numbers, text as text."""
    cols = h["columns"]
    book.text(ws, 0, 0, f"Review history of plan {h['plan']['id']}: {h['plan']['name']}", book.fmt(bold=True))
    book.header(ws, 2, [head for _, head in cols], [14.0] * len(cols))
    for i, r in enumerate(h["rows"], start=3):
        for c, (key, _) in enumerate(cols):
            v = r.get(key)
            if v is None:
                book.text(ws, i, c, "n/a")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                book.num(ws, i, c, v)
            else:
                book.text(ws, i, c, str(v))
    ws.freeze_panes(3, 1)
