-- Small key/value facts about this store (e.g. when the demo city was seeded).
CREATE TABLE app_meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at bigint NOT NULL
);
