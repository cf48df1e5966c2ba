"""Users, roles and login."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from core.auth import create_user, hash_password, login, verify_password
from core.domain.enums import Role
from core.errors import AuthError, ValidationError
from core.storage.db import write_tx
from core.storage.schema import users
from core.store import Store
from tests.core.county import PASSWORD, County


def test_password_hash_is_salted_scrypt() -> None:
    a, b = hash_password("secret-words"), hash_password("secret-words")
    assert a != b and a.startswith("scrypt$")
    assert verify_password("secret-words", a) and not verify_password("secret-wordz", a)
    assert not verify_password("x", "md5$abc") and not verify_password("x", "garbage")


def test_login_gives_the_actor_with_all_roles(store: Store, county: County) -> None:
    with store.engine.connect() as conn:
        actor = login(conn, "dispatcher", PASSWORD)
    assert actor.roles == frozenset({Role.DISPATCHER, Role.DUTY_OFFICER})
    assert actor.unit_id == county.units["county"]


@pytest.mark.parametrize(
    ("user", "password"), [("dispatcher", "wrong-password"), ("nobody", PASSWORD)]
)
def test_bad_credentials_say_nothing_more(store: Store, user: str, password: str) -> None:
    with store.engine.connect() as conn, pytest.raises(AuthError) as err:
        login(conn, user, password)
    assert err.value.code == "bad_credentials"


def test_a_disabled_user_cannot_log_in(store: Store) -> None:
    with write_tx(store.engine) as conn:
        conn.execute(update(users).where(users.c.username == "leader").values(active=False))
    with store.engine.connect() as conn, pytest.raises(AuthError):
        login(conn, "leader", PASSWORD)


def test_create_user_checks_every_field(store: Store, county: County) -> None:
    with write_tx(store.engine) as conn, pytest.raises(ValidationError) as err:
        create_user(
            conn,
            username="duty",
            display_name=" ",
            unit_id=999_999,
            password="short",
            roles=[],
            now=datetime.now(UTC),
        )
    assert err.value.fields() == {"username", "display_name", "unit_id", "password", "roles"}
    with write_tx(store.engine) as conn:
        uid = create_user(
            conn,
            username="new_officer",
            display_name="新值班员",
            unit_id=county.units["county"],
            password="long-enough-1",
            roles=[Role.DUTY_OFFICER],
            now=datetime.now(UTC),
        )
    with store.engine.connect() as conn:
        assert login(conn, "new_officer", "long-enough-1").user_id == uid
