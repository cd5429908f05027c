"""Keeping secrets out of what is shown or kept for display: passwords in URLs, `password=`
values, and values read from the environment with `{env: NAME}`. Every message, event, error and
stored run config goes through these functions, so there is one rule for what counts as secret."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "***"

# A word of a message, which is redacted as a URL when it holds an `@` (user:password@host).
_WORD = re.compile(r"[^\s'\"`]+")
_PASSWORD_PARAMETER = re.compile(r"(?P<key>password\s*=\s*)[^&\s'\"`;]*", re.IGNORECASE)
_REDACTED_CREDENTIALS = re.compile(
    rf":{re.escape(REDACTED)}@|password\s*=\s*{re.escape(REDACTED)}", re.IGNORECASE
)


class EnvValue(str):
    """A config value read with `{env: NAME}`: the value itself wherever it is used, but only
    `(from env NAME)` wherever it is shown (its repr, config errors), since it may be a secret."""

    env_name: str

    def __new__(cls, value: str, env_name: str) -> EnvValue:
        instance = super().__new__(cls, value)
        instance.env_name = env_name
        return instance

    def __repr__(self) -> str:
        return f"(from env {self.env_name})"

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (str(self), self.env_name))


def redact_url(url: str) -> str:
    """One URL or connection string with its password shown as ***, even when malformed:
    `postgresql://user:secret@host/db` -> `postgresql://user:***@host/db`; `?password=x` too.

    Everything up to the last `@` is user information (a password may hold `@`, `/`, `?`), of
    which only the user name before the first `:` is kept."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    userinfo, at, host_and_path = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.partition(':')[0]}:{REDACTED}@{host_and_path}"
    return _redact_password_parameters(scheme + separator + rest)


def redact_text(text: str) -> str:
    """A message with every URL password and `password=` value in it shown as ***."""
    if "@" in text:
        text = _WORD.sub(lambda word: redact_url(word[0]) if "@" in word[0] else word[0], text)
    return _redact_password_parameters(text) if "=" in text else text


def _redact_password_parameters(text: str) -> str:
    return _PASSWORD_PARAMETER.sub(lambda match: match["key"] + REDACTED, text)


def redact_config(value: Any) -> Any:
    """Config with every string redacted, as it may be shown or stored; `{env: NAME}` stays a
    reference (never resolved) and a value read from the environment stays only its name."""
    if isinstance(value, Mapping):
        return {k: redact_config(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_config(v) for v in value]
    if isinstance(value, EnvValue):
        return repr(value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def holds_redactions(value: Any) -> bool:
    """Whether config (as `redact_config` left it) had credentials masked, which it cannot
    be run with again."""
    if isinstance(value, Mapping):
        return any(holds_redactions(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_redactions(v) for v in value)
    return isinstance(value, str) and _REDACTED_CREDENTIALS.search(value) is not None


def shown_value(value: Any) -> str:
    """A scalar config value as an error message may show it: JSON with credentials masked, or
    for a value read from the environment, only where it came from."""
    if isinstance(value, EnvValue):
        return repr(value)
    try:
        return redact_text(json.dumps(value))
    except (TypeError, ValueError):
        return f"a {type(value).__name__}"
