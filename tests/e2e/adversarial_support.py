"""Machinery of the adversarial HTTP suite (test_adversarial.py): SigV4 signing, key material and its damage,
a seeded generator of malformed requests (mutations of valid ones), a wire client that sends exact bytes, the
judge of every answer, and a campaign runner that keeps one `keyway serve` under load from a few threads, watches
its process and memory, and, when the server dies, finds the one request that killed it and carries on.

Everything is reproducible from the seed: case N of seed S is generated from `random.Random(f"{S}:{N}")` alone
(`f"{S}:strict:{N}"` in the strict run), and every request that breaks a rule is saved byte for byte;
`python tests/e2e/adversarial_support.py replay FILE.http PORT` sends a saved request again (its X-Amz-Date and
credential date moved to now, so a `--dev` server takes it; `Host` is not rewritten).

The rules an answer is held to are in `judge`. One distinction is made about the request, not the answer: a request
that is not well-formed HTTP/1.1 (a bad request line, a control character in a header, a Content-Length that is not
a number, broken chunked framing, ...) may get HTTP's own bare `400` or be closed, since no AWS service can be read
from it; every well-formed request must get AWS's envelope, whatever its method, size or content.
"""

from __future__ import annotations

import base64
import configparser
import datetime as dt
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

EC2_VERSION = "2016-11-15"
IAM_VERSION = "2010-05-08"
STS_VERSION = "2011-06-15"
IC_TARGET = "AWSEC2InstanceConnectService.SendSSHPublicKey"
REGION = "us-east-1"
SERVED_REGIONS = ["us-east-1", "eu-west-1"]
# Credentials Keyway never issued: in --dev they act, unverified, as the dev account's root.
DUMMY_KEY_ID = "AKIAKEYWAYADVERSARY7"
DUMMY_SECRET = "keyway-adversarial-dummy-secret-0000000000"

REQUEST_TIMEOUT = 10.0  # seconds a request may take to be answered (no hang)
BODY_LIMIT = 8 << 20  # the server's default body limit
ALLOWED_5XX = {500: {"InternalError", "ServiceFailure"}, 503: {"RequestLimitExceeded", "ServiceUnavailable"}}
START_TIMEOUT = 30
BANNER = re.compile(rb"Keyway is listening on http://127\.0\.0\.1:(\d+)\r?\n")
FATAL = re.compile(r"(?m)^.*Fatal error.*$")


# ==================================================================================================
# SigV4 (the server's canonical forms, checked against the strict server before every campaign)

_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def aws_quote(data, keep_slash: bool = False) -> str:
    """RFC 3986 encoding of text or bytes (bytes may be any bytes: invalid UTF-8 travels percent-encoded)."""
    if isinstance(data, str):
        if _PLAIN.fullmatch(data):
            return data
        data = data.encode("utf-8", "surrogatepass")
    return quote_from_bytes(data, safe="/" if keep_slash else "")


def form_encode(pairs) -> bytes:
    return "&".join(f"{aws_quote(k)}={aws_quote(v)}" for k, v in pairs).encode()


def _percent_decode(text: str, plus_is_space: bool) -> bytes:
    """As the server decodes for the canonical query: `%XX` with two hex digits, anything else kept as it is."""
    if plus_is_space:
        text = text.replace("+", " ")
    return unquote_to_bytes(text)


def canonical_query(query: str, presigned: bool) -> str:
    pairs = []
    for item in (x for x in query.split("&") if x):
        name, _, value = item.partition("=")
        name_b = _percent_decode(name, True)
        if presigned and name_b == b"X-Amz-Signature":
            continue
        pairs.append((aws_quote(name_b), aws_quote(_percent_decode(value, True))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


class Signer:
    """SigV4 as AWS specifies it and as Keyway verifies it; signing keys cached."""

    def __init__(self):
        self._keys: dict = {}
        self._lock = threading.Lock()

    def signing_key(self, secret: str, date: str, region: str, service: str) -> bytes:
        cache_key = (secret, date, region, service)
        with self._lock:
            key = self._keys.get(cache_key)
        if key is None:
            key = ("AWS4" + secret).encode()
            for part in (date, region, service, "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            with self._lock:
                self._keys[cache_key] = key
        return key

    def signature(self, *, method: str, path: str, query: str, headers: list, signed: list[str], body: bytes,
                  secret: str, amz_date: str, region: str, service: str, presigned: bool = False) -> str:
        lines = [method, path if path else "/", canonical_query(query, presigned) if query else ""]
        for name in sorted(signed):
            values = [v for k, v in headers if k.lower() == name]
            values = [v.decode("latin-1") if isinstance(v, bytes) else v for v in values]
            lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}")
        lines += ["", ";".join(sorted(signed)), hashlib.sha256(body).hexdigest()]
        canonical = "\n".join(lines).encode("utf-8", "surrogateescape")
        scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical).hexdigest()}"
        key = self.signing_key(secret, amz_date[:8], region, service)
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    def sign(self, *, method: str, path: str, query: str, headers: list, body: bytes, key_id: str, secret: str,
             region: str, service: str, when: dt.datetime | None = None) -> list:
        """`headers` (Host first) plus X-Amz-Date and Authorization, every header given signed."""
        amz_date = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        headers = [*headers, ("X-Amz-Date", amz_date)]
        signed = sorted({k.lower() for k, _ in headers})
        sig = self.signature(method=method, path=path, query=query, headers=headers, signed=signed, body=body,
                             secret=secret, amz_date=amz_date, region=region, service=service)
        scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
        auth = f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={';'.join(signed)}, Signature={sig}"
        return [*headers, ("Authorization", auth)]

    def presign(self, *, host: str, params: list, key_id: str, secret: str, region: str, service: str,
                expires: int = 300, when: dt.datetime | None = None) -> str:
        """A presigned GET target (`/?...`) for these Query parameters."""
        amz_date = (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
        params = [*params, ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", f"{key_id}/{scope}"),
                  ("X-Amz-Date", amz_date), ("X-Amz-Expires", str(expires)), ("X-Amz-SignedHeaders", "host")]
        query = form_encode(params).decode()
        sig = self.signature(method="GET", path="/", query=query, headers=[("Host", host)], signed=["host"],
                             body=b"", secret=secret, amz_date=amz_date, region=region, service=service,
                             presigned=True)
        return "/?" + query + "&X-Amz-Signature=" + sig


SIGNER = Signer()


# ==================================================================================================
# Key material: real keys made once by ssh-keygen/openssl/puttygen, synthetic ones made per case


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def mpint(value: int) -> bytes:
    if value == 0:
        return ssh_string(b"")
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return ssh_string(b"\0" + raw if raw[0] & 0x80 else raw)


def ed25519_blob(raw: bytes) -> bytes:
    return ssh_string(b"ssh-ed25519") + ssh_string(raw)


def rsa_modulus(rng: random.Random, bits: int) -> int:
    return rng.getrandbits(bits) | (1 << (bits - 1)) | 1


def rsa_blob(e: int, n: int) -> bytes:
    return ssh_string(b"ssh-rsa") + mpint(e) + mpint(n)


def der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + der_len(len(content)) + content


def der_int(v: int) -> bytes:
    raw = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True)
    return der(0x02, raw)


RSA_OID = bytes.fromhex("06092a864886f70d010101")
ED25519_OID = bytes.fromhex("06032b6570")


def rsa_pkcs1_public(n: int, e: int) -> bytes:
    return der(0x30, der_int(n) + der_int(e))


def rsa_spki(n: int, e: int) -> bytes:
    return der(0x30, der(0x30, RSA_OID + b"\x05\x00") + der(0x03, b"\x00" + rsa_pkcs1_public(n, e)))


def ed25519_spki(raw: bytes) -> bytes:
    return der(0x30, der(0x30, ED25519_OID) + der(0x03, b"\x00" + raw))


def pem(label: str, body: bytes, width: int = 64) -> str:
    text = base64.b64encode(body).decode()
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def rfc4716(blob: bytes, headers: list[str] | None = None, eol: str = "\n") -> str:
    text = base64.b64encode(blob).decode()
    lines = ["---- BEGIN SSH2 PUBLIC KEY ----", *(headers or []),
             *[text[i:i + 70] for i in range(0, len(text), 70)], "---- END SSH2 PUBLIC KEY ----", ""]
    return eol.join(lines)


def pem_body(text: str) -> bytes:
    return base64.b64decode("".join(l for l in text.splitlines() if l and not l.startswith("-----")))


@dataclass
class OpenSSHPrivate:
    """An unencrypted openssh-key-v1 file taken apart, to be put together again with damage."""

    public_blob: bytes
    check: int
    fields: bytes  # the key type name and the key's numbers, as in the private section
    comment: bytes

    @classmethod
    def parse(cls, text: str) -> "OpenSSHPrivate":
        data = pem_body(text)
        magic = b"openssh-key-v1\0"
        assert data.startswith(magic)
        pos = len(magic)

        def read(buf, i):
            n = struct.unpack(">I", buf[i:i + 4])[0]
            return buf[i + 4:i + 4 + n], i + 4 + n

        _, pos = read(data, pos)
        _, pos = read(data, pos)
        _, pos = read(data, pos)
        pos += 4
        public, pos = read(data, pos)
        secret, pos = read(data, pos)
        check = struct.unpack(">I", secret[:4])[0]
        j = 8
        name, j = read(secret, j)
        count = 6 if name == b"ssh-rsa" else 2
        for _ in range(count):
            _, j = read(secret, j)
        fields = secret[8:j]
        comment, j = read(secret, j)
        return cls(public, check, fields, comment)

    def build(self, *, padding: int | None = None, pad_bytes: bytes | None = None, check2: int | None = None,
              cipher: bytes = b"none", kdf: bytes = b"none", nkeys: int = 1, comment: bytes | None = None,
              public_blob: bytes | None = None, truncate_secret: int | None = None) -> str:
        core = struct.pack(">II", self.check, self.check if check2 is None else check2) + self.fields
        core += ssh_string(self.comment if comment is None else comment)
        if pad_bytes is None:
            n = padding if padding is not None else (-len(core)) % 8
            while (len(core) + n) % 8:
                n += 1
            pad_bytes = bytes((i + 1) & 0xFF for i in range(n))
        secret = core + pad_bytes
        if truncate_secret is not None:
            secret = secret[:truncate_secret]
        body = (b"openssh-key-v1\0" + ssh_string(cipher) + ssh_string(kdf) + ssh_string(b"") + struct.pack(">I", nkeys)
                + ssh_string(self.public_blob if public_blob is None else public_blob) + ssh_string(secret))
        return pem("OPENSSH PRIVATE KEY", body, 70)


@dataclass
class Material:
    """Real keys and certificates, made once a session by the reference tools."""

    ed25519_private: str  # OpenSSH private key
    ed25519_public: str  # OpenSSH line
    rsa_private_openssh: str
    rsa_public: str  # OpenSSH line, 2048 bits
    rsa_pkcs8: str  # PEM PRIVATE KEY
    rsa_pkcs1: str  # PEM RSA PRIVATE KEY
    rsa_spki_pem: str
    rsa_rfc4716: str
    self_signed_cert: str  # for rsa_pkcs8
    ca_cert: str
    leaf_cert: str  # EC P-256, issued by ca_cert
    leaf_key: str  # SEC1 EC PRIVATE KEY
    ec_key_pkcs8: str
    ppk: str
    ed25519_parsed: OpenSSHPrivate = field(init=False)
    rsa_parsed: OpenSSHPrivate = field(init=False)

    def __post_init__(self):
        self.ed25519_parsed = OpenSSHPrivate.parse(self.ed25519_private)
        self.rsa_parsed = OpenSSHPrivate.parse(self.rsa_private_openssh)

    @classmethod
    def make(cls, folder: Path) -> "Material":
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)

        def run(*argv, stdin: bytes = b"") -> bytes:
            proc = subprocess.run([str(a) for a in argv], input=stdin, capture_output=True, timeout=120)
            assert proc.returncode == 0, f"{argv} failed: {proc.stderr.decode(errors='replace')}"
            return proc.stdout

        def read(name: str) -> str:
            return (folder / name).read_text()

        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "adversarial-ed", "-f", folder / "ed")
        run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "adversarial-rsa", "-f", folder / "rsa")
        rsa_rfc = run("ssh-keygen", "-e", "-f", folder / "rsa.pub").decode()
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", folder / "rsa8.pem")
        run("openssl", "rsa", "-in", folder / "rsa8.pem", "-traditional", "-out", folder / "rsa1.pem")
        spki = run("openssl", "pkey", "-in", folder / "rsa8.pem", "-pubout").decode()
        run("openssl", "req", "-x509", "-key", folder / "rsa8.pem", "-out", folder / "self.crt", "-days", "30",
            "-subj", "/CN=adversarial-self")
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", folder / "ca.key")
        run("openssl", "req", "-x509", "-key", folder / "ca.key", "-out", folder / "ca.crt", "-days", "30",
            "-subj", "/CN=adversarial-ca")
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", folder / "leaf.key")
        run("openssl", "req", "-new", "-key", folder / "leaf.key", "-out", folder / "leaf.csr",
            "-subj", "/CN=adversarial-leaf")
        run("openssl", "x509", "-req", "-in", folder / "leaf.csr", "-CA", folder / "ca.crt", "-CAkey",
            folder / "ca.key", "-CAcreateserial", "-days", "30", "-out", folder / "leaf.crt")
        ec8 = run("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", folder / "leaf.key").decode()
        run("puttygen", folder / "ed", "-O", "private", "-o", folder / "ed.ppk")
        return cls(
            ed25519_private=read("ed"), ed25519_public=read("ed.pub").strip(),
            rsa_private_openssh=read("rsa"), rsa_public=read("rsa.pub").strip(), rsa_pkcs8=read("rsa8.pem"),
            rsa_pkcs1=read("rsa1.pem"), rsa_spki_pem=spki, rsa_rfc4716=rsa_rfc, self_signed_cert=read("self.crt"),
            ca_cert=read("ca.crt"), leaf_cert=read("leaf.crt"), leaf_key=read("leaf.key"), ec_key_pkcs8=ec8,
            ppk=read("ed.ppk"),
        )


