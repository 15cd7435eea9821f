-- Online and hybrid events: how people take part, and the link to join that only confirmed
-- registrants receive (never shown on the public card).
ALTER TABLE events ADD COLUMN format TEXT NOT NULL DEFAULT 'in_person'
    CHECK (format IN ('in_person', 'online', 'hybrid'));
ALTER TABLE events ADD COLUMN join_url TEXT NOT NULL DEFAULT '';

-- The name a person has in Telegram, kept when they write to the bot and have given no full
-- name, so admins see a name instead of a number. Personal data: /forget erases it.
ALTER TABLE people ADD COLUMN telegram_name TEXT;
