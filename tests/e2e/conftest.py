"""Shared machinery for the end-to-end tests of `keyway key ...` and `keyway serve`.

Everything runs through subprocess: the keyway binary under test (KEYWAY_BIN) and the real tools that
judge its output (ssh-keygen, openssl, puttygen, and for the server the AWS CLI v1). Helpers here are plain
functions (imported by the test modules) plus a few fixtures. The server helpers are in the second half.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

KEYWAY_BIN = os.environ.get("KEYWAY_BIN", "/work/main/.build/debug/keyway")
TIMEOUT = 120  # seconds, per subprocess; 4096-bit generation by the reference tools takes a few seconds

REQUIRED_TOOLS = ("ssh-keygen", "openssl", "puttygen")


# --------------------------------------------------------------------------------------------------
# Running processes


@dataclass
class Result:
    argv: list[str]
    rc: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def out(self) -> str:
        return self.stdout_bytes.decode("utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.stderr_bytes.decode("utf-8", errors="replace")

    def describe(self) -> str:
        return (
            f"command: {' '.join(map(str, self.argv))}\n"
            f"exit status: {self.rc}\n"
            f"stdout:\n{self.out[:3000]}\n"
            f"stderr:\n{self.err[:3000]}"
        )


def run(argv, *, input: bytes | str | None = None, cwd=None, timeout: float = TIMEOUT, env=None) -> Result:
    argv = [str(a) for a in argv]
    if isinstance(input, str):
        input = input.encode()
    proc = subprocess.run(
        argv,
        input=input if input is not None else b"",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        timeout=timeout,
        env=env,
    )
    return Result(argv, proc.returncode, proc.stdout, proc.stderr)


def run_ok(argv, **kwargs) -> Result:
    result = run(argv, **kwargs)
    assert result.rc == 0, "reference command failed\n" + result.describe()
    return result


def keyway(*args, **kwargs) -> Result:
    return run([KEYWAY_BIN, "key", *args], **kwargs)


def keyway_ok(*args, **kwargs) -> Result:
    result = keyway(*args, **kwargs)
    assert result.rc == 0, "keyway failed\n" + result.describe()
    assert "Fatal error" not in result.err, result.describe()
    return result


def keyway_fingerprints(path, **kwargs) -> dict:
    result = keyway_ok("fingerprint", path, "--json", **kwargs)
    try:
        data = json.loads(result.out)
    except json.JSONDecodeError as error:  # pragma: no cover - reported as a failure
        pytest.fail(f"fingerprint --json printed no JSON ({error})\n" + result.describe())
    assert set(data) >= {"type", "bits", "awsCreated", "awsImported", "sha256", "md5"}, data
    return data


def keyway_public(path, **kwargs) -> str:
    result = keyway_ok("public", path, **kwargs)
    lines = result.out.splitlines()
    assert len(lines) == 1, "public should print exactly one line\n" + result.describe()
    return lines[0]


def assert_bad_input(result: Result, file_arg: str, *must_mention: str) -> str:
    """Exit status 2, exactly one stderr line 'keyway: FILE: ...', no crash.

    Nothing may be printed on stdout, except by `match`, which may still explain the fingerprint it was given
    (but must not report a match).
    """
    detail = result.describe()
    assert result.rc == 2, "expected exit status 2\n" + detail
    assert "Fatal error" not in result.err and "Stack dump" not in result.err, "crash\n" + detail
    if len(result.argv) > 2 and result.argv[2] == "match":
        assert ": match (" not in result.out, "an unreadable file cannot match\n" + detail
    else:
        assert result.out == "", "nothing should be printed on stdout\n" + detail
    lines = result.err.splitlines()
    assert len(lines) == 1, "expected exactly one line on stderr\n" + detail
    line = lines[0]
    prefix = f"keyway: {file_arg}: "
    assert line.startswith(prefix), f"stderr line should start {prefix!r}\n" + detail
    assert len(line) > len(prefix) + 5, "the message should say what is wrong\n" + detail
    message = line[len(prefix):]
    assert not re.search(r"[A-Za-z0-9+/=]{60,}", message), "the message must not echo key data\n" + detail
    for word in must_mention:
        assert word.lower() in line.lower(), f"stderr should mention {word!r}\n" + detail
    return line


# --------------------------------------------------------------------------------------------------
# Files


def write_file(path: Path, data: bytes | str, mode: int = 0o600) -> Path:
    path = Path(path)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    path.chmod(mode)
    return path


def file_mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def first_line(path) -> str:
    return Path(path).read_text(errors="replace").splitlines()[0]


# --------------------------------------------------------------------------------------------------
# OpenSSH public lines


def pub_fields(line: str) -> tuple[str, str]:
    """(type, base64) of an OpenSSH public line."""
    parts = line.strip().split()
    assert len(parts) >= 2, f"not an OpenSSH public line: {line!r}"
    return parts[0], parts[1]


def pub_comment(line: str) -> str | None:
    parts = line.strip().split(None, 2)
    return parts[2] if len(parts) == 3 else None


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_line_from_raw(raw: bytes) -> str:
    assert len(raw) == 32
    blob = ssh_string(b"ssh-ed25519") + ssh_string(raw)
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


# --------------------------------------------------------------------------------------------------
# The reference tools


def digest_value(output: str) -> str:
    """'SHA1(stdin)= aa:bb' or '(stdin)= aa:bb' -> 'aa:bb'."""
    text = output.strip()
    assert "= " in text, f"unexpected openssl digest output {text!r}"
    return text.split("= ", 1)[1].strip()


def ssh_keygen_public(path) -> str:
    """`ssh-keygen -y -f FILE`: the public line of a private key file."""
    return run_ok(["ssh-keygen", "-y", "-f", path]).out.strip()


def ssh_keygen_fingerprint(pub_path, hash_name: str = "sha256") -> tuple[int, str, str]:
    """`ssh-keygen -l [-E md5] -f FILE` -> (bits, fingerprint, '(RSA)'-style type tag)."""
    out = run_ok(["ssh-keygen", "-l", "-E", hash_name, "-f", pub_path]).out.strip()
    parts = out.split()
    return int(parts[0]), parts[1], parts[-1]


def openssl_aws_created(private_pem) -> str:
    """SHA-1 of the DER PKCS#8 private key, as EC2 shows for keys it created."""
    der = run_ok(["openssl", "pkcs8", "-topk8", "-nocrypt", "-in", private_pem, "-outform", "DER"]).stdout_bytes
    return digest_value(run_ok(["openssl", "sha1", "-c"], input=der).out)


