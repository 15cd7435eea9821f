-- Places people know: an event's region (federal subject code, bot/data/regions.json) and its
-- town from the same list; `city` stays the name shown (a town not in the list is kept there as
-- typed). Subscriptions and announcement audiences are by region. Existing rows are matched to
-- the list at startup (bot/services/geography.py), where the place names can be read.
ALTER TABLE events ADD COLUMN region_code TEXT;
ALTER TABLE events ADD COLUMN settlement_id TEXT;
CREATE INDEX events_region ON events (region_code, status, starts_at);
ALTER TABLE people ADD COLUMN subscription_region TEXT;
ALTER TABLE announcements ADD COLUMN audience_region TEXT;
