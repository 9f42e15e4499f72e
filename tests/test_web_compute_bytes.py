"""The API's answers as bytes (carescale.web.compute.run_answer and appraise_answer, issue 25):
encoded without the JSON encoder's circular check, and still exactly what Starlette's
JSONResponse writes for the same answer."""

from __future__ import annotations

import pytest
from fastapi.responses import JSONResponse

from carescale.web import documents
from carescale.web.compute import appraise_answer, run_answer

DOCS = [
    {"version": 1, "area": "birmingham", "note": "bytes: a name with an accent, Bromsgrove–Redditch é"},
    {"version": 1, "area": "cornwall", "reprice": True},
    {"version": 1, "area": "kent", "basis": "current"},
    {"version": 1, "area": "birmingham", "preset": "paper", "scale": {"shared-lives": 0.5}},
    {"version": 1, "area": "gateshead", "interventions": ["shared-lives", "kent-pathways"],
     "appraisal": {"years": 40, "optimism_bias": False,
                   "interventions": {"shared-lives": {"lag_months": 3, "drop_off": 0.1}}}},
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("bridge,value", [(True, True), (False, False), (True, False)])
def test_a_run_answer_is_the_bytes_jsonresponse_writes(doc, bridge, value):
    body = run_answer(doc, bridge, value)
    assert body == JSONResponse(documents.run(doc, bridge=bridge, value=value, shared=True)).body


@pytest.mark.parametrize("doc", DOCS[:3])
def test_an_appraise_answer_is_the_bytes_jsonresponse_writes(doc):
    assert appraise_answer(doc) == JSONResponse(documents.appraise(doc)).body
