"""Attachments: photos and documents, stored once per content hash, recorded as events."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import ValidationError
from core.service import OrderService
from core.storage.schema import attachment_blobs, attachments, events
from core.workflow.intake import ATTACHMENT_MAX_BYTES, AttachmentData
from tests.core.test_smoke_loop import draft

PNG = b"\x89PNG\r\n\x1a\n" + b"site photo" * 100


def test_photos_are_stored_once_per_content(svc: OrderService, actors: dict[str, Actor]) -> None:
    a = svc.register(actors["duty"], draft()).order_id
    b = svc.register(actors["duty"], draft()).order_id
    photo = AttachmentData("photo_before", "现场.png", "image/png", PNG)
    svc.add_attachment(actors["duty"], a, photo)
    svc.add_attachment(actors["dispatcher"], b, photo)
    with svc.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(attachment_blobs)).scalar_one() == 1
        rows = conn.execute(select(attachments).order_by(attachments.c.id)).all()
        blob = conn.execute(select(attachment_blobs.c.data)).scalar_one()
        kinds = conn.execute(select(events.c.kind).where(events.c.order_id == a)).scalars().all()
    assert [r.order_id for r in rows] == [a, b]
    assert rows[0].sha256 == hashlib.sha256(PNG).hexdigest() and rows[0].size == len(PNG)
    assert bytes(blob) == PNG
    assert kinds[-1] == EventKind.ATTACHMENT_ADDED


@pytest.mark.parametrize(
    ("att", "field", "code"),
    [
        (AttachmentData("selfie", "a.png", "image/png", PNG), "kind", "unknown_value"),
        (
            AttachmentData("document", "../etc/passwd", "text/plain", b"x"),
            "filename",
            "bad_filename",
        ),
        (AttachmentData("document", "empty.txt", "text/plain", b""), "data", "empty_file"),
        (
            AttachmentData(
                "document", "big.bin", "application/octet-stream", b"0" * (ATTACHMENT_MAX_BYTES + 1)
            ),
            "data",
            "file_too_large",
        ),
    ],
)
def test_bad_files_are_refused(
    svc: OrderService, actors: dict[str, Actor], att: AttachmentData, field: str, code: str
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    with pytest.raises(ValidationError) as err:
        svc.add_attachment(actors["duty"], oid, att)
    assert code in err.value.codes_for(field)
    assert svc.load(actors["duty"], oid).order.version == 1
