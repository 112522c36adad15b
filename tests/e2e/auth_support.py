"""Shared machinery of the authentication and IAM end-to-end tests (test_auth_*.py).

Self-contained on purpose (conftest.py belongs to the EC2 tests): servers are started here with stdout and stderr
both captured in one log file in the test's tmp folder, so every line the server ever printed can be searched for
secrets. Callers use the credentials the server wrote on first start (DIR/credentials), the stock AWS CLI v1 of
this venv and boto3, and raw HTTP signed with botocore's own SigV4 signer.
"""

from __future__ import annotations

import configparser
import datetime as dt
import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
# The AWS CLI's error line is checked the same way as in the EC2 suites.
from conftest import CLI_ERROR, assert_cli_error, expect_client_error  # noqa: F401

KEYWAY_BIN = os.environ.get("KEYWAY_BIN", "/work/main/.build/debug/keyway")
AWS_CLI = Path(sys.executable).parent / "aws"
START_TIMEOUT = 30
STOP_TIMEOUT = 15

EC2_VERSION = "2016-11-15"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
VERSIONS = {"ec2": EC2_VERSION, "iam": IAM_VERSION, "sts": STS_VERSION}
# The region most calls are signed for; others are used on purpose where a test checks recorded regions.
REGION = "eu-west-1"

ACCESS_KEY_ID = re.compile(r"^AKIA[A-Z2-7]{16}$")
SECRET = re.compile(r"^[A-Za-z0-9+/]{40}$")
USER_ID = re.compile(r"^AIDA[A-Z2-7]{17}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")

BANNER = re.compile(r"Keyway is listening on http://127\.0\.0\.1:(\d+)\r?\n")
FIRST_START = re.compile(
    r"Created account (?P<account>\d{12}) with root credentials \(shown only this once\):\n"
    r"  aws_access_key_id     = (?P<key>\S+)\n"
    r"  aws_secret_access_key = (?P<secret>\S+)\n"
    r"(?:Saved to (?P<file>\S+) \(mode 0600\); use it with AWS_SHARED_CREDENTIALS_FILE=\S+\n)?"
)

EC2_AUTH_FAILURE = "AWS was not able to validate the provided access credentials"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
INVALID_TOKEN = "The security token included in the request is invalid."
UNAUTHORIZED_OPERATION = "You are not authorized to perform this operation."

# Variables of the machine's (or another test module's) AWS setup that must never reach the clients under test.
AWS_VARIABLES_TO_DROP = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
    "AWS_CA_BUNDLE", "AWS_DEFAULT_OUTPUT", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
    "all_proxy",
)


# --------------------------------------------------------------------------------------------------
# Credentials


@dataclass(frozen=True)
class Creds:
    key_id: str
    secret: str
    account: str | None = None
    user: str | None = None

    def profile_text(self, profile: str) -> str:
        return f"[{profile}]\naws_access_key_id = {self.key_id}\naws_secret_access_key = {self.secret}\n\n"


def read_credentials_file(path: Path, profile: str = "default") -> Creds:
    parser = configparser.ConfigParser()
    parser.read(path)
    assert parser.has_section(profile), f"{path} has no [{profile}] profile:\n{Path(path).read_text()}"
    section = parser[profile]
    return Creds(section["aws_access_key_id"].strip(), section["aws_secret_access_key"].strip())


def write_profiles(path: Path, profiles: dict[str, Creds]) -> Path:
    """An AWS CLI credentials file with these profiles, mode 0600."""
    path = Path(path)
    path.write_text("".join(creds.profile_text(name) for name, creds in profiles.items()))
    path.chmod(0o600)
    return path


