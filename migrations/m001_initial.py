"""The whole domain schema of DESIGN.md: councils to audit events.

CHECK constraints and foreign keys make the database itself refuse nonsense (a score of 11,
an unknown stage, an answer to a round of another conference's child).
"""

SCHEMA = """
CREATE TABLE councils (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  created_at TEXT NOT NULL
);

-- The council's choices (deadlines, scale wording, statements, marking...): one JSON value a key.
CREATE TABLE la_settings (
  council_id INTEGER NOT NULL REFERENCES councils(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (council_id, key)
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  email TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role TEXT NOT NULL CHECK (role IN ('admin', 'chair', 'minute_taker')),
  password_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE conferences (
  id INTEGER PRIMARY KEY,
  council_id INTEGER NOT NULL REFERENCES councils(id),
  kind TEXT NOT NULL CHECK (kind IN ('initial', 'review', 'pre_birth', 'transfer_in')),
  local_kind TEXT,                       -- a council's own kind, e.g. "Safer Me Plus initial"
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  scheduled_for TEXT NOT NULL,           -- ISO 8601, UTC
  venue TEXT,
  join_code TEXT NOT NULL UNIQUE,
  stage TEXT NOT NULL DEFAULT 'lobby' CHECK (stage IN ('lobby', 'welcome', 'reading', 'sharing',
    'scaling', 'recommendations', 'decision', 'plan', 'next_steps')),
  status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'closed')),
  closed_session INTEGER NOT NULL DEFAULT 0 CHECK (closed_session IN (0, 1)),
  version INTEGER NOT NULL DEFAULT 0,
  reviews_id INTEGER REFERENCES conferences(id),
  created_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL,
  started_at TEXT,
  closed_at TEXT
);
CREATE INDEX conferences_scheduled ON conferences(council_id, scheduled_for);

CREATE TABLE children (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  date_of_birth TEXT,
  expected_date TEXT,
  identifier TEXT,                       -- NHS or other ID
  school TEXT,
  gp TEXT,
  position INTEGER NOT NULL DEFAULT 0,
  carried_from_id INTEGER REFERENCES children(id) ON DELETE SET NULL,
  CHECK (date_of_birth IS NULL OR expected_date IS NULL)
);
CREATE INDEX children_conference ON children(conference_id);

CREATE TABLE family_members (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  relationship TEXT NOT NULL CHECK (length(relationship) BETWEEN 1 AND 100),
  household INTEGER NOT NULL DEFAULT 0 CHECK (household IN (0, 1)),
  position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX family_members_conference ON family_members(conference_id);

CREATE TABLE participants (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  role TEXT NOT NULL CHECK (role IN ('professional', 'family', 'child', 'advocate',
    'interpreter', 'observer')),
  agency TEXT,
  job_title TEXT,
  relationship TEXT,
  status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'admitted', 'turned_away',
    'removed', 'apologies')),
  token_hash TEXT UNIQUE,                -- sha256 of the participant's random token
  joined_at TEXT,
  admitted_at TEXT,
  removed_at TEXT,
  last_seen_at TEXT,
  invited INTEGER NOT NULL DEFAULT 0 CHECK (invited IN (0, 1))
);
CREATE INDEX participants_conference ON participants(conference_id, status);

CREATE TABLE invitations (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  agency TEXT NOT NULL CHECK (length(agency) BETWEEN 1 AND 200),
  email TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX invitations_conference ON invitations(conference_id);

CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  invitation_id INTEGER UNIQUE REFERENCES invitations(id) ON DELETE SET NULL,
  template TEXT NOT NULL,
  author_name TEXT NOT NULL CHECK (length(author_name) BETWEEN 1 AND 200),
  agency TEXT NOT NULL CHECK (length(agency) BETWEEN 1 AND 200),
  role TEXT NOT NULL DEFAULT '',
  sections TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sections)),
  restricted TEXT,
  shared_with_family INTEGER NOT NULL DEFAULT 0 CHECK (shared_with_family IN (0, 1)),
  shared_on TEXT,
  family_comments TEXT,
  not_shared_reason TEXT,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  submitted_at TEXT
);
CREATE INDEX reports_conference ON reports(conference_id);

-- Every submitted version of a report is kept.
CREATE TABLE report_versions (
  id INTEGER PRIMARY KEY,
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  body TEXT NOT NULL CHECK (json_valid(body)),
  saved_at TEXT NOT NULL,
  UNIQUE (report_id, version)
);

CREATE TABLE report_reads (
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
  first_read_at TEXT NOT NULL,
  PRIMARY KEY (report_id, participant_id)
);

CREATE TABLE statements_read (
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  statement_key TEXT NOT NULL,
  read_at TEXT NOT NULL,
  PRIMARY KEY (conference_id, statement_key)
);

CREATE TABLE closed_sessions (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  started_at TEXT NOT NULL,
  ended_at TEXT
);

CREATE TABLE scale_rounds (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  child_id INTEGER REFERENCES children(id) ON DELETE CASCADE,   -- NULL: all children together
  label TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'revealed')),
  show_names INTEGER NOT NULL DEFAULT 0 CHECK (show_names IN (0, 1)),
  opened_at TEXT NOT NULL,
  closed_at TEXT,
  revealed_at TEXT
);
CREATE INDEX scale_rounds_conference ON scale_rounds(conference_id);

CREATE TABLE scale_answers (
  id INTEGER PRIMARY KEY,
  round_id INTEGER NOT NULL REFERENCES scale_rounds(id) ON DELETE CASCADE,
  participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
  score INTEGER NOT NULL CHECK (typeof(score) = 'integer' AND score BETWEEN 0 AND 10),
  reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 4000),
  next_step TEXT,
  client_id TEXT,
  entered_by_user_id INTEGER REFERENCES users(id),   -- set when the chair answered on their behalf
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (round_id, participant_id)
);

CREATE TABLE plan_actions (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  child_id INTEGER REFERENCES children(id) ON DELETE CASCADE,   -- NULL: all children
  what TEXT NOT NULL CHECK (length(trim(what)) BETWEEN 1 AND 2000),
  who TEXT NOT NULL DEFAULT '',
  by_when TEXT NOT NULL DEFAULT '',
  how_we_know TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('immediate', 'contingency', 'long_term')),
  position INTEGER NOT NULL DEFAULT 0,
  draft INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
  source_answer_id INTEGER REFERENCES scale_answers(id) ON DELETE SET NULL,
  carried_from_id INTEGER REFERENCES plan_actions(id) ON DELETE SET NULL,
  progress TEXT CHECK (progress IN ('done', 'in_progress', 'not_done', 'no_longer_needed')),
  progress_note TEXT,
  restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX plan_actions_conference ON plan_actions(conference_id, position);

CREATE TABLE recommendations (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  child_id INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
  participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
  agency TEXT NOT NULL,
  author_name TEXT NOT NULL,
  plan TEXT NOT NULL CHECK (plan IN ('cp_plan', 'cin_plan', 'no_plan')),
  reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 4000),
  entered_by_user_id INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL,
  UNIQUE (child_id, participant_id)
);

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  child_id INTEGER NOT NULL UNIQUE REFERENCES children(id) ON DELETE CASCADE,
  outcome TEXT NOT NULL CHECK (outcome IN ('cp_plan', 'cin_plan', 'no_further_action', 'adjourned',
    'continue_plan', 'discontinue_cin', 'discontinue_nfa', 'discontinue_looked_after')),
  categories TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(categories)),
  reasons TEXT NOT NULL CHECK (length(trim(reasons)) BETWEEN 1 AND 8000),
  lead_social_worker TEXT,
  core_group_members TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(core_group_members)),
  core_group_on TEXT,
  review_on TEXT,
  decided_by INTEGER REFERENCES users(id),
  decided_at TEXT NOT NULL
);

CREATE TABLE dissents (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  child_id INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
  participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 4000),
  created_at TEXT NOT NULL
);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('lobby', 'welcome', 'reading', 'sharing', 'scaling',
    'recommendations', 'decision', 'plan', 'next_steps', 'closed')),
  child_id INTEGER REFERENCES children(id) ON DELETE CASCADE,
  text TEXT NOT NULL CHECK (length(trim(text)) BETWEEN 1 AND 20000),
  restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
  corrects_note_id INTEGER REFERENCES notes(id) ON DELETE CASCADE,
  author_user_id INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL
);
CREATE INDEX notes_conference ON notes(conference_id);

-- Append-only and hash-chained: each event carries the hash of the one before it.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_type TEXT NOT NULL CHECK (actor_type IN ('user', 'participant', 'invitee', 'system',
    'anonymous')),
  actor_id INTEGER,
  actor_name TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  conference_id INTEGER,                 -- no foreign key: the log outlives a purged conference
  detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_conference ON audit_events(conference_id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def apply(db) -> None:
    """Create the schema, one statement at a time inside the migration's transaction."""
    import sqlite3

    statement = ""
    for line in SCHEMA.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    assert not statement.strip(), "incomplete SQL at the end of the schema"
