"""The warehouse side: embedded server, migrations, refresh, checks and the `cockpit` command."""
