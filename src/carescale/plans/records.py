"""Stored reviews as ``reviews list`` and ``plans show`` print them. A pure function of a stored
row: both :mod:`.plan` (a plan's history) and :mod:`.review` (the list of reviews) read it from
here, so neither imports the other for it (issue 20: no import circle)."""

from __future__ import annotations

import json
from typing import Any


def review_record(row: Any) -> dict[str, Any]:
    """A stored review with its recommendation, as ``reviews list`` and ``plans show`` print it."""
    from ..store.core import utc_iso  # the store loads SQLAlchemy: imported when used

    rec = row.recommendation
    details = json.loads(rec.details_json) if rec else {}
    return {
        "number": row.number,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "people_supported": row.people_supported,
        "outcomes": {o.outcome_id: o.achieved for o in row.outcomes},
        "local_savings": {o.outcome_id: {"saving": float(o.local_saving), "cases": o.local_cases}
                          for o in row.outcomes if o.local_cases},
        "observed": {o.measure_id: {k: v for k, v in (("events", o.events), ("comparison_people", o.comparison_people),
                                                       ("comparison_events", o.comparison_events)) if v is not None}
                     for o in row.observations},
        "money_spent": float(row.money_spent),
        "recorded_by": row.recorded_by,
        "recorded_at": utc_iso(row.recorded_at),
        "note": row.note,
        "decision": rec.decision if rec else None,
        "reason": rec.reason if rec else None,
        "prob_saving": rec.prob_saving if rec else None,
        "expected_npv": rec.expected_npv if rec else None,
        "posterior": {o["id"]: o["posterior"] for o in details.get("outcomes", [])},
        "counterfactual": details.get("counterfactual", []),
    }
