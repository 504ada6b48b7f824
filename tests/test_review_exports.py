"""Exports of a review conference: the plan's progress and each child's scale then and now.

The Pennicks' initial conference (tests/export_helpers.py) is held and closed; a review of it is
held three months later through the same services on the frozen clock: progress on the carried
plan, scale rounds (one in a closed session), decisions, close. Every export is fetched through
the real route, and the trend's numbers are checked against medians and spreads worked out here
from the scores given.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import zipfile
from types import SimpleNamespace

import pytest

from conference_room import councils, create_app, exports, queries
from conference_room import db as database
from conference_room.access import user_actor
from conference_room.services import (
    accounts,
    conferences,
    decisions,
    live,
    record,
    review,
    scaling,
)
from tests.conftest import PASSWORD, Staff
from tests.export_helpers import (
    CLOSED_ACTION,
    FAMILY_NEVER,
    RESTRICTED_ACTION,
    FrozenClock,
    as_text,
    hold_meeting,
)

REVIEW_DAY = (2027, 6, 3)
TREND_HEADING = "Safety scale: then and now"
CLOSED_REVIEW_REASON = "ZZ-REVIEW-CLOSED-SESSION-ROUND-6a1e"
RESTRICTED_PROGRESS = "ZZ-REVIEW-RESTRICTED-PROGRESS-91d0"
CASES = [(audience, fmt) for audience in exports.AUDIENCES for fmt in exports.FORMATS]

# The scores given, by round, as (group, score): what the expected numbers are worked out from.
# Last time (export_helpers.hold_meeting): Jayden's first round, the round for all three
# children, and Jayden's second round, held while the family was out (a closed session).
THEN_JAYDEN_1 = [("family", 6), ("family", 7), ("professional", 3), ("professional", 3)]
THEN_JAYDEN_1 += [("family", 5)]  # Sandra, entered by the chair
THEN_ALL = [("family", 6), ("professional", 4)]
THEN_JAYDEN_CLOSED = [("professional", 2)]
# Today.
NOW_JAYDEN_1 = [("family", 8), ("professional", 6), ("professional", 5)]
NOW_ALL = [("family", 7), ("professional", 6), ("professional", 4), ("family", 9)]
NOW_JAYDEN_CLOSED = [("professional", 4)]


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def expected(pairs: list[tuple[str, int]], group: str) -> dict:
    """The count, median, lowest and highest of one group's scores, worked out independently."""
    scores = [score for who, score in pairs if group == "all" or who == group]
    if not scores:
        return {"count": 0, "median": None, "min": None, "max": None}
    return {
        "count": len(scores),
        "median": statistics.median(scores),
        "min": min(scores),
        "max": max(scores),
    }


def cell(pairs: list[tuple[str, int]], group: str) -> str:
    """The words a table cell of the trend should hold for one group."""
    got = expected(pairs, group)
    if not got["count"]:
        return "No answers"
    answers = f"{got['count']} answer{'s' if got['count'] != 1 else ''}"
    return f"{number(got['median'])} ({got['min']}–{got['max']}), {answers}"


def row_cells(pairs: list[tuple[str, int]]) -> list[str]:
    return [cell(pairs, group) for group in ("family", "professional", "all")]


def _join(db, chair, cid, name, role="family", **extra):
    code = queries.conference(db, cid)["join_code"]
    joined, _token = live.join(db, {"code": code, "name": name, "role": role, **extra})
    live.admit(db, chair, cid, joined["id"])
    return live.participant_actor(queries.participant(db, joined["id"]))


def _revealed_round(db, chair, cid, child_id, answers, *, show_names=False, label=None):
    round_id = scaling.open_round(db, chair, cid, {"child_id": child_id, "label": label})["id"]
    for who, score, reason in answers:
        scaling.submit(db, who, cid, {"round_id": round_id, "score": score, "reason": reason})
    scaling.close_round(db, chair, cid, {"round_id": round_id})
    scaling.reveal_round(db, chair, cid, {"round_id": round_id, "show_names": show_names})


