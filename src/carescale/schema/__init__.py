"""Strict pydantic schemas for everything carescale reads from data files."""

from .area import Area
from .base import PAYERS, Quantity, Reference, StrictModel
from .intervention import Intervention, Outcome, Segment, Sizing, SpendReduction
from .overlap import Overlap, OverlapSet
from .portfolio import Portfolio, PortfolioSet
from .sources import Document, SourceSet
from .vocabulary import Vocabulary

__all__ = [
    "PAYERS",
    "Area",
    "Document",
    "Intervention",
    "Outcome",
    "Overlap",
    "OverlapSet",
    "Portfolio",
    "PortfolioSet",
    "Quantity",
    "Reference",
    "Segment",
    "Sizing",
    "SourceSet",
    "SpendReduction",
    "StrictModel",
    "Vocabulary",
]
