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
-- An idle chat leaves no row behind: the table holds only dialogs in progress.
CREATE TRIGGER fsm_records_idle_insert AFTER INSERT ON fsm_records
    WHEN NEW.state IS NULL AND NEW.data = '{}'
    BEGIN DELETE FROM fsm_records WHERE key = NEW.key; END;
CREATE TRIGGER fsm_records_idle_update AFTER UPDATE ON fsm_records
    WHEN NEW.state IS NULL AND NEW.data = '{}'
    BEGIN DELETE FROM fsm_records WHERE key = NEW.key; END;

-- ===== Reminders and follow-ups (issue 6) ===================================================
-- A planned reminder is one row per event, kind and basis (the start or end it was computed
-- from): '24h', '2h' (hours before the start) or 'followup' (after the end). Its due time is
-- UTC, computed in the event's zone. A reschedule changes the basis, so the old rows are
-- dropped and new ones planned; the scheduler fires each pending row once.
CREATE TABLE planned_reminders (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,                  -- '<hours>h' before the start, or 'followup'
    basis       REAL NOT NULL,                  -- the event's starts_at (or ends_at) it is for
    due_at      REAL NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'fired', 'skipped', 'dropped')),
    reason      TEXT,                           -- why skipped or dropped
    recipients  INTEGER NOT NULL DEFAULT 0,     -- people it was queued for when fired
    fired_at    REAL,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    UNIQUE (event_id, kind, basis)
);
CREATE INDEX planned_reminders_due ON planned_reminders (due_at, id) WHERE state = 'pending';

-- One row per registration and reminder: written when the reminder is queued for that person,
-- so the unique key makes "once" hold across restarts and concurrent sweeps. A rescheduled
-- event has a new basis, hence a fresh reminder for the new date.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    planned_id      INTEGER NOT NULL REFERENCES planned_reminders (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    basis           REAL NOT NULL,
    answer          TEXT CHECK (answer IN ('coming', 'not_coming')),   -- the buttons' answer
    answered_at     REAL,
    created_at      REAL NOT NULL,
    UNIQUE (registration_id, kind, basis)
);
CREATE INDEX reminders_by_planned ON reminders (planned_id);

-- Whatever path cancels a registration (/my, «Не смогу», /forget, an organizer), reminders
-- already queued for that person but not sent yet are withdrawn in the same transaction.
CREATE TRIGGER reminders_withdrawn_on_cancel
AFTER UPDATE OF status ON registrations
WHEN NEW.status = 'cancelled' AND OLD.status != 'cancelled' AND OLD.person_id IS NOT NULL
BEGIN
    UPDATE deliveries SET state = 'cancelled', last_error = 'registration cancelled',
        updated_at = NEW.updated_at
    WHERE state = 'pending' AND recipient_id = OLD.person_id AND source IN (
        SELECT 'reminder:' || planned_id FROM reminders WHERE registration_id = NEW.id
        UNION ALL
        SELECT 'reminder:' || planned_id || ':pin' FROM reminders WHERE registration_id = NEW.id
        UNION ALL
        SELECT 'followup:' || planned_id FROM reminders WHERE registration_id = NEW.id
    );
END;

-- Follow-up survey answers: one per registration (a person may change their rating).
CREATE TABLE followup_answers (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id INTEGER NOT NULL UNIQUE REFERENCES registrations (id) ON DELETE CASCADE,
    rating          INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment         TEXT,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX followup_answers_by_event ON followup_answers (event_id);

-- /forget detaches registrations (person_id → NULL); a free-text comment may name the person,
-- so it goes with them, while the anonymous rating stays in the event's statistics.
CREATE TRIGGER followup_comment_erased_on_detach
AFTER UPDATE OF person_id ON registrations
WHEN NEW.person_id IS NULL AND OLD.person_id IS NOT NULL
BEGIN
    UPDATE followup_answers SET comment = NULL, updated_at = NEW.updated_at
    WHERE registration_id = NEW.id;
END;

-- ===== Announcements (issue 7) ==============================================================
-- An organizer's message copied to an audience, now or at a set time. The audience is frozen
-- at confirmation as delivery rows (source 'announcement:<id>') due at the send time, so a
-- scheduled one survives restarts and is cancelled by cancelling its rows. This row keeps
-- what the organizer chose and how the sending went; counts come from the deliveries.
CREATE TABLE announcements (
    id                INTEGER PRIMARY KEY,
    author_id         INTEGER NOT NULL,             -- Telegram id (an admin may have no people row)
    from_chat_id      INTEGER NOT NULL,             -- the message that is copied: chat and id
    message_id        INTEGER NOT NULL,
    link_event_id     INTEGER REFERENCES events (id) ON DELETE SET NULL,  -- adds a Register button
    audience          TEXT CHECK (audience IN ('subscribers', 'city', 'event')),  -- NULL: not chosen
    audience_city     TEXT,
    audience_event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
    audience_segment  TEXT CHECK (audience_segment IN (
                          'confirmed', 'waitlisted', 'checked_in', 'not_checked_in')),
    shown_count       INTEGER,                      -- the audience size the organizer last saw
    total             INTEGER NOT NULL DEFAULT 0,   -- delivery rows queued at confirmation
    state             TEXT NOT NULL DEFAULT 'draft' CHECK (state IN (
                          'draft', 'scheduled', 'sending', 'done', 'cancelled', 'skipped')),
    timezone          TEXT NOT NULL,                -- the zone the send time is shown in
    send_at           REAL,                         -- when it goes (or went) out
    not_after         REAL,                         -- missed by then (bot down): skipped
    started_at        REAL,
    stopped_at        REAL,                         -- the organizer pressed Stop
    finished_at       REAL,
    status_chat_id    INTEGER,                      -- the progress message edited in place
    status_message_id INTEGER,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL
);
CREATE INDEX announcements_by_state ON announcements (state, send_at);
CREATE INDEX announcements_by_author ON announcements (author_id, state);
