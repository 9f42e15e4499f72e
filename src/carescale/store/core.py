"""The store: one SQLAlchemy engine per database URL, migrated to the latest schema on first use.

Imported lazily (by the functions in :mod:`carescale.store`), so SQLAlchemy and Alembic load only
when something is saved or read.

SQLite connections run in WAL mode with ``synchronous=FULL`` (a commit that returns is on disk,
even if the process is killed or the machine loses power), foreign keys on and a busy timeout so
that a second process waits rather than failing. The driver's own transaction handling is turned
off and SQLAlchemy emits ``BEGIN`` itself, so every ``with store.transaction()`` block is exactly
one SQLite transaction (DDL included).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..errors import StoreError, StoreUnavailableError
from .config import database_url
from .models import (
    AuditRow,
    LogicModelOwnerRow,
    LogicModelRow,
    PlanRow,
    RecommendationRow,
    ReviewObservationRow,
    ReviewOutcomeRow,
    ReviewRow,
    SavedScenarioRow,
    ScenarioDocumentRow,
)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 30_000
CONNECT_TIMEOUT_S = 10


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def utc_iso(stamp: dt.datetime) -> str:
    """A stored time as ISO 8601 in UTC (SQLite gives it back without its time zone)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc).isoformat()


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same data always gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see 'begin' below)
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writes take the write lock at BEGIN (IMMEDIATE), so a transaction that reads then writes
    # waits for another writer instead of failing half-way; reads stay DEFERRED (WAL: no lock).
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            try:
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailableError(
                    f"store: cannot create the folder for {path} ({exc.strerror}); set CARESCALE_HOME or "
                    "DATABASE_URL to a place this user can write"
                ) from None
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a database server that does not answer is an error after CONNECT_TIMEOUT_S, not a hung request
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


@functools.cache
def migration_scripts() -> Any:
    """The shipped migrations as one Alembic ``ScriptDirectory`` for the process: Alembic reads
    every revision file again for each new one, and opening a store asked three times (head,
    known revisions, upgrade): 40 ms a store, paid by every test that makes one. The revision
    files are read before it is returned, so no two threads fill in the same one."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    scripts.revision_map.heads  # noqa: B018 - reads the revision files now
    return scripts


def head_revision() -> str:
    return migration_scripts().get_current_head()  # type: ignore[no-any-return]


def known_revisions() -> list[str]:
    """Every schema revision this carescale's migrations know, oldest first."""
    return [r.revision for r in reversed(list(migration_scripts().walk_revisions()))]


