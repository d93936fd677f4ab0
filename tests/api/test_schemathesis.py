"""Property-based checks of the API against its own OpenAPI document, for each role.

schemathesis generates requests from /api/v1/openapi.json (valid and invalid bodies, query
strings and path values) and checks that no response is a server error and that every
response conforms to the document: status code declared, content type, body schema.
``tenant_slug`` is pinned to the tenant the fixtures filled, so generated requests reach
the views instead of stopping at "unknown tenant". Bounded: a few examples per operation,
for each role (about a minute in all); ``SSJ_SCHEMATHESIS_EXAMPLES`` raises it for a
longer hostile run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks

from tests.api.conftest import ApiWorld

EXAMPLES = int(os.environ.get("SSJ_SCHEMATHESIS_EXAMPLES", "4"))

CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(api_world: ApiWorld) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_world.app)


#: Every role (and none): the central admin, a tenant's admin, operator, viewer, inspector.
ROLES = [None, "cq_viewer", "cq_operator", "cq_admin", "cq_inspector", "central"]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_api_conforms_to_its_document(api_schema: Any, api_world: ApiWorld,
                                      role: str | None) -> None:
    """Every operation, a few generated requests each, as ``role`` (None: no token)."""
    headers = api_world.headers(role)
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            if "tenant_slug" in (case.path_parameters or {}):
                case.path_parameters["tenant_slug"] = "chongqing"
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code < 500, response.text

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
