"""Privacy on the way in (DESIGN §2, §4): no ID-card or phone number reaches the warehouse.

A resident_ref that is an ID-card number or a mainland mobile number is replaced by its
HMAC-SHA256 under a key kept outside the warehouse: COCKPIT_HMAC_KEY, or else the file
`hmac.key` in COCKPIT_HOME (created 0600 on first use). The same patterns inside free
text are masked, keeping only what a clerk needs to tell two numbers apart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

KEY_FILE = "hmac.key"
ID_CARD = re.compile(r"^\d{17}[\dXx]$")
PHONE = re.compile(r"^(?:\+?86[- ]?)?(1[3-9]\d{9})$")
# In free text: not part of a longer digit run.
ID_CARD_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_HAS_DIGIT_RUN = re.compile(r"\d{11}")


def key_path() -> Path:
    from warehouse.config import settings

    return settings().home / KEY_FILE


def load_key() -> bytes:
    """The HMAC key: COCKPIT_HMAC_KEY, else COCKPIT_HOME/hmac.key (made 0600 if missing)."""
    from_env = os.environ.get("COCKPIT_HMAC_KEY")
    if from_env:
        return from_env.encode("utf-8")
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


class Pseudonymiser:
    """Hashes identifying resident_refs; the key is read on first need, so loading a
    streets file never creates a key file."""

    def __init__(self, key: bytes | None = None):
        self._key = key

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = load_key()
        return self._key

    def identifying_core(self, ref: str) -> str | None:
        """The ID-card or phone number a ref consists of, normalised; None if neither."""
        compact = ref.replace(" ", "")
        if ID_CARD.match(compact):
            return compact.upper()
        phone = PHONE.match(compact)
        return phone.group(1) if phone else None

    def resident_ref(self, ref: str) -> str:
        core = self.identifying_core(ref)
        if core is None:
            return ref
        return hmac.new(self.key, core.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_text(text: str) -> str:
    """330102199001011234 -> 330102********1234; 13812345678 -> 138****5678."""
    if not _HAS_DIGIT_RUN.search(text):
        return text
    text = ID_CARD_IN_TEXT.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
