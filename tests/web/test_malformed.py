"""Hand-made and malformed requests to Dash's callback endpoint: a 4xx with a reason, or a
correct answer; never a 500, never a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import filter_callback, page_request

DASH = "/_dash-update-component"

MALFORMED = {
    "not json": b"{not json",
    "empty body": b"",
    "a list": b"[1, 2]",
    "a number": b"42",
    "no output": json.dumps({"inputs": []}).encode(),
    "unknown output": json.dumps({**filter_callback([]), "output": "nothing.here"}).encode(),
    "inputs not a list": json.dumps({**filter_callback([]), "inputs": "x"}).encode(),
    "input without value": json.dumps(
        {**filter_callback([]), "inputs": [{"id": "filter-townships", "property": "value"}]}
    ).encode(),
    "too few inputs": json.dumps({**filter_callback([]), "inputs": []}).encode(),
    "wrong types": json.dumps(
        {
            **filter_callback([]),
            "inputs": [
                {"id": "filter-townships", "property": "value", "value": {"a": 1}},
                {"id": "filter-level", "property": "value", "value": [None]},
                {"id": "filter-grades", "property": "value", "value": "major"},
            ],
        }
    ).encode(),
    "page with a bad viewport": json.dumps(
        {**page_request("/"), "inputs": [{"id": "viewport", "property": "data", "value": "x"}]}
    ).encode(),
    "deep nesting": b'{"output": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


def _assert_answered(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, body[:400])
    assert "Traceback" not in body and 'File "' not in body
    if response.status_code >= 400:
        assert response.json["error"], body  # a reason a person can read


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_callback_request_gets_a_clear_4xx(site, name):
    client = site.client("viewer")
    response = client.post(DASH, data=MALFORMED[name], content_type="application/json")
    _assert_answered(response)
    assert response.status_code in (400, 422) or name == "wrong types"


def test_a_well_formed_request_still_answers(site):
    response = site.client("viewer").post(DASH, json=filter_callback(["major"]))
    assert response.status_code == 200
    assert response.json["response"]["filter"]["data"]["grades"] == ["major"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    output=st.sampled_from(["filter.data", "..page.children...lang.data..", "x", ""]),
    inputs=JSON,
    state=JSON,
)
def test_generated_callback_bodies_never_break_the_server(site, output, inputs, state):
    body = {
        "output": output,
        "outputs": {"id": "filter", "property": "data"},
        "inputs": inputs,
        "state": state,
        "changedPropIds": [],
    }
    response = site.client("viewer").post(DASH, json=body)
    _assert_answered(response)
