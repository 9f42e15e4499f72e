"""England's regions in the national roll-up, and the councils ranked (issue 22).

:func:`council_region` gives a council's region (ONS code and name) from the official figures'
``regions.csv`` (ASC-FR's rows; a council created in April 2021 or 2023 takes its predecessor's
region); :func:`regional_totals` sums the roll-up's councils by region and :func:`ranked_councils`
ranks them, both from the ``carescale national --format json`` contract (:func:`.run.run_national`),
so the web app and the CLI show the same figures."""

from __future__ import annotations

import functools
from typing import Any, Iterable, Mapping

from ..official.boundaries import APRIL_2021_SPLITS, APRIL_2023_MERGES, APRIL_2023_RECODES
from ..schema import PAYERS

UNKNOWN = ("", "region not known")


@functools.lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    from ..official.councils import read_council_figures

    regions = dict(read_council_figures().regions)
    # files on older boundaries (carescale national --mye --ascof --boundaries 2021)
    for r in APRIL_2023_RECODES:
        regions.setdefault(r.old, regions.get(r.new, UNKNOWN))
    for m in APRIL_2023_MERGES:
        regions.setdefault(m.replaces, regions.get(m.code, UNKNOWN))
    for old, parts in APRIL_2021_SPLITS.items():
        regions.setdefault(old, regions.get(parts[0].code, UNKNOWN))
    return regions


def council_region(code: str | None) -> dict[str, str]:
    """``{"code": "E12000003", "name": "Yorkshire and The Humber"}`` for a council's ONS code."""
    rc, name = _regions().get(code or "", UNKNOWN)
    return {"code": rc, "name": name}


def _total(d: Mapping[str, float]) -> float:
    return round(sum(d[p] for p in PAYERS), 2)


def _population_65(area: Mapping[str, Any]) -> float | None:
    f = area.get("figures", {}).get("cohorts.population_65_plus")
    return f["value"] if f else None


def regional_totals(areas: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The roll-up's councils summed by region (in the order of ONS region codes): councils,
    beneficiaries, cost, net saving by payer and in total, population aged 65+ and the net saving
    per person aged 65+."""
    out: dict[str, dict[str, Any]] = {}
    for a in areas:
        reg = a.get("region") or council_region(a.get("code"))
        r = out.setdefault(reg["code"], {"code": reg["code"], "name": reg["name"], "councils": 0, "beneficiaries": 0.0,
                                         "cost": 0.0, "net_savings": {p: 0.0 for p in PAYERS}, "population_65_plus": 0.0})
        r["councils"] += 1
        r["beneficiaries"] += a["beneficiaries"]
        r["cost"] += a["cost"]
        for p in PAYERS:
            r["net_savings"][p] += a["net_savings"][p]
        r["population_65_plus"] += _population_65(a) or 0.0
    rows = []
    for code in sorted(out):
        r = out[code]
        r["beneficiaries"] = round(r["beneficiaries"], 3)
        r["cost"] = round(r["cost"], 2)
        r["net_savings"] = {p: round(v, 2) for p, v in r["net_savings"].items()}
        r["net_savings"]["total"] = _total(r["net_savings"])
        pop = r["population_65_plus"]
        r["net_saving_per_person_65_plus"] = round(r["net_savings"]["total"] / pop, 2) if pop else None
        rows.append(r)
    return rows


def ranked_councils(areas: Iterable[Mapping[str, Any]], by: str = "net_savings") -> list[dict[str, Any]]:
    """Every council ranked by its net saving a year (council plus NHS; ``by="per_person_65_plus"``
    ranks by the net saving per person aged 65+), largest first; ties keep ONS code order."""
    if by not in ("net_savings", "per_person_65_plus"):
        from ..errors import SettingsError

        raise SettingsError(f"rank by: {by!r} is not valid; valid values are: net_savings, per_person_65_plus")
    rows = []
    for a in areas:
        total = _total(a["net_savings"])
        pop = _population_65(a)
        rows.append({"code": a["code"], "name": a["name"], "region": (a.get("region") or council_region(a["code"]))["name"],
                     "net_savings": total, "population_65_plus": pop,
                     "net_saving_per_person_65_plus": round(total / pop, 2) if pop else None})
    key = "net_savings" if by == "net_savings" else "net_saving_per_person_65_plus"
    rows.sort(key=lambda r: (-(r[key] if r[key] is not None else float("-inf")), r["code"] or ""))
    england = sum(r["net_savings"] for r in rows)
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
        r["share_of_england"] = round(r["net_savings"] / england, 6) if england else None
    return [{"rank": r.pop("rank"), **r} for r in rows]
