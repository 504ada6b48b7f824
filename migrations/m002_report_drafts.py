"""Report drafts kept apart from the submitted report, and who sent each invitation.

``reports.draft`` holds the writer's unsubmitted work (the whole form as JSON, autosaved every
few seconds). It is a separate column so that an autosave never changes what the room reads:
the report's own columns always hold the latest *submitted* version (also kept, with every
earlier one, in report_versions). ``invitations.created_by`` lets a link that no longer works
tell the writer whom to contact.
"""

STATEMENTS = (
    "ALTER TABLE reports ADD COLUMN draft TEXT CHECK (draft IS NULL OR json_valid(draft))",
    "ALTER TABLE reports ADD COLUMN draft_saved_at TEXT",
    "ALTER TABLE invitations ADD COLUMN created_by INTEGER REFERENCES users(id)",
)
