-- 015 what service_summary reads at city scale. The period's facility-days were found
-- by reading every facility-day of three years (4.6 s at 12,000 facilities); an index
-- on community and day finds a month's (PostgreSQL 18 skips from community to
-- community), and the refresh finds a dirty community-day's facilities by it. The
-- distinct users of the period were counted from scattered visit rows (7 s cold); a
-- covering index of attended visits answers from the index.
CREATE INDEX rollup_facility_day_community_day ON rollup_facility_day (community_code, day);
CREATE INDEX fact_service_visit_users ON fact_service_visit (community_code, visited_at)
    INCLUDE (resident_ref) WHERE status = 'attended';
