-- A member's time zone by IANA name (`Europe/Berlin`), so their days follow daylight saving
-- time. NULL keeps the fixed `utc_offset_minutes` of before. For a named zone,
-- `utc_offset_minutes` holds the zone's offset as of the last time the core looked, which is what
-- the reminder sweep compares hours with; the core refreshes it as the offsets change.
ALTER TABLE reminder_prefs ADD COLUMN time_zone TEXT;
