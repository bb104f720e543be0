-- xiaoan schema, part 4: administration (run by `xiaoan-admin` as the schema
-- owner; not granted to anyone else).
SET search_path = xiaoan, pg_catalog;

-- Adds an officer, or changes one, with a login role of the same name. On a
-- shared duty server the role matches the officer's OS account and logs in
-- by peer authentication: no password is ever set here.
CREATE FUNCTION officer_set(p_login name, p_name text, p_unit text, p_role officer_role,
                            p_phone text DEFAULT NULL, p_active boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  IF p_login !~ '^[a-z_][a-z0-9_.-]{0,62}$' THEN
    RAISE EXCEPTION 'login "%" must be a lower-case account name (letters, digits, _ . -)', p_login
      USING ERRCODE = 'XA004';
  END IF;
  -- An officer is a role of its own: making a superuser, a xiaoan system
  -- role or the administrator an officer would let officer_disable lock
  -- them out (NOLOGIN) and hand them xiaoan_officer's rights.
  IF p_login = session_user OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login
                                        AND (rolsuper OR rolname IN ('xiaoan_hub', 'xiaoan_officer'))) THEN
    RAISE EXCEPTION 'login "%" is a superuser, a xiaoan system role or your own: an officer needs a role of its own',
      p_login USING ERRCODE = 'XA004';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM unit WHERE code = p_unit) THEN
    RAISE EXCEPTION 'unknown unit "%"', p_unit USING ERRCODE = 'XA004';
  END IF;
  IF p_role = 'school_officer' AND NOT EXISTS (SELECT 1 FROM unit WHERE code = p_unit AND kind = 'school') THEN
    RAISE EXCEPTION 'a school safety officer belongs to a school, not to %', p_unit USING ERRCODE = 'XA004';
  END IF;
  IF p_role = 'town_staff' AND NOT EXISTS (SELECT 1 FROM unit WHERE code = p_unit AND town IS NOT NULL
                                                                 AND kind <> 'school') THEN
    RAISE EXCEPTION 'town staff belong to a town unit (command room, police station), not to %', p_unit
      USING ERRCODE = 'XA004';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
    EXECUTE format('CREATE ROLE %I LOGIN IN ROLE xiaoan_officer', p_login);
  ELSE
    EXECUTE format('GRANT xiaoan_officer TO %I', p_login);
  END IF;
  EXECUTE format('ALTER ROLE %I %s', p_login, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  INSERT INTO officer(login, name, unit, role, phone, active)
  VALUES (p_login, p_name, p_unit, p_role, p_phone, p_active)
  ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit, role = EXCLUDED.role,
                                    phone = coalesce(EXCLUDED.phone, officer.phone), active = EXCLUDED.active;
  -- Open live streams carry the old scope: the hubs close them (payload
  -- "officer:<login>" on the event channel).
  PERFORM pg_notify('xiaoan_event', 'officer:' || p_login);
END $$;

-- Disabling keeps the officer (the audit trail names them) but stops logins.
CREATE FUNCTION officer_disable(p_login name) RETURNS boolean
LANGUAGE plpgsql SET search_path = xiaoan, pg_catalog AS $$
BEGIN
  UPDATE officer SET active = false WHERE login = p_login;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
  DELETE FROM stream_session WHERE login = p_login;
  PERFORM pg_notify('xiaoan_event', 'officer:' || p_login);
  RETURN true;
END $$;

REVOKE ALL ON FUNCTION officer_set(name, text, text, officer_role, text, boolean), officer_disable(name)
  FROM PUBLIC;
