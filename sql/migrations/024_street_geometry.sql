-- 024 streets get an outline. The grid map drew communities on a blank canvas; a
-- street's outline (GeoJSON, WGS-84, like dim_community.geometry) lets it show which
-- street or town each community lies in. Nullable: an export of streets without
-- outlines still loads. dim_street is granted to the reader table-wide (migration 004),
-- so the new column is readable without a column grant; it has no row-level security
-- (streets hold no resident data), so map_street_areas names the scope's streets itself.

ALTER TABLE dim_street ADD COLUMN geometry jsonb;

COMMENT ON COLUMN dim_street.geometry IS
    'Outline of the street or town as a GeoJSON Polygon or MultiPolygon in WGS-84 [lon, lat].';