def check_revision(found: str | None, url: str) -> None:
    """Refuse, as one line, a database whose schema revision this carescale does not know
    (written by a newer carescale, or by another program): never migrate or write to it."""
    if found is None:
        return
    known = known_revisions()
    if found in known:
        return
    raise StoreUnavailableError(
        f"store: {_safe_url(url)} is at schema revision {found!r}, which this carescale "
        f"({_version()}) does not know (it knows {', '.join(map(repr, known))}); the database was "
        "probably written by a newer carescale: upgrade carescale, or set DATABASE_URL to another database",
        public="the database was written by a newer version of carescale than this server runs",
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return "version " + version("carescale")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "this version"


def unavailable(exc: BaseException, url: str) -> StoreUnavailableError:
    """A database error that is nobody's input (disk full, read-only, unreachable, locked) as
    one :class:`StoreUnavailableError` line naming the database and what to do."""
    where = _safe_url(url)
    first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
    low = first.lower()
    if "disk is full" in low or "no space left" in low or "could not extend file" in low:
        return StoreUnavailableError(
            f"store: the disk holding {where} is full ({first}); nothing was saved: free some space and try again",
            public="the database's disk is full; nothing was saved; try again later",
        )
    if "readonly" in low or "read-only" in low or "read only" in low or (
        "unable to open database file" in low and _sqlite_read_only(url)
    ):
        return StoreUnavailableError(
            f"store: {where} is read-only ({first}); nothing was saved: make the database file and its "
            "folder writable by the user running carescale, or set DATABASE_URL to a writable database",
            public="the database is read-only just now; nothing was saved",
        )
    if "unable to open database file" in low:
        return StoreUnavailableError(
            f"store: cannot open {where} ({first}): check that the file and its folder exist and that the "
            "user running carescale can read and write them"
        )
    if "database is locked" in low:
        return StoreUnavailableError(
            f"store: {where} stayed locked by another process for {SQLITE_BUSY_MS // 1000} s; "
            "nothing was saved: try again when it has finished",
            public="the database is busy; nothing was saved; try again in a minute",
        )
    unreachable = ("connection", "connect", "timeout expired", "server closed", "resolve host", "translate host")
    if url.startswith("sqlite") or not any(word in low for word in unreachable):
        return StoreUnavailableError(f"store: cannot use {where} ({first}); nothing was saved: try again later")
    return StoreUnavailableError(
        f"store: cannot reach {where} ({first}): check that the database server is running and that "
        "DATABASE_URL is right",
        public="the database cannot be reached just now; try again later",
    )


def _sqlite_read_only(url: str) -> bool:
    """Whether a SQLite database file, or the folder it lives in (SQLite writes its journal
    beside the file), cannot be written by this user (permissions, or a read-only file system)."""
    import os

    if not url.startswith("sqlite") or "///" not in url:
        return False
    path = Path(url.split("///", 1)[1]).expanduser()
    folder = path.parent
    if path.exists():
        return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)
    return folder.is_dir() and not os.access(folder, os.W_OK)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the shipped Alembic migrations up to ``revision`` (default the latest): what
    ``alembic.command.upgrade`` does, with the process's one :func:`migration_scripts`."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    scripts = migration_scripts()

    def upgrade(rev: Any, context: Any) -> Any:
        return scripts._upgrade_revs(revision, rev)

    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        cfg.attributes["connection"] = conn
        with EnvironmentContext(cfg, scripts, fn=upgrade, destination_rev=revision):
            scripts.run_env()


