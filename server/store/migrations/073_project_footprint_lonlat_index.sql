-- `?bbox=minLon,minLat,maxLon,maxLat` means a box in longitude / latitude, so the filter compares in planar lon/lat
-- (geometry): a geography box has great-circle edges, and a box as wide as the world has antipodal ones that PostGIS
-- refuses (`?bbox=-180,-90,180,90` answered 500). This index serves that comparison as the geography one served the old.
CREATE INDEX IF NOT EXISTS projects_footprint_lonlat_gix ON projects USING gist ((footprint::geometry));
