"""The national page (``/national``): England, its regions and every council from the national
roll-up (:func:`carescale.national.run_national` on the built-in profiles from official figures,
with :mod:`carescale.national.regions`: the same figures as ``carescale national``), sortable by
any column (links that work without JavaScript; a small script sorts in place where it runs), a
chart of the regions with their table, and each council linking to its own result."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from .. import charts, documents
from ..security import plotly_style_ids
from ..templating import error_page, render, see_other
from .common import save

router = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()

#: the council table's columns: key -> (heading, how the rows are sorted by it, numeric)
COLUMNS: dict[str, tuple[str, Any, bool]] = {
    "name": ("Council", lambda r: r["name"].lower(), False),
    "region": ("Region", lambda r: (r["region"].lower(), r["name"].lower()), False),
    "beneficiaries": ("People reached a year", lambda r: r["beneficiaries"], True),
    "cost": ("Cost a year", lambda r: r["cost"], True),
    "asc": ("Net saving: council", lambda r: r["net_asc"], True),
    "nhs": ("Net saving: NHS", lambda r: r["net_nhs"], True),
    "net": ("Net saving a year", lambda r: r["net"], True),
    "per_person": ("Per person aged 65+", lambda r: r["per_person"] if r["per_person"] is not None else float("-inf"), True),
}


def _roll_up(request: Request) -> dict[str, Any]:
    """The roll-up, worked out once per process (inside one of the policy's inline slots)."""
    state = request.app.state
    got = getattr(state, "national_roll_up", None)
    if got is not None:
        return got
    with _LOCK:
        got = getattr(state, "national_roll_up", None)
        if got is None:
            from ...national import official_inputs, run_national

            got = state.inline.run(lambda: run_national(official_inputs()))
            state.national_roll_up = got
    return got


def _council_ids() -> dict[str, str]:
    from ...areas.official import official_profiles

    return {p.area.ons_code: aid for aid, p in official_profiles().items()}


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    ids = _council_ids()
    ranked = {r["code"]: r for r in data["ranked"]}
    out = []
    for a in data["areas"]:
        rk = ranked.get(a["code"], {})
        out.append({"code": a["code"], "id": ids.get(a["code"]), "name": a["name"], "region": a["region"]["name"],
                    "beneficiaries": a["beneficiaries"], "cost": a["cost"], "net_asc": a["net_savings"]["asc"],
                    "net_nhs": a["net_savings"]["nhs"], "net": rk.get("net_savings"), "rank": rk.get("rank"),
                    "per_person": rk.get("net_saving_per_person_65_plus"), "share": rk.get("share_of_england"),
                    "estimated": len(a["estimated"])})
    return out


@router.get("/national", response_class=HTMLResponse)
def national_page(request: Request, sort: str = "net", order: str = "") -> HTMLResponse:
    if sort not in COLUMNS:
        sort = "net"
    numeric = COLUMNS[sort][2]
    if order not in ("asc", "desc"):
        order = "desc" if numeric else "asc"
    data = _roll_up(request)
    rows = sorted(_rows(data), key=COLUMNS[sort][1], reverse=order == "desc")
    chart = charts.regions(data["regions"])
    return render(request, "national.html", title="Scaling up what works in every English council", nav="national",
                  data=data, rows=rows, totals=data["totals"], regions=data["regions"], columns=COLUMNS, sort=sort,
                  order=order, charts=[chart], plotly_style_ids=plotly_style_ids())


@router.get("/national/councils/{area_id}")
def national_council(request: Request, area_id: str) -> Response:
    """A council's own result: its built-in profile with the default portfolio (the document the
    roll-up runs there), stored by its content hash (the same address every time), then opened."""
    if area_id not in set(_council_ids().values()):
        return error_page(request, 404, [f"council: {area_id!r} is not an English council with a built-in profile"])
    doc = documents.parse({"version": 1, "area": area_id})
    return see_other(f"/scenario/{save(request, doc)}")
