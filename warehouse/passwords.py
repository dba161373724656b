"""Argon2id key derivation shared by the owner side (creating accounts) and the app
(signing in): the database stores salt, cost and derived key, and compares keys
itself, so the app role never reads a stored key (sql/migrations/007_accounts.sql)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

# OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
TIME_COST = 2
MEMORY_COST_KIB = 19456
PARALLELISM = 1
KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParameters:
    salt: bytes
    time_cost: int = TIME_COST
    memory_cost: int = MEMORY_COST_KIB
    parallelism: int = PARALLELISM

    @classmethod
    def fresh(cls) -> KdfParameters:
        return cls(os.urandom(16))


def derive_key(password: str, parameters: KdfParameters) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        bytes(parameters.salt),
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_cost,
        parallelism=parameters.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
