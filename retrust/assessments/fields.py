"""A JSON field encrypted at rest as one document.

``EncryptedJSONField`` encrypts each leaf separately and gives every value back as a string;
answers need their numbers back as numbers (printed option values), and their keys hidden too.
"""

from __future__ import annotations

import json
from typing import Any

from encrypted_fields.fields import EncryptedJSONField


class SealedJSONField(EncryptedJSONField):
    """The whole value is serialised, then encrypted with the project's Fernet keys."""

    def _encrypt_values(self, value: Any) -> Any:
        return self.f.encrypt(json.dumps(value).encode("utf-8")).decode("utf-8")

    def _decrypt_values(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return json.loads(self.f.decrypt(value.encode("utf-8")).decode("utf-8"))
