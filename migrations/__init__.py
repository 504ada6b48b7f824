"""Schema migrations for conference_room, applied with sqlite-utils' built-in Migrations.

Each ``mNNN_name.py`` gives either ``apply(db)`` or ``STATEMENTS``, SQL run in order
(``db._load_migrations``); each runs once, in name order, inside its own transaction.
"""
