"""Find an answer's resend by its ``client_id`` without reading the meeting's other answers.

Every answer to the safety scale asks whether its ``client_id`` is already among the
conference's ``scale.submit`` audit entries (a resend must change nothing). The index of m004
narrowed that to the meeting's answers, but still parsed each one's JSON: a meeting whose phones
had sent 2,000 answers spent 0.7 ms of every new answer on it. This partial index holds only
``scale.submit`` entries, by conference and client_id, so the check is one index lookup
however long the meeting has run.
"""

STATEMENTS = (
    "CREATE INDEX audit_events_answer_client_id "
    "ON audit_events(conference_id, json_extract(detail, '$.client_id')) "
    "WHERE action = 'scale.submit'",
)


def apply(db) -> None:
    """Index the scale answers' entries in the audit log by conference and client_id."""
    for statement in STATEMENTS:
        db.execute(statement)
