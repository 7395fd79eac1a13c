-- Accounts (issue 8). grant = the role and its scope as JSON (models/User.ts UserGrant); the password hash is argon2id.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  grant_json jsonb NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  -- Bumped on a password change or disable: tokens carry it, so older sessions stop working at once.
  token_version integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);

-- Audit log: logins (ok / failed), alarm acknowledgements, configuration changes. Append-only by convention.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
