"""Schemathesis over /openapi.json: no generated request gets a server error (5xx).

Bounded (a few examples per operation, no deadline) so the suite stays fast; the examples run
are counted and printed with -s. Background jobs started by the fuzz are cancelled at the end.
"""

from __future__ import annotations

import pytest

pytest.importorskip("schemathesis")
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from carescale.web.app import create_app  # noqa: E402
from carescale.web.jobs import JobManager  # noqa: E402
from carescale.web.storage import MemoryScenarioStore  # noqa: E402

JOBS = JobManager(workers=1)
APP = create_app(MemoryScenarioStore(), JOBS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
COUNT = {"examples": 0}


@pytest.fixture(scope="module", autouse=True)
def _stop_jobs():
    yield
    JOBS.shutdown()
    print(f"\nschemathesis ran {COUNT['examples']} generated requests")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error(case):
    COUNT["examples"] += 1
    case.call_and_validate(checks=[not_a_server_error])
