-- A refused field's values as JSON ({ value, limit, bound, unit, scale }), so the client can word the refusal in the
-- page's language; `reason` stays the English text for logs and other API readers. Null on rows kept before this.
ALTER TABLE telemetry_rejections ADD COLUMN details jsonb;