def _safe_url(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown by its scheme only
        return url.split("://", 1)[0] + "://..."


class Store:
    """A migrated database and the operations carescale needs on it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        try:
            found = current_revision(self.engine)
            check_revision(found, url)
            if found != head_revision():
                migrate(self.engine)
        except (OperationalError, DBAPIError) as exc:
            self.engine.dispose()
            raise unavailable(exc, url) from None
        except StoreError:
            self.engine.dispose()
            raise
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    # -- sessions ------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One database transaction: committed when the block ends, rolled back on any error
        (a full disk, a read-only file or a lost connection included: nothing is half-written)."""
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise unavailable(exc, self.url) from None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except OperationalError as exc:
            raise unavailable(exc, self.url) from None

    # -- scenario documents --------------------------------------------------------------------
    def save_scenario_document(self, doc: Any, doc_id: str | None = None) -> str:
        if isinstance(doc, str):
            if not doc_id:
                raise StoreError("scenario document: give the id (its content hash) with the JSON text")
            text = doc
        else:
            try:
                text, doc_id = doc.canonical_json(), doc_id or doc.scenario_id
            except AttributeError:
                raise StoreError(
                    f"scenario document: expected a ScenarioDocument or its canonical JSON text, "
                    f"got {type(doc).__name__}"
                ) from None
        try:
            json.loads(text)
        except ValueError as exc:
            raise StoreError(f"scenario document {doc_id}: not valid JSON ({exc})") from None
        return self._put_once(ScenarioDocumentRow, doc_id, text, "scenario document")

    def _put_once(self, model: Any, key: str, text: str, what: str, **extra: Any) -> str:
        """Insert a content-addressed row unless it is there already; never overwrite."""
        for attempt in (1, 2):
            with self.transaction() as s:
                row = s.get(model, key)
                if row is None:
                    s.add(model(id=key, canonical_json=text, created_at=now(), **extra))
                    try:
                        s.flush()
                    except IntegrityError:  # saved by someone else meanwhile: compare below
                        if attempt == 2:
                            raise
                        s.rollback()
                        continue
                    return key
                if row.canonical_json != text:
                    raise StoreError(
                        f"{what} {key}: a different {what} is already saved under this id; "
                        "saved records are never overwritten"
                    )
                return key
        return key  # pragma: no cover

    def load_scenario_json(self, doc_id: str) -> str:
        with self.reading() as s:
            row = s.get(ScenarioDocumentRow, doc_id)
        if row is None:
            raise StoreError(f"scenario document {doc_id!r}: not found in the store ({_safe_url(self.url)})")
        return row.canonical_json

    def load_scenario_document(self, doc_id: str) -> Any:
        text = self.load_scenario_json(doc_id)
        try:
            from ..scenarios import parse_scenario  # type: ignore[attr-defined]
        except ImportError:  # before carescale.scenarios (issue 11) is in this build
            return json.loads(text)
        return parse_scenario(text)

    # -- saved scenarios (a name and a note on a stored document) --------------------------------
    def save_named_scenario(self, scenario_id: str, name: str, note: str = "", *, owner: str | None = None,
                            actor: str | None = None) -> str:
        """Record a stored scenario document under a name and a note; the new record's key (an
        unguessable token, the last part of its link). The document must be stored already.
        ``owner``: the organisation it belongs to (None: nobody's, as before accounts)."""
        import secrets

        key = secrets.token_hex(8)
        with self.transaction() as s:
            if s.get(ScenarioDocumentRow, scenario_id) is None:
                raise StoreError(f"scenario_id: no scenario {scenario_id!r} is stored here")
            s.add(SavedScenarioRow(id=key, scenario_id=scenario_id, name=name, note=note, created_at=now(),
                                   owner_org=owner))
            if actor is not None:
                audit_row(s, actor, "saved-scenario.create", f"saved-scenario:{key}", f"owner {owner or 'none'}")
        return key

    def saved_scenario(self, key: str) -> dict[str, Any] | None:
        with self.reading() as s:
            row = s.get(SavedScenarioRow, key)
        return None if row is None else _saved(row)

    def saved_scenarios(self, limit: int = 200) -> list[dict[str, Any]]:
        """The saved scenarios, newest first."""
        with self.reading() as s:
            rows = s.scalars(select(SavedScenarioRow).order_by(SavedScenarioRow.created_at.desc(),
                                                               SavedScenarioRow.id).limit(limit))
            return [_saved(r) for r in rows]

    # -- logic models --------------------------------------------------------------------------
    def save_logic_model(self, model_id: str, data: dict[str, Any], *, owner: str | None = None,
                         actor: str | None = None) -> str:
        """Store a logic model by the hash of its content; ``owner`` (an organisation) becomes
        one of its owners (two organisations saving the same model each own it)."""
        text = canonical_json(data)
        key = self._put_once(LogicModelRow, content_hash(text), text, "logic model", model_id=model_id)
        if owner is not None:
            with self.transaction() as s:
                if s.get(LogicModelOwnerRow, (key, owner)) is None:
                    s.add(LogicModelOwnerRow(logic_model_id=key, organisation_id=owner, created_at=now()))
                    audit_row(s, actor or "system", "logic-model.create", f"logic-model:{key}", f"owner {owner}")
        return key

    def load_logic_model(self, key: str) -> dict[str, Any]:
        with self.reading() as s:
            row = s.get(LogicModelRow, key)
        if row is None:
            raise StoreError(f"logic model {key!r}: not found in the store")
        return json.loads(row.canonical_json)

    # -- plans ---------------------------------------------------------------------------------
    def add_plan(self, row: PlanRow, *, actor: str | None = None) -> None:
        """Save a new plan, with its audit line (``actor``, default who created it)."""
        try:
            with self.transaction() as s:
                if s.get(PlanRow, row.id) is not None:
                    raise StoreError(
                        f"plan {row.id!r}: a plan with this id is already saved; choose another id"
                    )
                s.add(row)
                audit_row(s, actor or row.created_by, "plan.create", f"plan:{row.id}",
                          f"owner {row.owner_org or 'none'}: {row.name}")
        except IntegrityError as exc:
            raise StoreError(f"plan {row.id!r}: cannot be saved ({str(exc.orig).splitlines()[0]})") from None

    def get_plan(self, plan_id: str) -> PlanRow | None:
        with self.reading() as s:
            return s.execute(
                select(PlanRow)
                .where(PlanRow.id == plan_id)
                .options(
                    selectinload(PlanRow.reviews).selectinload(ReviewRow.outcomes),
                    selectinload(PlanRow.reviews).selectinload(ReviewRow.recommendation),
                    selectinload(PlanRow.reviews).selectinload(ReviewRow.observations),
                )
            ).scalar_one_or_none()

    def plan_ids(self) -> list[str]:
        with self.reading() as s:
            return list(s.scalars(select(PlanRow.id).order_by(PlanRow.id)))

    def list_plans(self) -> list[PlanRow]:
        with self.reading() as s:
            return list(
                s.scalars(
                    select(PlanRow)
                    .order_by(PlanRow.created_at, PlanRow.id)
                    .options(selectinload(PlanRow.reviews).selectinload(ReviewRow.recommendation))
                )
            )

    # -- reviews -------------------------------------------------------------------------------
    def add_review(
        self,
        review: ReviewRow,
        outcomes: dict[str, int],
        recommendation: RecommendationRow,
        expected_number: int,
        local: dict[str, tuple[float, int]] | None = None,
        observations: dict[str, tuple[int, int | None, int | None]] | None = None,
        *,
        actor: str | None = None,
    ) -> int:
        """Write a review, its outcome counts and its recommendation in ONE transaction and
        return the review's number. ``expected_number`` is the number the caller computed the
        recommendation for; if another process added a review meanwhile, nothing is written."""
        try:
            with self.transaction() as s:
                last = s.scalar(
                    select(ReviewRow.number)
                    .where(ReviewRow.plan_id == review.plan_id)
                    .order_by(ReviewRow.number.desc())
                    .limit(1)
                )
                if (last or 0) + 1 != expected_number:
                    raise StoreError(
                        f"plan {review.plan_id!r}: review {expected_number} was computed on "
                        f"{expected_number - 1} earlier reviews but the plan now has {last or 0}; "
                        "add it again"
                    )
                review.number = expected_number
                s.add(review)
                s.flush()
                for oid, k in outcomes.items():
                    saving, cases = (local or {}).get(oid, (None, None))
                    s.add(ReviewOutcomeRow(review_id=review.id, outcome_id=oid, achieved=k,
                                           local_saving=saving, local_cases=cases))
                for mid, (events, cp, ce) in (observations or {}).items():
                    s.add(ReviewObservationRow(review_id=review.id, measure_id=mid, events=events,
                                               comparison_people=cp, comparison_events=ce))
                recommendation.review_id = review.id
                s.add(recommendation)
                audit_row(s, actor or review.recorded_by, "review.add", f"plan:{review.plan_id}",
                          f"review {expected_number}: {recommendation.decision}")
        except IntegrityError as exc:
            raise StoreError(
                f"plan {review.plan_id!r}: review {expected_number} cannot be saved "
                f"({str(exc.orig).strip().splitlines()[0]})"
            ) from None
        return expected_number

    def reviews(self, plan_id: str) -> list[ReviewRow]:
        with self.reading() as s:
            return list(
                s.scalars(
                    select(ReviewRow)
                    .where(ReviewRow.plan_id == plan_id)
                    .order_by(ReviewRow.number)
                    .options(selectinload(ReviewRow.outcomes), selectinload(ReviewRow.recommendation),
                             selectinload(ReviewRow.observations))
                )
            )

    def dispose(self) -> None:
        self.engine.dispose()


_lock = threading.Lock()
_stores: dict[str, Store] = {}


def audit_row(s: Session, actor: str, action: str, obj: str, detail: str = "") -> None:
    """One line of the append-only audit log, written in the caller's transaction."""
    s.add(AuditRow(at=now(), actor=actor[:320], action=action[:60], object=obj[:400], detail=detail))


def _saved(row: SavedScenarioRow) -> dict[str, Any]:
    return {"key": row.id, "scenario_id": row.scenario_id, "name": row.name, "note": row.note,
            "saved_at": utc_iso(row.created_at), "owner": row.owner_org}


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (default :func:`~carescale.store.config.database_url`), opened and
    migrated once per process."""
    resolved = database_url(url)
    with _lock:
        store = _stores.get(resolved)
        if store is None:
            try:
                store = Store(resolved)
            except SQLAlchemyError as exc:
                raise unavailable(exc, resolved) from None
            _stores[resolved] = store
        return store


def close_all() -> None:
    """Dispose every open engine (tests, and before a fork)."""
    with _lock:
        for store in _stores.values():
            store.dispose()
        _stores.clear()
