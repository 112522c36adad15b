"""IAM server certificates end to end: certificates and keys made here by openssl, sent by the AWS CLI v1 and boto3.

One strict `keyway serve` on an empty data folder for the whole module (DATA/credentials = account A's root);
accounts B and C are made with `keyway admin create-account` while it runs (B for isolation, C for the limit of 20).
Covered: UploadServerCertificate (RSA as PKCS#1 and PKCS#8, EC P-256 and P-384 as SEC1 and PKCS#8, chains in and
out of order, validity dates, garbage, encrypted keys, duplicates, the limit, tags), KeyPairMismatch, Get, List
(PathPrefix, MaxItems/Marker), Update, Delete, account isolation, and that no private key is ever answered or kept in
clear in the database files (or printed in the server log: the fixture checks every remembered key line there).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import aws, aws_json, expect_error, unique

server = s.server_fixture("iam-certificates")

CERT_ID = re.compile(r"^ASCA[A-Z2-7]{17}$")
UNPARSEABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format."
MISMATCH = "Public key certificate and private key doesn't match."
ENCRYPTED = "The private key is encrypted; upload it unencrypted."
BAD_KEY = "Unable to parse private key. Please ensure the private key is an unencrypted PEM RSA or EC key."
EXPIRED = "The certificate has expired."
NOT_YET_VALID = "The certificate is not valid yet: its validity starts in the future."
CHAIN_TEXT = (
    "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, "
    "followed by any intermediaries in order. The index within the chain of the invalid certificate is: {}"
)
LIMIT = "Cannot exceed quota for ServerCertificatesPerAccount: 20"


def not_found(name: str) -> str:
    return f"The Server Certificate with name {name} cannot be found."


def already_exists(name: str) -> str:
    return f"The Server Certificate with name {name} already exists."


# --------------------------------------------------------------------------------------------------
# Key material, made once per module with openssl


def openssl(*args, cwd: Path | None = None, input: bytes | None = None) -> str:
    proc = subprocess.run(["openssl", *map(str, args)], cwd=cwd, input=input, capture_output=True, timeout=60)
    assert proc.returncode == 0, f"openssl {' '.join(map(str, args))} failed:\n{proc.stderr.decode(errors='replace')}"
    return proc.stdout.decode()


CA_EXTENSIONS = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
LEAF_EXTENSIONS = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"

# A minimal `openssl ca` setup: OpenSSL 3.0's req/x509 cannot set past or future validity dates, `openssl ca` can.
CA_CONFIG = """\
[ca]
default_ca = CA_default
[CA_default]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[policy_any]
commonName = supplied
"""


@dataclass
class PKI:
    folder: Path
    keys: dict[str, str]  # name -> PEM text
    certs: dict[str, str]
    files: dict[str, Path]

    def key(self, name: str) -> str:
        return self.keys[name]

    def cert(self, name: str) -> str:
        return self.certs[name]

    def chain(self, *names: str) -> str:
        return "".join(self.certs[n] for n in names)

    def not_after(self, name: str) -> dt.datetime:
        """The certificate's notAfter as `openssl x509 -enddate` prints it."""
        out = openssl("x509", "-noout", "-enddate", "-in", self.files[f"cert:{name}"]).strip()
        assert out.startswith("notAfter="), out
        return dt.datetime.strptime(out[len("notAfter="):], "%b %d %H:%M:%S %Y GMT").replace(tzinfo=dt.timezone.utc)

    def public_text(self) -> str:
        """All certificates' PEM, with and without line breaks: public, whatever else it matches."""
        text = "".join(self.certs.values())
        return text + text.replace("\n", "")

    def private_key_lines(self) -> list[str]:
        """Every full base64 line of every private key made here (short last lines left out), except lines that
        happen to be public: EC keys carry their public point, which the certificate holds too, and the base64 of
        both may line up."""
        public = self.public_text()
        lines = []
        for text in self.keys.values():
            lines += [line for line in text.splitlines() if len(line) == 64 and "-" not in line and line not in public]
        return lines

    def private_key_ders(self) -> list[bytes]:
        """The DER of every unencrypted private key made here."""
        return [pem_der(text) for text in self.keys.values() if "ENCRYPTED" not in text]

    def cert_ders(self) -> list[bytes]:
        return [pem_der(text) for text in self.certs.values()]


def pem_der(text: str) -> bytes:
    body = "".join(line for line in text.splitlines() if line and "-----" not in line and ":" not in line)
    return base64.b64decode(body)


