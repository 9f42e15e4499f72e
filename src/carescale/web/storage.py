"""Where shared scenarios are kept: every scenario document by its content hash (its
``scenario_id``), written once and never overwritten, so ``/scenario/<id>`` gives the same
result after a restart. A changed input has a new hash, hence a new URL.

:class:`DatabaseScenarioStore` is ``carescale.store`` (SQLAlchemy: SQLite in the user's data
folder by default, PostgreSQL when ``DATABASE_URL`` says so). :class:`MemoryScenarioStore` is for
tests and throw-away servers.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from ..errors import StoreError, StoreUnavailableError
from . import documents

ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
#: the key of a saved (named) scenario: 16 hex digits
SAVED_RE = re.compile(r"^[0-9a-f]{16}$")


class ScenarioStore(Protocol):
    def put(self, doc: Any) -> str: ...

    def get(self, scenario_id: str) -> dict[str, Any] | None: ...

    def save_named(self, scenario_id: str, name: str, note: str = "", *, owner: str | None = None,
                   actor: str | None = None) -> str: ...

    def get_saved(self, key: str) -> dict[str, Any] | None: ...

    def list_saved(self) -> list[dict[str, Any]]: ...


class DatabaseScenarioStore:
    """The ``scenario_documents`` table of ``carescale.store`` at ``url`` (default: the
    store's own default, ``DATABASE_URL`` or SQLite)."""

    #: characters of document text kept in the process (``get``): the last documents read
    KEEP_CHARS = 8_000_000

    def __init__(self, url: str | None = None):
        from .service import ResultCache

        self.url = url
        # a document never changes under its id (its content hash) and is never deleted, so the
        # last ones read are kept here: a result page viewed again reads no database (issue 25)
        self._kept = ResultCache(self.KEEP_CHARS, weigh=len)

    def put(self, doc: Any) -> str:
        from .. import store

        return store.save_scenario_document(documents.parse(doc), url=self.url)

    def get(self, scenario_id: str) -> dict[str, Any] | None:
        from .. import store

        if not ID_RE.match(scenario_id):
            return None
        text = self._kept.get(scenario_id)
        if text is None:
            try:
                text = self._kept.put(scenario_id, store.load_scenario_json(scenario_id, url=self.url))
            except StoreUnavailableError:
                raise  # the database cannot be used: 503, never a misleading 404
            except StoreError:
                return None
        return json.loads(text)  # a new object each time: callers may change it

    # saved scenarios: a name and a note on a stored document (docs/web.md, "Saved scenarios")
    def save_named(self, scenario_id: str, name: str, note: str = "", *, owner: str | None = None,
                   actor: str | None = None) -> str:
        from .. import store

        return store.open_store(self.url).save_named_scenario(scenario_id, name, note, owner=owner, actor=actor)

    def get_saved(self, key: str) -> dict[str, Any] | None:
        from .. import store

        if not SAVED_RE.match(key):
            return None
        return store.open_store(self.url).saved_scenario(key)

    def list_saved(self) -> list[dict[str, Any]]:
        from .. import store

        return store.open_store(self.url).saved_scenarios()


class MemoryScenarioStore:
    def __init__(self) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._saved: dict[str, dict[str, Any]] = {}

    def save_named(self, scenario_id: str, name: str, note: str = "", *, owner: str | None = None,
                   actor: str | None = None) -> str:
        import datetime as dt
        import secrets

        if scenario_id not in self._docs:
            raise StoreError(f"scenario_id: no scenario {scenario_id!r} is stored here")
        key = secrets.token_hex(8)
        self._saved[key] = {"key": key, "scenario_id": scenario_id, "name": name, "note": note,
                            "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(), "owner": owner}
        return key

    def get_saved(self, key: str) -> dict[str, Any] | None:
        return self._saved.get(key)

    def list_saved(self) -> list[dict[str, Any]]:
        return sorted(self._saved.values(), key=lambda r: r["saved_at"], reverse=True)

    def put(self, doc: Any) -> str:
        sid = documents.scenario_id(doc)
        self._docs.setdefault(sid, documents.canonical(doc))
        return sid

    def get(self, scenario_id: str) -> dict[str, Any] | None:
        return self._docs.get(scenario_id)


def default_store() -> ScenarioStore:
    return DatabaseScenarioStore()