def openssl_aws_imported_from_private(private_pem) -> str:
    """MD5 of the DER SubjectPublicKeyInfo, from a private key openssl reads."""
    der = run_ok(["openssl", "rsa", "-in", private_pem, "-pubout", "-outform", "DER"]).stdout_bytes
    return digest_value(run_ok(["openssl", "md5", "-c"], input=der).out)


def openssl_aws_imported_from_public(openssh_pub) -> str:
    """MD5 of the DER SubjectPublicKeyInfo, from an OpenSSH public key file (RSA)."""
    spki_pem = run_ok(["ssh-keygen", "-e", "-m", "PKCS8", "-f", openssh_pub]).stdout_bytes
    der = run_ok(["openssl", "pkey", "-pubin", "-outform", "DER"], input=spki_pem).stdout_bytes
    return digest_value(run_ok(["openssl", "md5", "-c"], input=der).out)


def openssl_ed25519_raw_public(path, *, pubin: bool = False) -> bytes:
    """The 32 raw public key bytes of an Ed25519 key openssl reads (private, or public with pubin)."""
    argv = ["openssl", "pkey", "-in", path, "-outform", "DER"]
    argv += ["-pubin"] if pubin else ["-pubout"]
    der = run_ok(argv).stdout_bytes
    assert len(der) == 44, f"unexpected Ed25519 SPKI length {len(der)}"
    return der[-32:]


def puttygen_public(ppk) -> str:
    return run_ok(["puttygen", ppk, "-L"]).out.strip()


def puttygen_export_openssh(ppk, out: Path) -> Path:
    run_ok(["puttygen", ppk, "-O", "private-openssh", "-o", out])
    out.chmod(0o600)
    return out


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session", autouse=True)
def _environment_ready():
    assert os.path.isfile(KEYWAY_BIN) and os.access(KEYWAY_BIN, os.X_OK), (
        f"keyway binary not found or not executable: {KEYWAY_BIN} (set KEYWAY_BIN)"
    )
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    assert not missing, f"reference tools missing: {missing} (scripts/test installs them)"
    smoke = run([KEYWAY_BIN, "key", "--help"])
    assert smoke.rc == 0, "keyway key --help failed\n" + smoke.describe()
    yield


