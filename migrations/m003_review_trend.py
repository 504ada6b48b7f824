"""Which child's scale trend (earlier conference beside today's) the chair is showing the room.

``conferences.trend_child_id`` is NULL when no trend is shown. Only a review conference sets it,
and only to a child carried forward from the conference it reviews.
"""

STATEMENTS = (
    "ALTER TABLE conferences ADD COLUMN trend_child_id INTEGER "
    "REFERENCES children(id) ON DELETE SET NULL",
)
