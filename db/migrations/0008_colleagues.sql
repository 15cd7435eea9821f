-- Colleagues and the operator's contact. A member may register a colleague who is not on
-- Telegram: the colleague's registration has no person of its own (person_id NULL), names
-- the member who made it (registered_by) and keeps the name and phone the member typed.
-- The ticket goes to that member. /forget of the member erases these fields too.
ALTER TABLE events ADD COLUMN colleagues_allowed INTEGER NOT NULL DEFAULT 0
    CHECK (colleagues_allowed IN (0, 1));
-- How to reach the organizer (phone, e-mail or address), named in the consent as the
-- operator's contact (152-FZ); '' for events made before it was asked.
ALTER TABLE events ADD COLUMN organizer_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN registered_by INTEGER REFERENCES people (id)
    ON DELETE SET NULL;
ALTER TABLE registrations ADD COLUMN guest_name TEXT;
ALTER TABLE registrations ADD COLUMN guest_phone TEXT;
CREATE INDEX registrations_by_registrar ON registrations (registered_by, status);
-- One live registration per colleague (by phone) and event: a redone Confirm adds nobody.
CREATE UNIQUE INDEX registrations_one_live_guest ON registrations (event_id, guest_phone)
    WHERE status != 'cancelled' AND guest_phone IS NOT NULL;
