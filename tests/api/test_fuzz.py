"""Both OpenAPI documents, fuzzed (schemathesis): every generated request gets a correct
answer or a 4xx with a reason; never a 500, never a traceback.

Requests carry an admin's bearer token, so writes are generated too (on this
module's own store).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from auth import system_principal
from auth.accounts import create_api_token

DOCUMENTS = ["/api/openapi.json", "/ogc/api"]


@pytest.fixture(scope="module", params=DOCUMENTS)
def api_schema(request, site):
    token = create_api_token(site.store, system_principal("fuzz"), "admin", "fuzz")
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi(request.param, site.app.server, headers=headers)
    schema.fuzz_headers = headers
    return schema


def test_the_api_never_answers_a_generated_request_with_a_server_error(api_schema):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def fuzz(case) -> None:
            response = case.call(headers=api_schema.fuzz_headers)
            body = response.content.decode("utf-8", "replace")
            where = f"{case.method} {case.formatted_path}: {response.status_code}"
            if response.status_code >= 500 or "Traceback" in body:
                failures.append(f"{where} {body[:300]}")
            elif response.status_code >= 400 and not body.strip():
                failures.append(f"{where} with no reason")

        fuzz()
    assert not failures, "\n".join(sorted(set(failures))[:20])
