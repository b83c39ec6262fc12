"""Dash's callback endpoint, guarded against requests no page of ours would send.

Anyone signed in can POST to ``/_dash-update-component`` by hand. Dash trusts
the body's shape and answers a malformed one with a 500 (a KeyError deep in
its dispatch); a value of the wrong type reaches our callback and fails there.
Here the body is checked against the callback it names before Dash sees it
(400 with the reason), and a callback that still cannot use the values it was
given answers 422 with the callback's name; the traceback goes to the server's
log, never to the client.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dash
import flask
from dash.exceptions import PreventUpdate
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
MAX_BODY = 2_000_000  # bytes: the largest request a page sends is a few KB


def install(app: dash.Dash) -> None:
    """Wrap the callback endpoint of ``app`` (after every callback is registered or not:
    the callbacks are looked up per request)."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch = app.server.view_functions[endpoint]

    def guarded() -> Any:
        problem = _problem(app.callback_map)
        if problem:
            return _refuse(400, f"malformed callback request: {problem}")
        try:
            return dispatch()
        except (PreventUpdate, HTTPException):
            raise
        except Exception:  # answered, and logged with its traceback
            output = flask.request.get_json(silent=True)["output"]
            log.exception("callback %s could not use the values it was sent", output)
            return _refuse(422, f"callback {output} could not use the values it was sent")

    app.server.view_functions[endpoint] = guarded


def _refuse(status: int, reason: str) -> flask.Response:
    return flask.Response(json.dumps({"error": reason}), status, mimetype="application/json")


def _problem(callbacks: dict) -> str:
    """What is wrong with the request's body, or "" when it fits a callback of the app."""
    request = flask.request
    if (request.content_length or 0) > MAX_BODY:
        return f"larger than {MAX_BODY} bytes"
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return "nested too deeply"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    spec = callbacks.get(output) if isinstance(output, str) else None
    if spec is None or spec.get("callback") is None:
        return f"no callback answers output {str(output)[:80]!r}"
    if not isinstance(body.get("outputs"), dict | list):
        return "'outputs' is missing"
    for key, want in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        given = body.get(key, [])
        if not isinstance(given, list) or len(given) != len(want):
            return f"{output} takes {len(want)} {key}"
        for item in given:
            for one in item if isinstance(item, list) else [item]:  # ALL wildcards: a list
                if not isinstance(one, dict) or "id" not in one or "property" not in one:
                    return f"each of {key} needs an id and a property"
    if not isinstance(body.get("changedPropIds", []), list):
        return "'changedPropIds' is not a list"
    return ""