# ==================================================================================================
# `keyway serve`: servers on loopback, the AWS CLI v1 and boto3 pointed at them, raw HTTP.

AWS_CLI = Path(sys.executable).parent / "aws"
SERVER_START_TIMEOUT = 30  # seconds until the "listening" banner
SERVER_STOP_TIMEOUT = 15  # seconds a server gets to exit after SIGTERM before it is killed
BANNER = re.compile(rb"Keyway is listening on http://127\.0\.0\.1:(\d+)\r?\n")

EC2_VERSION = "2016-11-15"
KEY_PAIR_ID = re.compile(r"^key-[0-9a-f]{17}$")
CREATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
RSA_CREATED_FINGERPRINT = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){19}$")
RSA_IMPORTED_FINGERPRINT = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){15}$")
ED25519_FINGERPRINT = re.compile(r"^[A-Za-z0-9+/]{43}=$")
INVALID_KEY_MESSAGE = "Key is not in valid OpenSSH public key format"
DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set."

# Dummy credentials: the EC2 suites run the server in --dev mode, where a well-formed signature from a key Keyway
# did not issue acts as the dev account's root. Authentication itself is tested in test_auth_*.py.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAKEYWAYE2ETESTING",
    "AWS_SECRET_ACCESS_KEY": "keyway-e2e-dummy-secret-access-key",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_RETRY_MODE": "standard",
    "AWS_PAGER": "",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
# Variables of the developer's own AWS setup that must not leak into the tests.
AWS_VARIABLES_TO_DROP = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EC2", "AWS_CA_BUNDLE", "AWS_DEFAULT_OUTPUT", "AWS_REGION",
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
)


