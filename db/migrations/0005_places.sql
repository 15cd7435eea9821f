-- Places people know: an event's region (a federal subject's code from bot/data/regions.json)
-- and its town from the same list; `city` stays the name shown (a town the list lacks is kept
-- there as typed). From now on people.subscription_city and announcements.audience_city hold a
-- region's code. Existing rows are matched to the list at startup (bot/services/geography.py
-- `backfill`), where the place names can be read.
ALTER TABLE events ADD COLUMN region_code TEXT;
ALTER TABLE events ADD COLUMN settlement_id TEXT;
CREATE INDEX events_region ON events (region_code, status, starts_at);
