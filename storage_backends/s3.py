"""S3 backends: intermediates as pickles streamed to S3 objects; compute logs uploaded to S3."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cached_property
from typing import Any

import boto3
import s3fs
from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from dagster_core.config import ConfigString, Field, Noneable
from dagster_core.definitions.resource import InitResourceContext, resource
from dagster_core.errors import DagsterError, DagsterStepOutputNotFoundError
from dagster_core.storage.compute_logs import ComputeLogManager, ComputeLogs
from dagster_core.storage.intermediates import IntermediateStore
from dagster_core.storage.serialization import SerializationStrategy, read_value, write_value
from dagster_core.storage.system_storage import InitSystemStorageContext, system_storage
from storage_backends.filesystem import LocalComputeLogManager

_log = logging.getLogger(__name__)

DEFAULT_BLOCK_SIZE = 16 * 2**20

_REFUSED = "access was refused: check the AWS credentials and the bucket's policy"
_REASONS = {
    "404": "the bucket does not exist",
    "NoSuchBucket": "the bucket does not exist",
    "403": _REFUSED,
    "AccessDenied": _REFUSED,
    "InvalidAccessKeyId": _REFUSED,
    "SignatureDoesNotMatch": _REFUSED,
    "301": "the bucket is in another region: set AWS_DEFAULT_REGION to the bucket's region",
}


class DagsterS3Error(DagsterError):
    """An S3 bucket that cannot be used: missing, unreachable, or refusing the credentials."""


def s3_client(endpoint_url: str | None = None, region_name: str | None = None) -> Any:
    """A boto3 S3 client using the usual AWS credential chain; its own session keeps it thread-safe."""
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint_url, region_name=region_name)


class S3IntermediateStore(IntermediateStore):
    """Each output at `s3://<bucket>/<prefix>/<run_id>/intermediates/<step_key>/<output_name>`,
    pickled by user_code.dump_value or written with its type's SerializationStrategy (as the
    filesystem store does).

    Values stream in `block_size` pieces: written through s3fs (one PUT for a small value, a
    multipart upload for a large one; a failed write aborts it, so nothing appears at the key) and
    read back from one streamed GET.
    """

    is_persistent = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "dagster",
        endpoint_url: str | None = None,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.block_size = block_size

    @cached_property
    def _client(self) -> Any:
        return s3_client(self.endpoint_url)

    @cached_property
    def _fs(self) -> s3fs.S3FileSystem:
        return s3fs.S3FileSystem(endpoint_url=self.endpoint_url)

    def __getstate__(self) -> dict[str, Any]:
        # Clients do not pickle; a copy in another process makes its own when it first needs them.
        state = super().__getstate__()
        return {k: v for k, v in state.items() if k not in ("_client", "_fs")}

    def check_bucket(self) -> None:
        """Raise DagsterS3Error, naming the bucket and endpoint, unless the bucket can be used."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            reason = _REASONS.get(code, f"S3 refused the request (error {code})")
        except NoCredentialsError:
            reason = (
                "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "AWS_PROFILE, or run with an instance role"
            )
        except BotoCoreError as exc:
            reason = str(exc)
        # Raised outside the except clauses so that no botocore traceback is chained to it.
        raise DagsterS3Error(
            f"Cannot use S3 bucket '{self.bucket}' at endpoint "
            f"{self._client.meta.endpoint_url}: {reason}"
        )

    def _key(self, run_id: str, step_key: str, output_name: str) -> str:
        return f"{self.prefix}/{run_id}/intermediates/{step_key}/{output_name}"

    def set_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        value: Any,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> str:
        path = f"{self.bucket}/{self._key(run_id, step_key, output_name)}"
        f = self._fs.open(path, "wb", block_size=self.block_size)
        try:
            write_value(
                value, _Chunked(f, self.block_size), serialization_strategy, self._user_classes
            )
            f.close()
        except BaseException:
            f.discard()  # abort the multipart upload, if one began
            f.closed = True  # so that closing, even from __del__, cannot commit a partial value
            raise
        return f"s3://{path}"

    def get_output(
        self,
        run_id: str,
        step_key: str,
        output_name: str,
        serialization_strategy: SerializationStrategy | None = None,
    ) -> Any:
        key = self._key(run_id, step_key, output_name)
        try:
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self._client.exceptions.NoSuchKey:
            raise DagsterStepOutputNotFoundError(
                f"No output stored at s3://{self.bucket}/{key}"
            ) from None
        with closing(body):
            return read_value(
                _Chunked(body, self.block_size), serialization_strategy, self._user_classes
            )

    def has_output(self, run_id: str, step_key: str, output_name: str) -> bool:
        key = self._key(run_id, step_key, output_name)
        try:
            self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "404":
                return False
            raise
        return True

    def output_size(self, run_id: str, step_key: str, output_name: str) -> int | None:
        key = self._key(run_id, step_key, output_name)
        return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])


