"""Files (docs/security.md): only the CLI reads paths the user names. No field of a scenario
document sent to the API or the pages can make the server open a path; the refusal never shows
what a file holds and is the same whether or not the path exists; no reader's message quotes a
file's content."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INVALID, run_cli

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from carescale.scenarios.document import FILE_FIELDS, ScenarioDocument  # noqa: E402
from carescale.web.app import create_app  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402
from ..web_helpers import post_form

SAME_ORIGIN = {"Origin": "http://testserver"}  # the web app refuses state changes from another site

SEC = INVALID / "security"
FILE_WORDS = ("file", "path", "index", "dir")
EXISTING = "/proc/self/environ"
PATHS = [EXISTING, "/dev/zero", "/proc/self/no-such-file", "/etc/passwd", "../../etc/hostname"]
# what /proc/self/environ holds: none of it may appear in any answer
SECRET = "CARESCALE_SECRET_FOR_TEST=s3cr3t-value-7f3a"


def file_like_fields() -> set[str]:
    """Walk the document's JSON schema (every nested model, every alternative) for fields whose
    name says they name a file, or whose description says a string is a path."""
    schema = ScenarioDocument.model_json_schema()
    defs = schema.get("$defs", {})
    found: set[str] = set()

    def walk(node: Any, path: str, seen: frozenset[str]) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            if name not in seen:
                walk(defs[name], path, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path, seen)
        for name, sub in node.get("properties", {}).items():
            p = f"{path}.{name}" if path else name
            described = str(sub.get("description", "")).lower() if isinstance(sub, dict) else ""
            is_text = isinstance(sub, dict) and "string" in str(sub)
            if any(w in name.lower() for w in FILE_WORDS) or (is_text and ("a path" in described or "file name" in described)):
                found.add(p)
            walk(sub, p, seen)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]", seen)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], path + ".*", seen)

    walk(schema, "", frozenset())
    return found


def document_naming(field: str, path: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 1, "area": "birmingham"}
    node = doc
    parts = field.split(".")
    for part in parts[:-1]:
        node[part] = {} if not isinstance(node.get(part), dict) else node[part]
        node = node[part]
    node[parts[-1]] = path
    return doc


@pytest.fixture(scope="module")
def client():
    os.environ["CARESCALE_SECRET_FOR_TEST"] = "s3cr3t-value-7f3a"  # so /proc/self/environ holds a known secret
    with TestClient(create_app(MemoryScenarioStore()), raise_server_exceptions=False, headers=SAME_ORIGIN) as c:
        yield c
    os.environ.pop("CARESCALE_SECRET_FOR_TEST", None)


def test_the_schema_walk_finds_every_registered_file_field():
    # a new field naming a file must be added to FILE_FIELDS (and so be refused from the web)
    assert file_like_fields() == set(FILE_FIELDS) == {"area.file", "price_index"}


API_ROUTES = ["/api/v1/run", "/api/v1/appraise", "/api/v1/uncertainty", "/api/v1/scenarios", "/api/v1/jobs"]


@pytest.mark.parametrize("field", sorted(file_like_fields()))
@pytest.mark.parametrize("route", API_ROUTES)
def test_no_api_field_opens_a_path(client, monkeypatch, field, route):
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):  # noqa: ANN001 - the builtin's signature
        if str(file) in PATHS:
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    messages = set()
    for path in PATHS:
        got = client.post(route, json=document_naming(field, path))
        assert got.status_code == 422, (route, field, path, got.text)
        assert SECRET not in got.text and "root:" not in got.text and path not in got.text
        assert got.json() == {"detail": [{
            "loc": ["body", *field.split(".")], "type": "invalid_input",
            "msg": f"{field}: files on the server cannot be named in a scenario sent over the web; "
                   "upload an area template instead, or run the scenario with the carescale command",
        }]}
        messages.add(got.text)
    assert len(messages) == 1  # the same answer whether the path exists, is a device or is missing
    assert opened == []


@pytest.mark.parametrize("name, field", [
    ("price_index_environ.json", "price_index"),
    ("area_file_dev_zero.json", "area.file"),
    ("area_file_missing.json", "area.file"),
])
def test_refusal_fixtures_exact_message(client, name, field):
    got = client.post("/api/v1/run", content=(SEC / name).read_bytes(), headers={"content-type": "application/json"})
    assert got.status_code == 422
    assert got.json()["detail"][0]["msg"] == (
        f"{field}: files on the server cannot be named in a scenario sent over the web; "
        "upload an area template instead, or run the scenario with the carescale command"
    )


@pytest.mark.parametrize("field", sorted(file_like_fields()))
def test_a_stored_document_naming_a_file_is_never_opened_by_a_page(client, field):
    # a document stored before this check existed (put straight into the store): every page
    # that reads it refuses it with one line, and never opens the path
    store = client.app.state.store
    answers = set()
    for n, path in enumerate((EXISTING, "/proc/self/no-such-file")):
        sid = f"{n:020x}"
        store._docs[sid] = document_naming(field, path)
        for url in (f"/scenario/{sid}", f"/s/{sid}/assumptions", f"/scenario/{sid}/results.json", f"/scenario/{sid}/report.md"):
            got = client.get(url)
            assert got.status_code == 422, (url, got.status_code)
            assert SECRET not in got.text and path not in got.text
            assert f"{field}: files on the server cannot be named" in got.text
            answers.add((url.replace(sid, "ID"), got.text.replace(sid, "ID")))
    assert len(answers) == 4  # the same page for the existing and the missing path


@pytest.mark.parametrize("path", [EXISTING, "/dev/zero", "/proc/self/no-such-file"])
def test_page_forms_never_open_a_path(client, path):
    # the area form takes an id: a path is an unknown id, and the answer names no file content
    got = post_form(client, "/area", {"area": path}, follow_redirects=False)
    assert got.status_code == 422
    assert SECRET not in got.text
    # an upload named like a server path is read from the upload, never from the path
    got = post_form(client, "/area/upload", files={"file": (path, b"not,a,template\n", "text/csv")}, follow_redirects=False)
    assert got.status_code == 422
    assert SECRET not in got.text
    api = client.post("/api/v1/areas/upload", files={"file": (path, b"x", "text/csv")})
    assert api.status_code == 422 and SECRET not in api.text
    name = Path(path).name
    assert api.json()["detail"][0]["msg"] == (
        f"{name}: not a CSV or XLSX file (it has no extension); save the area template as .csv or .xlsx"
    )


def test_area_form_answers_the_same_for_an_existing_and_a_missing_path(client):
    pages = [post_form(client, "/area", {"area": p}).text.replace(p, "PATH") for p in (EXISTING, "/proc/self/no-such-file")]
    assert pages[0] == pages[1]


# -- the CLI reads the paths its user names, but no message quotes what a file holds ------------------


@pytest.mark.parametrize("name, message", [
    ("price_index_header.csv", "row 1: the columns must include year and value; is this a price index file?"),
    ("price_index_bad_cell.csv", "row 2: the value is not valid; an index value must be a number above 0"),
    ("price_index_bad_year.csv", "row 2: the year is not valid; give a calendar year (2024) or a financial year (2023/24)"),
])
def test_price_index_messages_never_quote_the_file(name, message):
    got = run_cli("appraise", "--area", "birmingham", "--price-index", str(SEC / name))
    assert got.code == 2
    assert got.err.strip().splitlines()[-1].endswith(f"{name}: {message}")
    assert "SECRET" not in got.err and "hunter2" not in got.err and "postgresql" not in got.err


def test_cli_price_index_from_a_device_is_bounded():
    got = run_cli("appraise", "--area", "birmingham", "--price-index", "/dev/zero")
    assert got.code == 2
    assert "the file is more than" in got.err and "bytes" in got.err
    assert len(got.err.splitlines()) == 1
