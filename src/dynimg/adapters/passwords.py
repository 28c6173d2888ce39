"""Password hashing for console users: argon2id through argon2-cffi, with its default costs."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """Implements ``ports.PasswordHasher``."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()
        self._dummy = ""

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def dummy_verify(self) -> None:
        # Unknown usernames cost as much as wrong passwords (no timing oracle). The dummy hash
        # is made on first use: every dynimg process builds a hasher, few ever sign anyone in.
        if not self._dummy:
            self._dummy = self._hasher.hash("dynimg-dummy-password")
        self.verify(self._dummy, "not-the-password")
