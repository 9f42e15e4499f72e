"""One official figure with where it came from, and the markers official tables use for a value
that is not there.

Every reader of the finance and activity files (:mod:`.ascfr`, :mod:`.ro3`, :mod:`.ncc`) hands
out :class:`Figure` objects: the number (or None) with its source, table, year and cell, so a
figure can always be traced to the spreadsheet cell it came from. A suppressed (``[c]``) or
missing (``[x]``) cell is a Figure whose ``value`` is None and whose ``missing`` says why; it is
never read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..io.spreadsheet import clean_text, to_number

#: The markers of the Government Statistical Service's accessibility guidance, as these files use them.
MARKERS = {
    "[c]": "suppressed (confidential, disclosure control)",
    "[x]": "not available (not submitted or not applicable)",
    "[z]": "not applicable",
    "[low]": "less than half the unit shown",
    "[u]": "low reliability",
}


@dataclass(frozen=True)
class Figure:
    """An official figure. ``value`` is None when the cell is suppressed, missing or blank, and
    ``missing`` then says which (``"[c] suppressed ..."``)."""

    value: float | None
    source: str  # "NHS Digital ASC-FR 2021-22"
    table: str  # "T14" or a sheet name
    year: str  # the period the figure describes, "2021-22"
    cell: str  # "T14!L20": sheet and cell as a spreadsheet shows them
    area: str  # GSS code of the council, region or England
    name: str  # the area's name in the file
    measure: str  # the column's header text
    unit: str = ""
    missing: str | None = None
    note: str | None = None  # a derivation, e.g. the share of a split council

    @property
    def is_missing(self) -> bool:
        return self.value is None

    def cite(self) -> str:
        """One line: source, table, year and cell (and the note, if any)."""
        text = f"{self.source}, {self.table} ({self.year}), cell {self.cell}: {self.measure}"
        return f"{text}; {self.note}" if self.note else text


def read_cell(value: Any) -> tuple[float | None, str | None]:
    """A cell as (number, None), or (None, why it is not a number). Markers are kept as the
    reason; a blank cell is "blank"; other text is quoted."""
    num = to_number(value)
    if num is not None:
        return num, None
    text = clean_text(value)
    if not text:
        return None, "blank"
    if text.lower() in MARKERS:
        return None, f"{text.lower()} {MARKERS[text.lower()]}"
    return None, f"{text!r} is not a number"
