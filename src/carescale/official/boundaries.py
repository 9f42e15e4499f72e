"""Councils with adult social care responsibilities, and the boundary changes between the files.

The upper tier of English local government (county councils E10, unitary authorities E06,
metropolitan districts E08, London boroughs E09, with the City of London and the Isles of Scilly)
are the councils with adult social care responsibilities (CASSRs).

Changes handled explicitly:

* **April 2021** (in the ONS 2021-geography file, not in ASCOF 2020-21): Northamptonshire
  (E10000021) became North Northamptonshire (E06000061) and West Northamptonshire (E06000062).
  ASCOF's Northamptonshire counts are shared between them by population aged 18 to 64.
* **April 2023**: Cumbria (E10000006) became Cumberland (E06000063: Allerdale, Carlisle,
  Copeland) and Westmorland and Furness (E06000064: Barrow-in-Furness, Eden, South Lakeland);
  their populations are the sums of those districts, and Cumbria's ASCOF counts are shared by
  population aged 18 to 64. North Yorkshire (E10000023 -> E06000065) and Somerset
  (E10000027 -> E06000066) became unitary on the same footprint: only the code changes.

This module is the one place figures are carried across April 2023: :func:`successors_2023`
(and :func:`figures_to_2023` for a set of :class:`~carescale.official.figures.Figure`) share a
Cumbria figure between Cumberland and Westmorland and Furness by population (adults 18+ unless
stated) and put the method, with the shares and the populations, in each figure's note;
:func:`read_lookup` and :func:`check_april_2023` confirm the changes against ONS's lookups.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import OfficialDataError
from ..io.paths import display_path

UPPER_TIER_PREFIXES = ("E06", "E08", "E09", "E10")
BOUNDARIES = ("2023", "2021")


@dataclass(frozen=True)
class Merge:
    """A new council made of whole districts, replacing a county."""

    code: str
    name: str
    districts: tuple[str, ...]
    replaces: str


@dataclass(frozen=True)
class Recode:
    """A council with a new code on the same footprint."""

    old: str
    new: str
    name: str


APRIL_2023_MERGES: tuple[Merge, ...] = (
    Merge("E06000063", "Cumberland", ("E07000026", "E07000028", "E07000029"), "E10000006"),
    Merge("E06000064", "Westmorland and Furness", ("E07000027", "E07000030", "E07000031"), "E10000006"),
)
APRIL_2023_RECODES: tuple[Recode, ...] = (
    Recode("E10000023", "E06000065", "North Yorkshire"),
    Recode("E10000027", "E06000066", "Somerset"),
)
#: April 2021: Northamptonshire's successors (ONS mid-2023 has them as rows), for files older than
#: April 2021 (ASCOF 2020-21) carried by :func:`figures_to_2023`.
APRIL_2021_SPLITS: dict[str, tuple[Merge, ...]] = {
    "E10000021": (Merge("E06000061", "North Northamptonshire", (), "E10000021"),
                  Merge("E06000062", "West Northamptonshire", (), "E10000021")),
}

#: Councils whose ASCOF counts come from a predecessor, shared by population aged 18 to 64.
PREDECESSORS: dict[str, str] = {
    "E06000061": "E10000021",  # North Northamptonshire <- Northamptonshire (April 2021)
    "E06000062": "E10000021",  # West Northamptonshire <- Northamptonshire (April 2021)
    "E06000063": "E10000006",  # Cumberland <- Cumbria (April 2023)
    "E06000064": "E10000006",  # Westmorland and Furness <- Cumbria (April 2023)
}


def is_upper_tier(code: str) -> bool:
    return code[:3] in UPPER_TIER_PREFIXES


# --- carrying figures of the old councils to April 2023 boundaries (the one place it is done) ---

@dataclass(frozen=True)
class Lookup:
    """An ONS lower-tier to upper-tier local authority lookup (districts to councils)."""

    path: Path
    vintage: str  # "22" (December 2022) or "23" (April 2023): the digits in the column names
    districts: dict[str, tuple[str, str, str]]  # LTLA code -> (LTLA name, UTLA code, UTLA name)

    @property
    def councils(self) -> dict[str, str]:
        """English upper-tier councils: code -> name."""
        return {u: n for _, u, n in self.districts.values() if is_upper_tier(u)}

    def members(self, utla: str) -> list[str]:
        return sorted(d for d, (_, u, _) in self.districts.items() if u == utla)


def read_lookup(path: Path | str) -> Lookup:
    """Read an LTLA-to-UTLA lookup CSV (ArcGIS export: ``LTLA23CD, LTLA23NM, ..., UTLA23CD,
    UTLA23NM, ..., ObjectId``); columns found by their names, whatever the year digits."""
    path = Path(path)
    name = display_path(path)
    if not path.is_file():
        raise OfficialDataError(f"{name}: file not found; give the path to an ONS LTLA to UTLA lookup (CSV)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OfficialDataError(f"{name}: not a UTF-8 CSV file; expected an ONS LTLA to UTLA lookup") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head = [h.strip() for h in rows[0]] if rows else []
    cols = {}
    for key in ("LTLA", "UTLA"):
        for part in ("CD", "NM"):
            hit = next((j for j, h in enumerate(head) if re.fullmatch(rf"{key}(\d\d){part}", h, re.I)), None)
            if hit is None:
                raise OfficialDataError(
                    f"{name}: row 1: no column {key}yyCD/{key}yyNM (such as {key}23{part}); "
                    f"an ONS LTLA to UTLA lookup has LTLAyyCD, LTLAyyNM, UTLAyyCD, UTLAyyNM"
                )
            cols[key + part] = hit
    vintage = head[cols["UTLACD"]][4:6]
    districts: dict[str, tuple[str, str, str]] = {}
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) <= max(cols.values()):
            raise OfficialDataError(f"{name}: row {i}: {len(r)} columns; the header has {len(head)}")
        d = r[cols["LTLACD"]].strip()
        if d in districts:
            raise OfficialDataError(f"{name}: row {i}: district {d} appears twice")
        districts[d] = (r[cols["LTLANM"]].strip(), r[cols["UTLACD"]].strip(), r[cols["UTLANM"]].strip())
    if not districts:
        raise OfficialDataError(f"{name}: no rows below the header")
    return Lookup(path, vintage, districts)


def check_april_2023(before: Lookup, after: Lookup) -> list[str]:
    """The April 2023 changes as the two lookups show them, checked against
    :data:`APRIL_2023_MERGES` and :data:`APRIL_2023_RECODES`: one line a change. Refuses (one
    line) lookups that disagree with them, so a new lookup with other changes is noticed."""
    lines = []
    for county in dict.fromkeys(m.replaces for m in APRIL_2023_MERGES):
        parts = [m for m in APRIL_2023_MERGES if m.replaces == county]
        expected = sorted(d for m in parts for d in m.districts)
        got = before.members(county)
        if got != expected:
            raise OfficialDataError(
                f"{display_path(before.path)}: {county} is made of {', '.join(got) or 'no districts'}; "
                f"carescale expects {', '.join(expected)} before April 2023"
            )
        for m in parts:
            left = [d for d in m.districts if d in after.districts]
            if m.code not in after.councils or left:
                raise OfficialDataError(
                    f"{display_path(after.path)}: expected council {m.name} ({m.code}) in place of the districts "
                    f"{', '.join(m.districts)}; it has {'district ' + left[0] if left else 'no ' + m.code}"
                )
            lines.append(f"{m.name} ({m.code}) = {', '.join(before.districts[d][0] for d in m.districts)}, part of {county}")
    for r in APRIL_2023_RECODES:
        if r.old not in before.councils or r.new not in after.councils or r.old in after.councils:
            raise OfficialDataError(
                f"{display_path(after.path)}: expected {r.name} as {r.old} in {display_path(before.path)} "
                f"and as {r.new} (not {r.old}) here"
            )
        lines.append(f"{r.name}: {r.old} -> {r.new} (its {len(before.members(r.old))} districts became one council)")
    return lines


@dataclass(frozen=True)
class Share:
    code: str
    name: str
    fraction: float
    method: str  # one sentence: how the figure was carried over


def successors_2023(code: str, population, ages: tuple[int, int | None] = (18, None)) -> list[Share] | None:
    """How a figure of council ``code`` on pre-April-2023 boundaries is carried to April 2023
    boundaries: None when the council did not change; one Share (fraction 1) for a recode; one
    Share a successor for a split, by the successors' population aged ``ages`` in
    ``population`` (an ONS MYE2 table on 2023 boundaries, or one with the districts)."""
    for r in APRIL_2023_RECODES:
        if r.old == code:
            return [Share(r.new, r.name, 1.0, f"April 2023: {r.name} {r.old} became {r.new} on the same footprint; figure unchanged")]
    merges = [m for m in APRIL_2023_MERGES if m.replaces == code]
    change = "April 2023"
    if not merges and code in APRIL_2021_SPLITS:  # files older than April 2021 (ASCOF 2020-21)
        merges, change = list(APRIL_2021_SPLITS[code]), "April 2021"
    if not merges:
        return None
    lo, hi = ages
    label = f"{lo}+" if hi is None else f"{lo}-{hi}"
    pops = []
    for m in merges:
        row = population.get(m.code)
        if row is not None:
            pops.append(row.between(lo, hi))
            continue
        parts = [population.get(d) for d in m.districts]
        if any(p is None for p in parts):
            absent = next(d for d, p in zip(m.districts, parts) if p is None)
            raise OfficialDataError(
                f"{display_path(population.path)}: no row for {m.name} ({m.code}) or its district {absent}; "
                f"needed to share {code}'s figures by population"
            )
        pops.append(sum(p.between(lo, hi) for p in parts))
    total = sum(pops)
    period = getattr(population, "period", None) or "ONS"
    out = []
    for m, p in zip(merges, pops):
        f = p / total
        others = ", ".join(f"{o.name} {q:,.0f}" for o, q in zip(merges, pops))
        out.append(Share(m.code, m.name, f,
                         f"{change} split: {m.name}'s share of {code}'s figure is {f:.1%}, by population aged {label} "
                         f"({period}: {others})"))
    return out


def figures_to_2023(figures: dict, population, ages: tuple[int, int | None] = (18, None), rate: bool = False) -> dict:
    """Figures by council code (:class:`~carescale.official.figures.Figure`) on
    pre-April-2023 boundaries, carried to April 2023 boundaries with :func:`successors_2023`:
    a split council's figure is shared by population and each share says so in its ``note``;
    a missing figure stays missing in each successor (never zero). A ``rate`` (a unit cost, £ an
    hour or a week) is not shared: each successor keeps the old council's rate, and says so."""
    out = {}
    for code, fig in figures.items():
        shares = successors_2023(code, population, ages)
        if shares is None:
            out[code] = fig
            continue
        for s in shares:
            if rate and s.fraction != 1.0:
                note = (f"{s.method.split(' split:')[0]} split: {s.name} keeps {code}'s rate unchanged "
                        "(a rate or unit cost is not shared by population)")
                note = note if not fig.note else f"{fig.note}; {note}"
                out[s.code] = dataclasses.replace(fig, area=s.code, name=s.name, note=note)
                continue
            value = None if fig.value is None else fig.value * s.fraction
            note = s.method if not fig.note else f"{fig.note}; {s.method}"
            out[s.code] = dataclasses.replace(fig, value=value, area=s.code, name=s.name, note=note)
    return out
