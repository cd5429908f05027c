"""What a test does when a service it needs is not on this machine."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_service(reason: str) -> NoReturn:
    """Fail under CI=true, where every service is expected (a green run means its tests ran);
    skip elsewhere, with `reason` saying how to get the service."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
