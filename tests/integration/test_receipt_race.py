"""Two copies of one operation applied at the same moment (a device retrying while its first
request is still running): each runs in its own savepoint, one applies it, the other waits for
it and answers with the stored receipt. Real threads and connections, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import func, select

from inspect_app import transaction
from inspect_app.api import receipts
from inspect_app.api.models import SyncReceipt
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.findings.models import Finding


def test_racing_copies_apply_once_and_the_loser_answers_with_the_winners_receipt(app, offline_walk):
    client_id = str(uuid.uuid4())
    op = {"op_id": str(uuid.uuid4()), "kind": "finding.create", "client_time": utcnow().isoformat() + "Z",
          "payload": {"inspection_id": str(offline_walk["inspection"].id),
                      "room_id": str(offline_walk["rooms"]["Bedroom 1"].id), "client_id": client_id,
                      "category": "Door furniture", "description": "Door closer arm", "grade": "4x5"}}
    inspector_id = offline_walk["inspector"].id
    applied = threading.Event()
    answers, errors = {}, []

    def copy(name: str, hold: float) -> None:
        try:
            with app.app_context():  # its own session and connection
                user = db.session.get(User, inspector_id)
                answers[name] = receipts.apply(op, by=user, now=utcnow())
                if name == "first":
                    applied.set()  # applied, not committed: the second copy starts now and must wait
                    time.sleep(hold)
                transaction.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            applied.set()

    first = threading.Thread(target=copy, args=("first", 1.0))
    first.start()
    assert applied.wait(30)
    second = threading.Thread(target=copy, args=("second", 0))
    second.start()
    first.join(60)
    second.join(60)
    assert errors == []
    (status_1, body_1), (status_2, body_2) = answers["first"], answers["second"]
    assert (body_1["replayed"], body_2["replayed"]) == (False, True)
    assert status_1 == status_2 and body_1["result"] == body_2["result"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Finding).where(Finding.client_id == client_id)) == 1
    assert db.session.scalar(select(func.count()).select_from(SyncReceipt)) == 1
