"""Council settings: defaults, the admin's API and page, and refusals that change nothing."""

import re

import pytest

from conference_room import la_settings


def test_defaults_are_complete_and_valid(db, council_id):
    settings = la_settings.get(db, council_id)
    assert settings.scale.threshold == 2
    assert settings.report_deadline_days.initial == 2
    assert settings.report_deadline_days.review == 5
    assert settings.protective_marking == "OFFICIAL-SENSITIVE"
    assert {s.key for s in settings.statements} >= {"confidentiality", "cp_plan_test"}


def test_stored_settings_are_validated_once_and_a_change_is_seen_at_once(db, council_id):
    """la_settings.get runs on every live push for each viewer: the same stored choices give
    the same validated object; a stored change gives a new one with it."""
    from conference_room import queries

    first = la_settings.get(db, council_id)
    assert la_settings.get(db, council_id) is first
    with db.conn:
        queries.put_setting(db, council_id, "protective_marking", "OFFICIAL", "2030-01-01")
        queries.put_setting(db, council_id, "complaints_text", "Write to us.", "2030-01-01")
    changed = la_settings.get(db, council_id)
    assert changed is not first
    assert (changed.protective_marking, changed.complaints_text) == ("OFFICIAL", "Write to us.")
    assert la_settings.get(db, council_id) is changed
    assert first.protective_marking == "OFFICIAL-SENSITIVE"  # the earlier object is untouched


def test_staff_read_settings(chair):
    body = chair.get("/api/v1/settings").get_json()
    assert body["scale"]["threshold"] == 2


def test_an_admin_changes_a_setting(staff):
    admin = staff("admin")
    answer = admin.patch("/api/v1/settings", json={"protective_marking": "OFFICIAL"})
    assert answer.status_code == 200, answer.get_json()
    assert admin.get("/api/v1/settings").get_json()["protective_marking"] == "OFFICIAL"


def test_a_chair_may_not_change_settings(chair):
    answer = chair.patch("/api/v1/settings", json={"protective_marking": "OFFICIAL"})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scale": {"threshold": 11}}, "scale"),
        ({"closure_days": ["not a date"]}, "closure_days[0]"),
        ({"protective_marking": ""}, "protective_marking"),
        ({"colour": "pink"}, "colour"),
        (
            {
                "report_deadline_days": {
                    "initial": -1,
                    "pre_birth": 2,
                    "transfer_in": 2,
                    "review": 5,
                }
            },
            "report_deadline_days.initial",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_changes(staff, change, field):
    admin = staff("admin")
    before = admin.get("/api/v1/settings").get_json()
    answer = admin.patch("/api/v1/settings", json=change)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"].startswith(field)
    assert admin.get("/api/v1/settings").get_json() == before


def test_settings_changes_are_audited(db, staff):
    staff("admin").patch("/api/v1/settings", json={"allow_multiple_categories": True})
    actions = [row["action"] for row in db.query("SELECT action FROM audit_events")]
    assert "settings.update" in actions


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_settings_page_saves_a_closure_day_and_a_new_statement(staff):
    admin = staff("admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    form = {
        name: value
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    form.update(
        {
            name: value
            for name, value in re.findall(
                r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page
            )
        }
    )
    form["csrf_token"] = _token(page)
    form["closure_days"] = "2027-12-29\n2027-12-30"
    count = int(form["statement_count"])
    form[f"statement_title_{count}"] = "Phones"
    form[f"statement_text_{count}"] = "Please put your phone on silent."
    answer = admin.client.post("/admin/settings", data=form)
    assert answer.status_code == 200
    assert "settings are saved" in answer.get_data(as_text=True)
    saved = admin.get("/api/v1/settings").get_json()
    assert saved["closure_days"] == ["2027-12-29", "2027-12-30"]
    assert saved["statements"][-1]["title"] == "Phones"


def test_the_settings_page_is_for_admins_only(chair):
    assert chair.get("/admin/settings").status_code == 403
