"""The documents that references point to (``data/sources.yaml``)."""

from __future__ import annotations

from .base import StrictModel


class Document(StrictModel):
    title: str
    publisher: str
    date: str
    seed: str | None = None  # file name in shared/seeds holding its text, for the quote check
    url: str | None = None


class SourceSet(StrictModel):
    documents: dict[str, Document]