def random_creds() -> Creds:
    """A well-formed access key ID and secret Keyway never issued."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    raw = os.urandom(16)
    key_id = "AKIA" + "".join(alphabet[b % 32] for b in raw)
    secret = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[b % 64] for b in os.urandom(40))
    return Creds(key_id, secret)


# --------------------------------------------------------------------------------------------------
# Processes


@dataclass
class Result:
    argv: list[str]
    rc: int
    out: str
    err: str

    def describe(self) -> str:
        return (
            f"command: {' '.join(self.argv)}\nexit status: {self.rc}\nstdout:\n{self.out[:3000]}\n"
            f"stderr:\n{self.err[:3000]}"
        )


def run(argv, *, env=None, timeout: float = 120) -> Result:
    argv = [str(a) for a in argv]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=timeout)
    return Result(argv, proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))


def admin(*args) -> Result:
    """`keyway admin ARGS...`."""
    return run([KEYWAY_BIN, "admin", *args])


ADMIN_PROFILE = re.compile(
    r"^\[account-(?P<account>\d{12})\]\naws_access_key_id = (?P<key>\S+)\naws_secret_access_key = (?P<secret>\S+)\n"
)


def admin_credentials(result: Result) -> Creds:
    """The `[account-ID]` profile `keyway admin create-account/create-root-key` prints."""
    assert result.rc == 0, "keyway admin failed\n" + result.describe()
    match = ADMIN_PROFILE.match(result.out)
    assert match, "keyway admin should print an [account-ID] profile\n" + result.describe()
    return Creds(match["key"], match["secret"], account=match["account"])


def new_account(server) -> Creds:
    """A new account made with `keyway admin create-account` on the running server's data folder; its root secret is
    remembered so the secret-leak checks look for it too."""
    creds = admin_credentials(admin("create-account", "--data-dir", server.data_dir))
    server.remember(creds.secret)
    assert creds.account != server.root.account
    return creds


# --------------------------------------------------------------------------------------------------
# Servers


@dataclass
class Server:
    """One `keyway serve` on 127.0.0.1; stdout and stderr both go to `log_path`."""

    proc: subprocess.Popen
    data_dir: Path
    log_path: Path
    port: int = 0
    log_start: int = 0  # offset in the log where this process's output starts
    # Every secret issued while this server ran (through the helpers below), for the leak checks.
    secrets: list[str] = field(default_factory=list)
    # The root credentials of the first account (from DIR/credentials), once known.
    root: Creds | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials"

    def output(self) -> str:
        """What this process printed so far (stdout and stderr)."""
        data = self.log_path.read_bytes()[self.log_start:]
        return data.decode(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def remember(self, *secrets: str) -> None:
        self.secrets.extend(s for s in secrets if s)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                pytest.fail(f"keyway serve did not exit within {STOP_TIMEOUT}s of SIGTERM")
        return self.proc.returncode


def start_server(
    data_dir: Path, log_path: Path, *, dev: bool = False, dev_account: str | None = None,
    regions: list[str] | None = None, log_level: str = "trace",
) -> Server:
    """Starts `keyway serve --port 0` and waits for its banner (the port is read from it)."""
    data_dir, log_path = Path(data_dir), Path(log_path)
    argv = [KEYWAY_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
            "--log-level", log_level]
    if dev:
        argv.append("--dev")
    if dev_account:
        argv += ["--dev-account", dev_account]
    if regions:
        argv += ["--regions", ",".join(regions)]
    start = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = Server(proc, data_dir, log_path, log_start=start)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        match = BANNER.search(server.output())
        if match:
            server.port = int(match.group(1))
            return server
        if proc.poll() is not None:
            pytest.fail(f"keyway serve exited ({proc.returncode}) before listening\n{server.output()[-3000:]}")
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"keyway serve printed no banner in {START_TIMEOUT}s\n{server.output()[-3000:]}")
        time.sleep(0.02)


def first_start_credentials(server: Server) -> Creds:
    """The root credentials printed at first start; they must equal DIR/credentials."""
    match = FIRST_START.search(server.output())
    assert match, "first start should print the new account's root credentials\n" + server.output()[:2000]
    from_file = read_credentials_file(server.credentials_file)
    assert (from_file.key_id, from_file.secret) == (match["key"], match["secret"]), "banner and credentials file differ"
    return Creds(match["key"], match["secret"], account=match["account"])


def strip_first_start_banner(text: str) -> str:
    """The log without the one block that shows the root secret by design."""
    return FIRST_START.sub("<first-start credentials block>\n", text, count=1)


def secret_forms(secret: str) -> list[bytes]:
    """Ways a secret could sit in a file: as is, base64, hex, UTF-16."""
    import base64

    raw = secret.encode()
    return [raw, base64.b64encode(raw), raw.hex().encode(), raw.hex().upper().encode(), secret.encode("utf-16-le")]


def leaks(server: Server, *, include_log: bool = True) -> list[str]:
    """Where any remembered secret shows in the server's log (outside the first-start banner) or data files."""
    found = []
    files = sorted(p for p in server.data_dir.glob("keyway.sqlite*") if p.is_file())
    contents = {p.name: p.read_bytes() for p in files}
    log = strip_first_start_banner(server.log_path.read_text(errors="replace")).encode() if include_log else b""
    for secret in dict.fromkeys(server.secrets):
        for form in secret_forms(secret):
            for name, data in contents.items():
                if form in data:
                    found.append(f"{secret[:4]}… in {name} (as {form[:8]!r}…)")
            if include_log and form in log:
                found.append(f"{secret[:4]}… in the server log (as {form[:8]!r}…)")
    return found


