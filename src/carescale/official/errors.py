"""Moved to :mod:`carescale.errors` (issue 20: one error hierarchy); re-exported here."""

from ..errors import OfficialDataError  # noqa: F401

__all__ = ["OfficialDataError"]
