-- Initial schema: people, consents, events, registrations, the delivery outbox, dialog state.
-- Machine times are UTC unix seconds (REAL); every event also keeps its IANA zone for display.

CREATE TABLE people (
    id                INTEGER PRIMARY KEY,          -- Telegram user id
    language          TEXT CHECK (language IN ('ru', 'en')),   -- NULL until the person chooses
    role              TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'organizer')),
    full_name         TEXT,
    organization      TEXT,
    position          TEXT,
    phone             TEXT,
    email             TEXT,
    subscribed        INTEGER NOT NULL DEFAULT 0 CHECK (subscribed IN (0, 1)),
    subscription_city TEXT,
    unreachable_at    REAL,                         -- blocked the bot / deactivated: never send
    erased_at         REAL,                         -- /forget: personal fields were wiped
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL
);

-- Consent log (152-FZ): every grant and withdrawal is a new row, never an update.
-- /forget detaches a person's rows (person_id NULL): the log stays, anonymous.
CREATE TABLE consents (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('personal_data', 'announcements')),
    version    TEXT NOT NULL,
    granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
    created_at REAL NOT NULL
);
CREATE INDEX consents_by_person ON consents (person_id, kind, created_at);

CREATE TABLE events (
    id                    INTEGER PRIMARY KEY,
    slug                  TEXT UNIQUE,              -- stable key of imported events (demo data)
    title                 TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN (
                              'round_table', 'seminar', 'meeting',
                              'strategic_session', 'conference', 'other')),
    description           TEXT NOT NULL DEFAULT '',
    organizer_name        TEXT NOT NULL DEFAULT '', -- the organizing NGO, as shown on the card
    owner_id              INTEGER REFERENCES people (id) ON DELETE SET NULL,
    venue                 TEXT NOT NULL DEFAULT '',
    address               TEXT NOT NULL DEFAULT '',
    latitude              REAL,
    longitude             REAL,
    city                  TEXT NOT NULL,
    timezone              TEXT NOT NULL,            -- IANA zone, e.g. Asia/Yekaterinburg
    starts_at             REAL NOT NULL,
    ends_at               REAL NOT NULL CHECK (ends_at >= starts_at),
    capacity              INTEGER CHECK (capacity IS NULL OR capacity > 0),  -- NULL = no limit
    registration_deadline REAL,                     -- NULL = the start
    questions             TEXT NOT NULL DEFAULT '[]',   -- JSON list of custom questions
    reminder_offsets      TEXT,                     -- JSON list of hours; NULL = settings default
    status                TEXT NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'published', 'finished', 'cancelled')),
    registration_closed   INTEGER NOT NULL DEFAULT 0 CHECK (registration_closed IN (0, 1)),
    cancel_reason         TEXT,
    created_at            REAL NOT NULL,
    updated_at            REAL NOT NULL
);
CREATE INDEX events_upcoming ON events (status, starts_at);

CREATE TABLE registrations (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id     INTEGER REFERENCES people (id) ON DELETE SET NULL,
    status        TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    waitlist_seq  INTEGER,                          -- order of joining the waitlist
    answers       TEXT NOT NULL DEFAULT '{}',       -- JSON: question key -> answer
    ticket_token  TEXT NOT NULL UNIQUE,
    short_code    TEXT NOT NULL,
    checked_in_at REAL,
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL,
    cancelled_at  REAL
);
-- One live registration per person and event; a cancelled one may be followed by a new one.
CREATE UNIQUE INDEX registrations_one_live ON registrations (event_id, person_id)
    WHERE status != 'cancelled';
CREATE INDEX registrations_by_person ON registrations (person_id, status);
CREATE INDEX registrations_waitlist ON registrations (event_id, status, waitlist_seq);
CREATE UNIQUE INDEX registrations_short_code ON registrations (event_id, short_code);
CREATE UNIQUE INDEX registrations_waitlist_seq ON registrations (event_id, waitlist_seq)
    WHERE waitlist_seq IS NOT NULL;

-- Delivery outbox: one content row per message, one delivery row per recipient.
-- The sender claims due pending rows in priority order; see bot/services/delivery.py.
CREATE TABLE outbox_messages (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'document', 'photo', 'copy', 'location')),
    payload    TEXT NOT NULL,                       -- JSON: text, caption, markup, coordinates
    attachment BLOB,                                -- document or photo bytes, uploaded once
    file_id    TEXT,                                -- Telegram's id of the first upload, reused
    created_at REAL NOT NULL
);

CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    message_id          INTEGER NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    source              TEXT NOT NULL,              -- what it is for, e.g. reminder:12:24h
    recipient_id        INTEGER NOT NULL,           -- Telegram chat id; negative for groups
    priority            INTEGER NOT NULL,           -- lower goes first: personal notices = 0
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
                            'pending', 'sending', 'sent', 'unreachable', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0, -- claims that did not end in an outcome
    last_error          TEXT,                       -- the reason of a final or retried failure
    telegram_message_id INTEGER,
    due_at              REAL NOT NULL,              -- not before; also the backoff time
    claimed_at          REAL,
    sent_at             REAL,
    created_at          REAL NOT NULL,
    updated_at          REAL NOT NULL,
    UNIQUE (source, recipient_id)                   -- the same delivery is never queued twice
);
-- The queue index is partial, as small as the queue; the recipient index leaves out the
-- state, so the two updates of every send (claim, outcome) do not rewrite it. Start-up
-- recovery scans for `sending` rows once, without an index of its own.
CREATE INDEX deliveries_queue ON deliveries (priority, due_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_by_recipient ON deliveries (recipient_id);

-- aiogram dialog state, so a dialog carries on after a restart.
CREATE TABLE fsm_records (
    key        TEXT PRIMARY KEY,
    state      TEXT,
    data       TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
