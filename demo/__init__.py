"""Demo data: the ten communities of DOMAIN.md with a year of facts (`cockpit demo`)."""
