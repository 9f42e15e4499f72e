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
"""

from __future__ import annotations

from dataclasses import dataclass

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
#: Councils whose ASCOF counts come from a predecessor, shared by population aged 18 to 64.
PREDECESSORS: dict[str, str] = {
    "E06000061": "E10000021",  # North Northamptonshire <- Northamptonshire (April 2021)
    "E06000062": "E10000021",  # West Northamptonshire <- Northamptonshire (April 2021)
    "E06000063": "E10000006",  # Cumberland <- Cumbria (April 2023)
    "E06000064": "E10000006",  # Westmorland and Furness <- Cumbria (April 2023)
}


def is_upper_tier(code: str) -> bool:
    return code[:3] in UPPER_TIER_PREFIXES
