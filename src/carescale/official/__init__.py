"""Official statistics: ONS mid-year population estimates (MYE2) and district lookups, NHS
Digital ASCOF open data and the ASC-FR/SALT reference tables, MHCLG RO3 revenue outturn, the
NHS National Cost Collection, the boundary changes between them, and the per-council figures
built from them (``data/official``).

The names below load their module on first use, so that a command that needs one reader (the
baseline spend of ``carescale run``) does not import the others (issue 25).
"""

from typing import TYPE_CHECKING

from ..io.lazy import lazy_names

if TYPE_CHECKING:
    from .ascfr import AscfrBook, AscfrTable, read_ascfr
    from .ascof import AscofCouncil, AscofTable, read_ascof
    from ..errors import OfficialDataError
    from .figures import Figure
    from .mye import PopulationRow, PopulationTable, read_mye
    from .ncc import NccTable, read_ncc
    from .ro3 import Ro3Table, read_ro3

#: Where each name lives: loaded on first use (module ``__getattr__``).
_LAZY = {
    "AscfrBook": ".ascfr",
    "AscfrTable": ".ascfr",
    "read_ascfr": ".ascfr",
    "AscofCouncil": ".ascof",
    "AscofTable": ".ascof",
    "read_ascof": ".ascof",
    "OfficialDataError": "..errors",
    "Figure": ".figures",
    "PopulationRow": ".mye",
    "PopulationTable": ".mye",
    "read_mye": ".mye",
    "NccTable": ".ncc",
    "read_ncc": ".ncc",
    "Ro3Table": ".ro3",
    "read_ro3": ".ro3",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


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
