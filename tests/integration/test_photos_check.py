"""``flask photos check``: orphaned files, missing files, removal only on request."""
from __future__ import annotations

import os
import time

from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.photos.services import storage
from inspect_app.plans import services as plans
from tests.fixtures.plans import plan_png


def _age(path, seconds=3600):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_consistent_store_reports_nothing(stored_photo, cli):
    stored_photo(1)
    result = cli.invoke(args=["photos", "check"])
    assert result.exit_code == 0, result.output
    assert "1 photo records, 3 stored files." in result.output
    assert "Orphaned files (no record): 0" in result.output and "Missing files (record without file): 0" in result.output


def test_orphans_are_reported_and_removed_only_with_the_flag(stored_photo, cli):
    stored_photo(1)
    store = storage()
    store.put("ab/cd/orphan-large.jpg", b"left by a crash")
    _age(store.open_path("ab/cd/orphan-large.jpg"))
    report = cli.invoke(args=["photos", "check"])
    assert report.exit_code == 0
    assert "orphan  ab/cd/orphan-large.jpg" in report.output and "--remove-orphans" in report.output
    assert store.exists("ab/cd/orphan-large.jpg")
    removed = cli.invoke(args=["photos", "check", "--remove-orphans"])
    assert "Removed 1 orphaned files." in removed.output
    assert not store.exists("ab/cd/orphan-large.jpg")
    assert cli.invoke(args=["photos", "check"]).output.count("orphan  ") == 0


def test_recent_unreferenced_files_are_left_alone(stored_photo, cli):
    """A file written moments ago may belong to an upload whose row is about to commit."""
    stored_photo(1)
    store = storage()
    store.put("ef/01/in-flight-large.jpg", b"upload in progress")
    result = cli.invoke(args=["photos", "check", "--remove-orphans"])
    assert "younger than 10 min (left alone): 1" in result.output
    assert store.exists("ef/01/in-flight-large.jpg")
    now_too = cli.invoke(args=["photos", "check", "--remove-orphans", "--grace-minutes", "0"])
    assert "Removed 1 orphaned files." in now_too.output


def test_missing_files_fail_the_check(stored_photo, cli):
    photo = stored_photo(2)
    storage().delete(photo.key_thumb)
    result = cli.invoke(args=["photos", "check"])
    assert result.exit_code == 1
    assert f"missing {photo.key_thumb} (photo {photo.uuid})" in result.output


def test_checksums_catch_a_damaged_file(stored_photo, cli):
    photo = stored_photo(3)
    path = storage().open_path(photo.key_large)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    assert cli.invoke(args=["photos", "check"]).exit_code == 0
    result = cli.invoke(args=["photos", "check", "--checksums"])
    assert result.exit_code == 1 and f"corrupt {photo.key_large}" in result.output


def test_ward_plans_in_the_store_are_not_orphans(stored_photo, cli, demo):
    plans.upload_plan(plan_png(), ward=db.session.get(Ward, demo["wards"]["Larch Ward"]),
                      by=db.session.get(User, demo["users"]["admin"]), now=utcnow())
    db.session.commit()
    for key in storage().keys():
        _age(storage().open_path(key))
    result = cli.invoke(args=["photos", "check", "--remove-orphans"])
    assert "Orphaned files (no record): 0" in result.output
    assert len([key for key in storage().keys() if "-plan-" in key]) == 2
