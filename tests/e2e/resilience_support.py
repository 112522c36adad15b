"""Helpers of test_resilience.py: servers started with options the shared starters lack, raw signed HTTP with
timing, /proc readings, and the connection-flood worker.

Servers run from a private copy of the keyway binary (the build folder's binary is rebuilt from time to time while
the tests run), always on 127.0.0.1 with port 0 (the port is read from the banner), with stdout and stderr in
separate files of the test's tmp folder. Every server is stopped (SIGTERM, then SIGKILL) by its own PID.

Run as a script (`python resilience_support.py attack SPEC.json`) this module is the flood worker of the
connection-exhaustion test: one process holds up to SPEC["idle"] idle connections, SPEC["slow"] slowloris clients
and SPEC["connect"] parked CONNECT requests with non-blocking sockets and one selector (no threads), for
SPEC["duration"] seconds (a connection the server closes is replaced at once unless SPEC["reconnect"] is false), writing what it saw to SPEC["status"] as JSON every second and once at the end.
"""

from __future__ import annotations

import base64
import configparser
import errno
import hashlib
import heapq
import http.client
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BANNER = re.compile(rb"Keyway is listening on http://127\.0\.0\.1:(\d+)\r?\n")
START_TIMEOUT = 60  # seconds to the banner (the machine is shared with builds)
STOP_TIMEOUT = 15
EC2_VERSION = "2016-11-15"
IAM_VERSION = "2010-05-08"
DEV_CREDS = ("AKIAKEYWAYE2ETESTING", "keyway-e2e-dummy-secret-access-key")

LINUX_IMAGE = "ami-0a1b2c3d4e5f60001"


# --------------------------------------------------------------------------------------------------
# The binary


