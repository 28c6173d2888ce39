"""An S3-compatible server for the tests: ``moto_server`` on a free loopback port.

moto is a Python package, so ``pip install -e '.[test]'`` (what ``make test`` runs) installs it
and every machine can start it: no download, no daemon, nothing shared to clean up. It
implements what the storage contract needs: HTTP ranges, multipart uploads (with their 5 MiB
minimum part size), ``ListMultipartUploads`` to prove aborts, and SigV4 presigned URLs.
It runs as its own process, so the dynimg server processes in the tests can reach it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from dynimg.adapters.storage.s3 import MIN_PART_SIZE, S3Storage, s3_client
from tests.support.server import free_port

REGION = "us-east-1"
# moto accepts any credentials; fixed ones keep the tests away from a developer's real AWS.
ACCESS_KEY_ID = "dynimg-test"
SECRET_ACCESS_KEY = "dynimg-test-secret"  # a dummy for a local mock


@dataclass
class S3Server:
    """A running moto server and how to reach it."""

    endpoint_url: str
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        """A boto3 S3 client for this server, with the dummy credentials."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def storage(self, monkeypatch: Any, bucket: str, prefix: str, scratch: Path) -> S3Storage:
        """dynimg's S3 backend on this server, its client built as ``dynimg serve`` builds it.

        The smallest part size S3 allows, so that a few MiB already make multipart uploads.
        """
        for name, value in self.env(bucket, prefix).items():
            if name.startswith("AWS_"):
                monkeypatch.setenv(name, value)
        client = s3_client(self.endpoint_url, REGION)
        return S3Storage(client, bucket, prefix, scratch, part_size=MIN_PART_SIZE)

    def env(self, bucket: str, prefix: str) -> dict[str, str]:
        """The environment a dynimg process needs to store files in ``s3://bucket/prefix``."""
        return {
            "DYNIMG_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "DYNIMG_S3_ENDPOINT_URL": self.endpoint_url,
            "DYNIMG_S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_s3_server(timeout: float = 30) -> S3Server:
    """Start ``moto_server`` on a free loopback port and wait until it answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = S3Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            httpx.get(f"{server.endpoint_url}/moto-api/", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("moto_server did not start")


def new_bucket(server: S3Server) -> str:
    """A fresh bucket with a unique name, for one test run."""
    name = f"dynimg-test-{uuid.uuid4().hex[:12]}"
    server.client().create_bucket(Bucket=name)
    return name


def leftovers(server: S3Server, bucket: str, prefix: str = "") -> tuple[list[str], list[str]]:
    """(object keys, keys of unfinished multipart uploads) under ``prefix``."""
    client = server.client()
    objects = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    uploads = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
    return [o["Key"] for o in objects], [u["Key"] for u in uploads]
