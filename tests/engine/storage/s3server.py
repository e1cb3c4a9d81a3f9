"""A real S3-compatible server for the tests: moto's server mode in a subprocess.

Started once per test process on first use (pytest-xdist worker N gets port 5171+N) and
stopped when the process ends; every test makes a bucket of its own (`new_bucket`), so
tests share the server but nothing in it. Our code talks to it over HTTP with boto3, as it
would to MinIO or AWS: nothing of ours is replaced.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

FIRST_PORT, LAST_PORT = 5171, 5179
ACCESS_KEY = SECRET_KEY = "alur-tests"
REGION = "us-east-1"
_started: dict[str, str] = {}
_clients: dict = {}


def _port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    port = FIRST_PORT + (int(worker[2:]) if worker[2:].isdigit() else 0)
    if port > LAST_PORT:
        pytest.skip(f"no port left for an S3 server in this worker ({worker})")
    return port


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def endpoint() -> str:
    """The server's URL, starting it on first use."""
    if "url" in _started:
        return _started["url"]
    port = _port()
    if _listening(port):
        pytest.fail(f"port {port} is taken: another S3 test server is still running")
    script = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen([str(script), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(_stop, process)
    deadline = time.monotonic() + 30
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the moto S3 server did not start")
        time.sleep(0.05)
    _started["url"] = f"http://127.0.0.1:{port}"
    return _started["url"]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


def client():
    """A boto3 client of the tests' own (made once), to look into buckets directly."""
    if "client" not in _clients:
        _clients["client"] = boto3.session.Session().client(
            "s3", endpoint_url=endpoint(), region_name=REGION,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    return _clients["client"]


def new_bucket() -> str:
    name = f"alur-{uuid.uuid4().hex[:16]}"
    client().create_bucket(Bucket=name)
    return name


def settings_for(bucket: str, prefix: str = "documents/") -> dict:
    """Runtime overrides (engine.config.Settings fields) for ALUR_STORAGE=s3 on `bucket`."""
    return {"storage_backend": "s3", "s3_endpoint_url": endpoint(), "s3_bucket": bucket,
            "s3_region": REGION, "s3_access_key": ACCESS_KEY, "s3_secret_key": SECRET_KEY,
            "s3_prefix": prefix}


def object_names(bucket: str) -> list[str]:
    found = client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in found.get("Contents", ()))
