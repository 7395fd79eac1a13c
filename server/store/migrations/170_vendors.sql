-- Suppliers of site devices (issue 16, supervision): vendors with the authority's blacklist, the models they sell,
-- and the vendor / model a device names. A vendor named by a device cannot be deleted (the flag would vanish).
CREATE TABLE vendors (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  uscc text NOT NULL UNIQUE,
  blacklisted boolean NOT NULL DEFAULT false,
  blacklist_reason text,
  blacklisted_at bigint,
  blacklisted_by text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CONSTRAINT vendors_blacklist_reason CHECK (NOT blacklisted OR blacklist_reason IS NOT NULL)
);

CREATE TABLE device_models (
  vendor_id uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
  model text NOT NULL,
  kind text NOT NULL,
  PRIMARY KEY (vendor_id, model)
);

ALTER TABLE devices ADD COLUMN vendor_id uuid REFERENCES vendors (id) ON DELETE RESTRICT;
ALTER TABLE devices ADD COLUMN model text;
CREATE INDEX devices_vendor_idx ON devices (vendor_id) WHERE vendor_id IS NOT NULL;
