"""The store on SQLite and on a real PostgreSQL: migrations from an empty database, scenario
documents saved once and read back, durability settings."""

from __future__ import annotations

import json

import pytest

from carescale.errors import StoreError
from carescale.store import core
from carescale.store.config import database_url, default_sqlite_path

from .store_fixtures import store_url  # noqa: F401  (fixture)

from .conftest import run_probe


class FakeDoc:
    """Stands in for carescale.scenarios.ScenarioDocument: canonical_json() and scenario_id."""

    def __init__(self, data: dict):
        self._text = core.canonical_json(data)
        self.scenario_id = core.content_hash(self._text)

    def canonical_json(self) -> str:
        return self._text


def test_migration_from_empty_database_to_head(store_url):
    from sqlalchemy import create_engine, inspect

    engine = create_engine(store_url)
    assert inspect(engine).get_table_names() == []
    assert core.current_revision(engine) is None
    store = core.open_store(store_url)
    assert core.current_revision(store.engine) == core.head_revision() == "0007"
    tables = set(inspect(store.engine).get_table_names())
    assert tables == {
        "alembic_version", "scenario_documents", "logic_models", "plans", "reviews",
        "review_outcomes", "recommendations", "review_observations", "saved_scenarios",
        "users", "organisations", "memberships", "user_sessions", "api_tokens", "password_resets", "audit_log",
        "conversations", "conversation_entries", "conversation_proposals", "conversation_responses",
        "logic_model_owners", "shares", "approvals",
    }
    engine.dispose()


def test_migration_0002_keeps_a_review_saved_at_0001(store_url):
    """A database written at 0001 (before local cost data) with a review in it is migrated to
    0002 on first use: the review is kept and its new columns are empty."""
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    core.migrate(engine, "0001")
    assert core.current_revision(engine) == "0001"
    with engine.begin() as c:
        c.execute(text("INSERT INTO plans (id, name, definition_json, start_date, end_date, created_by, created_at) "
                       "VALUES ('p', 'P', '{}', '2027-04-01', '2028-03-31', 'me', '2026-12-01 00:00:00+00:00')"))
        c.execute(text("INSERT INTO reviews (id, plan_id, number, period_start, period_end, people_supported, "
                       "money_spent, recorded_by, recorded_at) VALUES (1, 'p', 1, '2027-04-01', '2027-06-30', 95, "
                       "38000, 'me', '2026-12-01 00:00:00+00:00')"))
        c.execute(text("INSERT INTO review_outcomes (review_id, outcome_id, achieved) VALUES (1, 'x', 11)"))
    engine.dispose()
    store = core.open_store(store_url)
    assert core.current_revision(store.engine) == "0007"
    with store.engine.connect() as c:
        row = c.execute(text("SELECT achieved, local_saving, local_cases FROM review_outcomes")).one()
        observed = c.execute(text("SELECT count(*) FROM review_observations")).scalar()
    assert tuple(row) == (11, None, None) and observed == 0
    (review,) = store.reviews("p")  # read back with its (empty) observations
    assert review.observations == [] and [o.achieved for o in review.outcomes] == [11]


def test_migrated_schema_matches_the_models(store_url):
    """Alembic's autogenerate finds nothing to add: models.py and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from carescale.store.models import Base

    store = core.open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_scenario_document_saved_once_and_read_back(store_url):
    from carescale import store as api

    doc = FakeDoc({"version": 1, "area": "birmingham", "interventions": ["shared-lives"], "note": "café £"})
    sid = api.save_scenario_document(doc, url=store_url)
    assert sid == doc.scenario_id and len(sid) == 64
    assert api.save_scenario_document(doc, url=store_url) == sid  # idempotent
    assert api.load_scenario_json(sid, url=store_url) == doc.canonical_json()
    loaded = api.load_scenario_document(sid, url=store_url)
    data = loaded if isinstance(loaded, dict) else json.loads(loaded.canonical_json())
    assert data["note"] == "café £"
    # the same id with different content is refused, and the first stays
    with pytest.raises(StoreError, match="already saved under this id; saved records are never overwritten"):
        api.save_scenario_document('{"version":1,"area":"leeds"}', sid, url=store_url)
    assert api.load_scenario_json(sid, url=store_url) == doc.canonical_json()
    with core.open_store(store_url).reading() as s:
        from sqlalchemy import func, select

        from carescale.store.models import ScenarioDocumentRow

        assert s.scalar(select(func.count()).select_from(ScenarioDocumentRow)) == 1


def test_scenario_document_errors(store_url):
    from carescale import store as api

    with pytest.raises(StoreError, match=r"^scenario document 'nope': not found in the store"):
        api.load_scenario_json("nope", url=store_url)
    with pytest.raises(StoreError, match="give the id"):
        api.save_scenario_document("{}", url=store_url)
    with pytest.raises(StoreError, match="not valid JSON"):
        api.save_scenario_document("{oops", "abc", url=store_url)
    with pytest.raises(StoreError, match="expected a ScenarioDocument or its canonical JSON text, got int"):
        api.save_scenario_document(42, url=store_url)


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    store = core.open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    core.close_all()


def test_default_location_and_database_url(tmp_path, monkeypatch):
    monkeypatch.setenv("CARESCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert default_sqlite_path() == tmp_path / "home" / "carescale.db"
    assert database_url() == f"sqlite:///{tmp_path / 'home' / 'carescale.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5/db")
    assert database_url() == "postgresql+psycopg://u@h:5/db"
    monkeypatch.setenv("DATABASE_URL", "mysql://u@h/db")
    with pytest.raises(StoreError, match="^DATABASE_URL: 'mysql' is not a supported database; use sqlite:///PATH or postgresql"):
        database_url()
    monkeypatch.delenv("DATABASE_URL")
    from carescale import store as api

    doc = FakeDoc({"version": 1})
    api.save_scenario_document(doc)  # first use creates the folder and the database
    assert (tmp_path / "home" / "carescale.db").is_file()
    core.close_all()


def test_without_carescale_home_the_platform_data_dir_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("CARESCALE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_sqlite_path() == tmp_path / "xdg" / "carescale" / "carescale.db"


def test_unreachable_database_is_one_line(tmp_path):
    bad = f"sqlite:///{tmp_path / 'file-not-folder'}/x.db"
    (tmp_path / "file-not-folder").write_text("")
    with pytest.raises(StoreError) as err:
        core.open_store(bad)
    assert "\n" not in str(err.value) and str(err.value).startswith("store: cannot")


def test_import_carescale_store_loads_no_sqlalchemy():
    code = (
        "import sys, carescale, carescale.store, carescale.cli; "
        "bad = [m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules]; "
        "print(bad)"
    )
    assert run_probe(code).strip() == "[]"
