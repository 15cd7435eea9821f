-- Companions: an event may let a member bring one (a blind member's guide, say); the
-- companion takes a seat of their own on the member's registration.
ALTER TABLE events ADD COLUMN companions_allowed INTEGER NOT NULL DEFAULT 0
    CHECK (companions_allowed IN (0, 1));
ALTER TABLE registrations ADD COLUMN companions INTEGER NOT NULL DEFAULT 0
    CHECK (companions IN (0, 1));
