"""Where shared scenarios are kept: every scenario document by its content hash (its
``scenario_id``), written once and never overwritten, so ``/scenario/<id>`` gives the same
result after a restart. A changed input has a new hash, hence a new URL.

:class:`FileScenarioStore` keeps one JSON file per scenario under the user's data folder
(``$CARESCALE_HOME/web/scenarios``). ``carescale.store`` (SQLAlchemy, SQLite or PostgreSQL)
replaces it when it is installed: :func:`default_store` picks it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from . import documents

ID_RE = re.compile(r"^[0-9a-f]{8,64}$")


class ScenarioStore(Protocol):
    def put(self, doc: Any) -> str: ...

    def get(self, scenario_id: str) -> dict[str, Any] | None: ...


class FileScenarioStore:
    """One ``<id>.json`` file per scenario document, written atomically and only once."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def put(self, doc: Any) -> str:
        data = documents.canonical(doc)
        sid = documents.scenario_id(doc)
        path = self.folder / f"{sid}.json"
        with self._lock:
            if path.exists():
                return sid
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, sort_keys=True, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        return sid

    def get(self, scenario_id: str) -> dict[str, Any] | None:
        if not ID_RE.match(scenario_id):
            return None
        path = self.folder / f"{scenario_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None


class MemoryScenarioStore:
    """For tests and throw-away servers."""

    def __init__(self) -> None:
        self._docs: dict[str, dict[str, Any]] = {}

    def put(self, doc: Any) -> str:
        sid = documents.scenario_id(doc)
        self._docs.setdefault(sid, documents.canonical(doc))
        return sid

    def get(self, scenario_id: str) -> dict[str, Any] | None:
        return self._docs.get(scenario_id)


def default_store() -> ScenarioStore:
    from ..library import user_home

    return FileScenarioStore(user_home() / "web" / "scenarios")
