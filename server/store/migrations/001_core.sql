-- Core: enterprises and projects. Geometry is geography(…, 4326); spatial filters run in PostGIS.
CREATE TABLE enterprises (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  credit_code text UNIQUE,
  role text NOT NULL DEFAULT 'contractor',
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX enterprises_name_key ON enterprises (name);

CREATE TABLE projects (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  enterprise_id uuid NOT NULL REFERENCES enterprises (id) ON DELETE RESTRICT,
  address text NOT NULL DEFAULT '',
  region_code char(6) NOT NULL,
  location geography(PointZ, 4326) NOT NULL,
  footprint geography(Polygon, 4326) NOT NULL,
  status text NOT NULL,
  height_m double precision NOT NULL DEFAULT 30,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX projects_footprint_gix ON projects USING gist (footprint);
CREATE INDEX projects_region_idx ON projects (region_code);
CREATE INDEX projects_enterprise_idx ON projects (enterprise_id);