def unique_name(prefix: str) -> str:
    """A key name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def ed25519_line_random(comment: str | None = None) -> str:
    """A fresh OpenSSH Ed25519 public line from 32 random bytes (the server checks the format only)."""
    line = ed25519_line_from_raw(os.urandom(32))
    return f"{line} {comment}" if comment else line


@dataclass
class KeywayServer:
    """One `keyway serve` process listening on 127.0.0.1."""

    proc: subprocess.Popen
    port: int
    data_dir: Path
    log_path: Path
    regions: list[str] | None
    _log_file: object = field(repr=False, default=None)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> tuple[int, bool]:
        """SIGTERM and wait; kills it when it does not exit in time. (exit status, whether it exited in time)."""
        clean = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                clean = False
                self.proc.kill()
                self.proc.wait(10)
        self._close()
        return self.proc.returncode, clean

    def kill9(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close()

    def _close(self) -> None:
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if self._log_file and not self._log_file.closed:
            self._log_file.close()


def start_keyway_server(data_dir: Path, regions: list[str] | None = None, log_path: Path | None = None,
                        dev: bool = True, extra_args: list[str] | tuple = ()) -> KeywayServer:
    """Starts `keyway serve --port 0` on loopback and waits for its banner; the port is read from it."""
    data_dir = Path(data_dir)
    log_path = Path(log_path) if log_path else data_dir.parent / f"{data_dir.name}-server.log"
    argv = [KEYWAY_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir)]
    if dev:
        argv.append("--dev")
    if regions:
        argv += ["--regions", ",".join(regions)]
    argv += [str(arg) for arg in extra_args]
    log_file = open(log_path, "ab")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file)
    server = KeywayServer(proc, 0, data_dir, log_path, regions, log_file)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    seen = b""
    while True:
        remaining = deadline - time.monotonic()
        ready = select.select([proc.stdout], [], [], max(0.0, remaining))[0] if remaining > 0 else []
        if not ready:
            server.stop(5)
            pytest.fail(
                f"keyway serve printed no banner in {SERVER_START_TIMEOUT}s\n"
                f"stdout: {seen!r}\nlog:\n{server.log()[-3000:]}"
            )
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            server.stop(5)
            pytest.fail(
                f"keyway serve exited ({proc.returncode}) before listening\n"
                f"stdout: {seen!r}\nlog:\n{server.log()[-3000:]}"
            )
        seen += chunk
        match = BANNER.search(seen)
        if match:
            server.port = int(match.group(1))
            assert 0 < server.port < 65536
            return server


def aws_environment(region: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES_TO_DROP}
    env.update(AWS_ENVIRONMENT)
    env["AWS_DEFAULT_REGION"] = region
    return env


def aws(server: KeywayServer, *args, region: str = "us-east-1", timeout: float = 120) -> Result:
    """The stock AWS CLI v1 of this venv, pointed at the server: `aws --endpoint-url URL ARGS...`."""
    return run([AWS_CLI, "--endpoint-url", server.endpoint, *args], env=aws_environment(region), timeout=timeout)


def aws_json(server: KeywayServer, *args, region: str = "us-east-1") -> dict:
    result = aws(server, *args, "--output", "json", region=region)
    assert result.rc == 0, "aws failed\n" + result.describe()
    try:
        return json.loads(result.out)
    except json.JSONDecodeError as error:  # pragma: no cover - reported as a failure
        pytest.fail(f"aws printed no JSON ({error})\n" + result.describe())


CLI_ERROR = re.compile(
    r"An error occurred \((?P<code>[^)]*)\) when calling the (?P<operation>\w+) operation"
    r"(?: \(reached max retries: \d+\))?: (?P<message>.*)"
)


def assert_cli_error(result: Result, code: str, operation: str, message: str | None = None) -> str:
    """The CLI v1 failed with an AWS error: exit status 255 and `An error occurred (CODE) ...: MESSAGE`."""
    detail = result.describe()
    assert result.rc == 255, "expected exit status 255 (an AWS error)\n" + detail
    match = CLI_ERROR.search(result.err)
    assert match, "stderr should hold 'An error occurred (CODE) when calling the OP operation: MESSAGE'\n" + detail
    assert match.group("code") == code, f"expected error code {code}\n" + detail
    assert match.group("operation") == operation, detail
    if message is not None:
        assert match.group("message").strip() == message, f"expected message {message!r}\n" + detail
    assert result.out.strip() == "", "nothing on stdout for an error\n" + detail
    return match.group("message").strip()


def ec2_client(server: KeywayServer, region: str = "us-east-1", pool: int = 10):
    """A boto3 EC2 client for the server: dummy credentials, no retries."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id=AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
    )
    config = Config(
        retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=120,
        max_pool_connections=pool, proxies={},
    )
    return session.client("ec2", endpoint_url=server.endpoint, config=config)


