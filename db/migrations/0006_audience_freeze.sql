-- An announcement's audience is frozen into outbox rows in chunks, each a short transaction,
-- so the single writer is never held for long. While this row exists the announcement is
-- freezing (still a draft to everything else); a restart carries on from `after_id`.
CREATE TABLE announcement_freezes (
    announcement_id  INTEGER PRIMARY KEY REFERENCES announcements (id) ON DELETE CASCADE,
    after_id         INTEGER NOT NULL,             -- people with a larger id are still to queue
    queued           INTEGER NOT NULL DEFAULT 0,   -- rows queued so far
    messages         TEXT NOT NULL,                -- JSON {language: outbox message id}
    default_language TEXT NOT NULL,                -- for people whose language has no copy
    target           TEXT NOT NULL CHECK (target IN ('sending', 'scheduled')),
    due_at           REAL NOT NULL,                -- of the rows: now, or parked until the start
    send_at          REAL NOT NULL,
    not_after        REAL,
    timezone         TEXT NOT NULL,
    created_at       REAL NOT NULL
);
