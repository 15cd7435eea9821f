-- The town as real columns: a subscription (and a subscribers' audience) to one town of a
-- region keeps the region's code in subscription_city / audience_city and the town in the new
-- column; NULL there means the whole region. The first pass stored both in one column as
-- «<region code>/<town>» («72/72-ishim»); those rows are split here, so they keep their meaning.
ALTER TABLE people ADD COLUMN subscription_town TEXT;
ALTER TABLE announcements ADD COLUMN audience_town TEXT;
-- Every right-hand side reads the row as it was before this UPDATE.
UPDATE people
SET subscription_town = nullif(substr(subscription_city, instr(subscription_city, '/') + 1), ''),
    subscription_city = substr(subscription_city, 1, instr(subscription_city, '/') - 1)
WHERE instr(subscription_city, '/') > 0;
UPDATE announcements
SET audience_town = nullif(substr(audience_city, instr(audience_city, '/') + 1), ''),
    audience_city = substr(audience_city, 1, instr(audience_city, '/') - 1)
WHERE instr(audience_city, '/') > 0;
