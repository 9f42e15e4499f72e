"""Persistence: scenario documents, logic models, investment plans and their reviews.

SQLite by default (``carescale.db`` in the user's data folder: ``$CARESCALE_HOME`` if set, else
platformdirs' user data directory; WAL journal, ``synchronous=FULL``), PostgreSQL when
``DATABASE_URL`` says so (``postgresql+psycopg://user@host:port/db``). The schema is created and
kept up to date by the Alembic migrations shipped in ``store/migrations`` (``upgrade head`` on
first use). See docs/plans.md.

This module is light: SQLAlchemy, Alembic and psycopg are imported only when a function here is
called (``import carescale`` and ``carescale --help`` never load them).

    from carescale import store
    sid = store.save_scenario_document(doc)        # idempotent; never overwrites
    doc = store.load_scenario_document(sid)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import database_url, default_sqlite_path

if TYPE_CHECKING:  # pragma: no cover
    from .core import Store

__all__ = [
    "database_url",
    "default_sqlite_path",
    "load_scenario_document",
    "load_scenario_json",
    "open_store",
    "save_scenario_document",
]


def open_store(url: str | None = None) -> "Store":
    """The store at ``url`` (default: :func:`database_url`), migrated to the latest schema.
    Cached per URL for the life of the process."""
    from .core import open_store as _open

    return _open(url)


def save_scenario_document(doc: Any, doc_id: str | None = None, *, url: str | None = None) -> str:
    """Save a scenario document and return its id (its content hash). ``doc`` is a
    ``carescale.scenarios.ScenarioDocument`` (anything with ``canonical_json()`` and
    ``scenario_id``), or the canonical JSON text with its ``doc_id``. Saving the same document
    again returns the same id; a different document under an existing id is refused."""
    return open_store(url).save_scenario_document(doc, doc_id)


def load_scenario_json(doc_id: str, *, url: str | None = None) -> str:
    """The canonical JSON text of a saved scenario document."""
    return open_store(url).load_scenario_json(doc_id)


def load_scenario_document(doc_id: str, *, url: str | None = None) -> Any:
    """A saved scenario document, parsed (``carescale.scenarios.parse_scenario``) when that
    package is available, else as a dict."""
    return open_store(url).load_scenario_document(doc_id)
