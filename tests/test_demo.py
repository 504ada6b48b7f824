"""The demo seeds through the same services as everyone else, once."""

from conference_room import demo, queries


def test_demo_seeds_once_and_prints_logins_and_join_code(db):
    lines = demo.seed(db)
    again = demo.seed(db)
    assert any("chair@northmere.example" in line for line in lines)
    assert any("join code" in line for line in lines)
    assert lines == again
    conferences = list(db.query("SELECT * FROM conferences"))
    assert len(conferences) == 1
    children = queries.children(db, conferences[0]["id"])
    assert len(children) == 3 and sum(1 for c in children if c["expected_date"]) == 1
    reports = queries.reports(db, conferences[0]["id"])
    assert len(reports) == 4
    assert sum(1 for r in reports if r["restricted"]) == 1
    assert sum(1 for r in reports if not r["shared_with_family"]) == 1
    assert {r["status"] for r in reports} == {"submitted"}
