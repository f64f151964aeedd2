"""One transaction per request (``inspect_app/transaction.py``): a success commits once after the
view; a refusal, an error page or an exception after a flush saves nothing; a commit that fails
answers 409/500, never the success page; a CLI refusal saves nothing and exits 1.

The probe views below are the shapes every view takes (flush, then succeed, refuse, raise or
keep); they run through the real app, its error pages and its request boundary.
"""
from __future__ import annotations

import io
import json

import pytest
from flask import Blueprint, abort, flash, redirect
from sqlalchemy import func, select

from inspect_app import transaction
from inspect_app.checklists import library
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.clock import utcnow
from inspect_app.estates.models import Trust
from inspect_app.extensions import db
from inspect_app.security.access import public

probe = Blueprint("tx_probe", __name__, url_prefix="/tx-probe")


def _flush_trust(name: str, code: str) -> None:
    db.session.add(Trust(name=name, code=code, created_at=utcnow()))
    db.session.flush()


@probe.post("/<outcome>")
@public
def run(outcome: str):
    _flush_trust(f"Probe {outcome}", outcome.upper()[:8])
    if outcome == "saved":
        flash("Saved.", "success")
        return redirect("/login")
    if outcome == "refused":  # the copied block's shape: refuse, flash, redirect (a 302)
        transaction.refuse("Not saved: the service said no.")
        return redirect("/login")
    if outcome == "aborted":
        abort(409, "The record changed.")
    if outcome == "kept":  # a refusal that must still record something (a failed sign-in)
        transaction.keep()
        return "counted", 401
    if outcome == "clash":  # only the commit finds the clash: a second trust with the same code
        db.session.add(Trust(name="Probe clash twin", code="CLASH", created_at=utcnow()))
        flash("Saved.", "success")
        return redirect("/login")
    raise RuntimeError("the view failed after its flush")


@pytest.fixture
def probed(app):
    app.register_blueprint(probe)
    return app


def _trusts(app, prefix: str = "Probe") -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Trust).where(Trust.name.startswith(prefix)))


def _post(client, outcome: str):
    return client.post(f"/tx-probe/{outcome}")


@pytest.fixture
def client_no_csrf(probed):
    probed.config["WTF_CSRF_ENABLED"] = False
    return probed.test_client()


@pytest.mark.parametrize(("outcome", "status"), [("saved", 302), ("kept", 401)])
def test_a_success_or_a_kept_refusal_is_committed_once_after_the_view(probed, client_no_csrf, outcome, status):
    """A success, and a refusal that must still record what it flushed (a failed sign-in)."""
    response = _post(client_no_csrf, outcome)
    assert response.status_code == status
    assert _trusts(probed, f"Probe {outcome}") == 1


def test_a_refusal_answered_with_a_redirect_keeps_nothing_the_service_flushed(probed, client_no_csrf):
    response = _post(client_no_csrf, "refused")
    assert response.status_code == 302
    assert _trusts(probed) == 0
    assert "Not saved: the service said no." in client_no_csrf.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(("outcome", "status"), [("aborted", 409), ("raised", 500)])
def test_an_error_answer_or_exception_after_a_flush_saves_nothing(probed, client_no_csrf, outcome, status):
    response = _post(client_no_csrf, outcome)
    assert response.status_code == status
    assert _trusts(probed) == 0


def test_a_commit_that_fails_answers_409_and_withdraws_the_saved_message(probed, client_no_csrf):
    response = _post(client_no_csrf, "clash")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "nothing from that request was saved" in html
    assert _trusts(probed) == 0
    assert "Saved." not in client_no_csrf.get("/login").get_data(as_text=True)  # no success message later
    api = client_no_csrf.post("/tx-probe/clash", headers={"Accept": "application/json"})
    assert api.status_code == 409 and api.is_json and "nothing" in api.get_json()["message"]


def test_savepoint_keeps_earlier_work_and_commits_only_with_the_transaction(ctx):
    """pysqlite would let the savepoint become the transaction (its RELEASE committing to disk);
    on both databases the work before a refused savepoint stays, and nothing is on disk before
    the commit."""
    _flush_trust("Probe before", "SPBEFORE")
    with pytest.raises(ValueError), transaction.savepoint():
        _flush_trust("Probe refused", "SPREFUSE")
        raise ValueError("refused")
    with transaction.savepoint():
        _flush_trust("Probe applied", "SPAPPLY")
    names = set(db.session.scalars(select(Trust.name).where(Trust.name.startswith("Probe"))))
    assert names == {"Probe before", "Probe applied"}
    transaction.rollback()  # a savepoint released is not a commit
    assert _trusts(ctx) == 0


def test_a_savepoint_opened_first_in_a_transaction_is_not_a_commit(ctx):
    transaction.rollback()
    with transaction.savepoint():  # nothing written yet: on SQLite this opens the transaction
        _flush_trust("Probe first", "SPFIRST")
    transaction.rollback()
    assert _trusts(ctx) == 0
    with transaction.savepoint():
        _flush_trust("Probe first", "SPFIRST")
    transaction.commit()
    assert _trusts(ctx, "Probe first") == 1


def test_a_cli_refusal_after_a_flush_saves_nothing_and_exits_1(app, tmp_path):
    doc = library.load_builtin()
    doc["version"] = "9.9-probe"
    last = doc["area_types"][-1]["items"][-1]
    last["alerts"] = [{"reference": "NO/SUCH/ALERT"}]  # refused after every earlier item was flushed
    path = tmp_path / "library.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ChecklistTemplate))
    result = app.test_cli_runner().invoke(args=["checklists", "import", str(path)])
    assert result.exit_code == 1
    assert "NO/SUCH/ALERT" in result.output and "Imported" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == before
    doc["area_types"][-1]["items"][-1].pop("alerts")
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["checklists", "import", str(path)])
    assert result.exit_code == 0 and "Imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == before + 1


def test_a_real_form_refused_after_its_service_flushed_redirects_and_keeps_nothing(demo, auth):
    """The library import flushes the new version and its items one by one; a citation of an
    unknown alert on the last item refuses it. The answer is a redirect (303), which would
    otherwise commit: the refusal rolls back the flushed version and items."""
    auth.login("admin@demo.nhs.test")
    before = db.session.scalar(select(func.count()).select_from(ChecklistTemplate))
    doc = library.load_builtin()
    doc["version"] = "9.9-probe"
    doc["area_types"][-1]["items"][-1]["alerts"] = [{"reference": "NO/SUCH/ALERT"}]
    response = auth.post("/admin/checklists/import", {"file": (io.BytesIO(json.dumps(doc).encode()), "lib.json")},
                         page="/admin/checklists/", content_type="multipart/form-data")
    assert response.status_code == 303
    assert "NO/SUCH/ALERT" in auth.client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == before