# ==================================================================================================
# Requests as they go on the wire


def _b(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")


@dataclass
class Case:
    """One request (or, for framing cases, exact bytes), and what its answer may be."""

    index: int
    label: str
    method: str = "POST"
    target: str = "/"
    headers: list = field(default_factory=list)  # (name, str|bytes), Host included, in order
    body: bytes = b""
    family: str = "query"  # query | json | keyway
    keepalive: bool = True
    raw: bytes | None = None  # exact bytes, when the framing itself is the mutation
    expect_responses: int = 1  # complete requests in `raw` (0: the server may answer or close)
    framing_ok: bool = True  # whether the bytes are well-formed HTTP/1.1
    half_close: bool = False  # shut the write side after sending
    declared_length: int | None = None  # Content-Length sent, when it lies

    def wire(self) -> bytes:
        if self.raw is not None:
            return self.raw
        head = [f"{self.method} {self.target} HTTP/1.1".encode("utf-8", "surrogateescape")]
        names = {k.lower() for k, _ in self.headers}
        for k, v in self.headers:
            head.append(_b(k) + b": " + (v if isinstance(v, bytes) else v.encode("latin-1", "replace")))
        if "content-length" not in names and "transfer-encoding" not in names and (self.body or self.method == "POST"):
            head.append(b"Content-Length: " + str(len(self.body)).encode())
        if not self.keepalive and "connection" not in names:
            head.append(b"Connection: close")
        return b"\r\n".join(head) + b"\r\n\r\n" + self.body

    @property
    def oversize(self) -> bool:
        return len(self.body) > BODY_LIMIT or (self.declared_length or 0) > BODY_LIMIT or (
            self.raw is not None and len(self.raw) > BODY_LIMIT)

    def header(self, name: str):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
_TARGET = re.compile(rb"[\x21-\x7e]+")


def well_formed_http(case: Case) -> bool:
    """Whether a (non-raw) request is well-formed HTTP/1.1 (RFC 9110/9112): a token method, a target of visible
    ASCII, token field names, field values without control characters. Only such requests must get AWS's envelope;
    anything else may get HTTP's own bare 400."""
    if not _TOKEN.fullmatch(case.method.encode("utf-8", "surrogateescape")):
        return False
    if not _TARGET.fullmatch(case.target.encode("utf-8", "surrogateescape")):
        return False
    for name, value in case.headers:
        if not _TOKEN.fullmatch(_b(name)):
            return False
        raw = value if isinstance(value, bytes) else value.encode("latin-1", "replace")
        if not _FIELD_VALUE.fullmatch(raw):
            return False
    return True


@dataclass
class Answer:
    status: int
    reason: str
    headers: list
    body: bytes

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


@dataclass
class Outcome:
    answers: list = field(default_factory=list)
    error: str | None = None  # timeout | eof | reset | refused | bad-http: ...
    elapsed: float = 0.0
    send_interrupted: bool = False
    reused: bool = False  # sent on a connection kept alive from an earlier request


class _NoClose:
    """A buffered reader shared by every response of one connection (http.client closes what it is given)."""

    def __init__(self, fp):
        self._fp = fp

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self._fp, name)


class _Shim:
    def __init__(self, fp):
        self._fp = fp

    def makefile(self, *args, **kwargs):
        return _NoClose(self._fp)


class Wire:
    """One worker's connection: exact bytes out, http.client's parser for each answer, keep-alive when asked."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.fp = None

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = self.fp = None

    def _connect(self):
        self.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=REQUEST_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.fp = self.sock.makefile("rb")

    def _read_answer(self, method: str) -> Answer:
        response = http.client.HTTPResponse(_Shim(self.fp), method=method)
        response.begin()
        body = response.read()
        answer = Answer(response.status, response.reason, response.getheaders(), body)
        if response.will_close:
            self.close()
        return answer

    def exchange(self, case: Case) -> Outcome:
        data = case.wire()
        method = case.method if case.raw is None else (data.split(b" ", 1)[0].decode("latin-1") or "GET")
        start = time.monotonic()
        reused = case.keepalive and case.raw is None and self.sock is not None
        outcome = self._attempt(case, data, method, reused)
        outcome.reused = reused
        if reused and not outcome.answers and outcome.error in ("eof", "reset"):
            # The kept-alive connection was closed by the server while idle: once more on a new one.
            self.close()
            outcome = self._attempt(case, data, method, False)
        outcome.elapsed = time.monotonic() - start
        if outcome.error or outcome.send_interrupted or not case.keepalive or case.raw is not None or case.half_close:
            # (A body cut short by an early answer would be read by the server as the start of the next request.)
            self.close()
        return outcome

    def _attempt(self, case: Case, data: bytes, method: str, reuse: bool) -> Outcome:
        outcome = Outcome()
        try:
            if not reuse:
                self._connect()
            try:
                self._send(data, outcome)
            except (BrokenPipeError, ConnectionResetError):
                if reuse:
                    outcome.error = "reset"
                    return outcome
                outcome.send_interrupted = True
            except (TimeoutError, socket.timeout):
                # The server stopped reading the request and did not close: say whether it had answered.
                outcome.error = "timeout while sending (the server stopped reading and kept the connection open)"
                try:
                    self.sock.settimeout(0.5)
                    outcome.answers.append(self._read_answer(method))
                except (OSError, http.client.HTTPException, ValueError):
                    pass
                return outcome
            if case.half_close:
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            wanted = case.expect_responses
            while len(outcome.answers) < wanted:
                outcome.answers.append(self._read_answer(method))
                if self.sock is None:
                    break
            if (case.half_close or wanted == 0) and self.sock is not None:
                # Whatever else the server says before it closes.
                self._drain(outcome, method)
        except http.client.RemoteDisconnected:
            outcome.error = "eof"
        except (ConnectionResetError, BrokenPipeError):
            outcome.error = "reset"
        except ConnectionRefusedError:
            outcome.error = "refused"
        except (TimeoutError, socket.timeout):
            outcome.error = "timeout"
        except (http.client.HTTPException, ValueError) as error:
            outcome.error = f"bad-http: {type(error).__name__}: {str(error)[:200]}"
        except OSError as error:
            outcome.error = f"os: {error}"
        return outcome

    def _send(self, data: bytes, outcome: Outcome):
        if len(data) < (1 << 20):
            self.sock.sendall(data)
            return
        # Large bodies: the server may refuse by Content-Length and close before the body is in; stop then.
        head_end = data.find(b"\r\n\r\n") + 4
        self.sock.sendall(data[:head_end])
        for offset in range(head_end, len(data), 1 << 18):
            readable, _, _ = select.select([self.sock], [], [], 0)
            if readable:
                outcome.send_interrupted = True
                return
            self.sock.sendall(data[offset:offset + (1 << 18)])

    def _drain(self, outcome: Outcome, method: str):
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while self.sock is not None and time.monotonic() < deadline:
            try:
                peek = self.fp.peek(1)
            except (ConnectionResetError, BrokenPipeError):
                return
            if not peek:
                return
            outcome.answers.append(self._read_answer(method))


# ==================================================================================================
# Judging answers


def parse_aws_error(answer: Answer, family: str) -> tuple[str | None, str | None]:
    """(error code, what is wrong with the envelope or None)."""
    body = answer.body
    if family == "json":
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            return None, f"Instance Connect error body is not JSON ({error})"
        if not isinstance(doc, dict) or not isinstance(doc.get("__type"), str) or not doc["__type"] \
                or not isinstance(doc.get("Message"), str):
            return None, "Instance Connect error body lacks __type/Message"
        return doc["__type"], None
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        return None, f"error body is not well-formed XML ({error})"
    tag = root.tag.split("}")[-1]
    if root.tag == "Response":
        errors = root.findall("./Errors/Error")
        if len(errors) != 1:
            return None, "EC2 error: not exactly one Response/Errors/Error"
        code = errors[0].findtext("Code")
        if not code or errors[0].find("Message") is None:
            return code, "EC2 error: Code or Message missing"
        if not root.findtext("RequestID"):
            return code, "EC2 error: RequestID missing"
        return code, None
    if tag == "ErrorResponse":
        ns = root.tag[: -len(tag)]
        error = root.find(f"{ns}Error")
        if error is None:
            return None, "IAM/STS error: ErrorResponse/Error missing"
        code = error.findtext(f"{ns}Code")
        if error.findtext(f"{ns}Type") not in ("Sender", "Receiver"):
            return code, "IAM/STS error: Type missing or not Sender/Receiver"
        if not code or error.find(f"{ns}Message") is None:
            return code, "IAM/STS error: Code or Message missing"
        if not root.findtext(f"{ns}RequestId"):
            return code, "IAM/STS error: RequestId missing"
        return code, None
    return None, f"not an AWS error envelope (root <{root.tag}>)"


def judge(case: Case, outcome: Outcome) -> list[tuple[str, str]]:
    """Every rule an answer breaks: (kind, detail)."""
    problems = []
    if (outcome.error or "").startswith("timeout") or outcome.elapsed > REQUEST_TIMEOUT:
        if outcome.answers and "sending" in (outcome.error or ""):
            problems.append(("hang", f"answered HTTP {outcome.answers[0].status}, then stopped reading the rest of the "
                                     f"request without closing: the sender blocked for {outcome.elapsed:.0f}s"))
        else:
            problems.append(("hang", f"no complete answer within {REQUEST_TIMEOUT:.0f}s ({outcome.elapsed:.1f}s, {outcome.error})"))
    elif outcome.error and outcome.error.startswith("bad-http"):
        problems.append(("bad-http", outcome.error))
    elif outcome.error and len(outcome.answers) < case.expect_responses and not (case.oversize and outcome.send_interrupted):
        if outcome.error in ("eof", "reset"):
            problems.append(("no-answer", f"connection closed without an answer ({outcome.error})"))
        else:
            problems.append(("no-answer", outcome.error))
    for i, answer in enumerate(outcome.answers):
        # Answers after the complete requests belong to the damaged tail of a framing case.
        framed = case.framing_ok and i < max(case.expect_responses, 1)
        family = case.family
        status = answer.status
        code = None
        shape_problem = None
        # NIO sends no body with an answer to CONNECT (such an answer is framed apart from all others).
        bodyless = case.method in ("HEAD", "CONNECT") or status in (204, 304) or (status < 200)
        if family != "keyway" and not bodyless:
            if status >= 400:
                if not answer.body and not framed and status == 400:
                    pass  # an unparseable request: HTTP's own 400, no service known
                elif status == 400 and b"<Code>InvalidRequest</Code><Message>The request is not valid HTTP/1.1." in answer.body:
                    # HTTP's parser refused the request before its headers were known, so the server could not tell
                    # which service it was for: the answer is in EC2's envelope, whatever the request meant to be.
                    code, shape_problem = parse_aws_error(answer, "query")
                else:
                    code, shape_problem = parse_aws_error(answer, family)
            elif status == 200:
                try:
                    if family == "json":
                        json.loads(answer.body)
                    else:
                        ET.fromstring(answer.body)
                except (ValueError, ET.ParseError) as error:
                    shape_problem = f"success body does not parse ({error})"
        if shape_problem:
            problems.append(("shape", f"HTTP {status}: {shape_problem}"))
        if status >= 500:
            if code is None and family != "keyway" and not bodyless:
                code = parse_aws_error(answer, family)[0]
            if code not in ALLOWED_5XX.get(status, set()):
                problems.append(("5xx", f"HTTP {status} with code {code!r}"))
        if status == 413 and not case.oversize:
            sent = len(case.raw) - case.raw.find(b"\r\n\r\n") - 4 if case.raw is not None else len(case.body)
            problems.append(("wrong-413", f"HTTP 413 RequestEntityTooLarge after {sent} body bytes "
                                          f"(Content-Length {case.declared_length}), under the {BODY_LIMIT}-byte limit"))
        body = answer.body
        if b"PRIVATE KEY" in body or b"Private-Lines" in body:
            created = status == 200 and re.search(rb"<CreateKeyPairResponse[ >]", body[:400])
            if not created:
                problems.append(("private-key", f"HTTP {status} body holds private key text"))
    return problems


# ==================================================================================================
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class ServerProcess:
    """`keyway serve` on 127.0.0.1:PORT (the same port across restarts), output in one log per process."""

    def __init__(self, binary: Path, data_dir: Path, log_dir: Path, *, dev: bool, port: int | None = None):
        self.binary = binary
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.dev = dev
        self.port = port or free_port()
        self.metadata_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log_path: Path | None = None

    def start(self) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"server-{self.starts}.log"
        argv = [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir",
                str(self.data_dir), "--metadata-port", str(self.metadata_port), "--log-level", "warning",
                "--regions", ",".join(SERVED_REGIONS)]
        if self.dev:
            argv.append("--dev")
        env = dict(os.environ)
        # A crash prints its "Fatal error" line at once; the symbolicated backtrace takes seconds a crash.
        env.setdefault("SWIFT_BACKTRACE", "enable=no")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if BANNER.search(self.log_path.read_bytes()):
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = self.log()
                self.stop()
                raise RuntimeError(f"keyway serve did not start (exit {self.proc.returncode}):\n{text[-3000:]}")
            time.sleep(0.02)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def fatal_line(self) -> str:
        lines = FATAL.findall(self.log())
        return lines[0].strip() if lines else f"exit status {self.proc.returncode if self.proc else '?'}, no 'Fatal error' line"

    def rss_kb(self) -> int | None:
        return rss_kb(self.proc.pid) if self.alive() else None

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def wait_dead(self, timeout: float) -> bool:
        """Whether the process ends within `timeout` (a crash takes a moment after the connection drops)."""
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False


def read_credentials(path: Path) -> tuple[str, str]:
    parser = configparser.ConfigParser()
    parser.read(path)
    return parser["default"]["aws_access_key_id"].strip(), parser["default"]["aws_secret_access_key"].strip()


# ==================================================================================================
# The generator: valid requests, then damage


@dataclass
class World:
    """What the generator may refer to: the server's address, credentials, and names that exist there."""

    port: int
    dev: bool
    key_id: str
    secret: str
    material: Material
    image_ids: list = field(default_factory=list)
    instance_id: str = "i-0123456789abcdef0"
    spare_instance_ids: list = field(default_factory=list)
    key_pair_ids: list = field(default_factory=list)
    key_names: list = field(default_factory=list)
    user: str = "adv-user"
    user_key_id: str = ""
    user_secret: str = ""
    inactive_key_id: str = ""
    inactive_secret: str = ""

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