def server_fixture(label: str, **options):
    """A module-scoped fixture: a fresh strict server on an empty data folder, stopped afterwards, leak-checked."""

    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory):
        root = tmp_path_factory.mktemp(label)
        server = start_server(root / "data", root / "server.log", **options)
        try:
            root_creds = first_start_credentials(server)
            server.remember(root_creds.secret)
            server.root = root_creds
            yield server
        finally:
            rc = server.stop()
        assert rc == 0, f"keyway serve exited {rc} after SIGTERM\n{server.output()[-2000:]}"
        found = leaks(server)
        assert not found, f"secrets issued during {label} leaked: {found}"

    return fixture


# --------------------------------------------------------------------------------------------------
# boto3


@pytest.fixture(scope="module", autouse=True)
def aws_environment_isolated():
    """No AWS setup of the machine or of other test modules (conftest sets dummy keys) reaches boto3 in-process.

    Import it into each test module (`from auth_support import aws_environment_isolated`) to activate it there.
    """
    patch = pytest.MonkeyPatch()
    for name in AWS_VARIABLES_TO_DROP:
        patch.delenv(name, raising=False)
    patch.setenv("AWS_CONFIG_FILE", "/dev/null")
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield
    patch.undo()


_SESSION = None


def _boto3_session():
    global _SESSION
    if _SESSION is None:
        import boto3
        import botocore.session

        core = botocore.session.Session()
        core.set_config_variable("config_file", "/dev/null")
        core.set_config_variable("credentials_file", "/dev/null")
        _SESSION = boto3.session.Session(botocore_session=core)
    return _SESSION


def client_config():
    from botocore.config import Config

    return Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60, proxies={})


def client(server: Server, service: str, creds: Creds, region: str = REGION):
    """A boto3 client for `service` signed with `creds`, no retries."""
    return _boto3_session().client(
        service, endpoint_url=server.endpoint, region_name=region, aws_access_key_id=creds.key_id,
        aws_secret_access_key=creds.secret, config=client_config(),
    )


def session_from_credentials_file(path: Path, profile: str = "default", region: str = REGION):
    """A boto3 session that reads `path` the way boto3 reads ~/.aws/credentials (explicit profile: env ignored)."""
    import boto3
    import botocore.session

    core = botocore.session.Session(profile=profile)
    core.set_config_variable("config_file", "/dev/null")
    core.set_config_variable("credentials_file", str(path))
    return boto3.session.Session(botocore_session=core, region_name=region)


def expect_error(call, code: str, status: int, message: str | None = None, message_re: str | None = None):
    """`call()` must fail with AWS error `code` and HTTP `status`; returns the error response."""
    return expect_client_error(call, code, status=status, message=message, message_re=message_re)


def new_access_key(server: Server, iam, user: str | None = None) -> Creds:
    """CreateAccessKey (for `user`, or the caller); checks the formats and remembers the secret."""
    response = iam.create_access_key(**({"UserName": user} if user else {}))["AccessKey"]
    server.remember(response["SecretAccessKey"])
    assert ACCESS_KEY_ID.match(response["AccessKeyId"]), response["AccessKeyId"]
    assert SECRET.match(response["SecretAccessKey"]), "secret access keys are 40 characters of [A-Za-z0-9+/]"
    assert response["Status"] == "Active"
    if user:
        assert response["UserName"].lower() == user.lower(), response  # the name as created
    return Creds(response["AccessKeyId"], response["SecretAccessKey"], user=response.get("UserName"))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ed25519_public_line() -> str:
    """A fresh OpenSSH Ed25519 public key line (the server checks the format only)."""
    import base64
    import struct

    def ssh_string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = ssh_string(b"ssh-ed25519") + ssh_string(os.urandom(32))
    return "ssh-ed25519 " + base64.b64encode(blob).decode() + " e2e"


# --------------------------------------------------------------------------------------------------
# The AWS CLI v1


