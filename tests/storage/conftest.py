"""Media on S3, against a real S3-speaking server: moto's server, started once per test session as its own
process on a free port (so that its memory is not this process's). Each test gets a fresh private bucket, and
the app's default storage pointed at it, through the same ``s3_storage`` entry production builds.

Moto accepts any presigned link, expired or not (it checks no signature). Real S3 refuses a link whose
signature is wrong or whose ``X-Amz-Expires`` has passed: ``SigningGateway`` puts that check in front of
moto, over HTTP, for the tests of signed downloads."""

import datetime
import http.client
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import boto3
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from config.settings.components.storage import s3_storage
from tests.conftest import free_port, port_open

ACCESS_KEY, SECRET_KEY, REGION = "retrace-test-key", "retrace-test-secret", "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """``python -m moto.server`` on a free port of 127.0.0.1; stopped at the end of the session."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port):
            assert proc.poll() is None and time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
    )


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def url(self, key: str) -> str:
        return f"{self.endpoint}/{self.name}/{key}"


def use_bucket(settings, bucket: Bucket, endpoint: str | None = None) -> None:
    """Point the default storage at ``bucket`` (through ``endpoint``: moto itself, or a gateway before it)."""
    default = s3_storage(
        bucket_name=bucket.name,
        endpoint_url=endpoint or bucket.endpoint,
        region_name=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def bucket(moto_endpoint, settings) -> Bucket:
    """A new, empty bucket; the default storage (evidence, photos, crops) writes to it for this test."""
    client = s3_client(moto_endpoint)
    name = f"retrace-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    found = Bucket(name=name, endpoint=moto_endpoint, client=client)
    use_bucket(settings, found)
    return found


class SigningGateway(ThreadingHTTPServer):
    """Forwards requests to moto as they are, except that a presigned GET (``X-Amz-Signature`` in the query)
    is refused with 403, as S3 refuses it, when its signature is not the one our keys make for it or its
    ``X-Amz-Date`` plus ``X-Amz-Expires`` has passed."""

    daemon_threads = True

    def __init__(self, upstream: str):
        self.upstream = urlsplit(upstream)
        self.refused: list[str] = []
        super().__init__(("127.0.0.1", 0), _GatewayHandler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def presigned_problem(url: str, host: str, now: datetime.datetime) -> str | None:
    """Why S3 would refuse this presigned GET link (None when it would serve it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    if now > signed_at + datetime.timedelta(seconds=int(params["X-Amz-Expires"])):
        return "Request has expired"
    # Sign the same request again with our keys at the link's own time, and compare.
    unsigned = [(k, v) for k, v in query if not k.startswith("X-Amz-")]
    request = AWSRequest(method="GET", url=urlunsplit(parts._replace(query=urlencode(unsigned))), headers={})
    request.headers["Host"] = host
    request.context["timestamp"] = params["X-Amz-Date"]
    auth = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=int(params["X-Amz-Expires"]))
    auth._modify_request_before_signing(request)
    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return None if signature == params["X-Amz-Signature"] else "SignatureDoesNotMatch"


class _GatewayHandler(BaseHTTPRequestHandler):
    server: SigningGateway
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self):
        if "X-Amz-Signature=" in self.path:
            url = f"http://{self.headers['Host']}{self.path}"
            problem = presigned_problem(url, self.headers["Host"], datetime.datetime.now(datetime.UTC))
            if problem:
                self.server.refused.append(problem)
                body = f"<Error><Code>AccessDenied</Code><Message>{problem}</Message></Error>".encode()
                self.send_response(403)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = self.headers["Host"]
        upstream.request(self.command, self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(key, value)
        length = answer.getheader("Content-Length") if self.command == "HEAD" else None  # HEAD: the object's size
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        upstream.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward  # noqa: N815 (http.server's names)


@pytest.fixture
def gateway(bucket, settings):
    """The default storage reached through a ``SigningGateway``: its signed links are checked as S3 does."""
    server = SigningGateway(bucket.endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    use_bucket(settings, bucket, endpoint=server.endpoint)
    yield server
    server.shutdown()
    server.server_close()
