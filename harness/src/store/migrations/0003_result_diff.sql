-- Schema version 3: each result keeps the candidate's change as a unified diff
-- against the state they started from, so a scorecard can show the work after
-- the workspace is gone. NULL for results stored before this version or saved
-- without a workspace. Same SQL for SQLite and PostgreSQL.
ALTER TABLE results ADD COLUMN diff TEXT;
