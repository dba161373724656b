"""`python -m cockpit_cli …`: the `cockpit` command without its installed script."""

import sys

from cockpit_cli.main import main

sys.exit(main())
