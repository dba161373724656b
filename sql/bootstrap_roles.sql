-- Run once as a superuser on an operator-managed PostgreSQL (15 or newer), then
-- point COCKPIT_OWNER_URL at cockpit_owner and DATABASE_URL at cockpit_reader and
-- run `cockpit init`. The embedded warehouse runs the same statements itself
-- (warehouse/bootstrap.py). Choose your own passwords.
CREATE ROLE cockpit_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE cockpit_reader LOGIN PASSWORD 'change-me-reader';
CREATE DATABASE cockpit OWNER cockpit_owner ENCODING 'UTF8';
ALTER DATABASE cockpit SET timezone TO 'Asia/Shanghai';
ALTER ROLE cockpit_reader SET statement_timeout TO '10s';
ALTER ROLE cockpit_reader SET default_transaction_read_only TO on;
