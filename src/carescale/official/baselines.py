"""Baseline rates from the council's own official data: what would be expected without a new
service, for a plan's counterfactual (docs/plans.md, "A counterfactual for observed outcomes").

ASCOF measure 2A2 (NHS Digital, Adult Social Care Outcomes Framework 2020-21): long-term
support needs of older adults (aged 65 and over) met by admission to residential and nursing
care homes, per 100,000 population aged 65+, read from the per-council official figures shipped
in ``data/official`` (:func:`carescale.official.councils.read_council_figures`, April 2023
boundaries; series ``ascof_2a2_admissions_65_plus_per_100k`` and the numerator
``ascof_2a2_admissions_65_plus``), each with its source, year and spreadsheet cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OfficialDataError

#: The baselines a plan's counterfactual may name (``baseline: {official: ...}``) -> (series of
#: the rate per 100,000, series of the numerator, what it counts).
OFFICIAL_BASELINES = {
    "ascof-2a2": ("ascof_2a2_admissions_65_plus_per_100k", "ascof_2a2_admissions_65_plus",
                  "permanent admissions to residential and nursing care homes of people aged 65+, a year per "
                  "person aged 65+ (ASCOF 2A2)"),
}


@dataclass(frozen=True)
class Baseline:
    """A council's official rate: events a year per 100,000 people."""

    measure: str  # "ascof-2a2"
    code: str  # ONS code of the council
    name: str
    per_100000: float  # the published rate
    events: float | None  # the numerator (admissions in the year)
    source: str
    year: str
    cell: str
    note: str | None = None

    @property
    def rate(self) -> float:
        """Events a year per person (399.6 / 100,000 for Birmingham)."""
        return self.per_100000 / 100_000

    def as_dict(self) -> dict[str, object]:
        return {"measure": self.measure, "code": self.code, "name": self.name, "per_100000": self.per_100000,
                "rate_per_person_year": self.rate, "events": self.events, "source": self.source,
                "year": self.year, "cell": self.cell, "note": self.note}


def official_baseline(measure: str, code: str | None, where: str) -> Baseline:
    """The council's own baseline rate for ``measure`` (``ascof-2a2``); one-line errors naming
    ``where`` for an unknown measure or a council without the figure."""
    from .councils import read_council_figures

    if measure not in OFFICIAL_BASELINES:
        raise OfficialDataError(
            f"{where}: {measure!r} is not an official baseline carescale ships; valid baselines are: "
            f"{', '.join(OFFICIAL_BASELINES)}"
        )
    rate_series, count_series, _ = OFFICIAL_BASELINES[measure]
    figures = read_council_figures()
    fig = None
    if code is not None and code in figures.councils:
        fig = figures.figure(code, rate_series)
    if fig is None or fig.value is None:
        what = f"council {code}" if code else "an area without an ONS code"
        why = f" ({fig.missing})" if fig is not None and fig.missing else ""
        raise OfficialDataError(
            f"{where}: {measure}: {what} has no figure in the official data{why}; give the baseline as a rate "
            "from the evidence (baseline: {rate: ...}) or a comparison group (baseline: {comparison: matched})"
        )
    count = figures.figure(code, count_series)  # type: ignore[arg-type]
    return Baseline(measure, fig.area, fig.name, float(fig.value), count.value, fig.source, fig.year, fig.cell, fig.note)
