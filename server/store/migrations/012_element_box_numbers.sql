-- Element boxes as the six numbers the worker measures, and the PostGIS box made from them by the database as a
-- generated column: element rows are then copied straight into the table (COPY has no expressions), and a row's
-- geometry can never disagree with its numbers. Existing rows keep their boxes.
ALTER TABLE elements
  ADD COLUMN min_x float8, ADD COLUMN min_y float8, ADD COLUMN min_z float8,
  ADD COLUMN max_x float8, ADD COLUMN max_y float8, ADD COLUMN max_z float8;
UPDATE elements SET
  min_x = ST_XMin(bbox::box3d), min_y = ST_YMin(bbox::box3d), min_z = ST_ZMin(bbox::box3d),
  max_x = ST_XMax(bbox::box3d), max_y = ST_YMax(bbox::box3d), max_z = ST_ZMax(bbox::box3d)
WHERE bbox IS NOT NULL;
ALTER TABLE elements DROP COLUMN bbox;
ALTER TABLE elements ADD COLUMN bbox geometry GENERATED ALWAYS AS (
  CASE WHEN min_x IS NULL THEN NULL
  ELSE ST_3DMakeBox(ST_MakePoint(min_x, min_y, min_z), ST_MakePoint(max_x, max_y, max_z))::geometry END) STORED;
CREATE INDEX elements_bbox_gix ON elements USING gist (bbox gist_geometry_ops_nd);
