"""Users, roles and tokens on both stores: who may sign in, and what each role may do."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from auth import Forbidden, Principal, Unauthenticated, can, require, system_principal
from auth.accounts import (
    FAILURE_WINDOW,
    BadAccount,
    NameTaken,
    Throttled,
    add_user,
    create_api_token,
    create_wall_token,
    ensure_first_admin,
    list_tokens,
    revoke_token,
    session_user,
    set_active,
    set_password,
    sign_in,
    signing_key,
    token_principal,
    wall_token_is_genuine,
)

ADMIN = system_principal("tests")
PASSWORD = "a long enough password"


def test_each_role_may_do_what_it_is_for_and_nothing_else():
    matrix = {
        "viewer": {"read"},
        "duty_officer": {"read", "respond"},
        "planner": {"read", "edit"},
        "admin": {"read", "respond", "edit", "admin"},
    }
    for role, allowed in matrix.items():
        who = Principal(f"someone-{role}", role)
        for permission in ("read", "respond", "edit", "admin"):
            assert can(who, permission) == (permission in allowed), (role, permission)
            if permission in allowed:
                assert require(who, permission) is who
            else:
                with pytest.raises(Forbidden, match=f"may not {permission}"):
                    require(who, permission)
    with pytest.raises(Unauthenticated):
        require(None, "read")
    assert not can(None, "read")


def test_a_user_signs_in_with_their_password_only(empty_store):
    add_user(empty_store, ADMIN, "planner1", "planner", PASSWORD)
    signed = sign_in(empty_store, "planner1", PASSWORD)
    assert signed is not None
    assert (signed.principal.name, signed.principal.role) == ("planner1", "planner")
    assert sign_in(empty_store, "planner1", PASSWORD + "x") is None
    assert sign_in(empty_store, "nobody", PASSWORD) is None
    assert sign_in(empty_store, "planner1", "") is None


def test_wrong_passwords_are_throttled_per_name_and_per_address(empty_store):
    add_user(empty_store, ADMIN, "officer", "duty_officer", PASSWORD)
    add_user(empty_store, ADMIN, "other", "viewer", PASSWORD)
    t0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    for minute in range(5):
        at = t0 + timedelta(minutes=minute)
        assert sign_in(empty_store, "officer", "guess", "10.0.0.9", now=at) is None
    # The sixth try is refused even with the right password, until the first ages out.
    with pytest.raises(Throttled) as refused:
        sign_in(empty_store, "officer", PASSWORD, "10.0.0.1", now=t0 + timedelta(minutes=5))
    assert refused.value.retry_after == 10 * 60
    assert sign_in(empty_store, "other", PASSWORD, "10.0.0.1", now=t0 + timedelta(minutes=5))
    later = t0 + FAILURE_WINDOW + timedelta(seconds=1)
    assert sign_in(empty_store, "officer", PASSWORD, "10.0.0.1", now=later) is not None
    # A success forgets the name's failures; many names guessed from one address stop too.
    assert sign_in(empty_store, "officer", "guess", "10.0.0.1", now=later) is None
    for n in range(20):
        sign_in(empty_store, f"name{n}", "guess", "10.0.0.66", now=later)
    with pytest.raises(Throttled):
        sign_in(empty_store, "other", PASSWORD, "10.0.0.66", now=later)
    assert sign_in(empty_store, "other", PASSWORD, "10.0.0.2", now=later) is not None


def test_bad_accounts_are_refused_with_a_reason(empty_store):
    with pytest.raises(BadAccount, match="at least 10 characters"):
        add_user(empty_store, ADMIN, "p", "planner", "short")
    with pytest.raises(BadAccount, match="unknown role"):
        add_user(empty_store, ADMIN, "p", "chief", PASSWORD)
    with pytest.raises(BadAccount, match="no spaces"):
        add_user(empty_store, ADMIN, "two words", "viewer", PASSWORD)
    add_user(empty_store, ADMIN, "p", "viewer", PASSWORD)
    with pytest.raises(NameTaken):
        add_user(empty_store, ADMIN, "p", "planner", PASSWORD)
    assert [u["name"] for u in empty_store.accounts.users()] == ["p"]


def test_only_an_admin_manages_accounts(empty_store):
    add_user(empty_store, ADMIN, "planner1", "planner", PASSWORD)
    planner = sign_in(empty_store, "planner1", PASSWORD).principal
    with pytest.raises(Forbidden):
        add_user(empty_store, planner, "mole", "admin", PASSWORD)
    with pytest.raises(Forbidden):
        create_api_token(empty_store, planner, "planner1")
    with pytest.raises(Forbidden):
        create_wall_token(empty_store, planner, "wall")
    assert [u["name"] for u in empty_store.accounts.users()] == ["planner1"]


def test_disabling_a_user_ends_their_sessions_and_tokens_at_once(empty_store):
    add_user(empty_store, ADMIN, "officer", "duty_officer", PASSWORD)
    signed = sign_in(empty_store, "officer", PASSWORD)
    token = create_api_token(empty_store, ADMIN, "officer", "field app")
    assert session_user(empty_store, signed.principal.user_id, signed.epoch) is not None
    assert token_principal(empty_store, token).role == "duty_officer"

    set_active(empty_store, ADMIN, "officer", False)
    assert session_user(empty_store, signed.principal.user_id, signed.epoch) is None
    assert token_principal(empty_store, token) is None
    assert sign_in(empty_store, "officer", PASSWORD) is None

    set_active(empty_store, ADMIN, "officer", True)  # back: the token works, old sessions don't
    assert token_principal(empty_store, token).name == f"officer (token#{1})"
    assert session_user(empty_store, signed.principal.user_id, signed.epoch) is None


def test_a_new_password_ends_other_sessions(empty_store):
    add_user(empty_store, ADMIN, "planner1", "planner", PASSWORD)
    before = sign_in(empty_store, "planner1", PASSWORD)
    set_password(empty_store, before.principal, "planner1", "another long password")
    assert session_user(empty_store, before.principal.user_id, before.epoch) is None
    assert sign_in(empty_store, "planner1", PASSWORD) is None
    assert sign_in(empty_store, "planner1", "another long password") is not None
    other = Principal("someone", "planner", user_id=99, user_name="someone")
    with pytest.raises(Forbidden):
        set_password(empty_store, other, "planner1", "a third long password")


def test_tokens_act_as_their_user_until_revoked(empty_store):
    add_user(empty_store, ADMIN, "sync", "planner", PASSWORD)
    token = create_api_token(empty_store, ADMIN, "sync", "nightly import")
    who = token_principal(empty_store, token)
    assert (who.role, who.kind, who.user_name) == ("planner", "api", "sync")
    assert token_principal(empty_store, token + "x") is None
    assert token_principal(empty_store, "") is None
    (row,) = list_tokens(empty_store, ADMIN)
    assert row["label"] == "nightly import" and "token_hash" not in row
    revoke_token(empty_store, ADMIN, row["id"])
    assert token_principal(empty_store, token) is None
    assert list_tokens(empty_store, ADMIN) == []
    with pytest.raises(BadAccount, match="no live token"):
        revoke_token(empty_store, ADMIN, row["id"])


def test_wall_tokens_are_viewers_signed_by_the_app(empty_store):
    token = create_wall_token(empty_store, ADMIN, "centre wall")
    who = token_principal(empty_store, token)
    assert (who.role, who.kind, who.user_id) == ("viewer", "wall", None)
    key = signing_key(empty_store)
    assert wall_token_is_genuine(key, token)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert not wall_token_is_genuine(key, forged)
    assert not wall_token_is_genuine("another key", token)
    assert not wall_token_is_genuine(key, "fw_.")


def test_the_first_start_makes_one_admin_with_a_private_password_file(empty_store, tmp_path):
    password = ensure_first_admin(empty_store, tmp_path)
    assert password and len(password) >= 12
    path = tmp_path / "initial-admin-password"
    assert path.read_text().strip() == password
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sign_in(empty_store, "admin", password).principal.role == "admin"
    assert ensure_first_admin(empty_store, tmp_path) is None  # only ever on an empty store
    assert [u["name"] for u in empty_store.accounts.users()] == ["admin"]


def test_the_first_admin_password_can_be_given(empty_store, tmp_path):
    assert ensure_first_admin(empty_store, tmp_path, "given by the deployer") == (
        "given by the deployer"
    )
    assert not (tmp_path / "initial-admin-password").exists()
    assert sign_in(empty_store, "admin", "given by the deployer") is not None
