"""The `cockpit` command (DESIGN §3): operators' and jobs' door to the warehouse.

It sits above every package it drives (demo, ingest, notices, data_access, warehouse),
so none of them needs to import it or one another (docs/architecture.md, "Layers and
moves"). `main.main` is the entry point; each subject's commands live in their own
module and register themselves on the parser.
"""
