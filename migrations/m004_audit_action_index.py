"""Find a conference's audit entries of one kind without reading all of its others.

Every answer to the safety scale looks for its ``client_id`` among the conference's earlier
``scale.submit`` entries (a resend must change nothing). With only the index on
``conference_id`` that read every entry of the conference, each one's JSON parsed, and a long
meeting holds hundreds of them.
"""

STATEMENTS = ("CREATE INDEX audit_events_conference_action ON audit_events(conference_id, action)",)
