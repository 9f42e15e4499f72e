"""What a council spends on adult social care now ("describe what we do at the moment and how
much it costs", issue 22): its spend by support reason and age (MHCLG RO3 outturn, 2022-23 to
2024-25), by setting (NHS Digital ASC-FR 2021-22: long-term nursing, residential and home care;
short-term care to maximise independence and other), its prevention lines, and the trend, each
figure in cash of its year and re-priced to one price base, with its source and cell.

:func:`council_baseline` reads the official figures the built-in profiles read
(:func:`carescale.official.councils.read_council_figures`); a missing figure (no return,
suppressed, no row) is listed with its reason, never counted as zero.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import CarescaleError, OfficialDataError
from .councils import CouncilFigures, council_figures_key, read_council_figures

#: ASC-FR 2021-22 spend by setting: (label, age, series).
SETTINGS = (
    ("long-term: nursing", "65+", "ascfr_ltc_65_plus_nursing"),
    ("long-term: residential", "65+", "ascfr_ltc_65_plus_residential"),
    ("long-term: home care", "65+", "ascfr_ltc_65_plus_home_care"),
    ("long-term: all settings", "65+", "ascfr_ltc_65_plus_total"),
    ("short-term: to maximise independence (reablement)", "65+", "ascfr_stc_65_plus_max_independence"),
    ("short-term: other", "65+", "ascfr_stc_65_plus_other"),
    ("long-term: nursing", "18-64", "ascfr_ltc_18_64_nursing"),
    ("long-term: residential", "18-64", "ascfr_ltc_18_64_residential"),
    ("long-term: home care", "18-64", "ascfr_ltc_18_64_home_care"),
    ("long-term: all settings", "18-64", "ascfr_ltc_18_64_total"),
    ("short-term: to maximise independence (reablement)", "18-64", "ascfr_stc_18_64_max_independence"),
    ("short-term: other", "18-64", "ascfr_stc_18_64_other"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("65+", "65_plus")).strip("_")


def _price_year(year: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})", year)
    return f"{m.group(1)}/{m.group(2)}" if m else year


def _split(line: str) -> tuple[str, str]:
    """``"physical support - older people (65+)"`` -> ("physical support", "65+")."""
    m = re.fullmatch(r"(.*) - (?:adults|older people) \((18-64|65\+)\)", line)
    return (m.group(1), m.group(2)) if m else (line, "all ages")


def ro3_years(figs: CouncilFigures) -> list[str]:
    """The RO3 years in the figures, oldest first (``["2022-23", "2023-24", "2024-25"]``)."""
    years = {s.year for s in figs.series.values() if s.group == "ro3"}
    return sorted(years)


def council_baseline(code: str, prices: Any = "default", figures: CouncilFigures | None = None) -> dict[str, Any]:
    """A council's (ONS code, April 2023 boundaries) adult social care spend now, JSON-ready.
    ``prices``: a :class:`carescale.prices.PriceBase`, a year such as ``"2024/25"``, or
    ``"default"`` (the one default price base). Money is in pounds (the files' £ thousands x 1,000)."""
    from ..prices import PriceBase, price_base
    from .ro3 import ASC_LINES, PREVENTION_LINES

    figs = figures or read_council_figures()
    if code not in figs.councils:
        close = [c for c in figs.councils if c[:3] == code[:3]][:3]
        raise OfficialDataError(
            f"baseline: {code!r} is not a council in the official figures (April 2023 boundaries); "
            f"give an ONS code such as {', '.join(close or list(figs.councils)[:3])}"
        )
    pb = prices if isinstance(prices, PriceBase) else price_base(None if prices == "default" else prices)
    missing: dict[tuple[str, str, str, str], int] = {}  # (source, table, year, reason) -> figures

    def item(sid: str, **extra: Any) -> dict[str, Any] | None:
        if sid not in figs.series:
            return None
        f = figs.figure(code, sid)
        s = figs.series[sid]
        if f.value is None:
            key = (s.source, s.table, s.year, f.missing or "missing")
            missing[key] = missing.get(key, 0) + 1
            return {**extra, "year": s.year, "cash": None, "real": None, "source": f"{s.source}, {s.table}",
                    "cell": f.cell, "missing": f.missing}
        cash = f.value * 1000
        return {**extra, "year": s.year, "cash": round(cash, 2), "real": round(cash * pb.factor(_price_year(s.year)), 2),
                "source": f"{s.source}, {s.table}", "cell": f.cell, **({"note": f.note} if f.note else {})}

    years = ro3_years(figs)
    total = [x for x in [item("ascfr_gce_total", measure="gross current expenditure (ASC-FR)")] if x]
    total += [x for y in years for x in [item(f"ro3_{y.replace('-', '_')}_total_adult_social_care_c3",
                                              measure="total expenditure (RO3 C3)")] if x]
    net = [x for y in years for x in [item(f"ro3_{y.replace('-', '_')}_total_adult_social_care_c7",
                                           measure="net current expenditure (RO3 C7)")] if x]
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for y in years:
        rows = []
        for line in ASC_LINES[:-1]:
            reason, age = _split(line)
            x = item(f"ro3_{y.replace('-', '_')}_{_slug(line)}_c3", reason=reason, age=age)
            if x:
                rows.append(x)
        by_reason[y] = rows
    setting = [x for label, age, sid in SETTINGS for x in [item(sid, setting=label, age=age)] if x]
    prevention = []
    for line in PREVENTION_LINES:
        reason, _ = _split(line)
        prevention.append({"line": reason, "years": [x for y in years
                                                     for x in [item(f"ro3_{y.replace('-', '_')}_{_slug(line)}_c3")] if x]})
    known = [t for t in total if t["measure"].endswith("(RO3 C3)") and t["real"] is not None]
    trend = None
    if len(known) >= 2:
        first, last = known[0], known[-1]
        trend = {"from": first["year"], "to": last["year"], "real_change": round(last["real"] / first["real"] - 1, 4),
                 "cash_change": round(last["cash"] / first["cash"] - 1, 4),
                 "measure": "RO3 total adult social care expenditure (C3), re-priced"}
    region = figs.regions.get(code, ("", ""))
    return {
        "code": code, "name": figs.councils[code], "region": {"code": region[0], "name": region[1]},
        "prices": {"year": pb.year, "label": pb.label, "statement": pb.statement},
        "total": total, "net_total": net, "by_reason": by_reason, "by_setting": setting,
        "prevention": prevention, "trend": trend,
        "missing": [f"{source}, {table} ({year}): {why} ({_figures(n)})" for (source, table, year, why), n in missing.items()],
        "gaps": [{"source": source, "table": table, "year": year, "reason": why, "figures": n}
                 for (source, table, year, why), n in missing.items()],
    }


def _figures(n: int) -> str:
    from ..formatting import counted

    return counted(n, "figure", "figures")


def gap_lines(gaps: list[dict[str, Any]]) -> list[str]:
    """The figures a council's official returns lack, one sentence per source and reason: the
    years and tables with the same gap are said once ("RO3 outturn, RO3 (2022-23, 2023-24 and
    2024-25): [x] no return (24 figures a year)"), as a reader would say it, not once a table
    and year."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in gaps:
        source = g["source"].removesuffix(" " + g["year"])  # a source named by its year ("RO3 outturn 2022-23")
        groups.setdefault((source, g["reason"]), []).append(g)
    out = []
    for (source, why), items in groups.items():
        tables = sorted({g["table"] for g in items})
        years = sorted({g["year"] for g in items})
        if len(tables) == 1:
            where = f"{tables[0]} ({_and(years)})"
        elif len(years) == 1:
            where = f"{_and(tables)} ({years[0]})"
        else:
            where = _and([f"{g['table']} ({g['year']})" for g in items])
        counts = {g["figures"] for g in items}
        if len(items) > 1 and len(tables) == 1 and len(counts) == 1:
            n = f"{_figures(items[0]['figures'])} a year"
        else:
            n = _figures(sum(g["figures"] for g in items))
        out.append(f"{source}, {where}: {why} ({n})")
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def latest(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest item with a figure (a year's total, a prevention line's year)."""
    have = [i for i in items if i.get("real") is not None]
    return have[-1] if have else None


def baseline_lines(b: dict[str, Any]) -> list[str]:
    """The baseline as a few plain sentences (the CLI under a run, the web result page and the
    reports show these): totals and trend, the largest support reasons, the prevention lines and
    the spend by setting, each with its source and year, in the baseline's price base."""
    from ..formatting import share, short_money

    def m(x: dict[str, Any] | None) -> str:
        return "not known" if x is None or x.get("real") is None else short_money(x["real"])

    out = []
    gross = [t for t in b["total"] if t["measure"].endswith("(RO3 C3)")]
    g, n = latest(gross), latest(b["net_total"])
    first = latest([t for t in b["total"] if not t["measure"].endswith("(RO3 C3)")])
    if g is not None:
        text = (f"Adult social care spend now ({b['prices']['label']}): {short_money(g['real'])} gross"
                + (f", {short_money(n['real'])} net" if n is not None and n["year"] == g["year"] else "")
                + f" (RO3 {g['year']})")
        if b["trend"]:
            ch = b["trend"]["real_change"]
            text += f"; real change {b['trend']['from']} to {b['trend']['to']}: {'+' if ch > 0 else ''}{share(ch, 1)}"
        out.append(text + ".")
    elif first is not None:
        out.append(f"Adult social care spend ({b['prices']['label']}): {short_money(first['real'])} gross current "
                   f"expenditure (ASC-FR {first['year']}); no RO3 return since.")
    year = next((y for y in reversed(list(b["by_reason"])) if any(r["real"] is not None for r in b["by_reason"][y])), None)
    if year is not None:
        rows = sorted((r for r in b["by_reason"][year] if r["real"] is not None), key=lambda r: -r["real"])[:4]
        out.append(f"Largest support reasons (RO3 {year}): "
                   + "; ".join(f"{r['reason']} {r['age']} {short_money(r['real'])}" for r in rows) + ".")
    prev = [(p["line"], latest(p["years"])) for p in b["prevention"]]
    if any(x is not None for _, x in prev):
        out.append("Prevention lines (RO3, latest year): "
                   + "; ".join(f"{line} {m(x)}" + (f" ({x['year']})" if x else "") for line, x in prev) + ".")
    older = [s for s in b["by_setting"] if s["age"] == "65+" and s["setting"] != "long-term: all settings"]
    if any(s["real"] is not None for s in older):
        out.append(f"People aged 65+ by setting (ASC-FR {older[0]['year']}): "
                   + "; ".join(f"{s['setting']} {m(s)}" for s in older) + ".")
    out += [f"Not in the official figures: {x}." for x in gap_lines(b["gaps"])]
    return out


def baseline_for_area(area: Any, price_year: str | None = None) -> dict[str, Any] | None:
    """:func:`council_baseline` of an area profile that is a council in the official figures (by
    its ONS code; a council created in April 2023 under an old code is found by its new one), in
    ``price_year`` prices (default: the default price base); None for any other area.

    Kept in the disk cache by the figures' files (:func:`council_figures_key`), the code and the
    price base's own values (:func:`carescale.cache.digest`), so ``carescale run`` does not read
    every council's figures (a megabyte) to print one council's baseline (issue 25)."""
    from ..cache import cached, digest, stat_key
    from ..prices import price_base

    code = getattr(area, "ons_code", None)
    if getattr(area, "kind", "council") != "council" or not code:
        return None
    from .boundaries import APRIL_2023_RECODES

    code = next((r.new for r in APRIL_2023_RECODES if r.old == code), code)

    def build(prices: Any) -> dict[str, Any] | None:
        figs = read_council_figures()
        return council_baseline(code, prices, figs) if code in figs.councils else None

    try:
        pb = price_base(None if (price_year or "default") == "default" else price_year)
    except CarescaleError:  # a year with no price index figure: said (or not, for no council) as before
        return build(price_year or "default")
    figures, prices = council_figures_key(), digest(pb)
    if figures is None or prices is None:
        return build(pb)
    return cached("council-baseline", stat_key([], figures, code, prices), lambda: build(pb))


def services(b: dict[str, Any]) -> list[dict[str, Any]]:
    """"The services that could be reduced" (issue 22), for plans and the business case's cash
    view: each of the council's spend lines in its latest year with a figure (RO3 by support reason
    and age, the prevention lines; ASC-FR 2021-22 by setting), largest first, with an id
    (``ro3:2024-25:physical-support:65+``, ``ascfr:2021-22:long-term-residential:65+``), its spend
    in cash and in the baseline's prices, source and cell."""
    out = []
    year = next((y for y in reversed(list(b["by_reason"])) if any(r["real"] is not None for r in b["by_reason"][y])), None)
    for r in b["by_reason"].get(year, []) if year else []:
        if r["real"] is not None:
            out.append({"id": f"ro3:{year}:{_slug(r['reason']).replace('_', '-')}:{r['age']}", "label": f"{r['reason']} ({r['age']})",
                        **{k: r[k] for k in ("year", "cash", "real", "source", "cell")}})
    for s in b["by_setting"]:
        if s["real"] is not None and s["setting"] != "long-term: all settings":
            out.append({"id": f"ascfr:{s['year']}:{_slug(s['setting']).replace('_', '-')}:{s['age']}",
                        "label": f"{s['setting']} ({s['age']})", **{k: s[k] for k in ("year", "cash", "real", "source", "cell")}})
    return sorted(out, key=lambda x: -x["real"])
