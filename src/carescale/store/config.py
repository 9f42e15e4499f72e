"""Where the store lives (no heavy imports here)."""

from __future__ import annotations

from pathlib import Path

from .. import config
from ..errors import StoreError

DB_FILE = "carescale.db"


def data_home() -> Path:
    """carescale's folder for the user's own data (:func:`carescale.config.user_home`)."""
    return config.user_home()


def default_sqlite_path() -> Path:
    return data_home() / DB_FILE


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL through psycopg 3."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite://")):
        return url
    scheme = url.split("://", 1)[0] if "://" in url else url[:40]
    raise StoreError(
        f"DATABASE_URL: {scheme!r} is not a supported database; use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DATABASE"
    )


def database_url(url: str | None = None) -> str:
    """``url`` if given, else ``$DATABASE_URL``, else SQLite in the user's data folder."""
    if url:
        return normalise_url(url)
    env = config.database_url()
    if env:
        return normalise_url(env)
    return f"sqlite:///{default_sqlite_path()}"