INTERESTING_NUMBERS = [
    "-1", "0", "1", "5", "1000", "1001", "5000", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999", "1e99", "1e3", "nan", "NaN",
    "inf", "-inf", "Infinity", "0x10", " 5", "5 ", "+5", "5.0", "-0", "00005", "", "five", "\u0665", "\uff15",
    "1_000", "1,000", "5\x00",
]
INTERESTING_STRINGS = [
    "", " ", "*", "?", "\\", "%", "&", "=", "+", "..", "../../etc/passwd", "\u00e9", "\u202e", "\ufeff", "\U0001F511",
    "\x00", "\x01", "\x7f", "\ufffe", "a" * 256, "a" * 4097, "<![CDATA[x]]>", "<x>&amp;", "\"'", "${jndi:x}",
    "%s%n", "\r\n", "key-", "key-00000000000000000", "i-", "aws:x", "AKIA", "null", "true", "[]", "{}",
]
INVALID_UTF8 = [b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xff", b"\xfe\xff", b"\x80",
                b"\xe2\x82", b"\xef\xbf\xbe", b"\xf8\x88\x80\x80\x80"]
METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "PROPFIND", "FOO", "post", "Get", "GET"]
CONTENT_TYPES = [
    None, "text/plain", "application/json", "application/x-amz-json-1.1", "application/x-amz-json-1.0",
    "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16", "application/xml", "*/*", "", ";;;;",
    "application/x-www-form-urlencoded" + "; x=y" * 500, b"\xff\xfe\x00garbage",
]


