-- xiaoan schema, part 10: a producer token that runs out stops at once.
--
-- A hub remembers a good token for 30 s (008 makes it forget on every
-- change to the producer table). A token's expiry changes no row, so no
-- notice comes when it passes; the hub now learns the expiry with the
-- answer and remembers the token no longer than it stays good.
SET search_path = xiaoan, pg_catalog;

-- The producer of a valid bearer token and how many milliseconds it stays
-- valid (NULL: no expiry); no row for a token that is not valid.
CREATE FUNCTION producer_auth_until(p_token text, OUT producer text, OUT valid_ms bigint)
RETURNS SETOF record
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
  SELECT name, floor(extract(epoch FROM expires - now()) * 1000)::bigint FROM producer
   WHERE token_hash = token_hash(p_token) AND revoked IS NULL
     AND (expires IS NULL OR expires > now())
$$;

-- producer_auth (003) answers from the same rule, so what makes a token
-- valid is written once.
CREATE OR REPLACE FUNCTION producer_auth(p_token text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = xiaoan, pg_catalog AS $$
  SELECT producer FROM producer_auth_until(p_token)
$$;

REVOKE ALL ON FUNCTION producer_auth_until(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION producer_auth_until(text) TO xiaoan_hub;
