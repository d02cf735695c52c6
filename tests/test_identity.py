"""Accounts reached through an OpenID Connect provider: by subject first, then by a verified e-mail."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from linkage.accounts.identity import account_for, link
from linkage.accounts.users import SYSTEM, Actor, add_user, set_disabled
from linkage.errors import Refused, UserFacingError
from linkage.records.history import entries
from linkage.store.db import read_session

from .helpers import linkage, url


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    add_user(engine, SYSTEM, "lan", "mật-khẩu-dài", "admin")
    add_user(engine, SYSTEM, "minh", "mật-khẩu-khác", "admin")
    return engine


def test_an_account_is_found_by_its_verified_email_whatever_its_case(accounts: Engine) -> None:
    link(accounts, SYSTEM, "lan", email=" Lan@So-NN.gov.vn ")
    assert account_for(accounts, subject="idp-1", email="lan@so-nn.gov.vn", email_verified=True) == Actor(
        "lan", "admin"
    )
    assert account_for(accounts, subject="idp-1", email="LAN@so-nn.gov.vn") == Actor("lan", "admin")
    assert account_for(accounts, subject="idp-1", email="lan@so-nn.gov.vn", email_verified=False) is None


def test_the_subject_wins_over_an_email_that_names_someone_else(accounts: Engine) -> None:
    link(accounts, SYSTEM, "lan", subject="idp-lan")
    link(accounts, SYSTEM, "minh", email="minh@so-nn.gov.vn")
    assert account_for(accounts, subject="idp-lan", email="minh@so-nn.gov.vn") == Actor("lan", "admin")


def test_an_unknown_or_disabled_identity_signs_nobody_in(accounts: Engine) -> None:
    link(accounts, SYSTEM, "lan", email="lan@so-nn.gov.vn", subject="idp-lan")
    assert account_for(accounts, subject="someone-else", email="nobody@so-nn.gov.vn") is None
    assert account_for(accounts, subject=None, email=None) is None
    set_disabled(accounts, SYSTEM, "lan")
    assert account_for(accounts, subject="idp-lan") is None


def test_an_email_or_subject_signs_in_one_account_only_and_only_admins_link(accounts: Engine) -> None:
    link(accounts, SYSTEM, "lan", email="lan@so-nn.gov.vn")
    with pytest.raises(UserFacingError) as taken:
        link(accounts, SYSTEM, "minh", email="LAN@so-nn.gov.vn")
    assert taken.value.key == "identity_taken"
    with pytest.raises(UserFacingError):
        link(accounts, SYSTEM, "minh", email="not-an-address")
    with pytest.raises(Refused):
        link(accounts, Actor("minh", "planner", "VN"), "minh", subject="x")


def test_linking_is_in_the_history(accounts: Engine) -> None:
    link(accounts, SYSTEM, "lan", email="lan@so-nn.gov.vn")
    with read_session(accounts) as session:
        changes = [e.changes for e in entries(session, "accounts", "lan")]
    assert {"email": [None, "lan@so-nn.gov.vn"]} in changes


def test_user_add_takes_the_email_it_signs_in_with(engine: Engine) -> None:
    done = linkage(
        "user",
        "add",
        "hoa",
        "--role",
        "admin",
        "--email",
        "Hoa@So-NN.gov.vn",
        "--password-stdin",
        "--db",
        url(engine),
        stdin="mật-khẩu-dài\n",
    )
    assert done.returncode == 0, done.stderr
    assert account_for(engine, subject="idp-hoa", email="hoa@so-nn.gov.vn") == Actor("hoa", "admin", unit_map="2025-07")
