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
