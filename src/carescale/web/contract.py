"""The OpenAPI document of the JSON API, with the scenario document typed (docs/web.md).

The routes take the scenario document as a JSON object and ``carescale.scenarios`` validates it,
so every message stays the field-level one the CLI gives. This module states in the OpenAPI
document what that validation accepts, as far as JSON Schema can: the structure and types of
:class:`~carescale.scenarios.ScenarioDocument` (unknown keys refused), the area and intervention
ids of the library, and the documented bounds of the uncertainty settings. It is never narrower
than the validation (so a request the document calls invalid is always refused); what it cannot
state (a promising model cannot be run, an area lacks a cohort a model needs) is answered 422
with the field-level message.

Files are not part of the web contract: ``{"area": {"file": ...}}`` and ``price_index`` name
files on the server, which only the CLI reads (docs/security.md).
"""

from __future__ import annotations

import copy
from typing import Any

DOCUMENT = "ScenarioDocument"
DOCUMENT_OPERATIONS = ("run", "appraise", "uncertainty", "save_scenario", "start_job")
SOBOL_SAMPLES = [2**k for k in range(6, 17)]  # 64 to 65,536, as UncertaintySettings checks


def document_schemas() -> dict[str, Any]:
    """The components describing a scenario document sent to the API (name -> schema)."""
    from ..library import default_library
    from ..scenarios import ScenarioDocument

    lib = default_library()
    areas = sorted(lib.areas)
    interventions = sorted(lib.interventions)
    raw = ScenarioDocument.model_json_schema(ref_template="#/components/schemas/" + DOCUMENT + "{model}")
    defs = raw.pop("$defs", {})
    doc = copy.deepcopy(raw)
    props = doc["properties"]
    props.pop("price_index", None)  # a file on the server: the CLI only
    props["version"] = {"type": "integer", "enum": [1], "default": 1, "title": "Version"}
    props["area"] = {
        "title": "Area",
        "default": "birmingham",
        "description": "An area id (the built-in areas, or a profile saved on this server with 'carescale areas "
        "import --save'), or {\"inline\": {...area profile...}} as POST /api/v1/areas/upload returns it.",
        "anyOf": [
            {"type": "string", "enum": areas},
            {"$ref": f"#/components/schemas/{DOCUMENT}AreaInline"},
        ],
    }
    props["interventions"] = {
        "title": "Interventions",
        "default": None,
        "description": "Care model ids, each once; leave out (or null) for the default portfolio.",
        "anyOf": [
            {"type": "array", "items": {"type": "string", "enum": interventions}, "minItems": 1, "uniqueItems": True},
            {"type": "null"},
        ],
    }
    props["scale"] = {
        "title": "Scale",
        "description": "Care model id -> share of its potential, 0 to 1.",
        "type": "object",
        "propertyNames": {"enum": interventions},
        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
    }
    props["overrides"]["propertyNames"] = {"type": "string", "minLength": 1, "pattern": r"\S"}
    props["overrides"]["additionalProperties"] = {
        "anyOf": [{"type": "number"}, {"$ref": f"#/components/schemas/{DOCUMENT}Override"}]
    }
    props["appraisal"] = {
        "title": "Appraisal",
        "default": None,
        "description": "The appraisal settings (docs/appraisal.md): years 1 to 60, start_date, discount_rate "
        "0 to 0.2 or null for the Green Book schedule, optimism_bias, setup_timing, interventions.",
        "anyOf": [{"type": "object"}, {"type": "null"}],
    }
    props["uncertainty"] = {"$ref": f"#/components/schemas/{DOCUMENT}UncertaintyOptions"}
    doc["additionalProperties"] = False

    out = {DOCUMENT: doc}
    for name, schema in defs.items():
        if name == "AreaFile":
            continue
        out[DOCUMENT + name] = schema
    unc = out[DOCUMENT + "UncertaintyOptions"]["properties"]
    unc["draws"].update(minimum=1, maximum=1_000_000)
    unc["seed"].update(minimum=0)
    unc["width_scale"].update(minimum=0)
    unc["sobol_samples"].update(enum=SOBOL_SAMPLES)
    unc["bins"].update(minimum=1, maximum=1000)
    return out


def openapi(app: Any) -> dict[str, Any]:
    """FastAPI's OpenAPI document, with the scenario document typed on every operation that
    takes one (built once per app)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    spec = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes,
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    components.update(document_schemas())
    for methods in spec["paths"].values():
        for operation in methods.values():
            if operation.get("operationId") in DOCUMENT_OPERATIONS:
                media = operation["requestBody"]["content"]["application/json"]
                examples = media.get("schema", {}).get("examples") or []
                media["schema"] = {"$ref": f"#/components/schemas/{DOCUMENT}"}
                if examples:
                    media["example"] = examples[0]
    app.openapi_schema = spec
    return spec