class Generator:
    """Case N of a seed comes from its own `random.Random(f"{seed}:{N}")` (`f"{seed}:strict:{N}"` for the strict run):
    every case can be made again alone."""

    def __init__(self, seed: int, world: World, strict: bool = False):
        self.seed = seed
        self.world = world
        self.strict = strict
        # The strict run draws its own cases from the same seed.
        self.namespace = f"{seed}:strict" if strict else f"{seed}"

    # ---- valid requests ----------------------------------------------------------------------------

    def name(self, rng: random.Random, prefix: str) -> str:
        return f"{prefix}-{rng.getrandbits(40):010x}"

    def key_material(self, rng: random.Random) -> tuple[bytes, str]:
        """The bytes of a key file ImportKeyPair may be given (most of them public keys)."""
        m = self.world.material
        kind = rng.choice(["ed-line", "ed-line", "rsa-line", "rsa-line-real", "rfc4716-ed", "rfc4716-rsa",
                           "rfc4716-real", "spki-pem", "spki-der-b64", "spki-der", "pkcs1-pub-pem", "ed-spki-pem",
                           "openssh-private-ed", "openssh-private-rsa", "pkcs8", "pkcs1", "ppk", "cert"])
        bits = rng.choice([1024, 2048, 2048, 3072, 4096])
        n, e = rsa_modulus(rng, bits), 65537
        ed = rng.randbytes(32)
        if kind == "ed-line":
            return f"ssh-ed25519 {base64.b64encode(ed25519_blob(ed)).decode()} c{rng.randint(0, 99)}".encode(), kind
        if kind == "rsa-line":
            return f"ssh-rsa {base64.b64encode(rsa_blob(e, n)).decode()}".encode(), kind
        if kind == "rsa-line-real":
            return m.rsa_public.encode(), kind
        if kind == "rfc4716-ed":
            return rfc4716(ed25519_blob(ed), ['Comment: "adversarial"']).encode(), kind
        if kind == "rfc4716-rsa":
            return rfc4716(rsa_blob(e, n), ["x-made-by: adversarial"], eol=rng.choice(["\n", "\r\n"])).encode(), kind
        if kind == "rfc4716-real":
            return m.rsa_rfc4716.encode(), kind
        if kind == "spki-pem":
            return pem("PUBLIC KEY", rsa_spki(n, e)).encode(), kind
        if kind == "spki-der-b64":
            return base64.b64encode(rsa_spki(n, e)), kind
        if kind == "spki-der":
            return rsa_spki(n, e), kind
        if kind == "pkcs1-pub-pem":
            return pem("RSA PUBLIC KEY", rsa_pkcs1_public(n, e)).encode(), kind
        if kind == "ed-spki-pem":
            return pem("PUBLIC KEY", ed25519_spki(ed)).encode(), kind
        if kind == "openssh-private-ed":
            return m.ed25519_private.encode(), kind
        if kind == "openssh-private-rsa":
            return m.rsa_private_openssh.encode(), kind
        if kind == "pkcs8":
            return m.rsa_pkcs8.encode(), kind
        if kind == "pkcs1":
            return m.rsa_pkcs1.encode(), kind
        if kind == "ppk":
            return m.ppk.encode(), kind
        return m.self_signed_cert.encode(), kind

    def tag_spec(self, rng: random.Random, resource: str, n: int | None = None) -> list:
        params = [("TagSpecification.1.ResourceType", resource)]
        for i in range(1, (n if n is not None else rng.randint(1, 3)) + 1):
            params += [(f"TagSpecification.1.Tag.{i}.Key", f"k{i}"), (f"TagSpecification.1.Tag.{i}.Value", f"v{rng.randint(0, 9)}")]
        return params

    def filters(self, rng: random.Random, names: list[str]) -> list:
        params = []
        for i in range(1, rng.randint(1, 3) + 1):
            params.append((f"Filter.{i}.Name", rng.choice(names)))
            for j in range(1, rng.randint(1, 3) + 1):
                params.append((f"Filter.{i}.Value.{j}", rng.choice(["*", "adv-*", "?dv*", "k1", "running", "x\\*", "ab"])))
        return params

    def template(self, rng: random.Random) -> tuple[str, str, list]:
        """(service, label, parameters) of a valid request; for Instance Connect the parameters are the JSON fields."""
        w = self.world
        m = w.material
        choice = rng.choices(TEMPLATES, weights=[t[1] for t in TEMPLATES])[0][0]
        ec2 = [("Action", choice), ("Version", EC2_VERSION)]
        iam = [("Action", choice), ("Version", IAM_VERSION)]
        if choice == "CreateKeyPair":
            params = ec2 + [("KeyName", self.name(rng, "adv")), ("KeyType", "ed25519")]
            if rng.random() < 0.02:
                params = params[:-1] + [("KeyType", "rsa")]
            if rng.random() < 0.5:
                params.append(("KeyFormat", rng.choice(["pem", "ppk"])))
            if rng.random() < 0.4:
                params += self.tag_spec(rng, "key-pair")
            return "ec2", choice, params
        if choice == "ImportKeyPair":
            data, kind = self.key_material(rng)
            params = ec2 + [("KeyName", self.name(rng, "imp")), ("PublicKeyMaterial", base64.b64encode(data).decode())]
            if rng.random() < 0.3:
                params += self.tag_spec(rng, "key-pair")
            return "ec2", f"{choice}/{kind}", params
        if choice == "DescribeKeyPairs":
            params = list(ec2)
            r = rng.random()
            if r < 0.3 and w.key_names:
                params += [(f"KeyName.{i + 1}", rng.choice(w.key_names)) for i in range(rng.randint(1, 3))]
            elif r < 0.5 and w.key_pair_ids:
                params += [(f"KeyPairId.{i + 1}", rng.choice(w.key_pair_ids)) for i in range(rng.randint(1, 2))]
            elif r < 0.9:
                params += self.filters(rng, ["key-name", "key-pair-id", "fingerprint", "tag-key", "tag:k1", "key-type"])
            if rng.random() < 0.5:
                params.append(("IncludePublicKey", rng.choice(["true", "false"])))
            return "ec2", choice, params
        if choice == "DeleteKeyPair":
            return "ec2", choice, ec2 + [("KeyName", self.name(rng, "gone"))]
        if choice in ("CreateTags", "DeleteTags"):
            resource = rng.choice(w.key_pair_ids) if w.key_pair_ids else "key-0123456789abcdef0"
            params = ec2 + [("ResourceId.1", resource)]
            for i in range(1, rng.randint(1, 3) + 1):
                params += [(f"Tag.{i}.Key", f"t{rng.randint(0, 5)}"), (f"Tag.{i}.Value", "v")]
            return "ec2", choice, params
        if choice == "DescribeTags":
            params = ec2 + self.filters(rng, ["resource-id", "key", "value", "resource-type"])
            if rng.random() < 0.5:
                params.append(("MaxResults", str(rng.choice([5, 10, 100, 1000]))))
            if rng.random() < 0.2:
                params.append(("NextToken", base64.b64encode(b"key-0123\0k1").decode()))
            return "ec2", choice, params
        if choice == "DescribeRegions":
            params = list(ec2)
            if rng.random() < 0.5:
                params.append(("RegionName.1", rng.choice(SERVED_REGIONS)))
            return "ec2", choice, params
        if choice == "RunInstances":
            params = ec2 + [("ImageId", rng.choice(w.image_ids or ["ami-0123456789abcdef0"])), ("MinCount", "1"),
                            ("MaxCount", str(rng.randint(1, 2))), ("InstanceType", rng.choice(["t3.micro", "m5.large"]))]
            if w.key_names and rng.random() < 0.8:
                params.append(("KeyName", rng.choice(w.key_names)))
            if rng.random() < 0.3:
                params.append(("ClientToken", self.name(rng, "tok")))
            if rng.random() < 0.3:
                params += self.tag_spec(rng, "instance")
            return "ec2", choice, params
        if choice == "DescribeInstances":
            params = list(ec2)
            if rng.random() < 0.4:
                params.append(("InstanceId.1", w.instance_id))
            else:
                params += self.filters(rng, ["instance-id", "key-name", "instance-state-name", "platform", "tag:k1",
                                             "image-id", "private-ip-address", "reservation-id"])
            if rng.random() < 0.4:
                params.append(("MaxResults", str(rng.choice([5, 6, 10, 1000]))))
            return "ec2", choice, params
        if choice in ("StartInstances", "StopInstances", "TerminateInstances", "GetPasswordData"):
            ids = w.spare_instance_ids or ["i-0123456789abcdef0"]
            if choice == "GetPasswordData":
                return "ec2", choice, ec2 + [("InstanceId", rng.choice(ids + [w.instance_id]))]
            return "ec2", choice, ec2 + [("InstanceId.1", rng.choice(ids))]
        if choice == "DescribeImages":
            params = list(ec2)
            if rng.random() < 0.5 and w.image_ids:
                params.append(("ImageId.1", rng.choice(w.image_ids)))
            else:
                params += self.filters(rng, ["platform", "name", "image-id", "owner-alias"])
            return "ec2", choice, params
        if choice == "CreateUser":
            params = iam + [("UserName", self.name(rng, "u"))]
            if rng.random() < 0.4:
                params.append(("Path", "/adv/"))
            return "iam", choice, params
        if choice in ("GetUser", "DeleteUser", "ListAccessKeys", "ListSSHPublicKeys"):
            return "iam", choice, iam + [("UserName", rng.choice([w.user, self.name(rng, "u")]))]
        if choice == "ListUsers":
            params = list(iam)
            if rng.random() < 0.5:
                params.append(("MaxItems", str(rng.choice([1, 2, 100]))))
            if rng.random() < 0.3:
                params.append(("Marker", base64.b64encode(b"/\0adv").decode()))
            return "iam", choice, params
        if choice == "CreateAccessKey":
            return "iam", choice, iam + [("UserName", rng.choice([w.user, self.name(rng, "u")]))]
        if choice in ("UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed"):
            params = iam + [("AccessKeyId", "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)))]
            if choice == "UpdateAccessKey":
                params.append(("Status", rng.choice(["Active", "Inactive"])))
            if choice != "GetAccessKeyLastUsed":
                params.append(("UserName", self.name(rng, "u")))
            return "iam", choice, params
        if choice == "UploadSSHPublicKey":
            body = rng.choice([m.rsa_public, m.rsa_spki_pem, m.rsa_rfc4716, m.ed25519_public,
                               f"ssh-rsa {base64.b64encode(rsa_blob(65537, rsa_modulus(rng, 2048))).decode()} x"])
            return "iam", choice, iam + [("UserName", w.user), ("SSHPublicKeyBody", body)]
        if choice == "GetSSHPublicKey":
            return "iam", choice, iam + [("UserName", w.user), ("SSHPublicKeyId", "APKA" + "A" * 16),
                                         ("Encoding", rng.choice(["SSH", "PEM"]))]
        if choice == "UploadServerCertificate":
            r = rng.random()
            if r < 0.5:
                cert, key, chain = m.self_signed_cert, rng.choice([m.rsa_pkcs8, m.rsa_pkcs1]), None
            else:
                cert, key, chain = m.leaf_cert, rng.choice([m.leaf_key, m.ec_key_pkcs8]), m.ca_cert
            params = iam + [("ServerCertificateName", self.name(rng, "cert")), ("CertificateBody", cert),
                            ("PrivateKey", key)]
            if chain:
                params.append(("CertificateChain", chain))
            if rng.random() < 0.3:
                params.append(("Path", "/adv/"))
            return "iam", choice, params
        if choice in ("GetServerCertificate", "DeleteServerCertificate"):
            return "iam", choice, iam + [("ServerCertificateName", self.name(rng, "cert"))]
        if choice == "ListServerCertificates":
            params = list(iam)
            if rng.random() < 0.5:
                params.append(("MaxItems", str(rng.choice([1, 5, 1000]))))
            if rng.random() < 0.3:
                params.append(("PathPrefix", "/adv/"))
            return "iam", choice, params
        if choice == "GetCallerIdentity":
            return "sts", choice, [("Action", choice), ("Version", STS_VERSION)]
        if choice == "SendSSHPublicKey":
            key = rng.choice([m.ed25519_public, m.rsa_public,
                              f"ssh-ed25519 {base64.b64encode(ed25519_blob(rng.randbytes(32))).decode()} pushed"])
            fields = [("InstanceId", w.instance_id), ("InstanceOSUser", rng.choice(["ec2-user", "ubuntu", "root", "admin"])),
                      ("SSHPublicKey", key)]
            if rng.random() < 0.3:
                fields.append(("AvailabilityZone", "us-east-1a"))
            return "ec2-instance-connect", choice, fields
        if choice == "AuthorizedKeys":
            return "keyway", choice, [("id", rng.choice([w.instance_id, "i-nope", "", "..", "%00", "i-" + "f" * 300])),
                                      ("user", rng.choice(["ec2-user", "", "root", "\u00e9", "a" * 1000]))]
        raise AssertionError(choice)

    # ---- damage to parameters ---------------------------------------------------------------------

    def mutate_key_text(self, rng: random.Random, data: bytes) -> tuple[bytes, str]:
        """Damage to key material: inside the decoded blob (re-encoded), in its base64, or in the text around it."""
        m = self.world.material
        op = rng.choice(KEY_MUTATIONS)
        text = data.decode("latin-1")
        if op == "truncate-base64":
            cut = rng.randint(1, max(1, len(text) - 1))
            return data[:cut], op
        if op == "blob-flip":
            blob, wrap = self._blob_of(text, rng)
            if blob is None:
                return self._flip(rng, data, rng.randint(1, 4)), "text-flip"
            return wrap(self._flip(rng, blob, rng.randint(1, 6))), op
        if op == "blob-length":
            blob, wrap = self._blob_of(text, rng)
            if blob is None or len(blob) < 8:
                return data, op
            pos = rng.choice([0, 4 + struct.unpack(">I", blob[:4])[0]]) if len(blob) > 8 else 0
            pos = min(pos, len(blob) - 4)
            value = rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, len(blob), len(blob) + 1])
            return wrap(blob[:pos] + struct.pack(">I", value) + blob[pos + 4:]), op
        if op == "blob-trailing":
            blob, wrap = self._blob_of(text, rng)
            if blob is None:
                return data + b"\0", op
            return wrap(blob + rng.randbytes(rng.randint(1, 64))), op
        if op == "blob-truncate":
            blob, wrap = self._blob_of(text, rng)
            if not blob:
                return data[: len(data) // 2], op
            return wrap(blob[: rng.randint(0, len(blob) - 1)]), op
        if op == "odd-keys":
            e = rng.choice([1, 2, 3, 65536, (1 << 64) + 1, (1 << 72) - 1, 0, -3 & 0xFF])
            bits = rng.choice([1023, 1024, 16384, 16385, 512, 8, 65536])
            n = rsa_modulus(rng, bits) if bits > 1 else 3
            if rng.random() < 0.2:
                n &= ~1
            blob = rng.choice([
                rsa_blob(e, n), ed25519_blob(rng.randbytes(rng.choice([0, 31, 33, 64]))),
                ssh_string(b"ssh-rsa") + ssh_string(b"\xff" * 256) + mpint(n),
                ssh_string(b"ssh-rsa") + mpint(65537) + ssh_string(b"\0" * 100000 + b"\x01"),
                ssh_string(rng.choice([b"ssh-dss", b"ecdsa-sha2-nistp256", b"sk-ssh-ed25519@openssh.com", b"",
                                       b"ssh-ed25519\0", b"x" * 5000, b"\xff\xfe", b"ssh-rsa-cert-v01@openssh.com"]))
                + ssh_string(rng.randbytes(32)),
            ])
            form = rng.choice(["line", "rfc", "spki"])
            if form == "line":
                return b"ssh-rsa " + base64.b64encode(blob), op
            if form == "rfc":
                return rfc4716(blob).encode(), op
            return pem("PUBLIC KEY", rsa_spki(n, e if e > 0 else 3)).encode(), op
        if op == "rfc4716-header":
            blob = ed25519_blob(rng.randbytes(32)) if rng.random() < 0.5 else rsa_blob(65537, rsa_modulus(rng, 2048))
            header = rng.choice(RFC4716_HEADERS)
            if callable(header):
                header = header(rng)
            lines = header if isinstance(header, list) else [header]
            tag = "colon-only" if any(set(l.strip()) == {":"} for l in lines) else "other"
            return rfc4716(blob, lines, eol=rng.choice(["\n", "\r\n", "\r"])).encode(), f"{op}/{tag}"
        if op == "rfc4716-frame":
            blob = ed25519_blob(rng.randbytes(32))
            full = rfc4716(blob)
            variant = rng.choice(["no-end", "two-blocks", "after-end", "empty-body", "lower", "begin-only", "bad-b64",
                                  "long-line", "only-headers"])
            if variant == "no-end":
                return full.replace("---- END SSH2 PUBLIC KEY ----", "").encode(), f"{op}/{variant}"
            if variant == "two-blocks":
                return (full + full).encode(), f"{op}/{variant}"
            if variant == "after-end":
                return (full + "trailing text\n").encode(), f"{op}/{variant}"
            if variant == "empty-body":
                return b"---- BEGIN SSH2 PUBLIC KEY ----\n---- END SSH2 PUBLIC KEY ----\n", f"{op}/{variant}"
            if variant == "lower":
                return full.lower().encode(), f"{op}/{variant}"
            if variant == "begin-only":
                return b"---- BEGIN SSH2 PUBLIC KEY ----", f"{op}/{variant}"
            if variant == "bad-b64":
                return full.replace("A", "!", 3).encode(), f"{op}/{variant}"
            if variant == "long-line":
                return rfc4716(blob, ["Comment: " + "x" * 100000]).encode(), f"{op}/{variant}"
            return ("---- BEGIN SSH2 PUBLIC KEY ----\n" + "a: b\n" * 3000 + "---- END SSH2 PUBLIC KEY ----\n").encode(), f"{op}/{variant}"
        if op == "openssh-private":
            parsed = rng.choice([m.ed25519_parsed, m.rsa_parsed])
            variant = rng.choice(["long-padding", "padding-255", "bad-padding", "check-differs",
                                  "nkeys", "cipher", "kdf", "long-comment", "truncated", "unaligned", "type-mismatch"])
            if variant == "long-padding":
                text = parsed.build(padding=rng.choice([256, 257, 300, 1024, 4096, 65536]))
            elif variant == "padding-255":
                text = parsed.build(padding=rng.choice([248, 250, 255]))
            elif variant == "bad-padding":
                text = parsed.build(pad_bytes=bytes(rng.randint(1, 7) * [0]) if rng.random() < 0.5 else b"\x01\x03")
            elif variant == "check-differs":
                text = parsed.build(check2=parsed.check ^ 1)
            elif variant == "nkeys":
                text = parsed.build(nkeys=rng.choice([0, 2, 0xFFFFFFFF]))
            elif variant == "cipher":
                text = parsed.build(cipher=rng.choice([b"aes256-ctr", b"", b"\xff" * 3, b"n" * 10000]))
            elif variant == "kdf":
                text = parsed.build(kdf=b"bcrypt")
            elif variant == "long-comment":
                text = parsed.build(comment=rng.choice([b"c" * 100000, b"\xff\xfe\x00", "\u00e9".encode()]))
            elif variant == "truncated":
                text = parsed.build(truncate_secret=rng.randint(0, 40))
            elif variant == "unaligned":
                text = parsed.build(pad_bytes=b"\x01")
            else:
                other = m.rsa_parsed if parsed is m.ed25519_parsed else m.ed25519_parsed
                text = parsed.build(public_blob=other.public_blob)
            return text.encode(), f"{op}/{variant}"
        if op == "pem-frame":
            body = pem_body(m.rsa_spki_pem)
            variant = rng.choice(["proc-type", "mismatched-end", "empty-label", "no-end", "nested", "bad-b64",
                                  "der-flip", "der-truncate", "der-long-length", "der-indefinite", "der-deep",
                                  "two-blocks", "header-fold", "pkcs8-flip", "pkcs1-flip", "ec-label", "dsa-label"])
            if variant == "proc-type":
                text = m.rsa_pkcs1.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n", 1)
            elif variant == "mismatched-end":
                text = m.rsa_spki_pem.replace("END PUBLIC KEY", "END RSA PUBLIC KEY")
            elif variant == "empty-label":
                text = pem("", body)
            elif variant == "no-end":
                text = m.rsa_spki_pem.split("-----END")[0]
            elif variant == "nested":
                text = m.rsa_spki_pem.replace("-----\n", "-----\n-----BEGIN PUBLIC KEY-----\n", 1)
            elif variant == "bad-b64":
                text = m.rsa_spki_pem.replace("M", "*", 2)
            elif variant == "der-flip":
                text = pem("PUBLIC KEY", self._flip(rng, body, rng.randint(1, 4)))
            elif variant == "der-truncate":
                text = pem("PUBLIC KEY", body[: rng.randint(0, len(body) - 1)])
            elif variant == "der-long-length":
                text = pem("PUBLIC KEY", b"\x30\x84\xff\xff\xff\xff" + body[4:])
            elif variant == "der-indefinite":
                text = pem("PUBLIC KEY", b"\x30\x80" + body[4:] + b"\x00\x00")
            elif variant == "der-deep":
                depth = rng.choice([100, 1000, 5000])
                inner = b"\x05\x00"
                for _ in range(depth):
                    inner = der(0x30, inner)
                text = pem(rng.choice(["PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "CERTIFICATE"]), inner)
            elif variant == "two-blocks":
                text = m.rsa_spki_pem + m.rsa_spki_pem
            elif variant == "header-fold":
                text = m.rsa_pkcs1.replace("-----\n", "-----\nX-Header: a\n continued\n\tmore\n\n", 1)
            elif variant == "pkcs8-flip":
                text = pem("PRIVATE KEY", self._flip(rng, pem_body(m.rsa_pkcs8), rng.randint(1, 3)))
            elif variant == "pkcs1-flip":
                text = pem("RSA PRIVATE KEY", self._flip(rng, pem_body(m.rsa_pkcs1), rng.randint(1, 3)))
            elif variant == "ec-label":
                text = m.leaf_key
            else:
                text = pem("DSA PRIVATE KEY", body)
            return text.encode(), f"{op}/{variant}"
        if op == "ppk":
            lines = m.ppk.splitlines()
            variant = rng.choice(["count-huge", "count-negative", "count-text", "mac", "missing", "encryption", "v1", "v3"])
            out = []
            for line in lines:
                if variant.startswith("count") and line.startswith("Public-Lines:"):
                    line = "Public-Lines: " + {"count-huge": "99999999999999999999", "count-negative": "-1",
                                               "count-text": "two"}[variant]
                elif variant == "mac" and line.startswith("Private-MAC:"):
                    line = "Private-MAC: " + "0" * 40
                elif variant == "encryption" and line.startswith("Encryption:"):
                    line = "Encryption: aes256-cbc"
                elif variant == "v1" and line.startswith("PuTTY-User-Key-File-"):
                    line = "PuTTY-User-Key-File-1: ssh-ed25519"
                elif variant == "v3" and line.startswith("PuTTY-User-Key-File-"):
                    line = line.replace("File-2", "File-3")
                out.append(line)
            if variant == "missing":
                out = out[: rng.randint(1, len(out) - 1)]
            return "\n".join(out).encode(), f"{op}/{variant}"
        if op == "line-oddities":
            blob = base64.b64encode(ed25519_blob(rng.randbytes(32))).decode()
            return rng.choice([
                f"ssh-ed25519\t{blob}\tcomment", f"ssh-ed25519 {blob} " + "c" * 100000, "ssh-ed25519", "ssh-ed25519 ",
                f"ssh-rsa {blob}", f"ssh-ed25519 {blob}\nssh-ed25519 {blob}", f"  ssh-ed25519 {blob} \u00e9\u202e",
                f"ssh-ed25519 {blob[:-1]}", f"ssh-ed25519 {blob}==", f"ssh-ed25519 {blob} \x00\x01",
                f"from=\"x\" ssh-ed25519 {blob}", f"ssh-ed25519 {blob.replace('A', '-')}", f"\ufeffssh-ed25519 {blob}",
                f"ecdsa-sha2-nistp256 {blob}", f"sk-ssh-ed25519@openssh.com {blob}", "ssh-" + "x" * 10000,
            ]).encode("utf-8", "surrogatepass"), op
        if op == "binary":
            return rng.choice([b"\x30", b"\x30\x00", b"\x30\x82\xff\xff", rng.randbytes(rng.randint(1, 300)),
                               b"\x00" * 100, "\u00e9".encode() * 50, b"\xff" * 64]), op
        # insert/delete/flip in the text
        return self._flip(rng, data, rng.randint(1, 8)), "text-flip"

    def _blob_of(self, text: str, rng: random.Random):
        """The SSH/DER blob inside key text, and a function that puts a changed blob back the same way."""
        stripped = text.strip()
        if stripped.startswith("ssh-") or stripped.startswith("ecdsa-"):
            parts = stripped.split()
            if len(parts) >= 2:
                try:
                    blob = base64.b64decode(parts[1], validate=True)
                except ValueError:
                    return None, None
                return blob, lambda b: " ".join([parts[0], base64.b64encode(b).decode(), *parts[2:]]).encode()
        if stripped.startswith("---- BEGIN SSH2"):
            lines = [l for l in stripped.splitlines() if l and not l.startswith("----") and ":" not in l]
            try:
                blob = base64.b64decode("".join(lines))
            except ValueError:
                return None, None
            return blob, lambda b: rfc4716(b, ['Comment: "x"']).encode()
        match = re.match(r"-----BEGIN ([^-]*)-----", stripped)
        if match:
            label = match.group(1)
            try:
                blob = pem_body(stripped)
            except ValueError:
                return None, None
            return blob, lambda b: pem(label, b).encode()
        return None, None

    @staticmethod
    def _flip(rng: random.Random, data: bytes, count: int) -> bytes:
        out = bytearray(data)
        for _ in range(count):
            op = rng.random()
            if not out or op < 0.2:
                out.insert(rng.randint(0, len(out)), rng.randrange(256))
            elif op < 0.4:
                del out[rng.randrange(len(out))]
            else:
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)

    def mutate_params(self, rng: random.Random, service: str, params: list, labels: list, op: str | None = None) -> list:
        params = list(params) or [("Action", "DescribeRegions")]
        op = op or rng.choice(PARAM_MUTATIONS)
        if op == "bulk":
            op = rng.choice(["many-params", "many-list-members", "many-tags"])
        labels.append(op)
        key_fields = [i for i, (k, _) in enumerate(params) if k in KEY_FIELDS]
        if op == "key-material" and key_fields:
            i = rng.choice(key_fields)
            name, value = params[i]
            try:
                raw = base64.b64decode(value) if name == "PublicKeyMaterial" else _b(value)
            except ValueError:
                raw = _b(value)
            damaged, how = self.mutate_key_text(rng, raw)
            labels[-1] = f"key:{how}"
            if name == "PublicKeyMaterial":
                encoded = base64.b64encode(damaged).decode()
                if rng.random() < 0.15:
                    encoded = rng.choice([encoded[: rng.randint(0, len(encoded))], encoded.rstrip("="),
                                          encoded + "===", "\n".join(textwrap.wrap(encoded, 60)), encoded.replace("A", "!", 1)])
                params[i] = (name, encoded)
            else:
                params[i] = (name, damaged)
            return params
        if op == "key-material":
            op = "duplicate"
            labels[-1] = op
        if op == "duplicate":
            k, v = rng.choice(params)
            params.insert(rng.randint(0, len(params)), (k, v if rng.random() < 0.5 else _b(v) + b"x"))
        elif op == "drop":
            if params:
                del params[rng.randrange(len(params))]
        elif op == "absurd-number":
            numeric = [i for i, (k, _) in enumerate(params) if k in NUMERIC_FIELDS]
            value = rng.choice(INTERESTING_NUMBERS)
            if numeric:
                i = rng.choice(numeric)
                params[i] = (params[i][0], value)
            else:
                params.append((rng.choice(["MaxResults", "MaxItems", "MinCount", "MaxCount"]), value))
        elif op == "absurd-index":
            k, v = rng.choice(params)
            k = k.decode("latin-1") if isinstance(k, bytes) else k
            index = rng.choice(["0", "-1", "00", "1.5", "99999999999999999999", "2147483648", "", "a", "\u0661", "1 "])
            name = re.sub(r"\.\d+", "." + index, k, count=1) if re.search(r"\.\d+", k) else f"{k}.{index}"
            params.append((name, v))
        elif op == "long-value":
            i = rng.randrange(len(params))
            size = rng.choice([256, 1025, 4097, 65536, 300000])
            base = params[i][1] if isinstance(params[i][1], str) and params[i][1] else "x"
            params[i] = (params[i][0], (base * (size // len(base) + 1))[:size])
        elif op == "odd-string":
            i = rng.randrange(len(params))
            params[i] = (params[i][0], rng.choice(INTERESTING_STRINGS))
        elif op == "invalid-utf8":
            i = rng.randrange(len(params))
            k, v = params[i]
            bad = rng.choice(INVALID_UTF8)
            if rng.random() < 0.3:
                params[i] = (_b(k) + bad, v)
            else:
                params[i] = (k, _b(v) + bad)
        elif op == "control-chars":
            i = rng.randrange(len(params))
            params[i] = (params[i][0], _b(params[i][1]) + bytes([rng.choice([0, 1, 8, 11, 12, 27, 31, 127])]))
        elif op == "action":
            params = [p for p in params if p[0] != "Action"]
            params.insert(0, ("Action", rng.choice(ALL_ACTIONS + ["", "createkeypair", "CreateKeyPair ", "X" * 5000,
                                                                   "CreateKeyPair\x00", "\u00e9"])))
        elif op == "version":
            params = [p for p in params if p[0] != "Version"]
            params.append(("Version", rng.choice([EC2_VERSION, IAM_VERSION, STS_VERSION, "", "2099-01-01", "x" * 300])))
        elif op == "many-params":
            count = rng.choice([500, 5000, 10001, 12000])
            params += [(f"P{i}", "1") for i in range(count)]
        elif op == "many-list-members":
            base = rng.choice(["KeyName", "KeyPairId", "Filter.1.Value", "InstanceId", "ResourceId", "RegionName", "ImageId"])
            params += [(f"{base}.{i}", f"v{i}") for i in range(1, rng.choice([201, 1001, 5001]) + 1)]
        elif op == "many-tags":
            prefix = rng.choice(["TagSpecification.1.Tag", "Tag"])
            params.append(("TagSpecification.1.ResourceType", rng.choice(["key-pair", "instance", "volume", ""])))
            for i in range(1, rng.choice([51, 60, 1001]) + 1):
                params += [(f"{prefix}.{i}.Key", rng.choice([f"k{i}", "aws:x", "", "k" * 129])),
                           (f"{prefix}.{i}.Value", "v" * rng.choice([1, 257]))]
        elif op == "page-token":
            params.append((rng.choice(["NextToken", "Marker"]), rng.choice([
                "", "!!!", "AAAA", base64.b64encode(b"\0\0\0\0").decode(), base64.b64encode(b"\xff\xfe").decode(),
                "A" * 5000, base64.b64encode(b"x" * 3000).decode(), base64.b64encode(b"a\0b\0c\0d\0e").decode(),
                base64.b64encode("\u00e9\0\u00e9".encode()).decode(),
            ])))
        elif op == "filter-odd":
            params += [("Filter.1.Name", rng.choice(["tag:", "tag:" + "k" * 200, "", "unknown", "key-name", "*"])),
                       ("Filter.1.Value.1", rng.choice(["*" * 1000 + "x", "?" * 300, "\\", "*\\", "[a-z]", "" , "a*" * 500]))]
        elif op == "bool":
            params.append((rng.choice(["DryRun", "IncludePublicKey"]), rng.choice(["TRUE", "1", "yes", "", "true ", "nan"])))
        elif op == "empty-name":
            params.append(("", "x"))
        return params

    # ---- encoding and damage to bytes -------------------------------------------------------------

    def mutate_body(self, rng: random.Random, body: bytes, labels: list) -> bytes:
        op = rng.choice(BODY_MUTATIONS)
        labels.append(f"body:{op}")
        if op == "flip":
            return self._flip(rng, body, rng.randint(1, 10))
        if op == "truncate":
            return body[: rng.randint(0, max(0, len(body) - 1))]
        if op == "insert":
            pos = rng.randint(0, len(body))
            return body[:pos] + rng.choice([b"&", b"=", b"%", b"+", b"\x00", b"\xff", b"\r\n", b"&&&", b"==", b"%%",
                                            b"%2", b"%ZZ", b"&=", rng.randbytes(8)]) + body[pos:]
        if op == "delete":
            if not body:
                return body
            a = rng.randrange(len(body))
            return body[:a] + body[a + rng.randint(1, 16):]
        if op == "repeat":
            if not body:
                return b"&" * 100000
            a = rng.randrange(len(body))
            chunk = body[a:a + rng.randint(1, 64)]
            times = rng.choice([1000, 20000, 200000]) // max(1, len(chunk))
            return body[:a] + chunk * times + body[a:]
        if op == "huge":
            # Bodies over the limit are refused by their Content-Length (cheap); those under it are parsed whole
            # (seconds each on a debug build), so only a few of them.
            size = rng.choice([BODY_LIMIT + 1, 9 << 20, 64 << 20]) if rng.random() < 0.8 else \
                rng.choice([2 << 20, 6 << 20, BODY_LIMIT - 64])
            filler = rng.choice([b"a", b"&", b"%41", b"x=1&", b"="])
            return (body + b"&Pad=" + filler * (size // len(filler)))[:size]
        if op == "percent-damage":
            escapes = [m.start() for m in re.finditer(rb"%[0-9A-F]{2}", body)]
            damage = rng.choice([b"%", b"%4", b"%G1", b"%%", b"%00", b"%0", b"%C0%80", b"%ED%A0%80", b"%FF", b"%u0041",
                                 b"%EF%BF%BF", b"%F0%9F", b"%0B", b"%7F"])
            if escapes and rng.random() < 0.7:
                p = rng.choice(escapes)
                return body[:p] + damage + body[p + 3:]
            return body + damage
        if op == "invalid-utf8-raw":
            pos = rng.randint(0, len(body))
            return body[:pos] + rng.choice(INVALID_UTF8) + body[pos:]
        if op == "empty":
            return b""
        if op == "separators":
            return rng.choice([body.replace(b"&", b";"), body.replace(b"=", b":"), b"&" + body + b"&",
                               body.replace(b"&", b"&&"), body.replace(b"%20", b"+"), body.replace(b"+", b"%2B")])
        return body

    def json_body(self, rng: random.Random, fields: list, labels: list) -> bytes:
        doc = {k: v for k, v in fields}
        if rng.random() < 0.55:
            return json.dumps(doc).encode()
        op = rng.choice(JSON_MUTATIONS)
        labels.append(f"json:{op}")
        if op == "not-json":
            return rng.choice([b"", b"{", b"}", b"null", b"[]", b"\"x\"", b"1", b"{'InstanceId': 1}", b"Action=SendSSHPublicKey",
                               b"\xff\xfe{}", b"{\"a\":}", b"{,}", b"\x00", b"<xml/>", b"tru", b"1e999999"])
        if op == "truncated":
            text = json.dumps(doc).encode()
            return text[: rng.randint(0, len(text) - 1)]
        if op == "deep":
            depth = rng.choice([100, 600, 10000, 100000])
            return b"[" * depth + b"]" * depth if rng.random() < 0.5 else b'{"a":' * depth + b"1" + b"}" * depth
        if op == "wrong-types":
            key = rng.choice(["InstanceId", "InstanceOSUser", "SSHPublicKey", "AvailabilityZone"])
            doc[key] = rng.choice([None, 1, 1e308, -1, True, [], {}, ["i-1"], {"a": 1}, 10 ** 40])
        elif op == "lone-surrogate":
            key = rng.choice(["InstanceId", "InstanceOSUser", "SSHPublicKey"])
            text = json.dumps(doc).replace(json.dumps(doc[key]), '"\\ud800x"' if rng.random() < 0.5 else '"\\udc00\\u0000"', 1)
            return text.encode()
        elif op == "invalid-utf8":
            text = json.dumps(doc).encode()
            pos = text.find(b'"', rng.randint(0, len(text) - 1))
            pos = pos if pos >= 0 else len(text) // 2
            return text[:pos + 1] + rng.choice(INVALID_UTF8) + text[pos + 1:]
        elif op == "duplicate-keys":
            text = json.dumps(doc)
            return (text[:-1] + ', "InstanceId": "i-0000000000000000f"}').encode()
        elif op == "odd-values":
            key = rng.choice(["InstanceId", "InstanceOSUser", "SSHPublicKey"])
            doc[key] = rng.choice(INTERESTING_STRINGS + ["a" * 33, "a" * 4097, "i-" + "f" * 30, "\u00e9" * 32,
                                                        "\u0301" * 40, "e\u0301" * 32, "$", ".", "-", "a" * 100000])
        elif op == "key-material":
            damaged, how = self.mutate_key_text(rng, doc["SSHPublicKey"].encode())
            labels[-1] = f"json:key:{how}"
            doc["SSHPublicKey"] = damaged.decode("utf-8", "surrogateescape")
            return json.dumps(doc).encode()
        elif op == "extra":
            doc.update({"Extra": "x" * rng.choice([10, 100000]), "": None, "\u00e9": [1, 2, 3]})
        elif op == "huge-number":
            return json.dumps(doc)[:-1].encode() + b', "n": ' + b"9" * rng.choice([400, 100000]) + b"}"
        elif op == "bom":
            return b"\xef\xbb\xbf" + json.dumps(doc).encode()
        return json.dumps(doc).encode()

    # ---- the whole request ------------------------------------------------------------------------

    def sign_headers(self, rng: random.Random, *, method: str, path: str, query: str, headers: list, body: bytes,
                     service: str, labels: list) -> list:
        w = self.world
        region = REGION if rng.random() > 0.03 else rng.choice(["eu-west-1", "xx-nowhere-1", "US-EAST-1", "us-east-1 "])
        key_id, secret = w.key_id, w.secret
        if self.strict:
            r = rng.random()
            if r < 0.12 and w.user_key_id:
                key_id, secret = w.user_key_id, w.user_secret
                labels.append("as-user")
            elif r < 0.15 and w.inactive_key_id:
                key_id, secret = w.inactive_key_id, w.inactive_secret
                labels.append("inactive-key")
            elif r < 0.18:
                secret = secret[::-1]
                labels.append("wrong-secret")
            elif r < 0.20:
                key_id = "AKIA" + "Q" * 16
                labels.append("unknown-key")
        else:
            if rng.random() < 0.05:
                key_id, secret = self.world.user_key_id or key_id, self.world.user_secret or secret
        when = None
        if rng.random() < 0.03:
            when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=rng.choice([-20, -16, 16, 60 * 24 * 365]))
            labels.append("clock-skew")
        return SIGNER.sign(method=method, path=path, query=query, headers=headers, body=body, key_id=key_id,
                           secret=secret, region=region, service=service, when=when)

    def case(self, index: int) -> Case:
        rng = random.Random(f"{self.namespace}:{index}")
        w = self.world
        service, action, params = self.template(rng)
        labels: list[str] = [action]
        host = w.host
        if service == "keyway":
            fields = dict(params)
            target = f"/_keyway/instances/{aws_quote(fields['id'])}/authorized-keys?user={aws_quote(fields['user'])}"
            return Case(index, "/".join(labels), method="GET", target=target, headers=[("Host", host)], family="keyway",
                        keepalive=rng.random() < 0.6)
        valid = rng.random() > 0.94  # a few requests left whole: state to work on, and success paths to judge
        key_fields = [k for k, _ in params if k in KEY_FIELDS]
        # Key material is where parsers meet the most hostile input: damaged in a good share of the cases that carry it.
        damage_key = not valid and service != "ec2-instance-connect" and key_fields and rng.random() < 0.45
        mutate_params = not valid and rng.random() < (0.3 if damage_key else 0.45)
        if service == "ec2-instance-connect":
            body = self.json_body(rng, params, labels) if not valid else json.dumps(dict(params)).encode()
            headers = [("Host", host), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", IC_TARGET)]
            method, target, query = "POST", "/", ""
            if not valid and rng.random() < 0.25:
                i = 2
                headers[i] = ("X-Amz-Target", rng.choice([
                    "AWSEC2InstanceConnectService.Nope", "", "AWSEC2InstanceConnectService.", "x" * 10000,
                    "AmazonEC2.DescribeKeyPairs", "AWSEC2InstanceConnectService.SendSerialConsoleSSHPublicKey",
                    IC_TARGET.lower(), IC_TARGET + " ", b"\xff\xfe", "\u00e9"]))
                labels.append("target")
        else:
            if damage_key:
                for _ in range(rng.choice([1, 1, 2])):
                    params = self.mutate_params(rng, service, params, labels, op="key-material")
            if mutate_params:
                for _ in range(rng.choice([1, 1, 1, 2, 3])):
                    params = self.mutate_params(rng, service, params, labels)
            encoded = form_encode(params)
            method, target, query, body = "POST", "/", "", encoded
            if rng.random() < 0.12:
                method, target, query, body = "GET", "/?" + encoded.decode("latin-1"), encoded.decode("latin-1"), b""
                labels.append("GET")
                if rng.random() < 0.2:
                    body = b"Action=DescribeRegions"
                    labels.append("GET-with-body")
            elif rng.random() < 0.04:
                split = rng.randint(0, len(params))
                q = form_encode(params[:split]).decode("latin-1")
                method, target, query, body = "POST", "/?" + q, q, form_encode(params[split:])
                labels.append("query-and-body")
            headers = [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        sign_path = target.split("?", 1)[0]
        if not valid and service != "ec2-instance-connect" and rng.random() < 0.25 and method == "GET":
            # Presigned instead of the Authorization header.
            target = SIGNER.presign(host=host, params=[(k, v) for k, v in params], key_id=w.key_id, secret=w.secret,
                                    region=REGION, service=service,
                                    expires=rng.choice([1, 300, 604800]))
            headers = [("Host", host)]
            labels.append("presigned")
            if rng.random() < 0.7:
                target = self.mutate_presigned(rng, target, labels)
        elif rng.random() > 0.015 or valid:
            headers = self.sign_headers(rng, method=method, path=sign_path, query=query, headers=headers, body=body,
                                        service=service, labels=labels)
        else:
            labels.append("unsigned")
        case = Case(index, "", method=method, target=target, headers=headers, body=body,
                    family="json" if service == "ec2-instance-connect" else "query", keepalive=rng.random() < 0.7)
        if not valid:
            # Every case is damaged somewhere: in its parameters, or after signing, or both.
            if damage_key:
                after = 0.3 + rng.random()  # mostly left whole, so the damaged key reaches its parser
            elif mutate_params or service == "ec2-instance-connect":
                after = rng.random()
            else:
                after = rng.random() * 0.72
            if after < 0.30:
                case.body = self.mutate_body(rng, case.body, labels)
            elif after < 0.48:
                self.mutate_authorization(rng, case, labels)
            elif after < 0.62:
                self.mutate_http(rng, case, labels)
            elif after < 0.72:
                self.mutate_framing(rng, case, labels)
            if rng.random() < 0.05:
                self.mutate_http(rng, case, labels)
        else:
            labels.append("valid")
        # X-Amz-Target decides the protocol on the server, whatever else the request says.
        if case.raw is None:
            case.family = "json" if case.header("X-Amz-Target") is not None else "query"
            case.framing_ok = well_formed_http(case)
        case.label = "/".join(labels)
        return case

    def mutate_presigned(self, rng: random.Random, target: str, labels: list) -> str:
        op = rng.choice(["expires", "algorithm", "signature", "credential", "date", "duplicate", "drop", "signed-headers"])
        labels.append(f"presign:{op}")
        if op == "expires":
            return re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=" + aws_quote(rng.choice(INTERESTING_NUMBERS)), target)
        if op == "algorithm":
            return target.replace("AWS4-HMAC-SHA256", rng.choice(["AWS4-HMAC-SHA512", "", "aws4-hmac-sha256", "%FF"]))
        if op == "signature":
            return re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + rng.choice(["", "0" * 64, "G" * 64, "0" * 65]), target)
        if op == "credential":
            return re.sub(r"X-Amz-Credential=[^&]+", "X-Amz-Credential=" + aws_quote(rng.choice(
                ["", "/", "////", "A/B/C/D/aws4_request", "AKIA%2F" * 100, "\u00e9/20200101/us-east-1/ec2/aws4_request"])), target)
        if op == "date":
            return re.sub(r"X-Amz-Date=[^&]+", "X-Amz-Date=" + aws_quote(rng.choice(
                ["", "20200101T000000Z", "99991231T235959Z", "00000000T000000Z", "20261301T000000Z", "x" * 16])), target)
        if op == "duplicate":
            return target + "&X-Amz-Signature=" + "0" * 64
        if op == "drop":
            parts = target.split("&")
            del parts[rng.randrange(1, len(parts))]
            return "&".join(parts)
        return re.sub(r"X-Amz-SignedHeaders=[^&]+", "X-Amz-SignedHeaders=" + aws_quote(rng.choice(["", ";", "x-amz-date", "HOST"])), target)

    def mutate_authorization(self, rng: random.Random, case: Case, labels: list) -> None:
        index = next((i for i, (k, _) in enumerate(case.headers) if k == "Authorization"), None)
        if index is None:
            case.headers.append(("Authorization", "AWS4-HMAC-SHA256 Credential=x"))
            labels.append("auth:added")
            return
        auth = case.headers[index][1]
        alg, _, rest = auth.partition(" ")
        fields = [f.strip() for f in rest.split(",")]
        op = rng.choice(AUTH_MUTATIONS)
        labels.append(f"auth:{op}")
        if op == "duplicate-field":
            f = rng.choice(fields)
            fields.insert(rng.randint(0, len(fields)), f if rng.random() < 0.5 else f + "0")
        elif op == "unknown-field":
            fields.insert(rng.randint(0, len(fields)), rng.choice(["Foo=bar", "=", "Credential", "X=", "Signature==", "a" * 5000]))
        elif op == "empty-signed-headers":
            fields = [re.sub(r"SignedHeaders=(\S*)", lambda m: "SignedHeaders=" + rng.choice(
                [";" + m.group(1) + ";;", ";;;", "", ";", m.group(1).replace(";", ";;"), m.group(1).upper(),
                 m.group(1).replace("host;", ""), m.group(1) + ";x-missing", ";".join(["h"] * 5000)]), f) for f in fields]
        elif op == "wrong-algorithm":
            alg = rng.choice(["AWS4-HMAC-SHA512", "AWS4-ECDSA-P256-SHA256", "AWS", "AWS3-HTTPS", "aws4-hmac-sha256",
                              "AWS4-HMAC-SHA256x", "Bearer", "Basic", "", "AWS4-HMAC-SHA256\t"])
        elif op == "garbage":
            case.headers[index] = ("Authorization", rng.choice([
                rng.randbytes(rng.randint(1, 200)).replace(b"\r", b"").replace(b"\n", b""), b"\xff\xfe\xfd",
                "AWS4-HMAC-SHA256 " + "\u00e9" * 50, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", ",,,,", "=====",
                "AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=", "AWS4-HMAC-SHA256 " + "," * 10000,
            ]))
            return
        elif op == "credential":
            fields = [re.sub(r"Credential=(\S*)", lambda m: "Credential=" + rng.choice([
                "", "/", "////", "/////", "AKIA/2026/us-east-1/ec2/aws4_request", m.group(1).replace("/aws4_request", ""),
                m.group(1) + "/extra", m.group(1).replace("/ec2/", "/s3/").replace("/iam/", "/sts/"),
                m.group(1).replace(REGION, rng.choice(["", "x" * 300, "\u00e9", "us-east-1\x00"])),
                "A" * 5000 + m.group(1)[20:], m.group(1)[20:],
            ]), f) for f in fields]
        elif op == "signature":
            fields = [re.sub(r"Signature=([0-9a-f]*)", lambda m: "Signature=" + rng.choice([
                "", m.group(1)[:-1], m.group(1) + "0", m.group(1).upper(), "g" * 64, m.group(1)[:-1] + ("0" if m.group(1)[-1] != "0" else "1"),
                "0" * 100000,
            ]), f) for f in fields]
        elif op == "separators":
            sep = rng.choice([",", " ", ",,", " , ", "\t,", ";", ", "])
            auth = alg + rng.choice([" ", "  ", "\t", ""]) + sep.join(fields)
            case.headers[index] = ("Authorization", auth)
            return
        elif op == "drop-field":
            if fields:
                del fields[rng.randrange(len(fields))]
        elif op == "reorder":
            rng.shuffle(fields)
        elif op == "second-header":
            case.headers.insert(index, ("Authorization", rng.choice(["AWS4-HMAC-SHA256 Credential=x", auth, "Basic Zm9v"])))
            return
        elif op == "amz-date":
            j = next((i for i, (k, _) in enumerate(case.headers) if k == "X-Amz-Date"), None)
            value = rng.choice(["", "20261301T000000Z", "2026-01-01T00:00:00Z", "00000000T000000Z", "99991231T235960Z",
                                "20260231T250000Z", "x" * 16, "\u00e9" * 8, "20260101T000000", None])
            if j is not None:
                if value is None:
                    del case.headers[j]
                else:
                    case.headers[j] = ("X-Amz-Date", value)
            return
        elif op == "security-token":
            case.headers.append(("X-Amz-Security-Token", rng.choice(["", "x" * 10000, "FwoGZXIvYXdzE", "\u00e9"])))
            return
        case.headers[index] = ("Authorization", alg + " " + ", ".join(fields))

    def mutate_http(self, rng: random.Random, case: Case, labels: list) -> None:
        op = rng.choice(HTTP_MUTATIONS)
        if case.raw is not None:
            return  # the exact bytes of a framing case are decided already
        labels.append(f"http:{op}")
        if op == "method":
            case.method = rng.choice(METHODS)
            if rng.random() < 0.005:
                # Rare on purpose: each CONNECT the server leaves open costs the run a full timeout.
                case.method = "CONNECT"
                case.target = rng.choice(["127.0.0.1:1", case.target])
        elif op == "content-type":
            case.headers = [(k, v) for k, v in case.headers if k.lower() != "content-type"]
            ct = rng.choice(CONTENT_TYPES)
            if ct is not None:
                case.headers.append(("Content-Type", ct))
        elif op == "path":
            case.target = rng.choice(["/x", "//", "/%", "/%ZZ", "/?", "/??", "/" + "a" * 8000, "/../..", "/%2e%2e/",
                                      "/\u00e9".encode().decode("latin-1"), "*", "/;x", "/#frag", "/?Action=DescribeRegions",
                                      "/?Action=CreateKeyPair&Version=2016-11-15&KeyName=q%ZZ", "/_keyway/nope",
                                      "/_keyway/instances//authorized-keys", f"http://{self.world.host}/", "/?&&&=&="])
        elif op == "host":
            case.headers = [(k, v) for k, v in case.headers if k != "Host"]
            choice = rng.choice(["", "x" * 5000, "127.0.0.1:1", "\u00e9", None, "two"])
            if choice == "two":
                case.headers.insert(0, ("Host", self.world.host))
                case.headers.insert(0, ("Host", "evil.example"))
            elif choice is not None:
                case.headers.insert(0, ("Host", choice))
        elif op == "many-headers":
            case.headers += [(f"X-Adv-{i}", "v") for i in range(rng.choice([50, 99, 300]))]
        elif op == "long-header":
            case.headers.append(("X-Adv-Long", "v" * rng.choice([8000, 60000, 200000])))
        elif op == "odd-header":
            case.headers.append(rng.choice([("X-Amz-Target", "AWSEC2InstanceConnectService.SendSSHPublicKey"),
                                            ("X-Amz-Target", ""), ("Expect", "100-continue"), ("Expect", "nonsense"),
                                            ("Content-Encoding", "gzip"), ("X-Adv", b"\xff\xfe\x80"),
                                            ("Connection", "upgrade"), ("Upgrade", "h2c"), ("Accept-Encoding", "gzip")]))
        elif op == "http10":
            case.keepalive = False
            case.raw = case.wire().replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)
            case.half_close = False

    def mutate_framing(self, rng: random.Random, case: Case, labels: list) -> None:
        """Content-Length lies, chunked bodies, pipelining, broken request lines: exact bytes on a raw socket."""
        op = rng.choice(FRAMING_MUTATIONS)
        labels.append(f"frame:{op}")
        headers = [(k, v) for k, v in case.headers if k.lower() not in ("content-length", "connection")]
        head = [f"{case.method} {case.target} HTTP/1.1".encode()] + [
            _b(k) + b": " + (v if isinstance(v, bytes) else v.encode("latin-1", "replace")) for k, v in headers]
        body = case.body

        def build(extra: list[bytes], payload: bytes) -> bytes:
            return b"\r\n".join(head + extra) + b"\r\n\r\n" + payload

        case.keepalive = False
        case.headers = headers
        if op == "length-short":
            cut = rng.randint(0, max(0, len(body) - 1))
            case.raw = build([b"Content-Length: " + str(cut).encode()], body)
            case.declared_length = cut
            case.expect_responses = 1  # the tail is a damaged second request
            case.half_close = True
        elif op == "length-long-half-close":
            declared = len(body) + rng.choice([1, 10, 1000, 100000])
            case.raw = build([b"Content-Length: " + str(declared).encode()], body)
            case.declared_length = declared
            case.expect_responses = 0
            case.half_close = True
        elif op == "length-invalid":
            value = rng.choice([b"-1", b"abc", b"1e3", b"+5", b" 5 ", b"99999999999999999999", b"0x10", b"",
                                b"5, 6", b"\xff", str(len(body)).encode() + b" "])
            case.raw = build([b"Content-Length: " + value], body)
            case.declared_length = int(value) if value.strip().isdigit() else None
            case.framing_ok = False
            case.expect_responses = 0
            case.half_close = True
        elif op == "length-twice":
            a, b = len(body), rng.choice([len(body), len(body) + 1, 0])
            case.raw = build([b"Content-Length: " + str(a).encode(), b"Content-Length: " + str(b).encode()], body)
            case.framing_ok = False  # a repeated Content-Length is a framing error whatever its values
            case.expect_responses = 0
            case.half_close = True
        elif op == "length-over-limit":
            declared = rng.choice([BODY_LIMIT + 1, 1 << 40, 9 << 20])
            case.raw = build([b"Content-Length: " + str(declared).encode()], body)
            case.declared_length = declared
            case.expect_responses = 1  # refused by its Content-Length, before the body
        elif op == "chunked":
            pieces, pos = [], 0
            while pos < len(body):
                piece = body[pos:pos + rng.randint(1, 64)]
                pieces.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
                pos += len(piece)
            chunked = b"".join(pieces) + b"0\r\n\r\n"
            case.raw = build([b"Transfer-Encoding: chunked"], chunked)
            case.expect_responses = 1
        elif op == "chunked-bad":
            bad = rng.choice([b"zz\r\nabc\r\n0\r\n\r\n", b"-1\r\n\r\n", b"ffffffffffffffffff\r\nx\r\n",
                              b"3\r\nabcdef\r\n0\r\n\r\n", b"3;ext=" + b"x" * 10000 + b"\r\nabc\r\n0\r\n\r\n",
                              b"5\r\nab", b"0\r\nTrailer: x\r\n\r\n"])
            te = rng.choice([b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked",
                             b"Transfer-Encoding: chunked\r\nContent-Length: 3", b"Transfer-Encoding: identity",
                             b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", b"Transfer-Encoding:  CHUNKED"])
            case.raw = build([te], bad)
            case.framing_ok = False
            case.expect_responses = 0
            case.half_close = True
        elif op == "pipelined":
            one = build([b"Content-Length: " + str(len(body)).encode()], body)
            count = rng.randint(2, 4)
            case.raw = one * count
            case.expect_responses = count
            case.keepalive = True
        elif op == "bad-request-line":
            case.raw = rng.choice([
                b"GARBAGE\r\n\r\n", b"POST\r\n\r\n", b"POST / HTTP/1.1 extra\r\nHost: x\r\n\r\n", b"POST / HTTP/9.9\r\n\r\n",
                b"POST / HTTP/1.1\nHost: x\nContent-Length: 0\n\n", b"POST /\r\n\r\n", b" / HTTP/1.1\r\n\r\n",
                b"POST / HTTP/1.1\r\nHost x\r\n\r\n", b"POST / HTTP/1.1\r\n: empty\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00",
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"POST / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
                b"POST / http/1.1\r\nHost: x\r\n\r\n", b"\r\n\r\n\r\n", b"POST " + b"/a" * 40000 + b" HTTP/1.1\r\n\r\n",
                b"POST / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 10000 + b"\r\n",
            ])
            case.framing_ok = False
            case.expect_responses = 0
            case.half_close = True
        elif op == "partial-head":
            whole = build([b"Content-Length: " + str(len(body)).encode()], body)
            case.raw = whole[: rng.randint(1, whole.find(b"\r\n\r\n") + 2)]
            case.framing_ok = False
            case.expect_responses = 0
            case.half_close = True
        elif op == "expect-continue":
            case.raw = build([b"Expect: 100-continue", b"Content-Length: " + str(len(body)).encode()], body)
            case.expect_responses = 1


TEMPLATES = [
    ("CreateKeyPair", 8), ("ImportKeyPair", 22), ("DescribeKeyPairs", 8), ("DeleteKeyPair", 2), ("CreateTags", 3),
    ("DeleteTags", 2), ("DescribeTags", 3), ("DescribeRegions", 2), ("RunInstances", 4), ("DescribeInstances", 4),
    ("StartInstances", 1), ("StopInstances", 1), ("TerminateInstances", 1), ("GetPasswordData", 1),
    ("DescribeImages", 2), ("CreateUser", 3), ("GetUser", 1), ("ListUsers", 1), ("DeleteUser", 1),
    ("CreateAccessKey", 2), ("ListAccessKeys", 1), ("UpdateAccessKey", 1), ("DeleteAccessKey", 1),
    ("GetAccessKeyLastUsed", 1), ("UploadSSHPublicKey", 6), ("GetSSHPublicKey", 1), ("ListSSHPublicKeys", 1),
    ("UploadServerCertificate", 6), ("GetServerCertificate", 1), ("DeleteServerCertificate", 1),
    ("ListServerCertificates", 1), ("GetCallerIdentity", 3), ("SendSSHPublicKey", 8), ("AuthorizedKeys", 1),
]
ALL_ACTIONS = [t[0] for t in TEMPLATES if t[0] != "AuthorizedKeys"]
KEY_FIELDS = {"PublicKeyMaterial", "SSHPublicKeyBody", "CertificateBody", "PrivateKey", "CertificateChain"}
NUMERIC_FIELDS = {"MaxResults", "MaxItems", "MinCount", "MaxCount"}
PARAM_MUTATIONS = (["key-material"] * 3 + ["duplicate"] * 3 + ["drop", "absurd-number", "absurd-number", "absurd-index",
                   "long-value", "odd-string", "odd-string", "invalid-utf8", "invalid-utf8", "control-chars",
                   "action", "version", "bulk", "page-token",
                   "filter-odd", "bool", "empty-name"])
KEY_MUTATIONS = ["truncate-base64", "blob-flip", "blob-flip", "blob-length", "blob-trailing", "blob-truncate",
                 "odd-keys", "rfc4716-header", "rfc4716-header", "rfc4716-frame", "openssh-private",
                 "pem-frame", "pem-frame", "ppk", "line-oddities", "binary", "text-flip"]
RFC4716_HEADERS = [
    ":", ": value", ":value", "Comment:", "Comment: \"unterminated", "Comment: \"a \\\\\" b\"",
    lambda rng: "x-" + "t" * rng.choice([63, 64, 65, 1000]) + ": v", "Subject: \u00e9\u00e9",
    ["Comment: \"continued \\", "on the next line\""], ["Comment: \\"], ["x-a: \\", "\\", "\\"],
    lambda rng: ["Comment: \\"] * rng.choice([10, 1000]) + ["end"], "no colon header line", "Comment : spaced",
    " Comment: leading", "Comment:\t\"tab\"", "\x00: nul",
]
BODY_MUTATIONS = ["flip", "flip", "truncate", "insert", "insert", "delete", "repeat", "percent-damage",
                  "percent-damage", "invalid-utf8-raw", "empty", "separators"] * 4 + ["huge"]
JSON_MUTATIONS = ["not-json", "not-json", "truncated", "deep", "wrong-types", "wrong-types", "lone-surrogate",
                  "invalid-utf8", "duplicate-keys", "odd-values", "odd-values", "key-material", "key-material",
                  "extra", "huge-number", "bom"]
AUTH_MUTATIONS = ["duplicate-field", "unknown-field", "empty-signed-headers", "empty-signed-headers", "wrong-algorithm",
                  "garbage", "credential", "credential", "signature", "separators", "drop-field", "reorder",
                  "second-header", "amz-date", "security-token"]
HTTP_MUTATIONS = ["method", "method", "method", "content-type", "content-type", "path", "host", "many-headers",
                  "long-header", "odd-header", "odd-header", "http10"]
FRAMING_MUTATIONS = ["length-short", "length-long-half-close", "length-invalid", "length-twice", "length-over-limit",
                     "chunked", "chunked-bad", "pipelined", "pipelined", "bad-request-line", "partial-head",
                     "expect-continue"]


# ==================================================================================================
# Setting up a server for a campaign


def call(port: int, service: str, params: list, key_id: str, secret: str, *, json_body: dict | None = None) -> Answer:
    """One valid signed request (Query, or Instance Connect JSON); the answer, or AssertionError."""
    host = f"127.0.0.1:{port}"
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers = [("Host", host), ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", IC_TARGET)]
    else:
        body = form_encode(params)
        headers = [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
    headers = SIGNER.sign(method="POST", path="/", query="", headers=headers, body=body, key_id=key_id, secret=secret,
                          region=REGION, service=service)
    case = Case(-1, "setup", headers=headers, body=body, keepalive=False)
    outcome = Wire(port).exchange(case)
    assert outcome.answers, f"no answer to a setup request ({outcome.error}):\n{describe_case(case)}"
    return outcome.answers[0]


def texts(answer: Answer, name: str) -> list[str]:
    root = ET.fromstring(answer.body)
    return [e.text or "" for e in root.iter() if e.tag.split("}")[-1] == name]


def prepare_world(server: ServerProcess, material: Material, *, dev: bool) -> World:
    """Names the generator refers to: key pairs, a running instance (and spares), a user with keys, images."""
    if dev:
        key_id, secret = DUMMY_KEY_ID, DUMMY_SECRET
    else:
        key_id, secret = read_credentials(server.data_dir / "credentials")
    world = World(port=server.port, dev=dev, key_id=key_id, secret=secret, material=material)

    def ok(service: str, params: list, **kwargs) -> Answer:
        answer = call(server.port, service, params, key_id, secret, **kwargs)
        assert answer.status == 200, f"setup {params[:1]} failed: HTTP {answer.status} {answer.body[:600]!r}"
        return answer

    ec2 = [("Version", EC2_VERSION)]
    iam = [("Version", IAM_VERSION)]
    images = ok("ec2", [("Action", "DescribeImages"), *ec2])
    world.image_ids = texts(images, "imageId")
    assert world.image_ids, images.body[:600]
    linux = [i for i, p in zip(world.image_ids, texts(images, "platformDetails")) if "Windows" not in p] or world.image_ids
    for i in range(3):
        name = f"adv-base-{i}"
        line = "ssh-ed25519 " + base64.b64encode(ed25519_blob(os.urandom(32))).decode()
        answer = ok("ec2", [("Action", "ImportKeyPair"), *ec2, ("KeyName", name),
                            ("PublicKeyMaterial", base64.b64encode(line.encode()).decode())])
        world.key_names.append(name)
        world.key_pair_ids += texts(answer, "keyPairId")
    answer = ok("ec2", [("Action", "RunInstances"), *ec2, ("ImageId", linux[0]), ("MinCount", "1"), ("MaxCount", "1"),
                        ("KeyName", "adv-base-0")])
    world.instance_id = texts(answer, "instanceId")[0]
    answer = ok("ec2", [("Action", "RunInstances"), *ec2, ("ImageId", linux[-1]), ("MinCount", "3"),
                        ("MaxCount", "3"), ("KeyName", "adv-base-1")])
    world.spare_instance_ids = texts(answer, "instanceId")
    ok("iam", [("Action", "CreateUser"), *iam, ("UserName", world.user)])
    answer = ok("iam", [("Action", "CreateAccessKey"), *iam, ("UserName", world.user)])
    world.user_key_id, world.user_secret = texts(answer, "AccessKeyId")[0], texts(answer, "SecretAccessKey")[0]
    ok("iam", [("Action", "CreateUser"), *iam, ("UserName", "adv-inactive")])
    answer = ok("iam", [("Action", "CreateAccessKey"), *iam, ("UserName", "adv-inactive")])
    world.inactive_key_id, world.inactive_secret = texts(answer, "AccessKeyId")[0], texts(answer, "SecretAccessKey")[0]
    ok("iam", [("Action", "UpdateAccessKey"), *iam, ("UserName", "adv-inactive"), ("AccessKeyId", world.inactive_key_id),
               ("Status", "Inactive")])
    # The signer is checked against the server: a signed Query call, a signed JSON call and a presigned URL.
    ok("sts", [("Action", "GetCallerIdentity"), ("Version", STS_VERSION)])
    ok("ec2-instance-connect", [], json_body={"InstanceId": world.instance_id, "InstanceOSUser": "ec2-user",
                                              "SSHPublicKey": material.ed25519_public})
    target = SIGNER.presign(host=world.host, params=[("Action", "DescribeRegions"), ("Version", EC2_VERSION)],
                            key_id=key_id, secret=secret, region=REGION, service="ec2")
    outcome = Wire(server.port).exchange(Case(-1, "presigned", method="GET", target=target,
                                              headers=[("Host", world.host)], keepalive=False))
    assert outcome.answers and outcome.answers[0].status == 200, f"presigned setup call failed: {outcome}"
    return world


def botocore_check(port: int, key_id: str, secret: str) -> tuple[bool, str]:
    """A request signed by botocore's own SigV4Auth (not this module's signer): DescribeKeyPairs, then
    GetCallerIdentity; (both succeeded, what happened)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    report = []
    good = True
    for service, params in (("ec2", {"Action": "DescribeKeyPairs", "Version": EC2_VERSION}),
                            ("sts", {"Action": "GetCallerIdentity", "Version": STS_VERSION})):
        body = form_encode(list(params.items()))
        request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(key_id, secret), service, REGION).add_auth(request)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("POST", "/", body=body, headers=dict(request.headers.items()))
            response = connection.getresponse()
            data = response.read()
            ok = response.status == 200 and ET.fromstring(data) is not None
            good = good and ok
            report.append(f"{params['Action']}: HTTP {response.status}")
            if not ok:
                report.append(repr(data[:600]))
        except (OSError, http.client.HTTPException, ET.ParseError) as error:
            good = False
            report.append(f"{params['Action']}: {type(error).__name__}: {error}")
        finally:
            connection.close()
    return good, "; ".join(report)


# ==================================================================================================
# The campaign


@dataclass
class Finding:
    kind: str
    detail: str
    case: Case
    answer: Answer | None = None
    note: str = ""


@dataclass
class CampaignResult:
    name: str
    seed: int
    cases: int = 0
    malformed: int = 0  # cases damaged somewhere (the rest are valid requests)
    sent: int = 0  # exchanges made (replays during crash triage included)
    answers: int = 0
    elapsed: float = 0.0
    findings: list = field(default_factory=list)
    crashes: list = field(default_factory=list)  # (fatal line, culprit Case or None, suspects)
    allowed_5xx: list = field(default_factory=list)
    status_counts: dict = field(default_factory=dict)
    label_counts: dict = field(default_factory=dict)  # cases by action
    mutation_counts: dict = field(default_factory=dict)  # cases by kind of damage (key, body, auth, http, frame, ...)
    slowest: list = field(default_factory=list)  # (seconds, case index, label)
    rss_baseline_kb: int = 0
    rss_peak_kb: int = 0
    rss_after_kb: int = 0
    rss_after_wait: float = 0.0
    liveness_checks: int = 0
    final_check: str = ""
    final_ok: bool = False
    aborted: str = ""
    harness_errors: list = field(default_factory=list)  # cases the generator failed to make (a bug of the suite)
    out_dir: Path | None = None
    restarts: int = 0

    def by_kind(self, kind: str) -> list:
        return [f for f in self.findings if f.kind == kind]


PARAM_DAMAGE = set(PARAM_MUTATIONS) | {"many-params", "many-list-members", "many-tags"}
SIGNING_DAMAGE = {"unsigned", "as-user", "inactive-key", "wrong-secret", "unknown-key", "clock-skew", "presigned"}


def damage_family(part: str) -> str | None:
    """The kind of damage one label part names: key, json, body, auth, presign, http, frame, param, signing."""
    if ":" in part:
        return part.split(":")[0]
    if part in PARAM_DAMAGE:
        return "param"
    if part in SIGNING_DAMAGE:
        return "signing"
    return None


class Campaign:
    """Runs cases from a few threads against one server; on a crash, finds the culprit and restarts the server."""

    def __init__(self, name: str, server: ServerProcess, generator: Generator, count: int, threads: int,
                 out_dir: Path, max_restarts: int = 40):
        self.name = name
        self.server = server
        self.generator = generator
        self.count = count
        self.threads = threads
        self.out_dir = Path(out_dir)
        self.max_restarts = max_restarts
        self.result = CampaignResult(name, generator.seed, out_dir=self.out_dir)
        self.lock = threading.Lock()
        self.crash_lock = threading.Lock()
        self.resume = threading.Event()
        self.resume.set()
        self.stop_event = threading.Event()
        self.generation = 0
        self.next_index = 0
        self.inflight: dict[int, tuple[int, Case] | None] = {}
        self.recent: dict[int, list] = {}
        self.victims: dict[int, list] = {}

    # ---- workers ----------------------------------------------------------------------------------

    def _take(self) -> Case | None:
        with self.lock:
            if self.next_index >= self.count or self.stop_event.is_set():
                return None
            index = self.next_index
            self.next_index += 1
        # Made by the worker (each case from its own seeded generator), so making overlaps with sending.
        try:
            case = self.generator.case(index)
        except Exception as error:  # a fault of this suite, not of the server: reported, never silent
            with self.lock:
                self.result.harness_errors.append(f"case {index}: {type(error).__name__}: {error}")
            return self._take()
        with self.lock:
            self.result.cases += 1
            if not case.label.endswith("/valid"):
                self.result.malformed += 1
            parts = case.label.split("/")
            self.result.label_counts[parts[0]] = self.result.label_counts.get(parts[0], 0) + 1
            for family in {damage_family(p) for p in parts[1:]} - {None}:
                self.result.mutation_counts[family] = self.result.mutation_counts.get(family, 0) + 1
        return case

    def _worker(self, number: int):
        try:
            self._work(number)
        except Exception:  # a fault of this suite: reported by test_campaign_ran_in_full
            with self.lock:
                self.result.harness_errors.append(f"worker {number}: {traceback.format_exc()[-1500:]}")
            self.inflight[number] = None

    def _work(self, number: int):
        wire = Wire(self.server.port)
        self.recent[number] = []
        previous: Case | None = None
        try:
            while True:
                self.resume.wait()
                case = self._take()
                if case is None:
                    return
                for attempt in range(2):
                    self.resume.wait()
                    generation = self.generation
                    self.inflight[number] = (generation, case)
                    outcome = wire.exchange(case)
                    with self.lock:
                        self.result.sent += 1
                    connection_lost = outcome.error in ("eof", "reset", "refused") or (outcome.error or "").startswith("os:")
                    if connection_lost and (generation != self.generation or self.server.wait_dead(1.0)):
                        wire.close()
                        if generation == self.generation:
                            with self.lock:
                                self.victims.setdefault(generation, []).append(case)
                            self.inflight[number] = None
                            self._handle_crash(generation)
                            break  # replayed alone during the triage
                        self.inflight[number] = None
                        continue  # lost to a crash already handled: once more on the new server
                    self.inflight[number] = None
                    note = f"sent on the connection kept alive after case {previous.index} [{previous.label}]" \
                        if outcome.reused and previous is not None else ""
                    self._record(case, outcome, note)
                    previous = case if wire.sock is not None else None
                    recent = self.recent[number]
                    recent.append((generation, case))
                    del recent[:-2]
                    break
        finally:
            wire.close()

    def _record(self, case: Case, outcome: Outcome, note: str = ""):
        problems = judge(case, outcome)
        with self.lock:
            self.result.answers += len(outcome.answers)
            for answer in outcome.answers:
                self.result.status_counts[answer.status] = self.result.status_counts.get(answer.status, 0) + 1
                if answer.status >= 500:
                    self.result.allowed_5xx.append((case, answer))
            self.result.slowest.append((outcome.elapsed, case.index, case.label))
            if len(self.result.slowest) > 200:
                self.result.slowest = sorted(self.result.slowest, reverse=True)[:20]
            if not outcome.answers:
                key = f"no answer ({outcome.error or 'closed'})"
                self.result.status_counts[key] = self.result.status_counts.get(key, 0) + 1
            for kind, detail in problems:
                answer = outcome.answers[0] if outcome.answers else None
                self.result.findings.append(Finding(kind, detail, case, answer, note))

    def _monitor(self):
        while not self.stop_event.wait(0.1):
            self.result.liveness_checks += 1
            rss = self.server.rss_kb()
            if rss:
                self.result.rss_peak_kb = max(self.result.rss_peak_kb, rss)
            if not self.server.alive():
                self._handle_crash(self.generation)

    # ---- crashes ----------------------------------------------------------------------------------

    def _handle_crash(self, generation: int):
        with self.crash_lock:
            if generation != self.generation or self.server.alive():
                return
            self.resume.clear()
            # Let every worker finish its exchange with the dead server.
            deadline = time.monotonic() + REQUEST_TIMEOUT + 2
            while time.monotonic() < deadline and any(
                    v is not None and v[0] == generation for k, v in self.inflight.items() if k != threading.get_ident()):
                time.sleep(0.01)
            fatal = self.server.fatal_line()
            # Requests that lost their answer first, small before large (replaying a large body costs seconds).
            lost = list(self.victims.get(generation, [])) + [v[1] for v in self.inflight.values() if v and v[0] == generation]
            ordered = (sorted(lost, key=lambda c: len(c.wire()))
                       + [c for r in self.recent.values() for g, c in r if g == generation])
            suspects = []
            for c in ordered:
                if all(c.index != s.index for s in suspects):
                    suspects.append(c)
            unanswered = {c.index for c in self.victims.get(generation, [])}
            self.result.restarts += 1
            culprit = None
            if self.result.restarts > self.max_restarts:
                self.result.aborted = f"stopped after {self.max_restarts} server crashes"
                self.stop_event.set()
                self.result.crashes.append((fatal, None, suspects))
                self.generation += 1
                self.resume.set()
                return
            self._restart()
            for suspect in suspects:
                outcome = Wire(self.server.port).exchange(suspect)
                self.result.sent += 1
                if not self.server.alive() or (outcome.error and self.server.wait_dead(1.0)):
                    culprit = suspect
                    fatal = self.server.fatal_line() or fatal
                    self._restart()
                    break
                if suspect.index in unanswered:
                    self._record(suspect, outcome, note="replayed alone after a crash")
            self.result.crashes.append((fatal, culprit, suspects))
            self.generation += 1
            self.resume.set()

    def _restart(self):
        self.server.stop()
        for attempt in range(20):
            try:
                self.server.start()
                return
            except RuntimeError:
                if attempt == 19:
                    raise
                time.sleep(0.25)

    # ---- the run ----------------------------------------------------------------------------------

    def run(self) -> CampaignResult:
        start = time.monotonic()
        monitor = threading.Thread(target=self._monitor, daemon=True)
        monitor.start()
        workers = [threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(self.threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        self.stop_event.set()
        monitor.join()
        if not self.server.alive():
            self._handle_crash(self.generation)
        self.result.elapsed = time.monotonic() - start
        return self.result


# ==================================================================================================
# Reports


def describe_case(case: Case, limit: int = 600) -> str:
    data = case.wire()
    shown = data if len(data) <= limit else data[:limit] + b"...<%d more bytes>" % (len(data) - limit)
    return f"case {case.index} [{case.label}] ({len(data)} bytes):\n{shown!r}"


def write_reports(result: CampaignResult) -> Path:
    """findings.jsonl (one line a problem), NNNNN-kind.http (the exact bytes of each request), summary.json."""
    out = result.out_dir
    out.mkdir(parents=True, exist_ok=True)
    seen: set = set()
    with open(out / "findings.jsonl", "w") as lines:
        for fatal, culprit, suspects in result.crashes:
            cases = [culprit] if culprit else suspects
            for case in cases:
                path = out / f"{case.index:05d}-crash.http"
                path.write_bytes(case.wire())
                lines.write(json.dumps({"kind": "crash", "detail": fatal, "culprit": culprit is not None,
                                        "case": case.index, "label": case.label, "file": path.name}) + "\n")
        for finding in result.findings:
            case = finding.case
            path = out / f"{case.index:05d}-{finding.kind}.http"
            if (case.index, finding.kind) not in seen:
                seen.add((case.index, finding.kind))
                path.write_bytes(case.wire())
            answer = finding.answer
            lines.write(json.dumps({
                "kind": finding.kind, "detail": finding.detail, "case": case.index, "label": case.label,
                "file": path.name, "note": finding.note,
                "status": answer.status if answer else None,
                "answer_body": answer.body[:2000].decode("utf-8", "replace") if answer else None,
            }) + "\n")
    summary = {
        "campaign": result.name, "seed": result.seed, "cases": result.cases, "malformed": result.malformed,
        "exchanges": result.sent,
        "answers": result.answers, "seconds": round(result.elapsed, 1), "restarts": result.restarts,
        "crashes": [{"fatal": f, "culprit": c.index if c else None, "label": c.label if c else None,
                     "suspects": [s.index for s in s_]} for f, c, s_ in result.crashes],
        "findings": {k: len(result.by_kind(k)) for k in sorted({f.kind for f in result.findings})},
        "status_counts": {str(k): v for k, v in sorted(result.status_counts.items(), key=lambda x: str(x[0]))},
        "actions": dict(sorted(result.label_counts.items())),
        "damage": dict(sorted(result.mutation_counts.items())),
        "rss_kb": {"baseline": result.rss_baseline_kb, "peak": result.rss_peak_kb, "after": result.rss_after_kb},
        "final_check": result.final_check, "aborted": result.aborted,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return out


def trigger(case: Case) -> str:
    """What most likely decided a case's answer: its last HTTP-, framing-, signature- or body-level damage, or else
    the action (and the key damage, if any)."""
    parts = case.label.split("/")
    outer = [p for p in parts if ":" in p and not p.startswith(("key:", "json:"))]
    if outer:
        return outer[-1]
    inner = [p for p in parts if p.startswith(("key:", "json:"))]
    return parts[0] + (f" {inner[-1]}" if inner else "")


def summarize(result: CampaignResult, kinds: tuple = (), groups_shown: int = 15) -> str:
    """The problems grouped by kind, what was wrong and what triggered it; one exact request for each group."""
    groups: dict = {}
    for f in result.findings:
        if kinds and f.kind not in kinds:
            continue
        key = (f.kind, re.sub(r"\d+", "N", f.detail)[:100], trigger(f.case))
        groups.setdefault(key, []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    parts = []
    for (kind, _, cause), items in ordered[:groups_shown]:
        f = min(items, key=lambda x: len(x.case.wire()))  # the shortest request of the group
        body = f.answer.body[:300] if f.answer else b""
        parts.append(f"[{kind}] {len(items)}x after {cause}: {f.detail}\n  e.g. {describe_case(f.case, 700)}\n"
                     f"  answer: HTTP {f.answer.status if f.answer else '-'} {body!r}")
    if len(ordered) > groups_shown:
        parts.append(f"... and {len(ordered) - groups_shown} more groups ({sum(len(v) for _, v in ordered[groups_shown:])} "
                     f"problems) in findings.jsonl")
    return "\n".join(parts)


# ==================================================================================================
# Command line: show a case, replay a saved request


def _replay(path: str, port: int) -> None:
    data = Path(path).read_bytes()
    now = dt.datetime.now(dt.timezone.utc)
    amz = now.strftime("%Y%m%dT%H%M%SZ").encode()
    data = re.sub(rb"X-Amz-Date: \d{8}T\d{6}Z", b"X-Amz-Date: " + amz, data, count=1)
    data = re.sub(rb"(Credential=[^/\s,]+/)\d{8}/", rb"\g<1>" + amz[:8] + b"/", data, count=1)
    with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (ConnectionResetError, TimeoutError) as error:
            out += f"\n<<{type(error).__name__}>>".encode()
    sys.stdout.write(out.decode("utf-8", "replace") or "<<closed without an answer>>\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "replay":
        _replay(sys.argv[2], int(sys.argv[3]))
    else:
        print(__doc__)
