"""Schema migrations for conference_room, applied with sqlite-utils' built-in Migrations."""
