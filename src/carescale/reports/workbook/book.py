"""What every sheet shares: the workbook being written (:class:`_Book`: formats, defined names,
cell writers that keep user text literal) and where each model's key figures live
(:class:`_ModelCells`), plus the additionality the appraisal applies."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...appraisal.settings import appraisal_defaults
from ...scenarios.evaluation import AppraisalRuns
from ..data import ReportData
from ..text import sheet_text
from .cells import defined_name


@dataclass
class _ModelCells:
    """Where a model's key figures live (absolute references with sheet)."""

    sheet: str
    n: str = ""  # beneficiaries at full scale
    person_gross_adj: dict[str, str] = field(default_factory=dict)  # payer -> appraisal person-based gross a year
    person_gross: dict[str, str] = field(default_factory=dict)
    month_rows: tuple[int, int] = (0, 0)  # first, last row of the monthly table
    month_cols: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    steady: dict[str, str] = field(default_factory=dict)


class _Book:
    def __init__(self, wb: Any, data: ReportData, cached: bool):
        self.wb, self.data, self.cached = wb, data, cached
        self.names: dict[str, str] = {}
        self.fmt_cache: dict[tuple, Any] = {}
        self.used_sheets: set[str] = set()
        self.models: dict[str, _ModelCells] = {}
        self.portfolio_metrics: dict[str, str] = {}  # metric -> defined name (Cash flow sheet)
        self.cash: dict[str, int] = {}  # the Cash flow sheet's yearly rows
        self.header_rows: dict[str, list[int]] = {}  # sheet -> the rows its table headers are on (printing)

    @property
    def runs(self) -> AppraisalRuns:
        """The engine on the appraisal's adjusted values (from the evaluation: never re-run)."""
        return self.data.evaluation.appraisal_runs

    # -- small helpers ---------------------------------------------------------------------
    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.fmt_cache:
            self.fmt_cache[key] = self.wb.add_format(props)
        return self.fmt_cache[key]

    def text(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """User or library text: always a string cell, never a formula."""
        sheet_text(ws, r, c, value, fmt)

    def num(self, ws: Any, r: int, c: int, value: float, fmt: Any = None) -> None:
        v = float(value)
        if math.isfinite(v):
            ws.write_number(r, c, v, fmt)
        else:
            ws.write_string(r, c, "n/a", fmt)

    def formula(self, ws: Any, r: int, c: int, f: str, value: Any, fmt: Any = None) -> None:
        if isinstance(value, (float, np.floating)):
            value = float(value)
            if not math.isfinite(value):
                value = 0.0
        ws.write_formula(r, c, f, fmt, value if self.cached else 0)

    def name(self, prefix: str, path: str, ref: str) -> str:
        nm = defined_name(prefix, path)
        if nm in self.names and self.names[nm] != ref:
            i = 2
            while f"{nm}_{i}" in self.names:
                i += 1
            nm = f"{nm}_{i}"
        self.names[nm] = ref
        self.wb.define_name(nm, "=" + ref)
        return nm

    def header(self, ws: Any, r: int, headings: list[str], widths: list[float] | None = None) -> None:
        h = self.fmt(bold=True, bg_color="#DDE4EE", border=1, text_wrap=True, valign="top")
        self.header_rows.setdefault(ws.get_name(), []).append(r)
        for c, t in enumerate(headings):
            ws.write_string(r, c, t, h)
        if widths:
            for c, w in enumerate(widths):
                ws.set_column(c, c, w)


def _outcome_additionality(settings: Any, iid: str, oid: str | None) -> tuple[float, float]:
    """(deadweight, attribution) as the appraisal applies them (appraisal/core.py)."""
    d = appraisal_defaults().additionality
    adj = settings.interventions.get(iid)
    o = adj.outcomes.get(oid) if (adj is not None and oid is not None) else None
    dw = next(x for x in (o.deadweight if o else None, adj.deadweight if adj else None, d.deadweight.value) if x is not None)
    at = next(x for x in (o.attribution if o else None, adj.attribution if adj else None, d.attribution.value) if x is not None)
    return float(dw), float(at)
