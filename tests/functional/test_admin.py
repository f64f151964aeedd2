"""Admin screens: users, estate with bulk rooms, checklist import/export/publish."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db


def test_admin_creates_a_ward_manager_with_wards(demo, auth):
    auth.login("admin@demo.nhs.test")
    larch = demo["wards"]["Larch Ward"]
    response = auth.post("/admin/users/new", {"email": "New.Manager@Example.test", "name": "Jo New",
                                               "role": "ward_manager", "wards": [larch],
                                               "password": "initial-password-2931"}, page="/admin/users/new")
    assert response.status_code == 302
    from inspect_app.auth.models import User

    user = db.session.scalar(select(User).where(User.email == "new.manager@example.test"))
    assert user.role == "ward_manager" and [w.id for w in user.managed_wards] == [larch]
    assert user.must_change_password
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.create"))


def test_duplicate_email_is_refused_with_a_message(demo, auth):
    auth.login("admin@demo.nhs.test")
    response = auth.post("/admin/users/new", {"email": "inspector@demo.nhs.test", "name": "Dup",
                                               "role": "inspector", "password": "initial-password-2931"},
                         page="/admin/users/new")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_bulk_room_creation_makes_numbered_rooms(demo, auth):
    auth.login("admin@demo.nhs.test")
    ward_id = demo["wards"]["Alder Ward"]
    before = db.session.scalar(select(func.count()).select_from(Room).where(Room.ward_id == ward_id))
    bed_type = db.session.execute(select(Room.area_type_id).where(Room.name == "Bedroom 1")).scalars().first()
    response = auth.post(f"/admin/estate/wards/{ward_id}", {
        "bulk-prefix": "Annexe bedroom", "bulk-first": "1", "bulk-last": "25", "bulk-area_type_id": str(bed_type),
        "bulk-tier": "", "bulk-floor": "Second", "bulk-submit": "Create rooms"}, page=f"/admin/estate/wards/{ward_id}")
    assert response.status_code == 302
    rooms = db.session.scalars(select(Room).where(Room.ward_id == ward_id, Room.name.like("Annexe bedroom %"))).all()
    assert len(rooms) == 25 and {r.tier for r in rooms} == {"T3"} and {r.floor for r in rooms} == {"Second"}
    after = db.session.scalar(select(func.count()).select_from(Room).where(Room.ward_id == ward_id))
    assert after == before + 25


def test_bulk_room_clash_creates_nothing(demo, auth):
    auth.login("admin@demo.nhs.test")
    ward_id = demo["wards"]["Alder Ward"]
    before = db.session.scalar(select(func.count()).select_from(Room).where(Room.ward_id == ward_id))
    bed_type = db.session.execute(select(Room.area_type_id).where(Room.name == "Bedroom 1")).scalars().first()
    response = auth.post(f"/admin/estate/wards/{ward_id}", {
        "bulk-prefix": "Bedroom", "bulk-first": "10", "bulk-last": "14", "bulk-area_type_id": str(bed_type),
        "bulk-submit": "Create rooms"}, page=f"/admin/estate/wards/{ward_id}")
    assert response.status_code == 400
    assert "already has a room called Bedroom 10" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Room).where(Room.ward_id == ward_id)) == before


def test_admin_adds_site_and_ward(demo, auth):
    auth.login("admin@demo.nhs.test")
    assert auth.post("/admin/estate/", {"site-name": "Moorside Centre", "site-submit": "Add site"},
                     page="/admin/estate/").status_code == 302
    from inspect_app.estates.models import Site

    site = db.session.scalar(select(Site).where(Site.name == "Moorside Centre"))
    response = auth.post("/admin/estate/", {"ward-site_id": str(site.id), "ward-name": "Heather Ward",
                                            "ward-patient_group": "picu", "ward-bed_count": "9",
                                            "ward-submit": "Add ward"}, page="/admin/estate/")
    assert response.status_code == 302
    ward = db.session.scalar(select(Ward).where(Ward.name == "Heather Ward"))
    assert ward.site_id == site.id and ward.bed_count == 9


def test_checklist_export_import_publish_round_trip(demo, auth):
    auth.login("admin@demo.nhs.test")
    original = db.session.scalar(select(ChecklistTemplate))
    exported = auth.client.get(f"/admin/checklists/{original.id}/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    doc = json.loads(exported.data)
    codes = {i["code"] for a in doc["area_types"] for i in a["items"]}
    assert len(codes) == 240 and "BED-01" in codes
    doc["version"] = "2.1"
    doc["area_types"][0]["items"].append({"code": "BED-99", "category": "Furniture", "prompt": "New check?",
                                          "guidance": None})
    response = auth.post("/admin/checklists/import", {"file": (io.BytesIO(json.dumps(doc).encode()), "lib.json")},
                         page="/admin/checklists/", content_type="multipart/form-data")
    assert response.status_code == 302
    draft = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.version == "2.1"))
    assert draft.status == "draft" and len(draft.items) == 241
    page = auth.client.get(f"/admin/checklists/{draft.id}").get_data(as_text=True)
    assert "Items added: 1" in page and "BED-99" in page and "Items removed: 0" in page
    assert "Wards affected (6)" in page  # every demo ward has bedrooms
    assert auth.post(f"/admin/checklists/{draft.id}/publish", {"confirm": "y"},
                     page=f"/admin/checklists/{draft.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(ChecklistTemplate, draft.id).status == "published"
    assert db.session.get(ChecklistTemplate, original.id).status == "archived"
    assert len(db.session.get(ChecklistTemplate, original.id).items) == 240  # the old version is untouched


def test_publishing_a_copy_identical_to_the_published_version_is_refused(demo, auth):
    auth.login("admin@demo.nhs.test")
    original = db.session.scalar(select(ChecklistTemplate))
    response = auth.post(f"/admin/checklists/{original.id}/new-version", {"version": "2.0.1"},
                         page=f"/admin/checklists/{original.id}")
    copy = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.version == "2.0.1"))
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "same content as" in page and 'name="confirm"' not in page  # nothing to confirm
    refused = auth.post(f"/admin/checklists/{copy.id}/publish", {"confirm": "y"}, page=f"/admin/checklists/{copy.id}",
                        follow_redirects=True)
    assert "nothing would change, so it was not published" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (copy.status, original.status) == ("draft", "published")


def test_invalid_checklist_files_are_refused_with_reasons(demo, auth):
    auth.login("admin@demo.nhs.test")
    cases = [(b"not json", "not valid JSON"), (b'{"name": "x"}', "version"),
             (json.dumps({"name": "X", "version": "1", "area_types": [{"code": "BED", "name": "B",
                                                                       "default_tier": "T9", "items": []}]}).encode(),
              "default_tier")]
    for body, message in cases:
        response = auth.post("/admin/checklists/import", {"file": (io.BytesIO(body), "bad.json")},
                             page="/admin/checklists/", content_type="multipart/form-data",
                             follow_redirects=True)
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == 1


def test_admin_home_warns_when_base_url_is_unset_in_production(app, auth, demo):
    auth.login("admin@demo.nhs.test")
    assert "data-base-url-warning" not in auth.client.get("/").get_data(as_text=True)  # not production
    app.config["IS_PRODUCTION"] = True
    assert "BASE_URL is not set" in auth.client.get("/").get_data(as_text=True)
    app.config["BASE_URL"] = "https://inspect.example.nhs.uk"
    assert "data-base-url-warning" not in auth.client.get("/").get_data(as_text=True)
