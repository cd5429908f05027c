"""Fixtures of the S3 suite: a real moto S3 server over HTTP on 127.0.0.1, and a fresh bucket per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

# Dummy credentials for the test session; a profile or token from the environment would break them.
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTDUMMYKEY0000",
    "AWS_SECRET_ACCESS_KEY": "test-dummy-secret-do-not-print",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PROFILE": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_SECURITY_TOKEN": None,
    "NO_PROXY": "127.0.0.1,localhost",
}


def _unavailable(reason: str) -> None:
    """Fail under CI=true, where moto is expected; skip elsewhere, saying how to get it."""
    message = f"moto S3 server unavailable ({reason}): pip install 'moto[server]'"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server on a free port, with dummy AWS credentials in the environment."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
    except Exception as exc:
        _unavailable(f"{type(exc).__name__}: {exc}")
    saved = {name: os.environ.get(name) for name in TEST_ENV}
    _set_env(TEST_ENV)
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        _set_env(saved)
        server.stop()


def _set_env(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    """A boto3 client of the moto server."""
    return boto3.session.Session().client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    """The name of a new, empty bucket."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name