def private_binary(folder: Path) -> Path:
    """A copy of the keyway binary under test (KEYWAY_BIN), so a rebuild during the run changes nothing."""
    source = Path(os.environ.get("KEYWAY_BIN", "/work/main/.build/debug/keyway"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "keyway"
    shutil.copy2(source, target)
    target.chmod(0o755)
    return target


# --------------------------------------------------------------------------------------------------
# Servers


@dataclass
class Server:
    proc: subprocess.Popen
    data_dir: Path
    stdout_path: Path
    stderr_path: Path
    argv: list[str]
    port: int = 0
    metadata_port: int = 0
    _files: list = field(default_factory=list, repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return _read(self.stdout_path)

    def stderr(self) -> str:
        return _read(self.stderr_path)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> tuple[int, bool]:
        """SIGTERM to this server's PID and wait; SIGKILL when it does not exit in time. (status, exited in time)."""
        clean = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                clean = False
                self.proc.kill()
                self.proc.wait(10)
        for f in self._files:
            f.close()
        self._files.clear()
        return self.proc.returncode, clean

    def rss_kb(self) -> int:
        return proc_status_kb(self.pid, "VmRSS")

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def describe(self) -> str:
        return (f"server argv: {' '.join(self.argv)}\nexit: {self.proc.poll()}\n"
                f"stdout:\n{self.stdout()[-2000:]}\nstderr (tail):\n{self.stderr()[-3000:]}")


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def server_environment(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "KEYWAY_MASTER_KEY"}
    env.update(extra or {})
    return env


def serve_argv(binary: Path, data_dir: Path, *, dev: bool, metadata_port: int = 0, extra=()) -> list[str]:
    argv = [str(binary), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
            "--metadata-port", str(metadata_port)]
    if dev:
        argv.append("--dev")
    return argv + [str(a) for a in extra]


def start_server(binary: Path, data_dir: Path, logs: Path, label: str, *, dev: bool = True, metadata_port: int = 0,
                 extra=(), nofile: int | None = None, env: dict | None = None) -> Server:
    """`keyway serve` on 127.0.0.1:0 (optionally under `ulimit -n NOFILE`, via bash's exec so the PID stays the
    server's); waits for the banner on stdout and reads the port from it."""
    data_dir, logs = Path(data_dir), Path(logs)
    logs.mkdir(parents=True, exist_ok=True)
    argv = serve_argv(binary, data_dir, dev=dev, metadata_port=metadata_port, extra=extra)
    if nofile is not None:
        argv = ["bash", "-c", f'ulimit -n {int(nofile)} && exec "$@"', "bash", *argv]
    stdout_path, stderr_path = logs / f"{label}.stdout", logs / f"{label}.stderr"
    out, err = open(stdout_path, "ab"), open(stderr_path, "ab")
    start = stdout_path.stat().st_size
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=server_environment(env))
    server = Server(proc, data_dir, stdout_path, stderr_path, argv, metadata_port=metadata_port, _files=[out, err])
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        match = BANNER.search(stdout_path.read_bytes()[start:])
        if match:
            server.port = int(match.group(1))
            return server
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop(5)
            raise AssertionError(f"keyway serve did not start\n{server.describe()}")
        time.sleep(0.02)


def free_metadata_port() -> int:
    """A port free on the whole loopback range (the metadata socket binds 0.0.0.0 on lo)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("0.0.0.0", 0))
            port = probe.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as check:
            try:
                check.bind(("127.1.0.1", port))
            except OSError:
                continue
        return port
    raise AssertionError("no free port")


# --------------------------------------------------------------------------------------------------
# /proc


def proc_status_kb(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{name} not in /proc/{pid}/status")


def raise_nofile() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit (root without CAP_SYS_RESOURCE cannot pass the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# --------------------------------------------------------------------------------------------------
# Credentials and boto3


@dataclass(frozen=True)
class Creds:
    key_id: str
    secret: str


def credentials_from(path: Path) -> Creds:
    parser = configparser.ConfigParser()
    parser.read(path)
    return Creds(parser["default"]["aws_access_key_id"].strip(), parser["default"]["aws_secret_access_key"].strip())


def boto_client(server: Server, service: str = "ec2", creds: Creds | None = None, region: str = "us-east-1",
                *, retries: dict | None = None, connect_timeout: float = 10, read_timeout: float = 60, pool: int = 10):
    """A boto3 client for the server: no AWS configuration of the machine, no proxy; dev credentials by default."""
    import boto3
    import botocore.session
    from botocore.config import Config

    core = botocore.session.Session()
    core.set_config_variable("config_file", "/dev/null")
    core.set_config_variable("credentials_file", "/dev/null")
    session = boto3.session.Session(botocore_session=core)
    creds = creds or Creds(*DEV_CREDS)
    config = Config(retries=retries or {"max_attempts": 1, "mode": "standard"}, connect_timeout=connect_timeout,
                    read_timeout=read_timeout, max_pool_connections=pool, proxies={})
    return session.client(service, endpoint_url=server.endpoint, region_name=region, aws_access_key_id=creds.key_id,
                          aws_secret_access_key=creds.secret, config=config)


# --------------------------------------------------------------------------------------------------
# Raw HTTP


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    seconds: float

    def describe(self) -> str:
        return f"HTTP {self.status} in {self.seconds * 1000:.1f} ms\nheaders: {self.headers}\nbody: {self.body[:1500]!r}"


def signed_headers(server: Server, service: str, body: bytes, creds: Creds | None = None,
                   region: str = "us-east-1") -> dict:
    """Headers of a POST / signed by botocore's SigV4 signer, Host included."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = creds or Creds(*DEV_CREDS)
    request = AWSRequest(method="POST", url=f"{server.endpoint}/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(creds.key_id, creds.secret), service, region).add_auth(request)
    headers = {"Host": f"127.0.0.1:{server.port}"}
    headers.update(dict(request.headers.items()))
    headers["Content-Length"] = str(len(body))
    return headers


def post(server: Server, body: bytes, headers: dict, timeout: float = 30) -> Reply:
    """Sends exactly these headers and body on a new connection; the time is from the first byte sent to the
    last byte of the answer read."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.connect()
        started = time.perf_counter()
        connection.putrequest("POST", "/", skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data, elapsed)
    finally:
        connection.close()


def signed_post(server: Server, service: str, params: dict, creds: Creds | None = None, timeout: float = 30) -> Reply:
    body = urlencode(params).encode()
    return post(server, body, signed_headers(server, service, body, creds), timeout)


def aws_error(reply: Reply) -> tuple[str, str, str]:
    """(code, message, request ID) of an EC2 (<Response>) or IAM/STS (<ErrorResponse>) error body; raises
    AssertionError when the body is no AWS error document."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(reply.body)
    except ET.ParseError as error:
        raise AssertionError(f"the error body is not XML ({error})\n{reply.describe()}") from None
    tag = root.tag.split("}")[-1]
    ns = root.tag[: -len(tag)]
    if tag == "Response":
        errors = root.findall("./Errors/Error")
        assert len(errors) == 1, reply.describe()
        code, message, request_id = errors[0].findtext("Code"), errors[0].findtext("Message"), root.findtext("RequestID")
    elif tag == "ErrorResponse":
        error = root.find(f"{ns}Error")
        assert error is not None, reply.describe()
        code, message = error.findtext(f"{ns}Code"), error.findtext(f"{ns}Message")
        request_id = root.findtext(f"{ns}RequestId")
    else:
        raise AssertionError(f"not an AWS error document\n{reply.describe()}")
    assert code and message is not None and request_id, f"incomplete AWS error document\n{reply.describe()}"
    return code, message, request_id


# --------------------------------------------------------------------------------------------------
# Keys and files


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_public_line(comment: str = "resilience") -> str:
    blob = ssh_string(b"ssh-ed25519") + ssh_string(os.urandom(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def folder_snapshot(folder: Path) -> dict:
    """{relative path: (size, sha256)} of every file under the folder."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found[str(path.relative_to(folder))] = (len(data), hashlib.sha256(data).hexdigest())
    return found


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------------------------------
# The flood worker


def start_attack_worker(spec: dict, folder: Path) -> tuple[subprocess.Popen, Path]:
    """Starts one flood worker process (this file as a script); returns it and its status file."""
    folder.mkdir(parents=True, exist_ok=True)
    status = folder / f"attack-{spec['name']}.json"
    spec = dict(spec, status=str(status))
    spec_path = folder / f"attack-{spec['name']}-spec.json"
    spec_path.write_text(json.dumps(spec))
    log = open(folder / f"attack-{spec['name']}.log", "ab")
    try:
        proc = subprocess.Popen([sys.executable, __file__, "attack", str(spec_path)], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()
    return proc, status


def read_status(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


class _Conn:
    __slots__ = ("sock", "kind", "state", "opened", "connected", "answer")

    def __init__(self, sock, kind, opened):
        self.sock, self.kind, self.state, self.opened = sock, kind, "connecting", opened
        self.connected = None
        self.answer = b""


IP_BIND_ADDRESS_NO_PORT = 24


def attack(spec: dict) -> None:
    raise_nofile()
    host, port = spec["host"], spec["port"]
    source = spec.get("source")
    duration, interval = float(spec["duration"]), float(spec.get("slow_interval", 5.0))
    connect_request = (f"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").encode()
    slow_head = b"GET /?Action=DescribeKeyPairs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    plan = ["connect"] * int(spec.get("connect", 0)) + ["slow"] * int(spec.get("slow", 0)) + \
        ["idle"] * int(spec.get("idle", 0))
    plan.reverse()  # popped from the end: CONNECTs first, then slowloris, then the idle ones
    selector = selectors.DefaultSelector()
    conns: dict[int, _Conn] = {}
    sends: list[tuple[float, int]] = []  # (when, fd) of slowloris bytes
    started = time.monotonic()
    stats = {
        "name": spec["name"], "planned": len(plan), "opened": 0, "open_errors": {}, "connect_errors": {},
        "established": {"idle": 0, "slow": 0, "connect": 0}, "closed_by_server": {"idle": 0, "slow": 0, "connect": 0},
        "lifetimes": {"idle": [], "slow": [], "connect": []}, "answers": {}, "slow_bytes_sent": 0,
        "peak_open": 0, "send_errors": 0, "reconnects": 0, "peak_established": 0,
    }

    def now() -> float:
        return time.monotonic() - started

    reconnect = bool(spec.get("reconnect", True))
    rate = float(spec.get("rate", 0))  # connections opened a second at most (0: as fast as possible)

    def close(conn: _Conn, by_server: bool) -> None:
        fd = conn.sock.fileno()
        try:
            selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        conns.pop(fd, None)
        if conn.state == "connected":
            stats["established"][conn.kind] -= 1
            if by_server:
                stats["closed_by_server"][conn.kind] += 1
                stats["lifetimes"][conn.kind].append(round(now() - conn.connected, 2))
        conn.state = "closed"
        if by_server and reconnect and now() < duration - 1:
            plan.append(conn.kind)  # the flood goes on: a closed connection is replaced at once
            stats["reconnects"] += 1

    def write_status(final: bool = False) -> None:
        ages = {"idle": 0.0, "slow": 0.0, "connect": 0.0}
        for c in conns.values():
            if c.state == "connected":
                ages[c.kind] = max(ages[c.kind], round(now() - c.connected, 1))
        out = dict(stats, elapsed=round(now(), 2), open=len(conns), final=final, open_ages_max=ages,
                   connecting=sum(1 for c in conns.values() if c.state == "connecting"))
        tmp = spec["status"] + ".tmp"
        Path(tmp).write_text(json.dumps(out))
        os.replace(tmp, spec["status"])

    last_status = -1.0
    while now() < duration:
        # Open what is still planned, in bursts.
        burst = 0
        budget = 500 if rate <= 0 else min(500, int(rate * now()) + 1 - stats["opened"])
        while plan and burst < budget:
            kind = plan.pop()
            try:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError as error:
                stats["open_errors"][errno.errorcode.get(error.errno, str(error.errno))] = \
                    stats["open_errors"].get(errno.errorcode.get(error.errno, str(error.errno)), 0) + 1
                continue
            sock.setblocking(False)
            if source:
                sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                sock.bind((source, 0))
            code = sock.connect_ex((host, port))
            if code not in (0, errno.EINPROGRESS):
                name = errno.errorcode.get(code, str(code))
                stats["connect_errors"][name] = stats["connect_errors"].get(name, 0) + 1
                sock.close()
                continue
            conn = _Conn(sock, kind, now())
            conns[sock.fileno()] = conn
            selector.register(sock, selectors.EVENT_WRITE)
            stats["opened"] += 1
            burst += 1
        stats["peak_open"] = max(stats["peak_open"], len(conns))
        stats["peak_established"] = max(stats["peak_established"], sum(stats["established"].values()))
        timeout = 0.2
        if sends:
            timeout = max(0.0, min(timeout, sends[0][0] - now()))
        if plan:
            timeout = 0.0 if rate <= 0 else min(timeout, 0.01)
        for key, events in selector.select(timeout):
            conn = conns.get(key.fd)
            if conn is None:
                continue
            if conn.state == "connecting":
                code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code != 0:
                    name = errno.errorcode.get(code, str(code))
                    stats["connect_errors"][name] = stats["connect_errors"].get(name, 0) + 1
                    close(conn, False)
                    if reconnect and now() < duration - 1:
                        plan.append(conn.kind)
                    continue
                conn.state, conn.connected = "connected", now()
                stats["established"][conn.kind] += 1
                selector.modify(conn.sock, selectors.EVENT_READ)
                try:
                    if conn.kind == "connect":
                        conn.sock.send(connect_request)
                    elif conn.kind == "slow":
                        conn.sock.send(slow_head[:5])  # "GET /", the rest a byte at a time
                        heapq.heappush(sends, (now() + interval * (0.2 + 0.8 * (key.fd % 97) / 97), key.fd))
                except OSError:
                    stats["send_errors"] += 1
                continue
            try:
                data = conn.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                if conn.kind == "connect" and conn.answer:
                    _record_answer(stats, conn.answer, complete=True)
                close(conn, True)
                continue
            if len(conn.answer) < 4096:
                conn.answer += data
            if conn.kind != "connect":
                _record_answer(stats, data, complete=False)
        # Slowloris: the next byte of the head.
        while sends and sends[0][0] <= now():
            _, fd = heapq.heappop(sends)
            conn = conns.get(fd)
            if conn is None or conn.state != "connected" or conn.kind != "slow":
                continue
            try:
                conn.sock.send(b"a")
                stats["slow_bytes_sent"] += 1
            except OSError:
                stats["send_errors"] += 1
            heapq.heappush(sends, (now() + interval, fd))
        if now() - last_status >= 1.0:
            write_status()
            last_status = now()
    # The CONNECT answers seen on connections still open.
    for conn in list(conns.values()):
        if conn.kind == "connect" and conn.answer:
            _record_answer(stats, conn.answer, complete=False)
    write_status(final=True)
    for conn in list(conns.values()):
        close(conn, False)


def _record_answer(stats: dict, data: bytes, complete: bool) -> None:
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")[:80]
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    key = f"{line} | body {len(body)} bytes{' then closed' if complete else ''}"
    stats["answers"][key] = stats["answers"].get(key, 0) + 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "attack":
        attack(json.loads(Path(sys.argv[2]).read_text()))
    else:
        sys.exit("usage: resilience_support.py attack SPEC.json")
