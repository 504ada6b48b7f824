"""The demo seeds through the same services as everyone else, once."""

from conference_room import demo, queries


def test_demo_seeds_once_and_prints_logins_and_join_code(db):
    lines = demo.seed(db)
    again = demo.seed(db)
    assert any("chair@northmere.example" in line for line in lines)
    assert any("join code" in line for line in lines)
    assert lines == again
    conferences = list(db.query("SELECT * FROM conferences ORDER BY id"))
    assert [(c["title"], c["status"]) for c in conferences] == [
        ("The Pennick family", "scheduled"),
        ("The Marlow family", "closed"),
        ("The Marlow family (review)", "scheduled"),
    ]
    children = queries.children(db, conferences[0]["id"])
    assert len(children) == 3 and sum(1 for c in children if c["expected_date"]) == 1
    reports = queries.reports(db, conferences[0]["id"])
    assert len(reports) == 4
    assert sum(1 for r in reports if r["restricted"]) == 1
    assert sum(1 for r in reports if not r["shared_with_family"]) == 1
    assert {r["status"] for r in reports} == {"submitted"}


def test_the_demo_review_starts_from_a_closed_initial_conference(db):
    demo.seed(db)
    earlier, review = list(db.query("SELECT * FROM conferences ORDER BY id"))[1:]
    assert review["reviews_id"] == earlier["id"] and review["kind"] == "review"
    assert len(queries.decisions(db, earlier["id"])) == 1
    rounds = queries.scale_rounds(db, earlier["id"])
    assert [r["status"] for r in rounds] == ["revealed"]
    carried = queries.plan_actions(db, review["id"])
    assert len(carried) == 3 and all(a["carried_from_id"] for a in carried)
    assert [i["agency"] for i in queries.invitations(db, review["id"])] == [
        "Children's Services, Northmere Council",
        "Haverdale Primary School",
    ]
