"""Errors for official-statistics files (a CarescaleError: the CLI prints one line, exit 2)."""

from __future__ import annotations

from ..errors import InputFileError


class OfficialDataError(InputFileError):
    """An ONS or NHS Digital file that cannot be read or does not have the expected layout."""
