"""Official statistics: ONS mid-year population estimates (MYE2) and district lookups, NHS
Digital ASCOF open data and the ASC-FR/SALT reference tables, MHCLG RO3 revenue outturn, the
NHS National Cost Collection, the boundary changes between them, and the per-council figures
built from them (``data/official``)."""

from .ascfr import AscfrBook, AscfrTable, read_ascfr
from .ascof import AscofCouncil, AscofTable, read_ascof
from ..errors import OfficialDataError
from .figures import Figure
from .mye import PopulationRow, PopulationTable, read_mye
from .ncc import NccTable, read_ncc
from .ro3 import Ro3Table, read_ro3

__all__ = [
    "AscfrBook",
    "AscfrTable",
    "AscofCouncil",
    "AscofTable",
    "Figure",
    "NccTable",
    "OfficialDataError",
    "PopulationRow",
    "PopulationTable",
    "Ro3Table",
    "read_ascfr",
    "read_ascof",
    "read_mye",
    "read_ncc",
    "read_ro3",
]
