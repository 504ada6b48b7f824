"""Find an answer's resend by its ``client_id`` without reading the meeting's other answers.

Every answer to the safety scale asks whether its ``client_id`` is already among the
conference's ``scale.submit`` audit entries (a resend must change nothing). The index of m004
narrowed that to the meeting's answers, but still parsed each one's JSON: 0.1 ms a check with
200 answers in the log, 1.2 ms with 2,000. This partial index holds only
``scale.submit`` entries, by conference and client_id, so the check is one index lookup
however long the meeting has run. m004's index served that check alone: it is dropped, so that
writing an audit entry no longer keeps it up to date.
"""

STATEMENTS = (
    "CREATE INDEX audit_events_answer_client_id "
    "ON audit_events(conference_id, json_extract(detail, '$.client_id')) "
    "WHERE action = 'scale.submit'",
    "DROP INDEX IF EXISTS audit_events_conference_action",
)