def cli_environment(credentials_file: Path, region: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES_TO_DROP}
    env.update({
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file),
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
        "AWS_PAGER": "",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    return env


def aws(server: Server, *args, credentials_file: Path | None = None, profile: str | None = None,
        region: str = REGION) -> Result:
    """`aws --endpoint-url URL [--profile P] ARGS...` with the server's credentials file unless told otherwise."""
    argv = [AWS_CLI, "--endpoint-url", server.endpoint]
    if profile:
        argv += ["--profile", profile]
    return run([*argv, *args], env=cli_environment(credentials_file or server.credentials_file, region))


def aws_json(server: Server, *args, **kwargs) -> dict:
    import json

    result = aws(server, *args, "--output", "json", **kwargs)
    assert result.rc == 0, "aws failed\n" + result.describe()
    return json.loads(result.out) if result.out.strip() else {}



# --------------------------------------------------------------------------------------------------
# Raw HTTP, signed by botocore's SigV4Auth and then (maybe) altered


@dataclass
class Raw:
    """A request as it goes on the wire."""

    method: str
    path: str
    headers: dict
    body: bytes

    def copy(self) -> "Raw":
        return Raw(self.method, self.path, dict(self.headers), self.body)


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def describe(self) -> str:
        return f"HTTP {self.status}\nheaders: {self.headers}\nbody: {self.body[:2000]!r}"


def query_body(service: str, action: str, **params) -> bytes:
    values = {"Action": action, "Version": VERSIONS[service]}
    values.update(params)
    return urlencode(values).encode()


def signed(server: Server, creds: Creds, service: str, body: bytes, *, region: str = REGION, path: str = "/",
           when: dt.datetime | None = None) -> Raw:
    """A POST signed by botocore's SigV4Auth exactly as boto3 signs it (optionally at another time)."""
    import botocore.auth
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(
        method="POST", url=f"{server.endpoint}{path}", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    signer = SigV4Auth(Credentials(creds.key_id, creds.secret), service, region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(request)
    headers = {"Host": f"127.0.0.1:{server.port}"}
    headers.update({k: v for k, v in request.headers.items()})
    return Raw("POST", path, headers, body)


def send(server: Server, raw: Raw, timeout: float = 30) -> RawResponse:
    """Sends exactly these headers (Host included) and body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.putrequest(raw.method, raw.path, skip_host=True, skip_accept_encoding=True)
        for name, value in raw.headers.items():
            connection.putheader(name, value)
        if raw.method == "POST" or raw.body:
            connection.putheader("Content-Length", str(len(raw.body)))
        connection.endheaders(raw.body if raw.body else None)
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def get(server: Server, url_or_path: str, headers: dict | None = None) -> RawResponse:
    from urllib.parse import urlsplit

    parts = urlsplit(url_or_path)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    all_headers = {"Host": f"127.0.0.1:{server.port}"}
    all_headers.update(headers or {})
    return send(server, Raw("GET", path, all_headers, b""))


def parse_error(response: RawResponse) -> tuple[str, str, str]:
    """(envelope, code, message) of an EC2 (`Response`) or IAM/STS (`ErrorResponse`) error body."""
    detail = response.describe()
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError as error:
        pytest.fail(f"the error body is not well-formed XML ({error})\n" + detail)
    tag = root.tag.split("}")[-1]
    if tag == "Response":
        errors = root.findall("./Errors/Error")
        assert len(errors) == 1, detail
        assert root.findtext("RequestID"), "EC2 errors carry <RequestID>\n" + detail
        return "ec2", errors[0].findtext("Code"), errors[0].findtext("Message") or ""
    if tag == "ErrorResponse":
        ns = root.tag[: -len(tag)]
        error = root.find(f"{ns}Error")
        assert error is not None, detail
        kind = error.findtext(f"{ns}Type")
        assert kind == ("Sender" if response.status < 500 else "Receiver"), "IAM/STS errors carry <Type>\n" + detail
        assert root.findtext(f"{ns}RequestId"), "IAM/STS errors carry <RequestId>\n" + detail
        namespace = ns.strip("{}")
        service = "sts" if "sts.amazonaws.com" in namespace else "iam" if "iam.amazonaws.com" in namespace else "?"
        return service, error.findtext(f"{ns}Code"), error.findtext(f"{ns}Message") or ""
    pytest.fail("not an AWS error envelope\n" + detail)


def expect_raw_error(response: RawResponse, envelope: str, code: str, status: int, message: str | None = None,
                     message_re: str | None = None) -> str:
    """The raw response is the AWS error `code` with HTTP `status`, in `envelope` (ec2/iam/sts)."""
    detail = response.describe()
    assert response.status == status, f"expected HTTP {status} {code}\n" + detail
    got_envelope, got_code, got_message = parse_error(response)
    assert got_code == code, f"expected {code}\n" + detail
    assert got_envelope == envelope, f"expected the {envelope} error envelope\n" + detail
    if message is not None:
        assert got_message == message, f"expected message {message!r}\n" + detail
    if message_re is not None:
        assert re.fullmatch(message_re, got_message), f"expected message matching {message_re!r}\n" + detail
    return got_message


def success_xml(response: RawResponse) -> ET.Element:
    assert response.status == 200, "expected success\n" + response.describe()
    return ET.fromstring(response.body)


def find_text(root: ET.Element, name: str) -> str | None:
    for element in root.iter():
        if element.tag.split("}")[-1] == name:
            return element.text
    return None
