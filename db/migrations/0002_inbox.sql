-- Inbound updates, recorded before Telegram is told they arrived (the next getUpdates offset),
-- so an update survives a crash and is handled at the next start-up (at least once).
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,                -- Telegram's update id: duplicates are ignored
    person_id   INTEGER,                            -- who sent it, for erasure and per-person order
    payload     TEXT,                               -- the raw update JSON; NULL once handled
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,         -- start-ups that found it unfinished
    error       TEXT,
    received_at REAL NOT NULL,
    finished_at REAL
);

CREATE INDEX inbox_pending ON inbox (update_id) WHERE state = 'pending';
CREATE INDEX inbox_person ON inbox (person_id);
