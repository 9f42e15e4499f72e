"""Databases for the storage tests: a fresh SQLite file, and a fresh schema on the real
PostgreSQL server named by ``CARESCALE_TEST_POSTGRES_URL`` (.ci/run starts one; locally the test
skips with the reason, in CI it fails). Each test gets its own empty database or schema, so tests
never see each other's rows and a migration always starts from an empty database."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

from .conftest import require_tool

BACKENDS = ("sqlite", "postgresql")


def postgres_base_url() -> str | None:
    return os.environ.get("CARESCALE_TEST_POSTGRES_URL") or None


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def make_database(backend: str, tmp_path) -> tuple[str, object]:
    """(URL of an empty database, clean-up function)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}", lambda: None
    base = postgres_base_url()
    require_tool(base is not None, "PostgreSQL (CARESCALE_TEST_POSTGRES_URL)")
    import psycopg

    from carescale.store.config import normalise_url

    base = normalise_url(base)
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return _with_schema(base, schema), drop


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.postgres) if b == "postgresql" else b for b in BACKENDS])
def store_url(request, tmp_path):
    """An empty database on each backend; engines are closed and the schema dropped after."""
    from carescale.store import core

    url, drop = make_database(request.param, tmp_path)
    yield url
    core.close_all()
    drop()
