-- xiaoan schema, part 8: a revoked producer token stops at once on every
-- hub. (Known gap 7 of docs/security.md.)
--
-- A hub remembers the producers of the tokens it has checked (30 s). Any
-- change to the producer table — `xiaoan-admin token revoke` or `create`
-- (which replaces the token), an UPDATE or DELETE typed in psql, a TRUNCATE
-- — now notifies the hubs when it commits (payload "producers" on the
-- event channel, as officer changes do) and each forgets every token it
-- remembered, so the next request with a revoked
-- or replaced token is checked again and refused. New rows need no notice:
-- a hub remembers only tokens that were good.
SET search_path = xiaoan, pg_catalog;

CREATE FUNCTION producer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('xiaoan_event', 'producers');
  RETURN NULL;
END $$;

-- Once per statement: a revoke of many producers is one notice (and
-- identical notices of one transaction merge into one anyway).
CREATE TRIGGER producer_changed AFTER UPDATE OR DELETE OR TRUNCATE ON producer
  FOR EACH STATEMENT EXECUTE FUNCTION producer_changed();

-- New functions are executable by PUBLIC unless revoked (003 revoked the
-- ones that existed then); this one is only for its triggers.
REVOKE ALL ON FUNCTION producer_changed() FROM PUBLIC;