class _Chunked:
    """A file whose large writes and reads go through in `size` pieces, so that a big value is
    never copied whole into a buffer on its way to or from S3."""

    def __init__(self, file: Any, size: int):
        self._file = file
        self._size = size

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), self._size):
            self._file.write(view[start : start + self._size])
        return len(view)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view):
            data = self._file.read(min(self._size, len(view) - done))
            if not data:
                break
            view[done : done + len(data)] = data
            done += len(data)
        return done

    def read(self, size: int) -> bytes:
        return self._file.read(size)

    def readline(self) -> bytes:
        return self._file.readline()


@system_storage(
    name="s3",
    is_persistent=True,
    config={
        "s3_bucket": Field(ConfigString),
        "s3_prefix": Field(ConfigString, default_value="dagster"),
        "endpoint_url": Field(Noneable(ConfigString), is_optional=True),
    },
)
def s3_system_storage(init_context: InitSystemStorageContext) -> IntermediateStore:
    """Intermediates in an S3 bucket; the bucket is checked here, so a bad one fails before any step."""
    config = init_context.storage_config
    store = S3IntermediateStore(
        config["s3_bucket"], config["s3_prefix"], config.get("endpoint_url")
    )
    store.check_bucket()
    return store


@resource(
    config={
        "endpoint_url": Field(Noneable(ConfigString), is_optional=True),
        "region_name": Field(ConfigString, is_optional=True),
    }
)
def s3_resource(init_context: InitResourceContext) -> Any:
    """A boto3 S3 client for solids, with credentials from the usual AWS chain."""
    config = init_context.resource_config
    return s3_client(config.get("endpoint_url"), config.get("region_name"))


class S3ComputeLogManager(ComputeLogManager):
    """Captures each step's stdout and stderr in local files, as LocalComputeLogManager does, and
    uploads them to `s3://<bucket>/<prefix>/<run_id>/compute_logs/<step_key>.out|.err` when the
    step ends, so the logs outlive the machine that ran it."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "dagster",
        endpoint_url: str | None = None,
        local_dir: str | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.local_dir = local_dir or os.path.join(tempfile.gettempdir(), "dagster-compute-logs")
        self._local = LocalComputeLogManager(self.local_dir)

    @classmethod
    def config_schema(cls) -> object:
        return {
            "bucket": Field(ConfigString),
            "prefix": Field(ConfigString, default_value="dagster"),
            "endpoint_url": Field(Noneable(ConfigString), is_optional=True),
            "local_dir": Field(Noneable(ConfigString), is_optional=True),
        }

    @cached_property
    def _client(self) -> Any:
        return s3_client(self.endpoint_url)

    def __getstate__(self) -> dict[str, Any]:
        # boto3 clients do not pickle; the copy makes its own when it first needs one.
        return {k: v for k, v in self.__dict__.items() if k != "_client"}

    def _key(self, run_id: str, step_key: str, ext: str) -> str:
        return f"{self.prefix}/{run_id}/compute_logs/{step_key}.{ext}"

    @contextmanager
    def capture(self, run_id: str, step_key: str) -> Iterator[None]:
        try:
            with self._local.capture(run_id, step_key):
                yield
        finally:
            self._upload(run_id, step_key)

    def _upload(self, run_id: str, step_key: str) -> None:
        """Copy what the step just wrote to S3; on failure warn and keep the local copies."""
        logs = self._local.last_capture()
        for ext, text in (("out", logs.stdout), ("err", logs.stderr)):
            key = self._key(run_id, step_key, ext)
            try:
                self._client.put_object(Bucket=self.bucket, Key=key, Body=text.encode())
            except (Boto3Error, BotoCoreError, ClientError, OSError) as exc:
                _log.warning(
                    "Could not upload compute logs to s3://%s/%s (%s: %s); they stay in %s",
                    self.bucket,
                    key,
                    type(exc).__name__,
                    exc,
                    self.local_dir,
                )

    def close_run(self, run_id: str) -> None:
        self._local.close_run(run_id)

    def _download(self, run_id: str, step_key: str, ext: str) -> str | None:
        """The text of one uploaded log file, or None when it is not in S3 (yet)."""
        try:
            body = self._client.get_object(
                Bucket=self.bucket, Key=self._key(run_id, step_key, ext)
            )["Body"]
        except self._client.exceptions.NoSuchKey:
            return None
        return body.read().decode(errors="replace")

    def read_logs(self, run_id: str, step_key: str) -> ComputeLogs:
        stdout = self._download(run_id, step_key, "out")
        stderr = self._download(run_id, step_key, "err")
        if stdout is None or stderr is None:  # not uploaded yet: the step is still running
            return self._local.read_logs(run_id, step_key)
        return ComputeLogs(stdout, stderr)
