"""The hand-made district (``tests/handmade.py``) in a fresh store of each kind, to change.

Its hidden dangers: R1 major and found (T1), R7 larger and rectifying (T1),
R2 (T1), R3 and R6 (T2) rectified; R4 and R5 are risk sources.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth import Principal
from tests.conftest import STORE_KINDS, _fresh_store
from tests.handmade import handmade_frames


@pytest.fixture(params=STORE_KINDS)
def ledger_store(request, tmp_path_factory) -> Iterator:
    store = _fresh_store(request.param, tmp_path_factory, request)
    store.replace_all(handmade_frames())
    yield store
    store.engine.dispose()


def person(name: str, role: str = "duty_officer") -> Principal:
    return Principal(name=name, role=role, user_id=1, user_name=name)


LI, WANG, ZHAO = person("li"), person("wang"), person("zhao")
VIEWER, PLANNER, ADMIN = person("kan", "viewer"), person("gui", "planner"), person("root", "admin")
