"""Users, roles and login. Passwords are hashed with scrypt (RFC 7914), from the stdlib."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, insert, select, text

from core.domain.actor import Actor
from core.domain.enums import Role
from core.domain.ids import UnitId, UserId
from core.errors import AuthError, FieldError, NotFound, ValidationError
from core.storage.schema import units, user_roles, users

if TYPE_CHECKING:
    from core.store import Store

# Interactive-login cost: about 50 ms on a workstation, 16 MiB of memory.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8


def hash_password(password: str, *, n: int = SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


# A fixed hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = hash_password("not-a-real-password", n=SCRYPT_N)


def create_user(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    unit_id: int,
    password: str,
    roles: Iterable[Role],
    now: datetime,
    phone: str | None = None,
    password_hash: str | None = None,
) -> UserId:
    """Create a user. ``password_hash`` lets bulk tools reuse one precomputed hash."""
    errors: list[FieldError] = []
    username = username.strip()
    if not username:
        errors.append(FieldError("username", "empty"))
    elif conn.execute(select(users.c.id).where(users.c.username == username)).first():
        errors.append(FieldError("username", "duplicate", {"value": username}))
    if not display_name.strip():
        errors.append(FieldError("display_name", "empty"))
    if conn.execute(select(units.c.id).where(units.c.id == unit_id)).first() is None:
        errors.append(FieldError("unit_id", "unknown_unit", {"value": unit_id}))
    if password_hash is None and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", "too_short", {"min": MIN_PASSWORD}))
    role_list = sorted({Role(r) for r in roles})
    if not role_list:
        errors.append(FieldError("roles", "empty"))
    if errors:
        raise ValidationError(errors)
    uid = conn.execute(
        insert(users)
        .values(
            username=username,
            display_name=display_name.strip(),
            unit_id=unit_id,
            password_hash=password_hash or hash_password(password),
            phone=phone,
            active=True,
            created_at=now,
        )
        .returning(users.c.id)
    ).scalar_one()
    conn.execute(insert(user_roles), [{"user_id": uid, "role": r.value} for r in role_list])
    return UserId(uid)


def load_actor(conn: Connection, user_id: int) -> Actor:
    row = conn.execute(
        select(
            users.c.id,
            users.c.username,
            users.c.display_name,
            users.c.unit_id,
            users.c.active,
            units.c.path,
        )
        .join(units, units.c.id == users.c.unit_id)
        .where(users.c.id == user_id)
    ).first()
    if row is None or not row.active:
        raise NotFound("user_not_found", user_id=user_id)
    roles = frozenset(
        Role(r)
        for r in conn.execute(
            select(user_roles.c.role).where(user_roles.c.user_id == user_id)
        ).scalars()
    )
    return Actor(
        UserId(row.id), row.username, row.display_name, UnitId(row.unit_id), row.path, roles
    )


def connected_user(conn: Connection) -> int | None:
    """The user whose PostgreSQL role this connection logged in as (``users.db_role``),
    or None: SQLite, or a role that is no user's (the owner, an administrator)."""
    if conn.dialect.name != "postgresql":
        return None
    found = conn.execute(select(users.c.id).where(users.c.db_role == func.session_user())).scalar()
    return int(found) if found is not None else None


def login(conn: Connection, username: str, password: str) -> Actor:
    """The same error for an unknown user and a wrong password.

    Connected as a user's own database role, only that user may log in: the role, not
    the username typed, is what row-level security trusts. Such a role may not read
    ``users.password_hash``; ``cc_login_hash()`` gives it its own hash and no other."""
    me = connected_user(conn)
    row = conn.execute(
        select(users.c.id, users.c.active).where(users.c.username == username.strip())
    ).first()
    if row is None or (me is not None and row.id != me):
        verify_password(password, _DUMMY_HASH)
        raise AuthError()
    if me is None:
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == row.id)).scalar()
    else:
        stored = conn.execute(text("SELECT cc_login_hash()")).scalar()
    if not verify_password(password, str(stored or "")) or not row.active:
        raise AuthError()
    return load_actor(conn, row.id)


def acting_user(store: Store, username: str | None) -> Actor | None:
    """Whom an unattended job acts as: ``username`` if active, else the first active duty
    officer of the county centre; None when there is none (``main.py import --as``, the
    feeds' auto-registering sources, ``main.py alerts``)."""
    from core.storage.db import read_tx

    with read_tx(store.engine) as conn:
        q = select(users.c.id).where(users.c.active.is_(True))
        if username is not None:
            q = q.where(users.c.username == username)
        else:
            root = store.reference().org.territory_root()
            q = (
                q.join(user_roles, user_roles.c.user_id == users.c.id)
                .where(user_roles.c.role == Role.DUTY_OFFICER.value)
                .where(users.c.unit_id == (root.id if root else -1))
                .order_by(users.c.id)
            )
        uid = conn.execute(q.limit(1)).scalar()
        return None if uid is None else load_actor(conn, uid)
