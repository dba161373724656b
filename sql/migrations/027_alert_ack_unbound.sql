-- 027 acknowledgements without a foreign key to fact_incident. Bulk loaders set the
-- fact tables' keys aside and put them back (warehouse/bulk.py, `cockpit demo --scale
-- small|city`); a key of another table depending on fact_incident's primary key made
-- dropping it fail. cockpit_auth.acknowledge_alert() (migration 026) already refuses an
-- incident that does not exist, and an acknowledgement names its incident by the same
-- (community_code, incident_id) key; like the notice outbox, it stands alone.
ALTER TABLE fact_alert_ack DROP CONSTRAINT IF EXISTS fact_alert_ack_community_code_incident_id_fkey;
