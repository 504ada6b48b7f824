"""Hostile text typed anywhere in a meeting comes out of the exports inert.

One conference gets the whole XSS corpus (tests/xss_corpus.py) as report sections, people's
names, scaling reasons and "one point up" answers, plan actions, notes, recommendations, the
chair's reasons and dissent — all through the services, as typed. The HTML export must then
hold nothing a browser would run (its only furniture being our own stylesheet and policy), and
the Markdown export must carry no raw HTML, even through a Markdown renderer that lets raw HTML
through.
"""

from __future__ import annotations

import re

import markdown
import pytest

from conference_room import exports, queries
from conference_room.services import decisions, live, plan, record, reports, scaling
from tests.export_helpers import FrozenClock, as_text
from tests.xss_corpus import SHORT_CORPUS, XSS_CORPUS, assert_inert

LONG = [entry for entry in XSS_CORPUS if entry not in SHORT_CORPUS]
# A start tag, end tag, comment or declaration: what "raw HTML" in Markdown begins with.
RAW_HTML = re.compile(r"<[A-Za-z!/?]")


@pytest.fixture
def hostile(db, staff, monkeypatch, make_conference):
    """A conference where every typed field holds entries of the corpus."""
    clock = FrozenClock(monkeypatch)
    clock.at("09:00", (2030, 3, 1))
    chair, minutes = staff("chair"), staff("minute_taker")
    conference = make_conference(title="The <script>alert(1)</script> family")
    cid = conference["id"]
    child_id = conference["children"][0]["id"]
    for index, entry in enumerate(SHORT_CORPUS):
        reports.add(
            db,
            chair.actor,
            cid,
            {
                "author_name": entry[:200].strip() or "x",
                "agency": f"Agency {index}",
                "role": entry[:200],
                "sections": {"worries": entry, "working_well": entry},
                "restricted": entry,
                "shared_with_family": index % 2 == 0,
                "not_shared_reason": entry[:2000],
                "family_comments": entry,
            },
        )
    for entry in LONG:
        reports.add(
            db,
            chair.actor,
            cid,
            {
                "author_name": "Long",
                "agency": "Long",
                "sections": {"worries": entry},
                "shared_with_family": True,
            },
        )
    clock.at("10:00", (2030, 3, 5))
    row = queries.conference(db, cid)
    people = []
    for entry in SHORT_CORPUS:
        name = entry[:120].strip()
        if not name:
            continue
        joined, _ = live.join(
            db, {"code": row["join_code"], "name": name, "role": "professional", "agency": name}
        )
        live.admit(db, chair.actor, cid, joined["id"])
        people.append((live.participant_actor(queries.participant(db, joined["id"])), entry))
    live.set_stage(db, chair.actor, cid, {"stage": "scaling"})
    for show_names in (False, True):
        round_id = scaling.open_round(db, chair.actor, cid, {"child_id": child_id})["id"]
        for actor, entry in people:
            scaling.submit(
                db,
                actor,
                cid,
                {"round_id": round_id, "score": 4, "reason": entry, "next_step": entry},
            )
        scaling.close_round(db, chair.actor, cid, {"round_id": round_id})
        scaling.reveal_round(db, chair.actor, cid, {"round_id": round_id, "show_names": show_names})
    for actor, entry in people:
        decisions.recommend(
            db, actor, cid, {"child_id": child_id, "plan": "cin_plan", "reason": entry}
        )
    for entry in SHORT_CORPUS:
        plan.add(
            db,
            minutes.actor,
            cid,
            {
                "what": entry,
                "who": entry[:300],
                "by_when": entry[:200],
                "how_we_know": entry,
                "kind": "contingency",
            },
        )
        record.add_note(db, minutes.actor, cid, {"stage": "sharing", "text": entry})
    decisions.record_decision(
        db,
        chair.actor,
        cid,
        {
            "child_id": child_id,
            "outcome": "cp_plan",
            "categories": ["neglect"],
            "reasons": "\n".join(SHORT_CORPUS)[:8000],
            "lead_social_worker": SHORT_CORPUS[0],
            "core_group_members": [entry[:200] for entry in SHORT_CORPUS[:40]],
        },
    )
    for actor, entry in people[:20]:
        decisions.dissent(db, actor, cid, {"child_id": child_id, "reason": entry})
    return chair, cid


def test_hostile_text_is_inert_in_every_html_export_and_never_raw_html_in_markdown(hostile):
    chair, cid = hostile
    for document in exports.DOCUMENTS:
        for audience in exports.AUDIENCES:
            query = f"audience={audience}&document={document}"
            html = chair.get(f"/api/v1/conferences/{cid}/export?format=html&{query}")
            assert html.status_code == 200
            page = html.get_data(as_text=True)
            head, body = page.split("</head>", 1)
            # The head is our own furniture: one pinned stylesheet and the policy, no more.
            assert re.findall(r"<([a-z]+)", head) == [
                "html",
                "head",
                "meta",
                "meta",
                "meta",
                "title",
                "style",
            ]
            assert_inert(body, page=False)
            text = chair.get(f"/api/v1/conferences/{cid}/export?format=md&{query}")
            source = text.get_data(as_text=True)
            assert not RAW_HTML.search(source)
            assert_inert(markdown.markdown(source, extensions=["tables"]))
            # Every word is still there, escaped rather than dropped.
            assert "&lt;script>alert(1)&lt;/script>" in source
            for fmt in ("docx", "csv", "json"):
                answer = chair.get(f"/api/v1/conferences/{cid}/export?format={fmt}&{query}")
                assert answer.status_code == 200
                assert "alert(1)" in as_text(fmt, answer.get_data())
