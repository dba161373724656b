"""The meeting briefing's heavy modules load at the first click, not with every page."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_page_frame_does_not_import_the_briefing_writers():
    # A fresh interpreter: what the first page run after the app starts imports.
    probe = (
        "import json, sys; import ui.shell; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'pptx', 'briefing'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    # briefing.fonts is light (the sidebar checks for a CJK font before offering buttons)
    assert json.loads(loaded.stdout.strip().splitlines()[-1]) == ["briefing", "briefing.fonts"]