def hold_review(db, clock, chair, minutes, initial) -> SimpleNamespace:
    """Hold and close the review of the Pennicks' conference; return its ids."""
    jayden, poppy, baby = initial.children
    clock.at("09:00", (2027, 5, 20))
    made = conferences.create(
        db,
        chair,
        {
            "kind": "review",
            "reviews": initial.id,
            "scheduled_for": "2027-06-03T10:00",
            "title": "The Pennick family",
            "children": [
                {"id": jayden, "name": "Jayden Pennick", "date_of_birth": "2017-03-09"},
                {"id": poppy, "name": "Poppy Pennick", "date_of_birth": "2022-10-14"},
                {"id": baby, "name": "Rosie Pennick", "date_of_birth": "2027-05-18"},
                {"name": "Kai Hollis", "date_of_birth": "2015-07-01"},
            ],
        },
    )
    cid = made["id"]
    now_jayden, now_poppy, now_rosie, now_kai = (c["id"] for c in made["children"])
    clock.at("09:50", REVIEW_DAY)
    leanne = _join(db, chair, cid, "Leanne Pennick", relationship="Mother")
    sandra = _join(db, chair, cid, "Sandra Pennick", relationship="Grandmother")
    hannah = _join(db, chair, cid, "Hannah Oduya", "professional", agency="Children's Services")
    gareth = _join(db, chair, cid, "Gareth Lowe", "professional", agency="Haverdale Primary")
    sam = _join(db, chair, cid, "Sam Patel", "professional", agency="Police")
    clock.at("10:05", REVIEW_DAY)
    carried = {a["what"]: a for a in queries.plan_actions(db, cid)}
    for what, progress, note in (
        ("Craig will start the domestic abuse programme.", "in_progress", "4 of 12 sessions"),
        ("Leanne will take Poppy to her health check.", "done", "Seen on 18 March"),
        ("Sandra will have the children if an argument starts.", "not_done", None),
        (
            f"Staff visit in pairs. {RESTRICTED_ACTION}",
            "no_longer_needed",
            f"Risk assessment changed. {RESTRICTED_PROGRESS}",
        ),
    ):
        review.set_progress(
            db,
            minutes,
            cid,
            {"action_id": carried[what]["id"], "progress": progress, "note": note},
        )
    clock.at("10:20", REVIEW_DAY)
    live.set_stage(db, chair, cid, {"stage": "scaling"})
    _revealed_round(
        db,
        chair,
        cid,
        now_jayden,
        [(leanne, 8, "Calmer."), (hannah, 6, "Better."), (gareth, 5, "On time more.")],
    )
    clock.at("10:30", REVIEW_DAY)
    _revealed_round(
        db,
        chair,
        cid,
        None,
        [(leanne, 7, "a"), (hannah, 6, "b"), (gareth, 4, "c"), (sandra, 9, "d")],
        show_names=True,
    )
    clock.at("10:40", REVIEW_DAY)
    live.set_closed_session(db, chair, cid, True)
    _revealed_round(db, chair, cid, now_jayden, [(sam, 4, f"Bail. {CLOSED_REVIEW_REASON}")])
    clock.at("10:50", REVIEW_DAY)
    live.set_closed_session(db, chair, cid, False)
    clock.at("11:00", REVIEW_DAY)
    live.set_stage(db, chair, cid, {"stage": "decision"})
    for child_id, outcome, categories in (
        (now_jayden, "continue_plan", ["emotional"]),
        (now_poppy, "discontinue_cin", []),
        (now_rosie, "discontinue_nfa", []),
        (now_kai, "discontinue_nfa", []),
    ):
        decisions.record_decision(
            db,
            chair,
            cid,
            {"child_id": child_id, "outcome": outcome, "categories": categories, "reasons": "r"},
        )
    clock.at("11:30", REVIEW_DAY)
    record.close(db, chair, cid)
    return SimpleNamespace(id=cid, children=(now_jayden, now_poppy, now_rosie, now_kai))


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """The Pennicks' initial conference and its review, both closed; a chair to export them."""
    with pytest.MonkeyPatch.context() as patch:
        clock = FrozenClock(patch)
        path = tmp_path_factory.mktemp("review_exports") / "conference_room.db"
        db = database.connect(path)
        database.upgrade(db)
        council_id = councils.ensure(db, "Testshire Council")
        people = {}
        for role, name in (("chair", "Chris Chair"), ("minute_taker", "Morgan Minutes")):
            email = f"{role}@testshire.example"
            user = accounts.create_user(
                db, council_id, {"email": email, "name": name, "role": role, "password": PASSWORD}
            )
            people[role] = {**user, "email": email, "council_id": council_id}
        chair_actor, minutes_actor = (user_actor(people[r]) for r in ("chair", "minute_taker"))
        initial = hold_meeting(db, clock, chair_actor, minutes_actor)
        held_review = hold_review(db, clock, chair_actor, minutes_actor, initial)
        app = create_app(
            {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "t", "ASYNC_MODE": "threading"}
        )
        chair = Staff(app.test_client(), people["chair"]).sign_in()
        fetched: dict[tuple, bytes] = {}

        def export(cid: int, audience: str, fmt: str, document: str = "record") -> bytes:
            key = (cid, audience, fmt, document)
            if key not in fetched:
                answer = chair.get(
                    f"/api/v1/conferences/{cid}/export"
                    f"?format={fmt}&audience={audience}&document={document}"
                )
                assert answer.status_code == 200, answer.get_data(as_text=True)
                fetched[key] = answer.get_data()
            return fetched[key]

        yield SimpleNamespace(db=db, initial=initial, review=held_review, export=export)
        db.conn.close()


