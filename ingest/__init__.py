"""`cockpit ingest`: load the export files of DESIGN §4 (see ingest/load.py)."""
