-- A flow the runner or a lost connection blocked while it was active comes back on by
-- itself when the connection is usable again: reconnecting never turns it into a draft.
-- Keep in step with migrations/postgres/0008_resume.sql: the queries are shared.
ALTER TABLE flows ADD COLUMN resume_when_connected INTEGER NOT NULL DEFAULT 0;
