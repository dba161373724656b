"""Benchmarks: measured against the budgets of DESIGN §7 and printed as tables (never
asserted on speed in tests). `scripts/bench` runs the whole suite (benchmarks/suite.py)."""
