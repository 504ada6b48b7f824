"""Use cases: load, check rules and permissions, write in one transaction, return what changed."""