def text_of(fmt: str, body: bytes) -> str:
    """An export as searchable text; Markdown's escapes (``5\\.5``) taken out."""
    text = as_text(fmt, body)
    return text.replace("\\", "") if fmt == "md" else text


def trend_csv(body: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        text = archive.read("scale_trend.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# -- the trend in each format ---------------------------------------------------------------


def jayden_rows(audience: str) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """Jayden's trend rows as (when, round, scores) for ``audience``."""
    family = audience == "family"
    last = "Last meeting" if family else "Last conference"
    this = "This meeting" if family else "This conference"
    rows = [
        (f"{last}, Thursday 4 March 2027", "Round 1", THEN_JAYDEN_1),
        (f"{last}, Thursday 4 March 2027", "Round 1, all children together", THEN_ALL),
        (f"{last}, Thursday 4 March 2027", "Round 2", THEN_JAYDEN_CLOSED),
        (f"{this}, Thursday 3 June 2027", "Round 1", NOW_JAYDEN_1),
        (f"{this}, Thursday 3 June 2027", "Round 1, all children together", NOW_ALL),
        (f"{this}, Thursday 3 June 2027", "Round 2", NOW_JAYDEN_CLOSED),
    ]
    if family:  # the rounds held while the family was out of the room stay out
        rows = [r for r in rows if r[2] not in (THEN_JAYDEN_CLOSED, NOW_JAYDEN_CLOSED)]
    return rows


@pytest.mark.parametrize("audience", exports.AUDIENCES)
@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_review_record_has_each_childs_scale_then_and_now(held, audience, fmt):
    text = text_of(fmt, held.export(held.review.id, audience, fmt))
    assert TREND_HEADING in text
    section = text[text.index(TREND_HEADING) :]
    for when, title, pairs in jayden_rows(audience):
        cells = [when, title, *row_cells(pairs)]
        if fmt == "md":
            assert "| " + " | ".join(cells) + " |" in section, cells
        elif fmt == "docx":
            assert "  | " + " | ".join(cells) + " |" in section, cells
        else:
            at = section.index(cells[0])
            for value in cells[1:]:  # the row's cells, in order
                at = section.index(value, at)
    # Jayden's second rounds were held while the family was out of the room.
    jayden = section[: section.index("Poppy Pennick")]
    assert ("Round 2" in jayden) == (audience == "full")
    # A child who was not at the last conference is named, with no numbers.
    meeting = "meeting" if audience == "family" else "conference"
    assert f"Kai Hollis was not part of the last {meeting}" in section
    # Rosie (the baby last time) had only the round for all three children.
    rosie = section[section.index("Rosie Pennick") :]
    assert "Round 1, all children together" in rosie


@pytest.mark.parametrize("audience", exports.AUDIENCES)
def test_the_trend_in_json_matches_the_scores_given(held, audience):
    data = json.loads(held.export(held.review.id, audience, "json"))
    trend = {t["child_name"]: t for t in data["trend"]}
    assert list(trend) == ["Jayden Pennick", "Poppy Pennick", "Rosie Pennick", "Kai Hollis"]
    assert trend["Kai Hollis"]["then"] is None and trend["Kai Hollis"]["now"] is None
    jayden = trend["Jayden Pennick"]
    assert jayden["then"]["date"] == "2027-03-04" and jayden["now"]["date"] == "2027-06-03"
    assert jayden["then"]["conference_id"] == held.initial.id
    got = [
        (r["title"], r["all_children"], r["groups"])
        for period in ("then", "now")
        for r in jayden[period]["rounds"]
    ]
    want = [
        (title.split(",")[0], "all children" in title, pairs)
        for _when, title, pairs in jayden_rows(audience)
    ]
    assert [(t, a) for t, a, _ in got] == [(t, a) for t, a, _ in want]
    for (_t, _a, groups), (_t2, _a2, pairs) in zip(got, want, strict=True):
        for group in ("family", "professional", "all"):
            assert groups[group] == expected(pairs, group), (group, pairs)
    # Poppy's own round last time was never revealed: only the round for all three counts.
    poppy = trend["Poppy Pennick"]
    assert [r["all_children"] for r in poppy["then"]["rounds"]] == [True]
    assert [r["all_children"] for r in poppy["now"]["rounds"]] == [True]


@pytest.mark.parametrize("audience", exports.AUDIENCES)
def test_the_trend_in_csv_matches_the_scores_given(held, audience):
    rows = trend_csv(held.export(held.review.id, audience, "csv"))
    assert {r["document_status"] for r in rows} == {"FINAL"}
    jayden = [r for r in rows if r["child_name"] == "Jayden Pennick"]
    want = jayden_rows(audience)
    assert len(jayden) == 3 * len(want)  # family, professional, everyone per round
    for index, (_when, title, pairs) in enumerate(want):
        for offset, group in enumerate(("family", "professional", "all")):
            row = jayden[3 * index + offset]
            assert (row["round_title"], row["group"]) == (title.split(",")[0], group)
            assert row["all_children"] == ("yes" if "all children" in title else "no")
            assert row["when"] == ("then" if "Last" in _when else "now")
            got = expected(pairs, group)
            assert row["count"] == str(got["count"])
            assert row["median"] == ("" if got["median"] is None else number(got["median"]))
            assert row["min"] == ("" if got["min"] is None else str(got["min"]))
            assert row["max"] == ("" if got["max"] is None else str(got["max"]))
    assert not [r for r in rows if r["child_name"] == "Kai Hollis"]


# -- the plan's progress ----------------------------------------------------------------------


@pytest.mark.parametrize(("audience", "fmt"), CASES)
@pytest.mark.parametrize("document", exports.DOCUMENTS)
def test_the_progress_on_the_last_plan_is_in_every_export(held, document, audience, fmt):
    text = text_of(fmt, held.export(held.review.id, audience, fmt, document))
    if fmt == "json":
        plan = {a["what"]: a for a in json.loads(text)["plan"]}
        craig = plan["Craig will start the domestic abuse programme."]
        assert (craig["progress"], craig["progress_note"]) == ("in_progress", "4 of 12 sessions")
        assert plan["Leanne will take Poppy to her health check."]["progress"] == "done"
    elif fmt == "csv":
        assert 'in_progress,"Started, not finished",4 of 12 sessions' in text
        assert "done,Done,Seen on 18 March" in text
        assert "not_done,Not done," in text
    else:
        assert "Progress since the last conference" in text
        assert "Started, not finished: 4 of 12 sessions" in text
        assert "Done: Seen on 18 March" in text
        assert "Not done" in text
    # The one action marked no longer needed is restricted: it stays out of the family's.
    assert ("No longer needed" in text) == (audience == "full")


# -- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(("audience", "fmt"), CASES)
@pytest.mark.parametrize("document", exports.DOCUMENTS)
def test_the_family_review_export_has_nothing_restricted_or_from_a_closed_session(
    held, document, audience, fmt
):
    text = as_text(fmt, held.export(held.review.id, audience, fmt, document))
    markers = (CLOSED_ACTION, RESTRICTED_ACTION, RESTRICTED_PROGRESS)
    if document == "record":
        markers += (CLOSED_REVIEW_REASON,)
    if audience == "family":
        leaked = [m for m in (*markers, *FAMILY_NEVER) if m in text]
        assert not leaked, f"the family {document} ({fmt}) carries {leaked}"
    else:
        missing = [m for m in markers if m not in text]
        assert not missing, f"the full {document} ({fmt}) lacks {missing}"


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_the_decision_sheet_has_no_trend(held, fmt):
    text = as_text(fmt, held.export(held.review.id, "full", fmt, "decision"))
    assert TREND_HEADING not in text and '"trend"' not in text and "scale_trend" not in text


@pytest.mark.parametrize(("audience", "fmt"), CASES)
def test_an_initial_conference_has_no_trend(held, audience, fmt):
    text = as_text(fmt, held.export(held.initial.id, audience, fmt))
    assert TREND_HEADING not in text and '"trend"' not in text and "scale_trend" not in text


# -- a review whose last conference revealed nothing ------------------------------------------


def test_a_review_with_no_earlier_scores_says_so(db, chair):
    actor = chair.actor
    first = conferences.create(
        db,
        actor,
        {
            "kind": "initial",
            "scheduled_for": "2030-03-05T10:00",
            "title": "The Example family",
            "children": [{"name": "Amy Example", "date_of_birth": "2018-05-01"}],
        },
    )
    amy = first["children"][0]["id"]
    decisions.record_decision(
        db,
        actor,
        first["id"],
        {"child_id": amy, "outcome": "cp_plan", "categories": ["neglect"], "reasons": "r"},
    )
    record.close(db, actor, first["id"])
    second = conferences.create(
        db,
        actor,
        {
            "kind": "review",
            "reviews": first["id"],
            "scheduled_for": "2030-06-05T10:00",
            "title": "The Example family",
        },
    )
    for audience, words in (
        ("full", "At the last conference (Tuesday 5 March 2030) no scaling round about Amy"),
        ("family", "At the last meeting (Tuesday 5 March 2030) no scores about Amy"),
    ):
        answer = chair.get(
            f"/api/v1/conferences/{second['id']}/export?format=md&audience={audience}"
            "&document=record"
        )
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and TREND_HEADING in text
        assert words in text
        assert "DRAFT" in text
    data = chair.get(
        f"/api/v1/conferences/{second['id']}/export?format=json&audience=full&document=record"
    ).get_json()
    assert data["trend"][0]["then"]["rounds"] == [] and data["trend"][0]["now"]["rounds"] == []
