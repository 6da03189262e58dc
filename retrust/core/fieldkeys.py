"""Field-encryption keys, derived once per process and shared by every encrypted field.

django-fernet-encrypted-fields derives its Fernet keys (PBKDF2, 100,000 rounds, for every
pair of secret key and salt) separately for each encrypted field: about two dozen fields, so
a fresh worker spent a fifth of a second of CPU on the same few keys. Here they are derived
once per (secret keys, salts) and every field reuses them; the keys and the ciphertext are
exactly the library's, so nothing stored changes.

Rotation (README, "Rotating the secret key"): the library encrypts with the first pair
(``SECRET_KEY`` and the first salt) and decrypts with any pair of ``SECRET_KEY``,
``SECRET_KEY_FALLBACKS`` and the salts; ``retrust reencrypt`` re-saves everything with the
first pair so the old key can then be retired.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.apps import apps
from django.conf import settings
from encrypted_fields.fields import EncryptedFieldMixin

ROUNDS = 100_000  # the library's


@functools.lru_cache(maxsize=8)
def derive(secret_keys: tuple[str, ...], salts: tuple[str, ...]) -> tuple[bytes, ...]:
    """The library's keys, in its order: each secret key with each salt."""
    keys = []
    for secret_key in secret_keys:
        for salt in salts:
            kdf = PBKDF2HMAC(
                algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=ROUNDS
            )
            keys.append(base64.urlsafe_b64encode(kdf.derive(secret_key.encode())))
    return tuple(keys)


def current_keys() -> list[bytes]:
    salts = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return list(derive(tuple(secrets), tuple(salts)))


def encrypted_fields() -> Iterator[tuple[type[Any], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' names."""
    for model in apps.get_models():
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedFieldMixin)
        ]
        if names:
            yield model, names


def forget() -> None:
    """Drop the fields' ciphers so the next use reads the keys from settings again."""
    for model, names in encrypted_fields():
        for name in names:
            model._meta.get_field(name).__dict__.pop("f", None)


def install() -> None:
    """Make every encrypted field use the shared keys (called from CoreConfig.ready)."""
    EncryptedFieldMixin.keys = property(lambda field: current_keys())  # type: ignore[assignment,method-assign]
