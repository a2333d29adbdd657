-- Schema version 1: sessions, revealed hints and graded results.
--
-- Kept close to what PostgreSQL also accepts (BOOLEAN, DOUBLE PRECISION, TEXT,
-- ON CONFLICT) so that a PostgreSQL backend can keep the same tables. The one
-- SQLite-only phrase is INTEGER PRIMARY KEY AUTOINCREMENT, which PostgreSQL
-- spells BIGINT GENERATED ALWAYS AS IDENTITY.
--
-- Times are RFC 3339 text in UTC with nine fraction digits, so text order is
-- time order. Seeds are u64 and neither database has an unsigned 64-bit
-- integer, so they are stored as decimal text.

CREATE TABLE sessions (
    id               TEXT    NOT NULL PRIMARY KEY,
    candidate        TEXT    NOT NULL,
    exercise         TEXT    NOT NULL,
    seed             TEXT    NOT NULL,
    workspace        TEXT    NOT NULL,
    started_at       TEXT    NOT NULL,
    mode             TEXT    NOT NULL,
    time_box_minutes INTEGER NOT NULL
);

CREATE TABLE hints (
    session_id  TEXT             NOT NULL REFERENCES sessions (id),
    number      INTEGER          NOT NULL,
    cost        DOUBLE PRECISION NOT NULL,
    revealed_at TEXT             NOT NULL,
    PRIMARY KEY (session_id, number)
);

-- One row per submission. grade_json is the whole grade; the other columns are
-- copies for filtering and listing. session_id has no foreign key on purpose:
-- a submission is stored even if its session is missing from this database.
-- The id is never reused, so later tables (human ratings) can refer to it.
CREATE TABLE results (
    id           INTEGER          PRIMARY KEY AUTOINCREMENT,
    session_id   TEXT,
    candidate    TEXT             NOT NULL,
    exercise     TEXT             NOT NULL,
    seed         TEXT             NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    passed       BOOLEAN          NOT NULL,
    started_at   TEXT,
    submitted_at TEXT             NOT NULL,
    hints_used   INTEGER          NOT NULL,
    workspace    TEXT,
    grade_json   TEXT             NOT NULL,
    stored_at    TEXT             NOT NULL
);

CREATE INDEX results_by_submitted_at ON results (submitted_at);
CREATE INDEX results_by_candidate ON results (candidate, submitted_at);
CREATE INDEX results_by_exercise ON results (exercise, submitted_at);
CREATE INDEX results_by_session ON results (session_id);