@pytest.fixture(scope="module")
def pki(tmp_path_factory, server) -> PKI:
    folder = tmp_path_factory.mktemp("pki")
    keys: dict[str, str] = {}
    certs: dict[str, str] = {}
    files: dict[str, Path] = {}

    def keep_key(name: str, path: Path) -> Path:
        files[f"key:{name}"] = path
        keys[name] = path.read_text()
        return path

    def keep_cert(name: str, path: Path) -> Path:
        files[f"cert:{name}"] = path
        certs[name] = path.read_text()
        return path

    def rsa(name: str) -> Path:
        path = folder / f"{name}.pkcs8.pem"
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
        return keep_key(name, path)

    def ec(name: str, curve: str) -> Path:
        path = folder / f"{name}.sec1.pem"
        openssl("ecparam", "-name", curve, "-genkey", "-noout", "-out", path)
        return keep_key(name, path)

    def pkcs8(name: str, source: str) -> Path:
        path = folder / f"{name}.pem"
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", files[f"key:{source}"], "-out", path)
        return keep_key(name, path)

    def self_signed(name: str, key: str, cn: str, days: int = 30, ca: bool = False) -> Path:
        path = folder / f"{name}.crt"
        openssl("req", "-x509", "-new", "-key", files[f"key:{key}"], "-subj", f"/CN={cn}", "-days", days,
                "-addext", CA_EXTENSIONS.splitlines()[0] if ca else LEAF_EXTENSIONS.splitlines()[0], "-out", path)
        return keep_cert(name, path)

    def signed(name: str, key: str, cn: str, issuer: str, issuer_key: str, ca: bool, days: int = 30) -> Path:
        csr = folder / f"{name}.csr"
        openssl("req", "-new", "-key", files[f"key:{key}"], "-subj", f"/CN={cn}", "-out", csr)
        ext = folder / f"{name}.ext"
        ext.write_text(CA_EXTENSIONS if ca else LEAF_EXTENSIONS)
        path = folder / f"{name}.crt"
        openssl("x509", "-req", "-in", csr, "-CA", files[f"cert:{issuer}"], "-CAkey", files[f"key:{issuer_key}"],
                "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", days,
                "-extfile", ext, "-sha256", "-out", path)
        return keep_cert(name, path)

    def dated(name: str, key: str, start: str, end: str) -> Path:
        """A self-signed certificate with explicit validity dates, made by `openssl ca -selfsign`."""
        ca_dir = folder / f"ca-{name}"
        ca_dir.mkdir()
        (ca_dir / "index.txt").write_text("")
        (ca_dir / "serial").write_text("01\n")
        config = folder / f"ca-{name}.cnf"
        config.write_text(CA_CONFIG.format(dir=ca_dir))
        csr = folder / f"{name}.csr"
        openssl("req", "-new", "-key", files[f"key:{key}"], "-subj", f"/CN={name}", "-out", csr)
        path = folder / f"{name}.crt"
        openssl("ca", "-batch", "-config", config, "-selfsign", "-keyfile", files[f"key:{key}"], "-in", csr,
                "-startdate", start, "-enddate", end, "-notext", "-out", path)
        return keep_cert(name, path)

    # RSA: A (PKCS#8 and PKCS#1), B (another key).
    rsa("rsa_a")
    pkcs1 = folder / "rsa_a.pkcs1.pem"
    openssl("rsa", "-in", files["key:rsa_a"], "-traditional", "-out", pkcs1)
    keep_key("rsa_a_pkcs1", pkcs1)
    rsa("rsa_b")
    pkcs1_b = folder / "rsa_b.pkcs1.pem"
    openssl("rsa", "-in", files["key:rsa_b"], "-traditional", "-out", pkcs1_b)
    keep_key("rsa_b_pkcs1", pkcs1_b)
    # EC: P-256 A/B and P-384 A/B, SEC1 (`EC PRIVATE KEY`) and PKCS#8 (`PRIVATE KEY`).
    ec("p256_a", "prime256v1")
    ec("p256_b", "prime256v1")
    ec("p384_a", "secp384r1")
    ec("p384_b", "secp384r1")
    for name in ("p256_a", "p256_b", "p384_a", "p384_b"):
        pkcs8(f"{name}_pkcs8", name)

    self_signed("rsa_a", "rsa_a", "rsa-a.example.com")
    self_signed("p256_a", "p256_a", "p256-a.example.com")
    self_signed("p384_a", "p384_a", "p384-a.example.com")
    # Long-lived: notAfter past 2049 is a GeneralizedTime.
    self_signed("rsa_a_long", "rsa_a", "long.example.com", days=20000)

    # A chain: root (RSA) -> intermediate (P-256) -> leaf (RSA A); and a second intermediate below the first.
    rsa("root")
    ec("inter", "prime256v1")
    ec("inter2", "secp384r1")
    self_signed("root", "root", "Keyway Test Root", days=60, ca=True)
    signed("inter", "inter", "Keyway Test Intermediate", "root", "root", ca=True)
    signed("leaf", "rsa_a", "leaf.example.com", "inter", "inter", ca=False)
    signed("inter2", "inter2", "Keyway Test Intermediate 2", "inter", "inter", ca=True)
    signed("leaf2", "p256_a", "leaf2.example.com", "inter2", "inter2", ca=False)
    # Unrelated CAs: another root; an impostor with the intermediate's very name but its own key.
    rsa("other_root")
    self_signed("other_root", "other_root", "Some Other Root", days=60, ca=True)
    ec("impostor", "prime256v1")
    signed("impostor", "impostor", "Keyway Test Intermediate", "root", "root", ca=True)

    # Dates: expired long ago; valid only in the future.
    dated("expired", "rsa_a", "20200101000000Z", "20200102000000Z")
    dated("future", "rsa_a", "20900101000000Z", "20901231000000Z")

    # Encrypted forms of RSA A: PKCS#8 `ENCRYPTED PRIVATE KEY` and PKCS#1 with Proc-Type/DEK-Info headers.
    enc8 = folder / "rsa_a.enc8.pem"
    openssl("pkey", "-in", files["key:rsa_a"], "-aes256", "-passout", "pass:secret", "-out", enc8)
    keep_key("rsa_a_enc_pkcs8", enc8)
    enc1 = folder / "rsa_a.enc1.pem"
    openssl("rsa", "-in", files["key:rsa_a"], "-traditional", "-aes256", "-passout", "pass:secret", "-out", enc1)
    keep_key("rsa_a_enc_pkcs1", enc1)
    ec_enc = folder / "p256_a.enc8.pem"
    openssl("pkey", "-in", files["key:p256_a"], "-aes256", "-passout", "pass:secret", "-out", ec_enc)
    keep_key("p256_a_enc_pkcs8", ec_enc)

    assert keys["rsa_a"].startswith("-----BEGIN PRIVATE KEY-----")
    assert keys["rsa_a_pkcs1"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert keys["p256_a"].startswith("-----BEGIN EC PRIVATE KEY-----")
    assert keys["p384_a_pkcs8"].startswith("-----BEGIN PRIVATE KEY-----")
    assert keys["rsa_a_enc_pkcs8"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "Proc-Type: 4,ENCRYPTED" in keys["rsa_a_enc_pkcs1"]
    assert "notAfter=Jan  2 00:00:00 2020 GMT" in openssl("x509", "-noout", "-enddate", "-in", files["cert:expired"])

    pki = PKI(folder, keys, certs, files)
    # The fixture of auth_support looks for these in the server log and the database files at the end.
    server.remember(*pki.private_key_lines())
    return pki


# --------------------------------------------------------------------------------------------------
# Clients, accounts, clean-up


# Every IAM response body any boto3 client of this module received (searched for private keys).
RESPONSES: list[bytes] = []


def iam_client(server, creds):
    iam = s.client(server, "iam", creds)

    def keep(http_response, **_):
        RESPONSES.append(http_response.content)

    iam.meta.events.register("after-call.iam", keep)
    return iam


@pytest.fixture(scope="module")
def iam(server):
    return iam_client(server, server.root)


@pytest.fixture(scope="module")
def account_b(server):
    return s.new_account(server)


@pytest.fixture(scope="module")
def account_c(server):
    return s.new_account(server)


@pytest.fixture
def cleanup(iam):
    """Names to delete from account A after the test (account A stays under the limit of 20)."""
    names: list[str] = []
    yield names
    for name in names:
        try:
            iam.delete_server_certificate(ServerCertificateName=name)
        except Exception:  # noqa: BLE001 - already gone is fine
            pass


def upload(iam, pki: PKI, name: str, cert: str, key: str, chain: tuple[str, ...] = (), **extra) -> dict:
    params = dict(ServerCertificateName=name, CertificateBody=pki.cert(cert), PrivateKey=pki.key(key), **extra)
    if chain:
        params["CertificateChain"] = pki.chain(*chain)
    return iam.upload_server_certificate(**params)


def expect_upload_error(iam, pki: PKI, code: str, message: str | None, *, name: str | None = None,
                        body: str | None = None, key: str | None = None, chain: str | None = None, status: int = 400,
                        exception: str | None = None):
    """An upload that must fail with `code`; the boto3 modeled exception is checked too."""
    name = name or unique("refused")
    params = dict(ServerCertificateName=name, CertificateBody=body, PrivateKey=key)
    if chain is not None:
        params["CertificateChain"] = chain
    exception_class = getattr(iam.exceptions, exception or f"{code}Exception")
    with pytest.raises(exception_class) as info:
        iam.upload_server_certificate(**params)
    error = info.value.response["Error"]
    meta = info.value.response["ResponseMetadata"]
    assert (error["Code"], meta["HTTPStatusCode"]) == (code, status), info.value.response
    if message is not None:
        assert error["Message"] == message, info.value.response
    assert meta.get("RequestId"), info.value.response
    # Nothing was stored under the name.
    expect_error(lambda: iam.get_server_certificate(ServerCertificateName=name), "NoSuchEntity", 404, not_found(name))
    return error["Message"]


def check_metadata(meta: dict, *, name: str, path: str, account: str, expiration: dt.datetime) -> None:
    assert meta["ServerCertificateName"] == name, meta
    assert meta["Path"] == path, meta
    assert CERT_ID.match(meta["ServerCertificateId"]), meta
    assert len(meta["ServerCertificateId"]) == 21
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate{path}{name}", meta
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((meta["UploadDate"] - now).total_seconds()) < 300, meta
    assert meta["Expiration"] == expiration, meta


def cli_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------------------
# The AWS CLI


def test_cli_upload_get_list_update_delete(server, pki, cleanup):
    name, new_name = unique("cli-cert"), unique("cli-renamed")
    cleanup += [name, new_name]
    account = server.root.account
    f = pki.files
    uploaded = aws_json(server, "iam", "upload-server-certificate", "--server-certificate-name", name,
                        "--certificate-body", f"file://{f['cert:rsa_a']}", "--private-key", f"file://{f['key:rsa_a']}",
                        "--path", "/cli/test/")
    assert set(uploaded) == {"ServerCertificateMetadata"}, uploaded  # no Tags when none were given
    meta = uploaded["ServerCertificateMetadata"]
    assert meta["Path"] == "/cli/test/" and meta["ServerCertificateName"] == name
    assert CERT_ID.match(meta["ServerCertificateId"]), meta
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/cli/test/{name}"
    assert cli_time(meta["Expiration"]) == pki.not_after("rsa_a"), (meta, pki.not_after("rsa_a"))
    assert abs((cli_time(meta["UploadDate"]) - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 300

    got = aws(server, "iam", "get-server-certificate", "--server-certificate-name", name, "--output", "json")
    assert got.rc == 0, got.describe()
    assert "PRIVATE KEY" not in got.out
    certificate = json.loads(got.out)["ServerCertificate"]
    assert certificate["ServerCertificateMetadata"] == meta
    assert certificate["CertificateBody"].strip() == pki.cert("rsa_a").strip()
    assert "CertificateChain" not in certificate
    assert certificate["Tags"] == []

    listed = aws_json(server, "iam", "list-server-certificates", "--path-prefix", "/cli/")
    assert listed["ServerCertificateMetadataList"] == [meta], listed

    # The same certificate with another key: KeyPairMismatch, exit status 255.
    mismatch = aws(server, "iam", "upload-server-certificate", "--server-certificate-name", unique("cli-mismatch"),
                   "--certificate-body", f"file://{f['cert:rsa_a']}", "--private-key", f"file://{f['key:rsa_b']}")
    s.assert_cli_error(mismatch, "KeyPairMismatch", "UploadServerCertificate", MISMATCH)

    updated = aws(server, "iam", "update-server-certificate", "--server-certificate-name", name,
                  "--new-server-certificate-name", new_name, "--new-path", "/cli/moved/")
    assert updated.rc == 0 and updated.out.strip() == "", updated.describe()
    moved = aws_json(server, "iam", "get-server-certificate", "--server-certificate-name", new_name)
    moved_meta = moved["ServerCertificate"]["ServerCertificateMetadata"]
    assert moved_meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/cli/moved/{new_name}"
    assert moved_meta["ServerCertificateId"] == meta["ServerCertificateId"]
    s.assert_cli_error(aws(server, "iam", "get-server-certificate", "--server-certificate-name", name),
                       "NoSuchEntity", "GetServerCertificate", not_found(name))

    deleted = aws(server, "iam", "delete-server-certificate", "--server-certificate-name", new_name)
    assert deleted.rc == 0 and deleted.out.strip() == "", deleted.describe()
    s.assert_cli_error(aws(server, "iam", "delete-server-certificate", "--server-certificate-name", new_name),
                       "NoSuchEntity", "DeleteServerCertificate", not_found(new_name))
    assert aws_json(server, "iam", "list-server-certificates", "--path-prefix", "/cli/")[
        "ServerCertificateMetadataList"] == []


# --------------------------------------------------------------------------------------------------
# Keys: RSA and EC, matching and not


@pytest.mark.parametrize("cert, key", [
    ("rsa_a", "rsa_a"),          # PKCS#8 RSA
    ("rsa_a", "rsa_a_pkcs1"),    # PKCS#1 RSA
    ("p256_a", "p256_a"),        # SEC1 P-256
    ("p256_a", "p256_a_pkcs8"),  # PKCS#8 P-256
    ("p384_a", "p384_a"),        # SEC1 P-384
    ("p384_a", "p384_a_pkcs8"),  # PKCS#8 P-384
    ("rsa_a_long", "rsa_a"),     # notAfter after 2049 (GeneralizedTime)
])
def test_matching_key_uploads(server, iam, pki, cleanup, cert, key):
    name = unique(f"ok-{cert}")
    cleanup.append(name)
    response = upload(iam, pki, name, cert, key)
    assert "Tags" not in response, response
    meta = response["ServerCertificateMetadata"]
    check_metadata(meta, name=name, path="/", account=server.root.account, expiration=pki.not_after(cert))
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["ServerCertificateMetadata"] == meta
    assert got["CertificateBody"].strip() == pki.cert(cert).strip()


@pytest.mark.parametrize("cert, key", [
    ("rsa_a", "rsa_b"),           # PKCS#8 RSA, other key
    ("rsa_a", "rsa_b_pkcs1"),     # PKCS#1 RSA, other key
    ("rsa_a", "p256_a"),          # RSA certificate, EC key
    ("p256_a", "rsa_a"),          # EC certificate, RSA key
    ("p256_a", "p256_b"),         # SEC1, same curve, other key
    ("p256_a", "p256_b_pkcs8"),   # PKCS#8, same curve, other key
    ("p256_a", "p384_a"),         # other curve
    ("p384_a", "p384_b"),
    ("p384_a", "p384_b_pkcs8"),
    ("p384_a", "p256_a_pkcs8"),
    ("leaf", "inter"),            # the issuer's key is not the leaf's
])
def test_other_key_is_a_mismatch(iam, pki, cert, key):
    expect_upload_error(iam, pki, "KeyPairMismatch", MISMATCH, body=pki.cert(cert), key=pki.key(key))


def test_mismatch_is_the_modeled_boto3_exception(iam, pki):
    from botocore.exceptions import ClientError

    with pytest.raises(iam.exceptions.KeyPairMismatchException) as info:
        iam.upload_server_certificate(ServerCertificateName=unique("mm"), CertificateBody=pki.cert("rsa_a"),
                                      PrivateKey=pki.key("rsa_b"))
    assert isinstance(info.value, ClientError)
    assert info.value.response["Error"]["Type"] == "Sender"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("key", ["rsa_a_enc_pkcs8", "rsa_a_enc_pkcs1", "p256_a_enc_pkcs8"])
def test_encrypted_private_key_is_refused(iam, pki, key):
    cert = "p256_a" if key.startswith("p256") else "rsa_a"
    expect_upload_error(iam, pki, "MalformedCertificate", ENCRYPTED, body=pki.cert(cert), key=pki.key(key))


def test_unreadable_private_key_is_refused(iam, pki):
    for key in ("hello", pki.cert("rsa_a"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"):
        expect_upload_error(iam, pki, "MalformedCertificate", BAD_KEY, body=pki.cert("rsa_a"), key=key)


# --------------------------------------------------------------------------------------------------
# Bodies and dates


def test_garbage_bodies_are_malformed(iam, pki):
    cert = pki.cert("rsa_a")
    lines = cert.strip().splitlines()
    der_base64 = "".join(lines[1:-1])
    csr = openssl("req", "-new", "-key", pki.files["key:rsa_a"], "-subj", "/CN=csr")
    bodies = [
        "hello",
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",  # base64, not DER
        der_base64,  # the right bytes without the PEM armour
        "\n".join(lines[: len(lines) // 2]) + "\n-----END CERTIFICATE-----\n",  # cut in half
        csr,  # a certificate request
        openssl("pkey", "-in", pki.files["key:rsa_a"], "-pubout"),  # a public key
    ]
    for body in bodies:
        expect_upload_error(iam, pki, "MalformedCertificate", UNPARSEABLE, body=body, key=pki.key("rsa_a"))


def test_crlf_line_endings_and_surrounding_blank_lines_are_fine(server, iam, pki, cleanup):
    name = unique("crlf")
    cleanup.append(name)
    body = "\r\n" + pki.cert("rsa_a").replace("\n", "\r\n") + "\r\n"
    key = pki.key("rsa_a").replace("\n", "\r\n")
    meta = iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=body,
                                         PrivateKey=key)["ServerCertificateMetadata"]
    assert meta["Expiration"] == pki.not_after("rsa_a")


def test_expired_certificate_is_refused(iam, pki):
    expect_upload_error(iam, pki, "MalformedCertificate", EXPIRED, body=pki.cert("expired"), key=pki.key("rsa_a"))


def test_not_yet_valid_certificate_is_refused(iam, pki):
    expect_upload_error(iam, pki, "MalformedCertificate", NOT_YET_VALID, body=pki.cert("future"),
                        key=pki.key("rsa_a"))


# --------------------------------------------------------------------------------------------------
# Chains


def test_chain_in_order_uploads_and_is_returned(server, iam, pki, cleanup):
    full, partial, deep = unique("chain-full"), unique("chain-partial"), unique("chain-deep")
    cleanup += [full, partial, deep]
    meta = upload(iam, pki, full, "leaf", "rsa_a", ("inter", "root"))["ServerCertificateMetadata"]
    check_metadata(meta, name=full, path="/", account=server.root.account, expiration=pki.not_after("leaf"))
    got = iam.get_server_certificate(ServerCertificateName=full)["ServerCertificate"]
    assert got["CertificateBody"].strip() == pki.cert("leaf").strip()
    assert got["CertificateChain"].strip() == pki.chain("inter", "root").strip()
    assert got["Tags"] == []
    # The root may be left out; only the immediate issuer is needed.
    upload(iam, pki, partial, "leaf", "rsa_a", ("inter",))
    # Three links: leaf2 <- inter2 <- inter <- root (mixed P-384, P-256 and RSA signatures).
    upload(iam, pki, deep, "leaf2", "p256_a", ("inter2", "inter", "root"))
    got = iam.get_server_certificate(ServerCertificateName=deep)["ServerCertificate"]
    assert got["CertificateChain"].strip() == pki.chain("inter2", "inter", "root").strip()


@pytest.mark.parametrize("leaf, key, chain, index", [
    # Root first, then the intermediate that did sign the leaf: out of order.
    ("leaf", "rsa_a", ("root", "inter"), 0),
    ("leaf2", "p256_a", ("inter", "inter2", "root"), 0),
    # No element signs the leaf at all.
    ("leaf", "rsa_a", ("other_root",), -1),
    ("leaf", "rsa_a", ("root",), -1),
    ("leaf2", "p256_a", ("inter", "root"), -1),
    # Same subject name as the real issuer, but not its key: the signature decides.
    ("leaf", "rsa_a", ("impostor", "root"), -1),
    # A wrong link in the middle.
    ("leaf", "rsa_a", ("inter", "other_root"), 1),
    ("leaf2", "p256_a", ("inter2", "other_root", "root"), 1),
    ("leaf2", "p256_a", ("inter2", "root", "inter"), 1),
    ("leaf2", "p256_a", ("inter2", "inter", "other_root"), 2),
])
def test_chain_out_of_order_or_broken(iam, pki, leaf, key, chain, index):
    expect_upload_error(iam, pki, "MalformedCertificate", CHAIN_TEXT.format(index), body=pki.cert(leaf),
                        key=pki.key(key), chain=pki.chain(*chain))


def test_chain_out_of_order_through_the_cli(server, pki, tmp_path):
    chain = tmp_path / "chain.pem"
    chain.write_text(pki.chain("root", "inter"))
    f = pki.files
    result = aws(server, "iam", "upload-server-certificate", "--server-certificate-name", unique("cli-chain"),
                 "--certificate-body", f"file://{f['cert:leaf']}", "--private-key", f"file://{f['key:rsa_a']}",
                 "--certificate-chain", f"file://{chain}")
    message = s.assert_cli_error(result, "MalformedCertificate", "UploadServerCertificate", CHAIN_TEXT.format(0))
    assert message.endswith("The index within the chain of the invalid certificate is: 0")


# --------------------------------------------------------------------------------------------------
# Names, tags, limit


def test_duplicate_names_case_insensitively(iam, pki, cleanup):
    name = unique("Dup-Cert")
    cleanup.append(name)
    first = upload(iam, pki, name, "rsa_a", "rsa_a")["ServerCertificateMetadata"]
    for other in (name, name.lower(), name.upper()):
        with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as info:
            upload(iam, pki, other, "p256_a", "p256_a")
        response = info.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert response["Error"]["Message"] == already_exists(other), response
    # The first one is untouched.
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["ServerCertificateMetadata"] == first
    assert got["CertificateBody"].strip() == pki.cert("rsa_a").strip()
    # Once deleted, the name can be used again (with a new ID).
    iam.delete_server_certificate(ServerCertificateName=name)
    again = upload(iam, pki, name.lower(), "p256_a", "p256_a")["ServerCertificateMetadata"]
    cleanup.append(name.lower())
    assert again["ServerCertificateId"] != first["ServerCertificateId"]


def test_tags_on_upload(iam, pki, cleanup):
    name = unique("tagged")
    cleanup.append(name)
    tags = [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}, {"Key": "empty", "Value": ""}]
    response = upload(iam, pki, name, "rsa_a", "rsa_a", Tags=tags)
    assert response["Tags"] == tags, response
    assert iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["Tags"] == tags
    # Lists carry no tags.
    listed = [m for m in iam.list_server_certificates()["ServerCertificateMetadataList"]
              if m["ServerCertificateName"] == name]
    assert listed == [response["ServerCertificateMetadata"]]


def test_limit_of_twenty_per_account(server, pki, account_c):
    iam = iam_client(server, account_c)
    names = [f"limit-{i:02d}" for i in range(20)]
    for name in names:
        upload(iam, pki, name, "rsa_a", "rsa_a")
    listed = iam.list_server_certificates()["ServerCertificateMetadataList"]
    assert [m["ServerCertificateName"] for m in listed] == names
    assert all(m["Arn"].startswith(f"arn:aws:iam::{account_c.account}:") for m in listed)
    with pytest.raises(iam.exceptions.LimitExceededException) as info:
        upload(iam, pki, "limit-20", "p256_a", "p256_a")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert info.value.response["Error"]["Message"] == LIMIT
    expect_error(lambda: iam.get_server_certificate(ServerCertificateName="limit-20"), "NoSuchEntity", 404)
    # A taken name is still a duplicate at the limit.
    expect_error(lambda: upload(iam, pki, "LIMIT-00", "rsa_a", "rsa_a"), "EntityAlreadyExists", 409,
                 already_exists("LIMIT-00"))
    # Other accounts have their own quota.
    assert len(iam_client(server, server.root).list_server_certificates()["ServerCertificateMetadataList"]) < 20
    # One deleted, one more fits.
    iam.delete_server_certificate(ServerCertificateName="limit-07")
    upload(iam, pki, "limit-20", "p256_a", "p256_a")
    expect_error(lambda: upload(iam, pki, "limit-21", "rsa_a", "rsa_a"), "LimitExceeded", 409, LIMIT)


# --------------------------------------------------------------------------------------------------
# Get, List, Update, Delete


def test_get_unknown_certificate(iam):
    name = unique("never-uploaded")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as info:
        iam.get_server_certificate(ServerCertificateName=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["Error"]["Message"] == not_found(name)


def test_list_with_path_prefix_and_paging(server, iam, pki, cleanup):
    base = f"/{unique('lst')}/"
    under_a = [f"{base}a/", f"{base}a/", f"{base}a/deeper/"]
    under_b = [f"{base}b/", f"{base}b/"]
    names = {}
    for index, path in enumerate(under_a + under_b):
        name = unique(f"list{index}")
        cleanup.append(name)
        names[name] = upload(iam, pki, name, "rsa_a", "rsa_a", Path=path)["ServerCertificateMetadata"]
    outside = unique("outside")
    cleanup.append(outside)
    upload(iam, pki, outside, "rsa_a", "rsa_a", Path="/elsewhere/")

    def listed(**params):
        response = iam.list_server_certificates(**params)
        return response, [m["ServerCertificateName"] for m in response["ServerCertificateMetadataList"]]

    response, all_names = listed(PathPrefix=base)
    assert sorted(all_names) == sorted(names), all_names
    assert response["IsTruncated"] is False and "Marker" not in response
    assert response["ServerCertificateMetadataList"] == [names[n] for n in all_names]
    assert sorted(listed(PathPrefix=f"{base}a/")[1]) == sorted(n for n, m in names.items() if m["Path"].startswith(
        f"{base}a/"))
    assert listed(PathPrefix=f"{base}a/deeper/")[1] == [n for n, m in names.items() if m["Path"] == f"{base}a/deeper/"]
    assert listed(PathPrefix=f"{base}none/")[1] == []
    everything = listed()[1]
    assert set(names) | {outside} <= set(everything)

    # Pages of 2: 2, 2, 1, in the same order as the whole list.
    pages, marker = [], None
    while True:
        params = {"PathPrefix": base, "MaxItems": 2}
        if marker:
            params["Marker"] = marker
        response, page = listed(**params)
        pages.append(page)
        if not response["IsTruncated"]:
            assert "Marker" not in response
            break
        marker = response["Marker"]
        assert marker
        assert len(pages) < 10
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [n for p in pages for n in p] == all_names
    # boto3's paginator walks the same pages.
    paginator = iam.get_paginator("list_server_certificates")
    walked = [m["ServerCertificateName"] for page in paginator.paginate(PathPrefix=base, PaginationConfig={
        "PageSize": 3}) for m in page["ServerCertificateMetadataList"]]
    assert walked == all_names


def test_update_name_and_path(server, iam, pki, cleanup):
    account = server.root.account
    name, other = unique("upd"), unique("upd-other")
    renamed = unique("upd-new")
    cleanup += [name, other, renamed]
    original = upload(iam, pki, name, "rsa_a", "rsa_a", Path="/one/")["ServerCertificateMetadata"]
    upload(iam, pki, other, "p256_a", "p256_a")

    # A new path only.
    iam.update_server_certificate(ServerCertificateName=name, NewPath="/two/")
    meta = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["ServerCertificateMetadata"]
    assert meta["Path"] == "/two/" and meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/two/{name}"
    assert meta["ServerCertificateId"] == original["ServerCertificateId"]
    assert meta["UploadDate"] == original["UploadDate"] and meta["Expiration"] == original["Expiration"]

    # A new name only: the old name is gone, the certificate the same.
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=renamed)
    expect_error(lambda: iam.get_server_certificate(ServerCertificateName=name), "NoSuchEntity", 404, not_found(name))
    got = iam.get_server_certificate(ServerCertificateName=renamed)["ServerCertificate"]
    assert got["ServerCertificateMetadata"]["Path"] == "/two/"
    assert got["ServerCertificateMetadata"]["Arn"] == f"arn:aws:iam::{account}:server-certificate/two/{renamed}"
    assert got["ServerCertificateMetadata"]["ServerCertificateId"] == original["ServerCertificateId"]
    assert got["CertificateBody"].strip() == pki.cert("rsa_a").strip()

    # Both at once, back to the first name.
    iam.update_server_certificate(ServerCertificateName=renamed, NewServerCertificateName=name, NewPath="/three/x/")
    meta = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/three/x/{name}"
    names = [m["ServerCertificateName"] for m in iam.list_server_certificates(PathPrefix="/three/")[
        "ServerCertificateMetadataList"]]
    assert name in names and renamed not in names

    # Onto another certificate's name (in any case): EntityAlreadyExists, nothing changes.
    for target in (other, other.upper()):
        with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as info:
            iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=target)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert info.value.response["Error"]["Message"] == already_exists(target)
    assert iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"][
        "ServerCertificateMetadata"] == meta
    assert iam.get_server_certificate(ServerCertificateName=other)["ServerCertificate"]["CertificateBody"].strip() \
        == pki.cert("p256_a").strip()

    # A missing certificate.
    missing = unique("upd-missing")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as info:
        iam.update_server_certificate(ServerCertificateName=missing, NewServerCertificateName=unique("x"))
    assert info.value.response["Error"]["Message"] == not_found(missing)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete(iam, pki):
    name = unique("del")
    upload(iam, pki, name, "rsa_a", "rsa_a")
    assert iam.delete_server_certificate(ServerCertificateName=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    for call in (lambda: iam.get_server_certificate(ServerCertificateName=name),
                 lambda: iam.delete_server_certificate(ServerCertificateName=name),
                 lambda: iam.update_server_certificate(ServerCertificateName=name, NewPath="/x/")):
        with pytest.raises(iam.exceptions.NoSuchEntityException) as info:
            call()
        assert info.value.response["Error"]["Message"] == not_found(name)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert name not in [m["ServerCertificateName"] for m in iam.list_server_certificates()[
        "ServerCertificateMetadataList"]]


# --------------------------------------------------------------------------------------------------
# Isolation


def test_accounts_are_isolated(server, iam, pki, account_b, cleanup):
    iam_b = iam_client(server, account_b)
    name = unique("iso")
    cleanup.append(name)
    mine = upload(iam, pki, name, "leaf", "rsa_a", ("inter", "root"), Path="/iso/",
                  Tags=[{"Key": "owner", "Value": "a"}])["ServerCertificateMetadata"]

    # B: exactly the answers for a certificate that does not exist.
    for call in (lambda: iam_b.get_server_certificate(ServerCertificateName=name),
                 lambda: iam_b.update_server_certificate(ServerCertificateName=name, NewServerCertificateName="taken"),
                 lambda: iam_b.update_server_certificate(ServerCertificateName=name, NewPath="/b/"),
                 lambda: iam_b.delete_server_certificate(ServerCertificateName=name)):
        expect_error(call, "NoSuchEntity", 404, not_found(name))
    listed_b = iam_b.list_server_certificates()["ServerCertificateMetadataList"]
    assert name not in [m["ServerCertificateName"] for m in listed_b]
    assert mine["ServerCertificateId"] not in [m["ServerCertificateId"] for m in listed_b]
    assert iam_b.list_server_certificates(PathPrefix="/iso/")["ServerCertificateMetadataList"] == []

    # B may use the same name: its own certificate, its own ID and ARN.
    theirs = upload(iam_b, pki, name, "p256_a", "p256_a", Path="/iso/")["ServerCertificateMetadata"]
    assert theirs["ServerCertificateId"] != mine["ServerCertificateId"]
    assert theirs["Arn"] == f"arn:aws:iam::{account_b.account}:server-certificate/iso/{name}"
    assert iam_b.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]["Tags"] == []
    iam_b.delete_server_certificate(ServerCertificateName=name)

    # A's is untouched by all of this.
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got["ServerCertificateMetadata"] == mine
    assert got["CertificateBody"].strip() == pki.cert("leaf").strip()
    assert got["CertificateChain"].strip() == pki.chain("inter", "root").strip()
    assert got["Tags"] == [{"Key": "owner", "Value": "a"}]


def test_an_iam_user_without_policies_cannot_manage_certificates(server, iam, pki, cleanup):
    name = unique("root-only")
    cleanup.append(name)
    upload(iam, pki, name, "rsa_a", "rsa_a")
    user = unique("certuser")
    iam.create_user(UserName=user)
    creds = s.new_access_key(server, iam, user)
    iam_user = iam_client(server, creds)
    expect_error(lambda: iam_user.get_server_certificate(ServerCertificateName=name), "AccessDenied", 403)
    expect_error(lambda: iam_user.delete_server_certificate(ServerCertificateName=name), "AccessDenied", 403)
    expect_error(lambda: upload(iam_user, pki, unique("by-user"), "rsa_a", "rsa_a"), "AccessDenied", 403)
    assert iam.get_server_certificate(ServerCertificateName=name)


# --------------------------------------------------------------------------------------------------
# Secrets


def fragments(data: bytes | str, size: int) -> list:
    """Non-overlapping pieces: a value SQLite split over pages would still show most of them."""
    return [data[i:i + size] for i in range(0, len(data) - size + 1, size)]


def test_private_keys_are_never_answered_nor_kept_in_clear(server, iam, pki, cleanup):
    # Upload with every key form that is accepted, then read everything back.
    for cert, key in (("rsa_a", "rsa_a"), ("rsa_a", "rsa_a_pkcs1"), ("p256_a", "p256_a"),
                      ("p384_a", "p384_a_pkcs8"), ("leaf", "rsa_a"), ("leaf2", "p256_a_pkcs8")):
        name = unique(f"secret-{key}")
        cleanup.append(name)
        chain = {"leaf": ("inter", "root"), "leaf2": ("inter2", "inter")}.get(cert, ())
        upload(iam, pki, name, cert, key, chain)
        iam.get_server_certificate(ServerCertificateName=name)
    iam.list_server_certificates()
    cli = aws(server, "iam", "list-server-certificates", "--output", "json")
    assert cli.rc == 0, cli.describe()

    # No response this module received holds a private key.
    lines = pki.private_key_lines()
    assert lines and RESPONSES
    for body in RESPONSES + [cli.out.encode()]:
        assert b"PRIVATE KEY" not in body, body[:500]
        for line in lines:
            assert line.encode() not in body, f"a private key line was answered: {body[:500]!r}"

    # The database files: no PEM marker, no piece of a key's base64 lines, no piece of a key's DER.
    files = sorted(p for p in server.data_dir.glob("keyway.sqlite*") if p.is_file())
    assert any(p.name == "keyway.sqlite" for p in files), files
    contents = {p.name: p.read_bytes() for p in files}
    everything = b"".join(contents.values())
    # The search does see stored data: the certificate bodies are there (they are public).
    cert_line = pki.cert("p384_a").splitlines()[3].encode()
    assert cert_line in everything, "the certificate body should be stored, and so found by this search"
    # Public material (certificates hold the public halves of the keys) is no finding.
    public_text = pki.public_text()
    public_der = b"".join(pki.cert_ders())
    for name, data in contents.items():
        assert b"PRIVATE KEY" not in data, f"'PRIVATE KEY' in {name}"
        for line in lines:
            for piece in fragments(line, 16):
                if piece not in public_text:
                    assert piece.encode() not in data, f"a piece of a private key line ({piece!r}) is in {name}"
        for der in pki.private_key_ders():
            found = [piece for piece in fragments(der, 16) if piece not in public_der and piece in data]
            assert not found, f"{len(found)} pieces of a private key's DER are in {name}"