def expect_client_error(call, code: str, *, status: int = 400, message: str | None = None, message_re: str | None = None):
    """Runs `call`, which must fail with the AWS error `code` (HTTP `status`); returns the error response."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    detail = f"got {error} (HTTP {meta.get('HTTPStatusCode')})"
    assert error.get("Code") == code, f"expected {code}; {detail}"
    assert meta.get("HTTPStatusCode") == status, f"expected HTTP {status}; {detail}"
    if message is not None:
        assert error.get("Message") == message, f"expected message {message!r}; {detail}"
    if message_re is not None:
        assert re.fullmatch(message_re, error.get("Message", "")), f"expected message matching {message_re!r}; {detail}"
    assert meta.get("RequestId"), f"an error carries a request ID; {response}"
    return response


def raw_xml_of(client, operation: str, **params) -> tuple[dict, bytes]:
    """Calls `operation` through boto3 and returns (parsed response, raw response body) via botocore's events."""
    captured = {}
    event = f"after-call.ec2.{operation}"

    def keep(http_response, **_):
        captured["body"] = http_response.content

    client.meta.events.register(event, keep)
    try:
        method = getattr(client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        parsed = method(**params)
    finally:
        client.meta.events.unregister(event, keep)
    return parsed, captured["body"]


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def describe(self) -> str:
        return f"HTTP {self.status}\nheaders: {self.headers}\nbody: {self.body[:2000]!r}"


def raw_request(server: KeywayServer, method: str = "POST", path: str = "/", body: bytes | str = b"",
                headers: dict | None = None, timeout: float = 60, sign: bool = True,
                region: str = "us-east-1") -> RawResponse:
    """One HTTP request with no client library in between (and no proxy), signed with SigV4 by botocore for the
    dummy credentials (the --dev server accepts them) unless `sign` is false or the request is signed already (an
    Authorization header, or a presigned path)."""
    if isinstance(body, str):
        body = body.encode()
    all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if method == "POST" else {}
    all_headers.update(headers or {})
    if sign and "Authorization" not in all_headers and "X-Amz-Signature" not in path:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        signed = AWSRequest(method=method, url=f"{server.endpoint}{path}", data=body, headers=dict(all_headers))
        SigV4Auth(
            Credentials(AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"], AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"]), "ec2", region
        ).add_auth(signed)
        all_headers = dict(signed.headers.items())
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        try:
            connection.request(method, path, body=body if body or method == "POST" else None, headers=all_headers)
        except (BrokenPipeError, ConnectionResetError):
            # The server may answer and stop reading before a too-large body is sent in full.
            pass
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def parse_ec2_error(response: RawResponse) -> tuple[str, str, str]:
    """Checks EC2's error envelope (Response/Errors/Error with Code and Message, then RequestID).

    Returns (code, message, request ID).
    """
    detail = response.describe()
    assert 400 <= response.status < 500, "expected an HTTP 4xx answer\n" + detail
    assert "xml" in response.headers.get("content-type", ""), "errors are XML\n" + detail
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError as error:
        pytest.fail(f"the error body is not well-formed XML ({error})\n" + detail)
    assert root.tag == "Response", "EC2 errors have the root <Response> without a namespace\n" + detail
    errors = root.findall("./Errors/Error")
    assert len(errors) == 1, "exactly one <Errors><Error>\n" + detail
    code = errors[0].findtext("Code")
    message = errors[0].findtext("Message")
    request_id = root.findtext("RequestID")
    assert code, "<Code> is required\n" + detail
    assert message is not None, "<Message> is required\n" + detail
    assert request_id, "<RequestID> is required\n" + detail
    assert response.headers.get("x-amzn-requestid") in (None, request_id), detail
    return code, message, request_id


def form(**params) -> str:
    """An EC2 form body: Version 2016-11-15 plus the parameters (names may hold dots, passed as a dict)."""
    from urllib.parse import urlencode

    values = {"Version": EC2_VERSION}
    values.update(params)
    return urlencode(values)


def key_names_in(client, **params) -> set[str]:
    return {pair["KeyName"] for pair in client.describe_key_pairs(**params)["KeyPairs"]}


def assert_key_absent(client, name: str) -> None:
    """DescribeKeyPairs says the name does not exist, and no listing shows it."""
    expect_client_error(
        lambda: client.describe_key_pairs(KeyNames=[name]), "InvalidKeyPair.NotFound",
        message=f"The key pair '{name}' does not exist",
    )
    assert name not in key_names_in(client, Filters=[{"Name": "key-name", "Values": [name]}])


@pytest.fixture(scope="session")
def aws_isolation():
    """boto3 in this process reads no AWS configuration of the machine, and the CLI is present."""
    assert AWS_CLI.exists(), f"AWS CLI not found at {AWS_CLI}; install tests/e2e/requirements.txt into this venv"
    patch = pytest.MonkeyPatch()
    for name in AWS_VARIABLES_TO_DROP:
        patch.delenv(name, raising=False)
    for name, value in AWS_ENVIRONMENT.items():
        patch.setenv(name, value)
    yield
    patch.undo()


SHARED_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
# A region of the shared server no test writes to: an account with no key pairs there.
EMPTY_REGION = "ap-southeast-2"


@pytest.fixture(scope="session")
def ec2_server(tmp_path_factory, aws_isolation):
    """The server most tests share (unique key names keep them apart), serving SHARED_REGIONS."""
    root = tmp_path_factory.mktemp("shared-server")
    server = start_keyway_server(root / "data", regions=SHARED_REGIONS)
    yield server
    server.stop()


@pytest.fixture
def start_server(tmp_path, aws_isolation):
    """Starts fresh servers (each on its own new data folder unless given one); all are stopped afterwards."""
    servers: list[KeywayServer] = []
    counter = [0]

    def start(data_dir: Path | None = None, regions: list[str] | None = None) -> KeywayServer:
        counter[0] += 1
        if data_dir is None:
            data_dir = tmp_path / f"data-{counter[0]}"
        server = start_keyway_server(data_dir, regions=regions, log_path=tmp_path / f"server-{counter[0]}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
