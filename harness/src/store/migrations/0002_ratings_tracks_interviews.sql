-- Schema version 2: people's ratings, interviews, notes and track enrolments.
--
-- Written in the SQL that SQLite and PostgreSQL both accept, so the PostgreSQL
-- store applies this very file. Ids of ratings and notes are random text chosen
-- by the writer, which keeps them stable across export and import.

-- One row per rating. A rating scores a dimension (dimension and score), raises
-- a red flag, or both; scores are on the scorecard's rating scale.
CREATE TABLE ratings (
    id        TEXT    NOT NULL PRIMARY KEY,
    result_id BIGINT  NOT NULL REFERENCES results (id),
    dimension TEXT,
    score     INTEGER,
    red_flag  TEXT,
    note      TEXT    NOT NULL,
    rater     TEXT    NOT NULL,
    rated_at  TEXT    NOT NULL
);

CREATE INDEX ratings_by_result ON ratings (result_id, rated_at);

-- One row per interview session: the time box it ran under and how it ended.
-- late is decided when the submit is stored and never silently dropped.
CREATE TABLE interviews (
    session_id       TEXT    NOT NULL PRIMARY KEY,
    candidate        TEXT    NOT NULL,
    exercise         TEXT    NOT NULL,
    interviewer      TEXT,
    started_at       TEXT    NOT NULL,
    time_box_minutes INTEGER NOT NULL,
    result_id        BIGINT,
    submitted_at     TEXT,
    late             BOOLEAN NOT NULL
);

-- Free-text notes; target is `result:<id>` or `session:<id>`.
CREATE TABLE notes (
    id         TEXT NOT NULL PRIMARY KEY,
    target     TEXT NOT NULL,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    written_at TEXT NOT NULL
);

CREATE INDEX notes_by_target ON notes (target, written_at);

-- One row per person on the 30/60/90-day tracks. start_date is a plain
-- YYYY-MM-DD date; results before counted_from (moved by a reset) do not count.
CREATE TABLE track_enrolments (
    candidate    TEXT NOT NULL PRIMARY KEY,
    start_date   TEXT NOT NULL,
    counted_from TEXT NOT NULL,
    enrolled_at  TEXT NOT NULL
);
