-- Plain mode (accessibility): who wants no decorative emoji and numbered options, and the
-- last keyboard each such chat was shown, so a typed «2» can press its second button.
CREATE TABLE plain_mode (
    person_id     INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    turned_on_at  REAL NOT NULL
);

CREATE TABLE plain_keyboards (
    chat_id     INTEGER PRIMARY KEY,
    message_id  INTEGER,                -- the message that carries the inline keyboard
    content     TEXT,                   -- its text (or caption), for a handler that reads it
    is_caption  INTEGER NOT NULL DEFAULT 0,
    inline      TEXT,                   -- JSON [[shown label, callback data or null], ...]
    reply       TEXT,                   -- JSON [[shown label, original label], ...]
    latest      TEXT CHECK (latest IN ('inline', 'reply')),
    updated_at  REAL NOT NULL
);
