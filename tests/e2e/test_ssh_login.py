"""End-to-end: a real OpenSSH server lets in exactly the keys Keyway says.

Each test starts Debian's `/usr/sbin/sshd` on a free loopback port with its own host key, `AuthorizedKeysFile none`
and an `AuthorizedKeysCommand` wrapper that runs `keyway authorized-keys --endpoint ... --instance-id ID %u` (sshd
insists the wrapper and every folder above it be root-owned and not group/world-writable, so the wrapper lives in a
0755 folder under /run). The stock `ssh` client then logs in as `ec2-user`, the Amazon Linux image's default user
and the only one EC2 installs the launch key for (root is refused), with the private key CreateKeyPair returned
(RSA and Ed25519), with a key pushed through EC2 Instance Connect (inside and after its 60-second window, the dev
clock moved instead of waiting), with the key put in place by the audited recovery operation, and is refused for
other keys, for a stopped instance, and when the Keyway server is down (the wrapper fails closed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import KEYWAY_BIN, aws, ec2_client, run, run_ok, write_file
from test_instances import (
    LINUX_IMAGE,
    advance_clock,
    create_key_pair_file,
    free_port,
    launch,
    public_key_of,
    start_instance_server,
)

SSHD = "/usr/sbin/sshd"
SSHD_LIFETIME = 150  # seconds; `timeout` kills an sshd a test failed to stop
SSHD_START_TIMEOUT = 15
DENIED = "Permission denied (publickey)"
# The Amazon Linux image's default user, the one EC2 installs the launch key for.
USER = "ec2-user"


# --------------------------------------------------------------------------------------------------
# sshd


class Sshd:
    def __init__(self, proc: subprocess.Popen, port: int, log_path: Path, wrapper: Path):
        self.proc = proc
        self.port = port
        self.log_path = log_path
        self.wrapper = wrapper

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # `timeout` passes it on to sshd
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="module")
def ssh_environment(tmp_path_factory):
    """A host key, and a root-owned 0755 folder outside /tmp (which is world-writable) for the wrappers."""
    if not os.path.exists(SSHD):
        pytest.fail(f"{SSHD} is missing: scripts/test installs Debian's openssh-server")
    assert os.geteuid() == 0, "sshd's AuthorizedKeysCommand checks need root"
    root = tmp_path_factory.mktemp("sshd")
    host_key = root / "ssh_host_ed25519_key"
    run_ok(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "keyway-e2e-host", "-f", host_key])
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    wrappers = Path(tempfile.mkdtemp(prefix="keyway-e2e-sshd-", dir="/run"))
    wrappers.chmod(0o755)
    # The image's default user must exist for sshd; '*' is no password but not a locked account (which sshd refuses
    # without PAM).
    if run(["id", "-u", USER]).rc != 0:
        run_ok(["useradd", "--create-home", "--shell", "/bin/sh", USER])
    run_ok(["usermod", "-p", "*", USER])
    yield root, host_key, wrappers
    shutil.rmtree(wrappers, ignore_errors=True)


@pytest.fixture
def start_sshd(ssh_environment, tmp_path):
    """Starts sshd for one instance (its AuthorizedKeysCommand asks `endpoint` about `instance_id`); all are
    stopped afterwards."""
    root, host_key, wrappers = ssh_environment
    started: list[Sshd] = []

    def start(endpoint: str, instance_id: str) -> Sshd:
        label = f"{instance_id}-{len(started)}"
        wrapper = wrappers / f"authorized-keys-{label}"
        wrapper.write_text(
            "#!/bin/sh\n"
            f"exec {KEYWAY_BIN} authorized-keys --endpoint {endpoint} --instance-id {instance_id} --timeout 3 \"$1\"\n"
        )
        wrapper.chmod(0o755)
        config = write_file(tmp_path / f"sshd_config-{label}", "\n".join([
            f"HostKey {host_key}",
            "AuthorizedKeysFile none",
            f"AuthorizedKeysCommand {wrapper} %u",
            "AuthorizedKeysCommandUser root",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PidFile none",
            "PermitRootLogin prohibit-password",
            "LogLevel VERBOSE",
            "",
        ]), 0o600)
        port = free_port()
        log_path = tmp_path / f"sshd-{label}.log"
        log = open(log_path, "ab")
        try:
            proc = subprocess.Popen(
                ["timeout", "-k", "5", str(SSHD_LIFETIME), SSHD, "-D", "-e", "-f", str(config), "-p", str(port),
                 "-o", "ListenAddress=127.0.0.1"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        sshd = Sshd(proc, port, log_path, wrapper)
        started.append(sshd)
        deadline = time.monotonic() + SSHD_START_TIMEOUT
        while f"Server listening on 127.0.0.1 port {port}" not in sshd.log():
            if proc.poll() is not None or time.monotonic() > deadline:
                sshd.stop()
                pytest.fail(f"sshd did not start (exit {proc.returncode})\n{sshd.log()[-3000:]}")
            time.sleep(0.02)
        return sshd

    yield start
    for sshd in started:
        sshd.stop()


def ssh(sshd: Sshd, key: Path, command: str = "echo hello", user: str = None):
    user = user or USER
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "SSH_AGENT_PID", "DISPLAY")}
    return run(
        ["ssh", "-F", "/dev/null", "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey",
         "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", str(sshd.port), f"{user}@127.0.0.1", command],
        env=env, timeout=30,
    )


def assert_logs_in(sshd: Sshd, key: Path, why: str = "", user: str = None) -> None:
    result = ssh(sshd, key, user=user)
    assert result.rc == 0 and result.out == "hello\n", (
        f"{key.name} should log in {why}\n{result.describe()}\nsshd log:\n{sshd.log()[-2500:]}")


def assert_refused(sshd: Sshd, key: Path, why: str = "", user: str = None) -> None:
    result = ssh(sshd, key, user=user)
    assert result.rc == 255 and DENIED in result.err and "hello" not in result.out, (
        f"{key.name} should be refused {why}\n{result.describe()}\nsshd log:\n{sshd.log()[-2500:]}")


def new_key(folder: Path, name: str, key_type: str = "ed25519") -> Path:
    path = Path(folder) / name
    argv = ["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", f"{name}@e2e", "-f", path]
    if key_type == "rsa":
        argv[4:4] = ["-b", "2048"]
    run_ok(argv)
    return path


def authorized_keys(endpoint: str, instance_id: str, user: str = None):
    user = user or USER
    return run([KEYWAY_BIN, "authorized-keys", "--endpoint", endpoint, "--instance-id", instance_id,
                "--timeout", "3", user], timeout=30)


def key_fields(line: str) -> list[str]:
    return line.split()[:2]


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_isolation):
    """A --dev server without a metadata service (sshd only needs the API and /_keyway/ endpoints)."""
    root = tmp_path_factory.mktemp("ssh-server")
    server = start_instance_server(root / "data", root / "server.log", metadata_port=0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server):
    return ec2_client(server)


# ==================================================================================================


@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
def test_key_pair_from_create_key_pair_logs_in(server, client, start_sshd, tmp_path, key_type):
    name, pem = create_key_pair_file(server, tmp_path, key_type)
    assert key_fields(run_ok(["ssh-keygen", "-y", "-f", pem]).out) == key_fields(public_key_of(client, name))
    (instance,) = launch(client, image=LINUX_IMAGE, key=name)
    sshd = start_sshd(server.endpoint, instance["InstanceId"])

    assert_logs_in(sshd, pem, f"with the {key_type} key pair it was launched with")
    assert re.search(r"Accepted publickey for ec2-user from 127\.0\.0\.1", sshd.log()), sshd.log()
    assert f"found at {sshd.wrapper}" in sshd.log(), "the key came from the AuthorizedKeysCommand\n" + sshd.log()
    assert_refused(sshd, new_key(tmp_path, "stranger", key_type), "with a key Keyway never heard of")
    # EC2 installs the launch key for the image's default user only: root, and any other user, are refused.
    assert_refused(sshd, pem, "as root", user="root")
    assert authorized_keys(server.endpoint, instance["InstanceId"], "root").out == ""
    assert authorized_keys(server.endpoint, instance["InstanceId"], "ubuntu").out == ""

    # Another instance's key pair does not open this one.
    other_name, other_pem = create_key_pair_file(server, tmp_path, key_type)
    launch(client, key=other_name)
    assert_refused(sshd, other_pem, "with the key pair of another instance")


def test_instance_connect_key_logs_in_within_its_window(server, client, start_sshd, tmp_path):
    name, pem = create_key_pair_file(server, tmp_path, "ed25519")
    (instance,) = launch(client, key=name)
    iid = instance["InstanceId"]
    sshd = start_sshd(server.endpoint, iid)
    pushed = new_key(tmp_path, "pushed", "rsa")
    assert_refused(sshd, pushed, "before it is pushed")

    result = aws(server, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", iid,
                 "--instance-os-user", USER, "--ssh-public-key", f"file://{pushed}.pub")
    assert result.rc == 0 and json.loads(result.out)["Success"] is True, result.describe()
    assert_logs_in(sshd, pushed, "within 60 seconds of SendSSHPublicKey")
    assert_logs_in(sshd, pem, "with the launch key as well")

    # Pushed for ec2-user only: another OS user is not given the key.
    for_other_user = authorized_keys(server.endpoint, iid, "admin")
    assert for_other_user.rc == 0
    assert key_fields(Path(f"{pushed}.pub").read_text()) not in [key_fields(l) for l in for_other_user.out.splitlines()]

    advance_clock(server, 30)
    assert_logs_in(sshd, pushed, "30 seconds after the push")
    advance_clock(server, 31)
    assert_refused(sshd, pushed, "61 seconds after the push")
    assert_logs_in(sshd, pem, "with the launch key after the pushed key expired")

    # A key pushed for another user does not let ec2-user in, and a key pushed for root lets nobody in.
    other = new_key(tmp_path, "pushed-other-user")
    result = aws(server, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", iid,
                 "--instance-os-user", "admin", "--ssh-public-key", f"file://{other}.pub")
    assert result.rc == 0, result.describe()
    assert_refused(sshd, other, "as ec2-user with a key pushed for admin")
    for_root = new_key(tmp_path, "pushed-for-root")
    result = aws(server, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", iid,
                 "--instance-os-user", "root", "--ssh-public-key", f"file://{for_root}.pub")
    assert result.rc == 0, result.describe()
    assert_refused(sshd, for_root, "as root, even with a key pushed for root", user="root")


def test_recovery_replaces_the_authorized_keys(server, client, start_sshd, tmp_path):
    name, old_pem = create_key_pair_file(server, tmp_path, "rsa")
    (instance,) = launch(client, key=name)
    iid = instance["InstanceId"]
    sshd = start_sshd(server.endpoint, iid)
    assert_logs_in(sshd, old_pem, "with the launch key")

    replacement = new_key(tmp_path, "replacement")
    fingerprint = run_ok(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{replacement}.pub"]).out.split()[1]
    recovered = run([KEYWAY_BIN, "admin", "replace-authorized-keys", "--data-dir", server.data_dir,
                     "--instance-id", iid, "--public-key", f"{replacement}.pub"])
    assert recovered.rc == 0, recovered.describe()
    assert fingerprint in recovered.out, recovered.describe()

    assert_logs_in(sshd, replacement, "after the recovery put it in place")
    assert_refused(sshd, old_pem, "after the recovery replaced the launch key")

    log = run([KEYWAY_BIN, "admin", "audit-log", "--data-dir", server.data_dir])
    assert log.rc == 0, log.describe()
    entries = [line for line in log.out.splitlines() if "replace-authorized-keys" in line and iid in line]
    assert len(entries) == 1, f"the audit log should record the recovery once\n{log.describe()}"
    assert fingerprint in entries[0], entries[0]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", entries[0]), entries[0]
    assert "BEGIN" not in log.out and "PRIVATE" not in log.out

    # A recovery of an unknown instance fails, and records nothing.
    missing = run([KEYWAY_BIN, "admin", "replace-authorized-keys", "--data-dir", server.data_dir,
                   "--instance-id", "i-0123456789abcdef0", "--public-key", f"{replacement}.pub"])
    assert missing.rc != 0, missing.describe()
    after = run([KEYWAY_BIN, "admin", "audit-log", "--data-dir", server.data_dir])
    assert "i-0123456789abcdef0" not in after.out


def test_a_stopped_instance_lets_nobody_in(server, client, start_sshd, tmp_path):
    name, pem = create_key_pair_file(server, tmp_path, "ed25519")
    (instance,) = launch(client, key=name)
    iid = instance["InstanceId"]
    sshd = start_sshd(server.endpoint, iid)
    pushed = new_key(tmp_path, "pushed")
    result = aws(server, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", iid,
                 "--instance-os-user", USER, "--ssh-public-key", f"file://{pushed}.pub")
    assert result.rc == 0, result.describe()
    assert_logs_in(sshd, pem, "while running")
    assert_logs_in(sshd, pushed, "while running")

    client.stop_instances(InstanceIds=[iid])
    printed = authorized_keys(server.endpoint, iid)
    assert printed.rc == 0 and printed.out == "", printed.describe()
    assert_refused(sshd, pem, "while the instance is stopped")
    assert_refused(sshd, pushed, "while the instance is stopped")

    client.start_instances(InstanceIds=[iid])
    assert_logs_in(sshd, pem, "once the instance runs again")

    client.terminate_instances(InstanceIds=[iid])
    assert authorized_keys(server.endpoint, iid).out == ""
    assert_refused(sshd, pem, "once the instance is terminated")


def test_unknown_instance_lets_nobody_in(server, client, start_sshd, tmp_path):
    name, pem = create_key_pair_file(server, tmp_path, "ed25519")
    launch(client, key=name)
    printed = authorized_keys(server.endpoint, "i-0123456789abcdef0")
    assert printed.out == "", printed.describe()
    sshd = start_sshd(server.endpoint, "i-0123456789abcdef0")
    assert_refused(sshd, pem, "into an instance Keyway does not know")


def test_fails_closed_when_keyway_is_down(start_sshd, tmp_path, aws_isolation):
    down = start_instance_server(tmp_path / "data", tmp_path / "server.log", metadata_port=0)
    try:
        client = ec2_client(down)
        name, pem = create_key_pair_file(down, tmp_path, "rsa")
        (instance,) = launch(client, key=name)
        iid = instance["InstanceId"]
        sshd = start_sshd(down.endpoint, iid)
        assert_logs_in(sshd, pem, "while Keyway runs")
    finally:
        rc, clean = down.stop()
    assert clean, "keyway serve should exit on SIGTERM"

    printed = authorized_keys(down.endpoint, iid)
    assert printed.rc == 1 and printed.out == "", "with the server down the wrapper prints nothing and fails\n" + (
        printed.describe())
    wrapper = run([sshd.wrapper, USER], timeout=30)
    assert wrapper.rc != 0 and wrapper.out == "", wrapper.describe()
    assert_refused(sshd, pem, "while Keyway is down")
