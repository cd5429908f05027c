"""Keeping secrets out of what is printed: passwords in URLs, values read from the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][\w+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")


def redact_url(text: str) -> str:
    """`postgresql://user:secret@host/db` -> `postgresql://user:***@host/db`, anywhere in text."""
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


def redact_config(value: Any) -> Any:
    """Config for display: URL passwords masked; `{env: NAME}` left as written (never resolved)."""
    if isinstance(value, Mapping):
        return {k: redact_config(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_config(v) for v in value]
    if isinstance(value, str):
        return redact_url(value)
    return value
