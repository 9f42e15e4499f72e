"""Official statistics: ONS mid-year population estimates (MYE2), NHS Digital ASCOF open data,
the boundary changes between them, and prevalence estimates for figures a council lacks."""

from .ascof import AscofCouncil, AscofTable, read_ascof
from ..errors import OfficialDataError
from .mye import PopulationRow, PopulationTable, read_mye

__all__ = [
    "AscofCouncil",
    "AscofTable",
    "OfficialDataError",
    "PopulationRow",
    "PopulationTable",
    "read_ascof",
    "read_mye",
]
