"""End-to-end tests of `keyway serve`, the EC2 Query API (2016-11-15) for key pairs, driven by the stock AWS CLI v1
and boto3 with --endpoint-url, and judged by ssh-keygen, openssl and puttygen.

Sections: 1 CreateKeyPair (types, formats, tags, DryRun, errors); 2 ImportKeyPair (every input format, every
rejected input); 3 DescribeKeyPairs (names, IDs, filters, public keys, raw XML); 4 DeleteKeyPair; 5 tags
(CreateTags/DeleteTags/DescribeTags, limits, filters, pagination); 6 DescribeRegions and regions not served;
7 two regions side by side.

Most tests share one server (fixture `ec2_server`, regions us-east-1, eu-west-1, ap-southeast-2) and keep apart
through unique key names and tag keys; a test that needs an empty store starts its own. The 5,000 limit, the
crash test, raw-HTTP robustness and the server's life cycle are in test_ec2_server_ops.py.

Where the spec (shared/spec/aws-api-spec.md) marks AWS's behaviour unconfirmed, the tests pin the behaviour the
server chose and documents in its sources; those tests say so in their docstrings ("server's choice").
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (
    CREATE_TIME,
    DRY_RUN_MESSAGE,
    ED25519_FINGERPRINT,
    EMPTY_REGION,
    INVALID_KEY_MESSAGE,
    KEY_PAIR_ID,
    RSA_CREATED_FINGERPRINT,
    RSA_IMPORTED_FINGERPRINT,
    SHARED_REGIONS,
    assert_cli_error,
    assert_key_absent,
    aws,
    aws_json,
    ec2_client,
    ed25519_line_random,
    expect_client_error,
    first_line,
    key_names_in,
    openssl_aws_created,
    openssl_aws_imported_from_private,
    openssl_aws_imported_from_public,
    pub_comment,
    pub_fields,
    puttygen_export_openssh,
    puttygen_public,
    raw_xml_of,
    run_ok,
    ssh_keygen_fingerprint,
    ssh_keygen_public,
    ssh_string,
    unique_name,
    write_file,
)

EC2_NS = "{http://ec2.amazonaws.com/doc/2016-11-15/}"


@pytest.fixture(scope="module")
def client(ec2_server):
    return ec2_client(ec2_server)


def ed25519_fingerprint_of(path) -> str:
    """EC2's Ed25519 fingerprint from `ssh-keygen -l`: the SHA256 value without its prefix, plus '='."""
    _, fingerprint, _ = ssh_keygen_fingerprint(path)
    assert fingerprint.startswith("SHA256:"), fingerprint
    return fingerprint[len("SHA256:"):] + "="


def describe_one(client, name: str, include_public_key: bool = True) -> dict:
    pairs = client.describe_key_pairs(KeyNames=[name], IncludePublicKey=include_public_key)["KeyPairs"]
    assert len(pairs) == 1, pairs
    return pairs[0]


def flt(name: str, *values: str) -> dict:
    """One Describe filter."""
    return {"Name": name, "Values": list(values)}


def tag_spec(tags: list[dict]) -> list[dict]:
    """A TagSpecification list for a key pair."""
    return [{"ResourceType": "key-pair", "Tags": tags}]


def import_ed25519(client, name: str | None = None, **extra) -> dict:
    name = name or unique_name("ed")
    return client.import_key_pair(KeyName=name, PublicKeyMaterial=ed25519_line_random().encode(), **extra)


# ==================================================================================================
# Keys made by the real tools, and the files ImportKeyPair is given


@dataclass
class ReferenceKey:
    """A key made by ssh-keygen or openssl, with what EC2 must report when its public half is imported."""

    name: str
    private: Path | None  # None for synthetic public keys
    public: Path  # OpenSSH public line file
    key_type: str  # rsa | ed25519
    fingerprint: str  # as EC2 shows it for an imported key

    @property
    def line_fields(self) -> tuple[str, str]:
        return pub_fields(self.public.read_text())


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, ReferenceKey]:
    folder = tmp_path_factory.mktemp("reference-keys")
    made: dict[str, ReferenceKey] = {}
    for name, args in [
        ("rsa1024", ["-t", "rsa", "-b", "1024"]),
        ("rsa2048", ["-t", "rsa", "-b", "2048"]),
        ("rsa3072", ["-t", "rsa", "-b", "3072"]),
        ("rsa4096", ["-t", "rsa", "-b", "4096"]),
        ("ed25519", ["-t", "ed25519"]),
    ]:
        path = folder / name
        run_ok(["ssh-keygen", "-q", "-N", "", "-C", f"{name}-comment@e2e.test", *args, "-f", path])
        public = Path(f"{path}.pub")
        if name.startswith("rsa"):
            made[name] = ReferenceKey(name, path, public, "rsa", openssl_aws_imported_from_public(public))
        else:
            made[name] = ReferenceKey(name, path, public, "ed25519", ed25519_fingerprint_of(public))
    # An RSA key made by openssl (PKCS#8 private key); its OpenSSH line comes from ssh-keygen -i.
    private = folder / "openssl-rsa.pem"
    run_ok(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private])
    spki = run_ok(["openssl", "pkey", "-in", private, "-pubout"]).stdout_bytes
    spki_path = write_file(folder / "openssl-rsa.spki.pem", spki)
    line = run_ok(["ssh-keygen", "-i", "-m", "PKCS8", "-f", spki_path]).out.strip()
    public = write_file(folder / "openssl-rsa.pub", line + "\n")
    made["openssl-rsa"] = ReferenceKey(
        "openssl-rsa", private, public, "rsa", openssl_aws_imported_from_private(private)
    )
    # Large RSA public keys without the cost of generating them: an odd modulus of exactly that many bits
    # (nothing checks primality of a public key). AWS accepted 8192-bit imports; the server takes up to 16384.
    for bits in (8192, 16384):
        public = write_file(folder / f"rsa{bits}.pub", synthetic_rsa_line(bits) + "\n")
        assert ssh_keygen_fingerprint(public)[0] == bits
        made[f"rsa{bits}"] = ReferenceKey(f"rsa{bits}", None, public, "rsa", openssl_aws_imported_from_public(public))
    return made


def mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return ssh_string(b"\0" + raw if raw[0] & 0x80 else raw)


def synthetic_rsa_line(bits: int) -> str:
    modulus = int.from_bytes(os.urandom(bits // 8 + 1), "big") & ((1 << bits) - 1) | (1 << (bits - 1)) | 1
    blob = ssh_string(b"ssh-rsa") + mpint(65537) + mpint(modulus)
    return "ssh-rsa " + base64.b64encode(blob).decode()


def spki_der(key: ReferenceKey) -> bytes:
    if key.name == "openssl-rsa":
        return run_ok(["openssl", "pkey", "-in", key.private, "-pubout", "-outform", "DER"]).stdout_bytes
    pem = run_ok(["ssh-keygen", "-e", "-m", "PKCS8", "-f", key.public]).stdout_bytes
    return run_ok(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem).stdout_bytes


def material(key: ReferenceKey, fmt: str) -> bytes:
    """The bytes of a public key file in `fmt`, made by the real tools from `key`."""
    line_type, line_b64 = key.line_fields
    if fmt == "openssh":
        return key.public.read_bytes()
    if fmt == "openssh-no-comment":
        return f"{line_type} {line_b64}".encode()
    if fmt == "openssh-crlf":
        return f"{line_type} {line_b64} windows-comment\r\n".encode()
    if fmt == "openssh-bom":
        return b"\xef\xbb\xbf\n  " + key.public.read_bytes() + b"\n\n"
    if fmt == "rfc4716":
        return run_ok(["ssh-keygen", "-e", "-f", key.public]).stdout_bytes
    if fmt == "rfc4716-puttygen":
        return run_ok(["puttygen", key.private, "-O", "public"]).stdout_bytes
    if fmt == "rfc4716-headers":
        # RFC 4716 §3.3: a quoted comment continued with a backslash, and a private x- header.
        body = textwrap.wrap(base64.b64encode(base64.b64decode(line_b64)).decode(), 70)
        return "\r\n".join([
            "---- BEGIN SSH2 PUBLIC KEY ----", 'Comment: "a rather long comment that goes on and \\',
            'on across two lines"', "x-made-by: keyway-e2e", *body, "---- END SSH2 PUBLIC KEY ----", "",
        ]).encode()
    if fmt == "spki-pem":
        if key.name == "openssl-rsa":
            return run_ok(["openssl", "pkey", "-in", key.private, "-pubout"]).stdout_bytes
        return run_ok(["ssh-keygen", "-e", "-m", "PKCS8", "-f", key.public]).stdout_bytes
    if fmt == "pkcs1-pem":
        if key.name == "openssl-rsa":
            return run_ok(["openssl", "rsa", "-in", key.private, "-RSAPublicKey_out"]).stdout_bytes
        return run_ok(["ssh-keygen", "-e", "-m", "PEM", "-f", key.public]).stdout_bytes
    if fmt == "spki-der-base64":
        return base64.b64encode(spki_der(key))
    if fmt == "spki-der-base64-wrapped":
        return ("\n".join(textwrap.wrap(base64.b64encode(spki_der(key)).decode(), 64)) + "\n").encode()
    if fmt == "spki-der":
        return spki_der(key)
    raise AssertionError(fmt)


RSA_FORMATS = [
    "openssh", "rfc4716", "spki-pem", "pkcs1-pem", "spki-der-base64", "spki-der-base64-wrapped", "spki-der",
]
IMPORT_CASES = (
    [(key, fmt) for key in ("rsa1024", "rsa2048", "rsa4096") for fmt in RSA_FORMATS]
    + [(key, fmt) for key in ("rsa3072", "rsa8192", "rsa16384") for fmt in ("openssh", "rfc4716", "spki-der-base64")]
    + [("rsa2048", fmt)
       for fmt in ("openssh-no-comment", "openssh-crlf", "openssh-bom", "rfc4716-puttygen", "rfc4716-headers")]
    + [("ed25519", fmt) for fmt in ("openssh", "openssh-no-comment", "openssh-crlf", "openssh-bom", "rfc4716",
                                    "rfc4716-puttygen", "rfc4716-headers")]
    + [("openssl-rsa", fmt) for fmt in ("spki-pem", "pkcs1-pem", "spki-der-base64")]
)
CLI_IMPORT_CASES = [("rsa2048", fmt) for fmt in RSA_FORMATS] + [
    ("ed25519", "openssh"), ("ed25519", "rfc4716"), ("openssl-rsa", "spki-pem"),
]


def check_imported(client, name: str, key: ReferenceKey, response: dict) -> None:
    assert response["KeyName"] == name, response
    assert KEY_PAIR_ID.match(response["KeyPairId"]), response
    assert response["KeyFingerprint"] == key.fingerprint, (
        f"imported {key.name}: fingerprint should be what openssl computes "
        f"({'MD5 of the DER SubjectPublicKeyInfo' if key.key_type == 'rsa' else 'padded base64 SHA-256'})"
    )
    pattern = RSA_IMPORTED_FINGERPRINT if key.key_type == "rsa" else ED25519_FINGERPRINT
    assert pattern.match(response["KeyFingerprint"]), response["KeyFingerprint"]
    item = describe_one(client, name)
    assert item["KeyPairId"] == response["KeyPairId"]
    assert item["KeyType"] == key.key_type
    assert item["KeyFingerprint"] == key.fingerprint
    assert pub_fields(item["PublicKey"]) == key.line_fields, "publicKey should be the same key as an OpenSSH line"
    assert pub_comment(item["PublicKey"]) == name, "publicKey ends with the key name as its comment"


# ==================================================================================================
# 1. CreateKeyPair


def test_create_default_rsa_pem_via_cli_is_read_by_ssh_keygen_and_openssl(ec2_server, client, tmp_path):
    """`aws ec2 create-key-pair --query KeyMaterial --output text > k.pem`: PKCS#1 RSA 2048, e=65537, usable."""
    name = unique_name("cli-rsa")
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name, "--query", "KeyMaterial", "--output", "text")
    assert result.rc == 0, result.describe()
    pem = write_file(tmp_path / f"{name}.pem", result.stdout_bytes)
    assert first_line(pem) == "-----BEGIN RSA PRIVATE KEY-----"
    assert pem.read_text().rstrip().endswith("-----END RSA PRIVATE KEY-----")
    public_line = ssh_keygen_public(pem)
    bits, _, tag = ssh_keygen_fingerprint(pem)
    assert (bits, tag) == (2048, "(RSA)")
    text = run_ok(["openssl", "rsa", "-in", pem, "-noout", "-text"]).out
    assert "publicExponent: 65537" in text
    run_ok(["openssl", "rsa", "-in", pem, "-check", "-noout"])

    item = aws_json(ec2_server, "ec2", "describe-key-pairs", "--key-names", name, "--include-public-key")["KeyPairs"]
    assert len(item) == 1
    item = item[0]
    assert item["KeyName"] == name and item["KeyType"] == "rsa"
    assert KEY_PAIR_ID.match(item["KeyPairId"])
    assert item["KeyFingerprint"] == openssl_aws_created(pem), "created RSA: SHA-1 of the DER PKCS#8 private key"
    assert pub_fields(item["PublicKey"]) == pub_fields(public_line)
    assert pub_comment(item["PublicKey"]) == name
    assert item["Tags"] == []


def test_create_rsa_pem_via_boto3_response(client, tmp_path):
    name = unique_name("boto-rsa")
    response = client.create_key_pair(KeyName=name, KeyType="rsa", KeyFormat="pem")
    assert {"KeyPairId", "KeyName", "KeyFingerprint", "KeyMaterial"} <= set(response), response.keys()
    assert "KeyType" not in response, "CreateKeyPair's response has no keyType"
    assert response.get("Tags", []) == []
    assert response["KeyName"] == name
    assert KEY_PAIR_ID.match(response["KeyPairId"])
    assert RSA_CREATED_FINGERPRINT.match(response["KeyFingerprint"]), response["KeyFingerprint"]
    assert response["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert "BEGIN PRIVATE KEY" not in response["KeyMaterial"], "RSA material is PKCS#1, not PKCS#8"
    pem = write_file(tmp_path / "k.pem", response["KeyMaterial"])
    assert response["KeyFingerprint"] == openssl_aws_created(pem)
    item = describe_one(client, name)
    assert item["KeyPairId"] == response["KeyPairId"]
    assert item["KeyFingerprint"] == response["KeyFingerprint"]
    assert pub_fields(item["PublicKey"]) == pub_fields(ssh_keygen_public(pem))


def test_create_ed25519_pem_via_cli_is_read_by_ssh_keygen(ec2_server, client, tmp_path):
    name = unique_name("cli-ed")
    result = aws(
        ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-type", "ed25519",
        "--query", "KeyMaterial", "--output", "text",
    )
    assert result.rc == 0, result.describe()
    pem = write_file(tmp_path / f"{name}.pem", result.stdout_bytes)
    assert first_line(pem) == "-----BEGIN OPENSSH PRIVATE KEY-----"
    public_line = ssh_keygen_public(pem)
    assert public_line.startswith("ssh-ed25519 ")
    bits, _, tag = ssh_keygen_fingerprint(pem)
    assert (bits, tag) == (256, "(ED25519)")
    item = describe_one(client, name)
    assert item["KeyType"] == "ed25519"
    assert item["KeyFingerprint"] == ed25519_fingerprint_of(pem), "Ed25519: ssh-keygen's SHA256 value plus '='"
    assert ED25519_FINGERPRINT.match(item["KeyFingerprint"])
    assert pub_fields(item["PublicKey"]) == pub_fields(public_line)
    assert pub_comment(item["PublicKey"]) == name


@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
def test_create_ppk_via_cli_is_read_by_puttygen(ec2_server, client, tmp_path, key_type):
    name = unique_name(f"cli-ppk-{key_type}")
    result = aws(
        ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-type", key_type, "--key-format", "ppk",
        "--query", "KeyMaterial", "--output", "text",
    )
    assert result.rc == 0, result.describe()
    ppk = write_file(tmp_path / f"{name}.ppk", result.stdout_bytes)
    lines = ppk.read_text().splitlines()
    ssh_name = "ssh-rsa" if key_type == "rsa" else "ssh-ed25519"
    assert lines[0] == f"PuTTY-User-Key-File-2: {ssh_name}"
    assert lines[1] == "Encryption: none"
    assert lines[2] == f"Comment: {name}", "server's choice: the key name is the PPK comment"
    public_line = puttygen_public(ppk)  # puttygen checks the MAC when it loads the file
    item = describe_one(client, name)
    assert item["KeyType"] == key_type
    assert pub_fields(item["PublicKey"]) == pub_fields(public_line)
    if key_type == "rsa":
        pem = puttygen_export_openssh(ppk, tmp_path / "exported.pem")
        assert ssh_keygen_fingerprint(pem)[0] == 2048
        assert item["KeyFingerprint"] == openssl_aws_created(pem), "same SHA-1/PKCS#8 rule as for pem"
    else:
        pub = write_file(tmp_path / "exported.pub", public_line + "\n")
        assert item["KeyFingerprint"] == ed25519_fingerprint_of(pub)


def test_create_ed25519_ppk_via_boto3(client, tmp_path):
    name = unique_name("boto-ppk")
    response = client.create_key_pair(KeyName=name, KeyType="ed25519", KeyFormat="ppk")
    assert response["KeyMaterial"].startswith("PuTTY-User-Key-File-2: ssh-ed25519\n")
    ppk = write_file(tmp_path / "k.ppk", response["KeyMaterial"])
    pub = write_file(tmp_path / "k.pub", puttygen_public(ppk) + "\n")
    assert response["KeyFingerprint"] == ed25519_fingerprint_of(pub)


def test_create_with_tag_specification_via_cli(ec2_server, client):
    name = unique_name("cli-tagged")
    spec = [{"ResourceType": "key-pair", "Tags": [
        {"Key": "env", "Value": "dev"},
        {"Key": "empty", "Value": ""},
        {"Key": "Ünicode key", "Value": "välue ✓ <&>"},
    ]}]
    out = aws_json(
        ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-type", "ed25519",
        "--tag-specifications", json.dumps(spec),
    )
    expected = spec[0]["Tags"]
    assert out["Tags"] == expected
    assert describe_one(client, name)["Tags"] == expected
    tags = client.describe_tags(Filters=[{"Name": "resource-id", "Values": [out["KeyPairId"]]}])["Tags"]
    assert sorted((t["Key"], t["Value"], t["ResourceId"], t["ResourceType"]) for t in tags) == sorted(
        (t["Key"], t["Value"], out["KeyPairId"], "key-pair") for t in expected
    )


def test_import_with_tag_specification_via_boto3(client):
    name = unique_name("imp-tagged")
    tags = [{"Key": "team", "Value": "blue"}, {"Key": "cost-center", "Value": "42"}]
    response = import_ed25519(client, name, TagSpecifications=[{"ResourceType": "key-pair", "Tags": tags}])
    assert response["Tags"] == tags
    assert describe_one(client, name)["Tags"] == tags


@pytest.mark.parametrize("operation", ["create", "import"])
@pytest.mark.parametrize(
    "case",
    ["wrong-resource-type", "reserved-prefix", "51-tags", "key-too-long", "value-too-long", "duplicate-key"],
)
def test_bad_tag_specification_stores_nothing(client, operation, case):
    name = unique_name(f"badspec-{operation}")
    resource_type = "key-pair"
    tags = [{"Key": "ok", "Value": "1"}]
    code = "InvalidParameterValue"
    if case == "wrong-resource-type":
        resource_type = "instance"
    elif case == "reserved-prefix":
        tags = [{"Key": "aws:cloudformation:stack-name", "Value": "x"}]
    elif case == "51-tags":
        tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
        code = "TagLimitExceeded"
    elif case == "key-too-long":
        tags = [{"Key": "k" * 129, "Value": "v"}]
    elif case == "value-too-long":
        tags = [{"Key": "k", "Value": "v" * 257}]
    elif case == "duplicate-key":  # server's choice: a key given twice in one TagSpecification is refused
        tags = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    specs = [{"ResourceType": resource_type, "Tags": tags}]
    if operation == "create":
        call = lambda: client.create_key_pair(KeyName=name, KeyType="ed25519", TagSpecifications=specs)  # noqa: E731
    else:
        call = lambda: import_ed25519(client, name, TagSpecifications=specs)  # noqa: E731
    expect_client_error(call, code)
    assert_key_absent(client, name)


def test_tag_specification_limits_accepted_at_the_edge(client):
    """50 tags, a 128-character key and a 256-character value are allowed."""
    name = unique_name("edge-tags")
    tags = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(49)] + [{"Key": "K" * 128, "Value": "V" * 256}]
    client.create_key_pair(KeyName=name, KeyType="ed25519", TagSpecifications=tag_spec(tags))
    assert describe_one(client, name)["Tags"] == tags


def test_dry_run_create_via_cli(ec2_server, client):
    name = unique_name("dry-cli")
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name, "--dry-run")
    assert_cli_error(result, "DryRunOperation", "CreateKeyPair", DRY_RUN_MESSAGE)
    result = aws(ec2_server, "ec2", "import-key-pair", "--key-name", name, "--dry-run",
                 "--public-key-material", base64.b64encode(ed25519_line_random().encode()).decode())
    assert_cli_error(result, "DryRunOperation", "ImportKeyPair", DRY_RUN_MESSAGE)
    assert_key_absent(client, name)


@pytest.mark.parametrize(
    "action",
    ["CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs", "DeleteKeyPair", "CreateTags", "DeleteTags",
     "DescribeTags", "DescribeRegions"],
)
def test_dry_run_every_action_is_http_412_and_changes_nothing(client, action):
    existing = import_ed25519(client, TagSpecifications=tag_spec([{"Key": "keep", "Value": "1"}]))
    name = unique_name("dry")
    public = ed25519_line_random().encode()
    kid = existing["KeyPairId"]
    calls = {
        "CreateKeyPair": lambda: client.create_key_pair(KeyName=name, DryRun=True),
        "ImportKeyPair": lambda: client.import_key_pair(KeyName=name, PublicKeyMaterial=public, DryRun=True),
        "DescribeKeyPairs": lambda: client.describe_key_pairs(KeyNames=[existing["KeyName"]], DryRun=True),
        "DeleteKeyPair": lambda: client.delete_key_pair(KeyName=existing["KeyName"], DryRun=True),
        "CreateTags": lambda: client.create_tags(Resources=[kid], Tags=[{"Key": "new", "Value": "x"}], DryRun=True),
        "DeleteTags": lambda: client.delete_tags(Resources=[kid], DryRun=True),
        "DescribeTags": lambda: client.describe_tags(DryRun=True),
        "DescribeRegions": lambda: client.describe_regions(DryRun=True),
    }
    expect_client_error(calls[action], "DryRunOperation", status=412, message=DRY_RUN_MESSAGE)
    assert_key_absent(client, name)
    item = describe_one(client, existing["KeyName"])
    assert item["KeyPairId"] == existing["KeyPairId"], "a dry run deletes nothing"
    assert item["Tags"] == [{"Key": "keep", "Value": "1"}], "a dry run changes no tags"


def test_dry_run_false_is_a_real_call(client):
    name = unique_name("dry-false")
    client.create_key_pair(KeyName=name, KeyType="ed25519", DryRun=False)
    assert describe_one(client, name)["KeyName"] == name


def test_duplicate_name_via_cli(ec2_server, client):
    name = unique_name("dup")
    first = aws_json(ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-type", "ed25519")
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name)
    assert_cli_error(result, "InvalidKeyPair.Duplicate", "CreateKeyPair", f"The keypair '{name}' already exists.")
    expect_client_error(
        lambda: import_ed25519(client, name), "InvalidKeyPair.Duplicate",
        message=f"The keypair '{name}' already exists.",
    )
    item = describe_one(client, name)
    assert (item["KeyPairId"], item["KeyFingerprint"], item["KeyType"]) == (
        first["KeyPairId"], first["KeyFingerprint"], "ed25519"
    ), "the first key pair is left as it was"


def test_duplicate_of_an_imported_name(client):
    name = unique_name("dup-imp")
    import_ed25519(client, name)
    expect_client_error(lambda: client.create_key_pair(KeyName=name), "InvalidKeyPair.Duplicate",
                        message=f"The keypair '{name}' already exists.")
    expect_client_error(lambda: import_ed25519(client, name), "InvalidKeyPair.Duplicate")


def test_names_differing_in_case_are_different_key_pairs(client):
    name = unique_name("case")
    import_ed25519(client, name.lower())
    import_ed25519(client, name.upper())
    assert key_names_in(client, KeyNames=[name.lower(), name.upper()]) == {name.lower(), name.upper()}


@pytest.mark.parametrize(
    "parameter,value",
    [("KeyType", "dsa"), ("KeyType", "ecdsa"), ("KeyType", "RSA"), ("KeyType", "rsa2048"), ("KeyType", ""),
     ("KeyFormat", "der"), ("KeyFormat", "PEM"), ("KeyFormat", "pkcs8"), ("KeyFormat", "")],
)
def test_bad_key_type_or_format(client, parameter, value):
    name = unique_name("badenum")
    expect_client_error(lambda: client.create_key_pair(KeyName=name, **{parameter: value}), "InvalidParameterValue")
    assert_key_absent(client, name)


def test_bad_key_type_via_cli(ec2_server, client):
    name = unique_name("badenum-cli")
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-type", "dsa")
    assert_cli_error(result, "InvalidParameterValue", "CreateKeyPair")
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name, "--key-format", "der")
    assert_cli_error(result, "InvalidParameterValue", "CreateKeyPair")
    assert_key_absent(client, name)


@pytest.mark.parametrize("operation", ["create", "import"])
@pytest.mark.parametrize(
    "case", ["256-chars", "non-ascii", "emoji", "control-char", "leading-space", "trailing-space"]
)
def test_bad_key_names(client, operation, case):
    """Names are 1-255 ASCII characters. Server's choice: no control characters and no space at either end."""
    tag = unique_name("n")
    name = {
        "256-chars": (tag + "x" * 256)[:256],
        "non-ascii": f"clé-{tag}",
        "emoji": f"key-🔑-{tag}",
        "control-char": f"a\tb-{tag}",
        "leading-space": f" {tag}",
        "trailing-space": f"{tag} ",
    }[case]
    if operation == "create":
        call = lambda: client.create_key_pair(KeyName=name, KeyType="ed25519")  # noqa: E731
    else:
        call = lambda: import_ed25519(client, name)  # noqa: E731
    expect_client_error(call, "InvalidParameterValue")
    assert key_names_in(client, Filters=[{"Name": "key-name", "Values": [f"*{tag}*"]}]) == set()


def test_name_too_long_via_cli(ec2_server):
    name = unique_name("long") + "x" * 256
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name[:256])
    assert_cli_error(result, "InvalidParameterValue", "CreateKeyPair")


@pytest.mark.parametrize("operation", ["create", "import"])
def test_good_unusual_names(client, operation):
    """255 characters, interior spaces and every printable ASCII punctuation character are valid names."""
    tag = unique_name("ok")
    for name in [(tag + "y" * 255)[:255], f"Test key {tag}", f"{tag} !\"#$%&'()*+,-./:;<=>?@[\\]^_`{{|}}~"]:
        if operation == "create":
            response = client.create_key_pair(KeyName=name, KeyType="ed25519")
        else:
            response = import_ed25519(client, name)
        assert response["KeyName"] == name
        item = describe_one(client, name)
        assert item["KeyName"] == name
        assert item["PublicKey"].endswith(" " + name)


# ==================================================================================================
# 2. ImportKeyPair


@pytest.mark.parametrize("key_name,fmt", IMPORT_CASES, ids=[f"{k}-{f}" for k, f in IMPORT_CASES])
def test_import_via_boto3(client, keys, key_name, fmt):
    key = keys[key_name]
    name = unique_name(f"imp-{key_name}-{fmt}")
    response = client.import_key_pair(KeyName=name, PublicKeyMaterial=material(key, fmt))
    assert {"KeyFingerprint", "KeyName", "KeyPairId"} <= set(response), response
    assert "KeyMaterial" not in response and response.get("Tags", []) == []
    check_imported(client, name, key, response)


@pytest.mark.parametrize("key_name,fmt", CLI_IMPORT_CASES, ids=[f"{k}-{f}" for k, f in CLI_IMPORT_CASES])
def test_import_via_cli_fileb(ec2_server, client, keys, tmp_path, key_name, fmt):
    key = keys[key_name]
    name = unique_name(f"cli-imp-{key_name}-{fmt}")
    path = write_file(tmp_path / f"{name}.key", material(key, fmt), mode=0o644)
    out = aws_json(ec2_server, "ec2", "import-key-pair", "--key-name", name, "--public-key-material", f"fileb://{path}")
    check_imported(client, name, key, out)


def test_import_via_cli_file_text(ec2_server, client, keys):
    """CLI v1 also reads `file://` raw (v2 would need fileb://)."""
    key = keys["ed25519"]
    name = unique_name("cli-imp-file")
    out = aws_json(
        ec2_server, "ec2", "import-key-pair", "--key-name", name, "--public-key-material", f"file://{key.public}"
    )
    check_imported(client, name, key, out)


def test_reimporting_a_created_rsa_key_changes_its_fingerprint(client, tmp_path):
    """Created RSA: SHA-1 of PKCS#8; the same public key imported: MD5 of the SPKI. Ed25519: the same for both."""
    created = client.create_key_pair(KeyName=unique_name("made"), KeyType="rsa")
    pem = write_file(tmp_path / "made.pem", created["KeyMaterial"])
    pub = write_file(tmp_path / "made.pub", ssh_keygen_public(pem) + "\n")
    imported = client.import_key_pair(KeyName=unique_name("again"), PublicKeyMaterial=pub.read_bytes())
    assert created["KeyFingerprint"] == openssl_aws_created(pem)
    assert imported["KeyFingerprint"] == openssl_aws_imported_from_private(pem)
    assert created["KeyFingerprint"] != imported["KeyFingerprint"]

    created = client.create_key_pair(KeyName=unique_name("made-ed"), KeyType="ed25519")
    pem = write_file(tmp_path / "made-ed.pem", created["KeyMaterial"])
    pub = write_file(tmp_path / "made-ed.pub", ssh_keygen_public(pem) + "\n")
    imported = client.import_key_pair(KeyName=unique_name("again-ed"), PublicKeyMaterial=pub.read_bytes())
    assert created["KeyFingerprint"] == imported["KeyFingerprint"] == ed25519_fingerprint_of(pub)


def test_spec_vectors_import(client):
    """The worked examples of spec §2.7."""
    rsa = (
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDR7US3R0ThY3O6VDanJrFq8RAs/0kfRm/LAYox1z3g4ip6XzknyoN3QkU9kgQwsOZVF3BZ"
        "ZNvulsSO5OnKqLupyOLxtzWdQKiHYD8/9uGp0HijRIbHgboBGTlwBJNfPIGuFJgrueV0BiPEAcpJ4N6I1plqeU/OI0WSMBwbNBr9Uw== "
        "vector-key"
    )
    ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFUO/V7kPC050XeczAW0ucEa3mCtyUMFrpydJ9F+WJc5 vector-ed25519"
    response = client.import_key_pair(KeyName=unique_name("vector-rsa"), PublicKeyMaterial=rsa.encode())
    assert response["KeyFingerprint"] == "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71"
    response = client.import_key_pair(KeyName=unique_name("vector-ed"), PublicKeyMaterial=ed.encode())
    assert response["KeyFingerprint"] == "FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8="


@pytest.fixture(scope="module")
def bad_materials(tmp_path_factory, keys) -> dict[str, bytes]:
    """Inputs ImportKeyPair must refuse with InvalidKey.Format, made by the real tools where they can make them."""
    folder = tmp_path_factory.mktemp("bad-keys")
    made: dict[str, bytes] = {}
    for name, args in [
        ("dsa", ["-t", "dsa"]), ("ecdsa", ["-t", "ecdsa", "-b", "256"]), ("ecdsa384", ["-t", "ecdsa", "-b", "384"]),
    ]:
        run_ok(["ssh-keygen", "-q", "-N", "", "-C", name, *args, "-f", folder / name])
        made[f"{name}-openssh"] = (folder / f"{name}.pub").read_bytes()
    made["dsa-rfc4716"] = run_ok(["ssh-keygen", "-e", "-f", folder / "dsa.pub"]).stdout_bytes
    made["ecdsa-spki-pem"] = run_ok(["ssh-keygen", "-e", "-m", "PKCS8", "-f", folder / "ecdsa.pub"]).stdout_bytes
    made["ecdsa-private-pem"] = run_ok(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"]).stdout_bytes

    ed_line = keys["ed25519"].public.read_text().strip()
    rsa_line = keys["rsa2048"].public.read_text().strip()
    ed_type, ed_b64 = pub_fields(ed_line)
    rsa_type, rsa_b64 = pub_fields(rsa_line)
    made["garbage-text"] = b"hello world"
    made["garbage-binary"] = bytes(range(256)) * 4
    made["ssh-rsa-junk"] = b"ssh-rsa JUNK"
    made["type-only"] = b"ssh-ed25519"
    made["bad-base64"] = f"ssh-ed25519 {ed_b64[:20]}!!!!{ed_b64[24:]}".encode()
    made["options-command"] = f'command="/bin/ls",no-pty {ed_line}'.encode()
    made["options-from"] = f'from="10.0.0.1" {rsa_line}'.encode()
    made["two-lines"] = f"{ed_line}\n{rsa_line}\n".encode()
    made["two-ed25519-lines"] = f"{ed_line}\n{ed25519_line_random('other')}\n".encode()
    made["truncated-openssh"] = f"{rsa_type} {rsa_b64[: len(rsa_b64) // 2 // 4 * 4]}".encode()
    made["truncated-ed25519"] = f"{ed_type} {ed_b64[:40]}".encode()
    rfc = run_ok(["ssh-keygen", "-e", "-f", keys["rsa2048"].public]).out
    made["truncated-rfc4716"] = "\n".join(rfc.splitlines()[:-1]).encode()
    spki = material(keys["rsa2048"], "spki-pem").decode()
    made["truncated-spki-pem"] = "\n".join(spki.splitlines()[:-1]).encode()
    made["truncated-der"] = spki_der(keys["rsa2048"])[:100]
    made["type-mismatch"] = f"ssh-ed25519 {rsa_b64}".encode()
    made["rsa-16385-bits"] = (synthetic_rsa_line(16385) + "\n").encode()  # server's choice: at most 16384 bits
    short_blob = ssh_string(b"ssh-ed25519") + ssh_string(b"\x01" * 31)
    made["ed25519-31-bytes"] = b"ssh-ed25519 " + base64.b64encode(short_blob)
    sk_blob = ssh_string(b"sk-ssh-ed25519@openssh.com") + ssh_string(b"\x02" * 32) + ssh_string(b"ssh:")
    made["sk-ed25519"] = ("sk-ssh-ed25519@openssh.com " + base64.b64encode(sk_blob).decode()).encode()
    made["openssh-private-ed25519"] = keys["ed25519"].private.read_bytes()
    made["openssh-private-rsa"] = keys["rsa2048"].private.read_bytes()
    made["pkcs8-private-rsa"] = keys["openssl-rsa"].private.read_bytes()
    openssl_private = keys["openssl-rsa"].private
    made["pkcs1-private-rsa"] = run_ok(["openssl", "rsa", "-in", openssl_private, "-traditional"]).stdout_bytes
    made["pkcs8-private-der"] = run_ok(["openssl", "pkey", "-in", openssl_private, "-outform", "DER"]).stdout_bytes
    ppk = folder / "putty.ppk"
    run_ok(["puttygen", "-t", "ed25519", "-q", "-o", ppk, "--new-passphrase", "/dev/null"])
    made["ppk-private"] = ppk.read_bytes()
    small = folder / "rsa768.pem"
    run_ok(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:768", "-out", small])
    made["rsa-768-spki-pem"] = run_ok(["openssl", "pkey", "-in", small, "-pubout"]).stdout_bytes
    made["x509-certificate"] = run_ok(
        ["openssl", "req", "-x509", "-key", keys["openssl-rsa"].private, "-subj", "/CN=e2e", "-days", "1"]
    ).stdout_bytes
    made["whitespace-only"] = b" \n\t\n"
    # Server's choice: Ed25519 is taken only as OpenSSH or RFC 4716 text (AWS documents DER for RSA only).
    ed_private = folder / "openssl-ed25519.pem"
    run_ok(["openssl", "genpkey", "-algorithm", "ed25519", "-out", ed_private])
    made["ed25519-spki-pem"] = run_ok(["openssl", "pkey", "-in", ed_private, "-pubout"]).stdout_bytes
    made["ed25519-spki-der-base64"] = base64.b64encode(
        run_ok(["openssl", "pkey", "-in", ed_private, "-pubout", "-outform", "DER"]).stdout_bytes
    )
    return made


BAD_MATERIAL_CASES = [
    "dsa-openssh", "dsa-rfc4716", "ecdsa-openssh", "ecdsa384-openssh", "ecdsa-spki-pem", "ecdsa-private-pem",
    "garbage-text", "garbage-binary", "ssh-rsa-junk", "type-only", "bad-base64", "options-command", "options-from",
    "two-lines", "two-ed25519-lines", "truncated-openssh", "truncated-ed25519", "truncated-rfc4716",
    "truncated-spki-pem", "truncated-der", "type-mismatch", "ed25519-31-bytes", "sk-ed25519",
    "openssh-private-ed25519", "openssh-private-rsa", "pkcs8-private-rsa", "pkcs1-private-rsa", "pkcs8-private-der",
    "ppk-private", "rsa-768-spki-pem", "rsa-16385-bits", "x509-certificate", "whitespace-only", "ed25519-spki-pem",
    "ed25519-spki-der-base64",
]


@pytest.mark.parametrize("case", BAD_MATERIAL_CASES)
def test_import_bad_material_is_invalid_key_format(client, bad_materials, case):
    name = unique_name(f"bad-{case}")
    expect_client_error(
        lambda: client.import_key_pair(KeyName=name, PublicKeyMaterial=bad_materials[case]),
        "InvalidKey.Format", message=INVALID_KEY_MESSAGE,
    )
    assert_key_absent(client, name)


@pytest.mark.parametrize("case", ["garbage-text", "ecdsa-openssh", "options-command", "openssh-private-rsa"])
def test_import_bad_material_via_cli(ec2_server, client, bad_materials, tmp_path, case):
    name = unique_name(f"bad-cli-{case}")
    path = write_file(tmp_path / "bad.key", bad_materials[case])
    result = aws(ec2_server, "ec2", "import-key-pair", "--key-name", name, "--public-key-material", f"fileb://{path}")
    assert_cli_error(result, "InvalidKey.Format", "ImportKeyPair", INVALID_KEY_MESSAGE)
    assert "PRIVATE" not in result.err and "AAAA" not in result.err, "the error must not echo key material"
    assert_key_absent(client, name)


# ==================================================================================================
# 3. DescribeKeyPairs


@dataclass
class DescribeSet:
    prefix: str
    pairs: dict[str, dict]  # short name -> {"name", "id", "fingerprint", "type", "tags"}

    def names(self, *short: str) -> set[str]:
        return {self.pairs[s]["name"] for s in short}


@pytest.fixture(scope="module")
def described(client, keys) -> DescribeSet:
    """Five key pairs under one unique prefix, with tags chosen for the filter tests."""
    prefix = unique_name("desc")
    pairs: dict[str, dict] = {}

    def add(short, response, key_type, tags):
        pairs[short] = {
            "name": response["KeyName"], "id": response["KeyPairId"], "fingerprint": response["KeyFingerprint"],
            "type": key_type, "tags": tags,
        }

    def imported(name, material, tags):
        return client.import_key_pair(
            KeyName=f"{prefix}-{name}", PublicKeyMaterial=material, TagSpecifications=tag_spec(tags)
        )

    tags = [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "blue"}]
    add("alpha", imported("alpha", ed25519_line_random().encode(), tags), "ed25519", tags)
    tags = [{"Key": "env", "Value": "dev"}]
    add("beta", client.create_key_pair(KeyName=f"{prefix}-beta", TagSpecifications=tag_spec(tags)), "rsa", tags)
    tags = [{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": ""}]
    add("gamma", imported("gamma", keys["rsa2048"].public.read_bytes(), tags), "rsa", tags)
    tags = [{"Key": "odd key", "Value": "x?y*z"}]
    add("star", imported("a*b", ed25519_line_random().encode(), tags), "ed25519", tags)
    add("axb", client.create_key_pair(KeyName=f"{prefix}-axb", KeyType="ed25519"), "ed25519", [])
    return DescribeSet(prefix, pairs)


def names_for(client, filters: list[dict], prefix: str | None = None) -> set[str]:
    if prefix is not None:
        filters = filters + [{"Name": "key-name", "Values": [f"{prefix}-*"]}]
    return key_names_in(client, Filters=filters)


def test_describe_by_names_and_ids(client, described):
    d = described
    pairs = client.describe_key_pairs(KeyNames=[d.pairs["alpha"]["name"], d.pairs["gamma"]["name"]])["KeyPairs"]
    assert {p["KeyName"] for p in pairs} == d.names("alpha", "gamma")
    for pair in pairs:
        short = "alpha" if pair["KeyName"].endswith("alpha") else "gamma"
        expected = d.pairs[short]
        assert (pair["KeyPairId"], pair["KeyFingerprint"], pair["KeyType"], pair["Tags"]) == (
            expected["id"], expected["fingerprint"], expected["type"], expected["tags"]
        )
        assert "PublicKey" not in pair, "publicKey only with IncludePublicKey"
    by_id = client.describe_key_pairs(KeyPairIds=[d.pairs["beta"]["id"], d.pairs["star"]["id"]])["KeyPairs"]
    assert {p["KeyName"] for p in by_id} == d.names("beta", "star")


def test_describe_by_names_and_ids_via_cli(ec2_server, described):
    d = described
    alpha, beta = d.pairs["alpha"]["name"], d.pairs["beta"]["name"]
    out = aws_json(ec2_server, "ec2", "describe-key-pairs", "--key-names", alpha, beta)
    assert {p["KeyName"] for p in out["KeyPairs"]} == d.names("alpha", "beta")
    out = aws_json(ec2_server, "ec2", "describe-key-pairs", "--key-pair-ids", d.pairs["gamma"]["id"])
    assert [p["KeyName"] for p in out["KeyPairs"]] == [d.pairs["gamma"]["name"]]
    assert out["KeyPairs"][0]["Tags"] == d.pairs["gamma"]["tags"]


def test_describe_missing_name_even_with_existing_ones(ec2_server, client, described):
    missing = unique_name("nosuch")
    existing = described.pairs["alpha"]["name"]
    expect_client_error(
        lambda: client.describe_key_pairs(KeyNames=[existing, missing]), "InvalidKeyPair.NotFound",
        message=f"The key pair '{missing}' does not exist",
    )
    result = aws(ec2_server, "ec2", "describe-key-pairs", "--key-names", missing, existing)
    assert_cli_error(result, "InvalidKeyPair.NotFound", "DescribeKeyPairs", f"The key pair '{missing}' does not exist")


def test_describe_several_missing_names_names_one_of_them(client, described):
    missing = [unique_name("gone1"), unique_name("gone2")]
    response = expect_client_error(
        lambda: client.describe_key_pairs(KeyNames=[described.pairs["beta"]["name"], *missing]),
        "InvalidKeyPair.NotFound",
    )
    assert response["Error"]["Message"] in {f"The key pair '{m}' does not exist" for m in missing}


def test_describe_missing_id(ec2_server, client, described):
    missing = "key-0123456789abcdef0"
    expect_client_error(
        lambda: client.describe_key_pairs(KeyPairIds=[described.pairs["alpha"]["id"], missing]),
        "InvalidKeyPair.NotFound", message=f"The key pair ID '{missing}' does not exist",
    )
    result = aws(ec2_server, "ec2", "describe-key-pairs", "--key-pair-ids", missing)
    assert_cli_error(
        result, "InvalidKeyPair.NotFound", "DescribeKeyPairs", f"The key pair ID '{missing}' does not exist"
    )


def test_describe_malformed_id(client):
    """Server's choice: an ID that is not `key-` + 17 hex digits is reported as not existing."""
    expect_client_error(lambda: client.describe_key_pairs(KeyPairIds=["bogus"]), "InvalidKeyPair.NotFound",
                        message="The key pair ID 'bogus' does not exist")


def test_filter_key_name_wildcards(client, described):
    """`*` any run, `?` one character (server's choice where the EC2 guide is ambiguous), `\\` escapes."""
    d, p = described, described.prefix
    all_five = d.names("alpha", "beta", "gamma", "star", "axb")
    assert names_for(client, [flt("key-name", f"{p}-*")]) == all_five
    assert names_for(client, [flt("key-name", f"{p}-?lpha")]) == d.names("alpha")
    assert names_for(client, [flt("key-name", f"{p}-a?b")]) == d.names("star", "axb")
    assert names_for(client, [flt("key-name", f"{p}-a\\*b")]) == d.names("star"), "\\ escapes *"
    assert names_for(client, [flt("key-name", f"{p}-?")]) == set(), "? is exactly one character"
    assert names_for(client, [flt("key-name", f"{p}-beta?")]) == set(), "? is exactly one character"
    assert names_for(client, [flt("key-name", f"{p}-*a")]) == d.names("alpha", "beta", "gamma")
    assert names_for(client, [flt("key-name", f"{p}-alpha".upper())]) == set(), "case-sensitive"
    assert names_for(client, [flt("key-name", f"{p}-alpha", f"{p}-beta")]) == d.names("alpha", "beta")
    assert names_for(client, [flt("key-name", f"{p}-alph")]) == set(), "no prefix match without *"


def test_filter_key_pair_id_and_fingerprint(client, described):
    d, p = described, described.prefix
    gamma, beta, alpha = d.pairs["gamma"], d.pairs["beta"], d.pairs["alpha"]
    assert names_for(client, [flt("key-pair-id", gamma["id"])]) == d.names("gamma")
    assert names_for(client, [flt("key-pair-id", "key-*")], p) == d.names("alpha", "beta", "gamma", "star", "axb")
    assert names_for(client, [flt("key-pair-id", gamma["id"][:-1] + "?")], p) == d.names("gamma")
    assert names_for(client, [flt("fingerprint", gamma["fingerprint"])], p) == d.names("gamma")
    both = flt("fingerprint", beta["fingerprint"], alpha["fingerprint"])
    assert names_for(client, [both]) == d.names("alpha", "beta")


def test_filter_tags(client, described):
    d, p = described, described.prefix
    assert names_for(client, [flt("tag-key", "env")], p) == d.names("alpha", "beta", "gamma")
    assert names_for(client, [flt("tag-key", "co*")], p) == d.names("gamma")
    assert names_for(client, [flt("tag-key", "odd key")], p) == d.names("star")
    assert names_for(client, [flt("tag-key", "ENV")], p) == set()
    assert names_for(client, [flt("tag:env", "prod")], p) == d.names("alpha", "gamma")
    assert names_for(client, [flt("tag:env", "prod", "dev")], p) == d.names("alpha", "beta", "gamma")
    assert names_for(client, [flt("tag:env", "pr?d")], p) == d.names("alpha", "gamma")
    assert names_for(client, [flt("tag:env", "*")], p) == d.names("alpha", "beta", "gamma")
    assert names_for(client, [flt("tag:env", "Prod")], p) == set()
    assert names_for(client, [flt("tag:cost", "")], p) == d.names("gamma"), "an empty value matches ''"
    assert names_for(client, [flt("tag:odd key", "x\\?y\\*z")], p) == d.names("star")
    assert names_for(client, [flt("tag:nosuchkey", "*")], p) == set()
    # Filters are ANDed, values ORed.
    assert names_for(client, [flt("tag:env", "prod"), flt("tag:team", "blue")], p) == d.names("alpha")
    assert names_for(client, [flt("tag:env", "prod"), flt("key-name", "*gamma")]) == d.names("gamma")


def test_filter_via_cli(ec2_server, described):
    d, p = described, described.prefix
    out = aws_json(
        ec2_server, "ec2", "describe-key-pairs",
        "--filters", "Name=tag:env,Values=prod", f"Name=key-name,Values={p}-*",
        "--query", "KeyPairs[].KeyName",
    )
    assert set(out) == d.names("alpha", "gamma")


@pytest.mark.parametrize("filter_name", ["key-type", "keyName", "tag", "tag:", "resource-id", "fingerprint "])
def test_unknown_filter(client, filter_name):
    expect_client_error(
        lambda: client.describe_key_pairs(Filters=[{"Name": filter_name, "Values": ["x"]}]),
        "InvalidParameterValue", message=f"The filter '{filter_name}' is invalid",
    )


def test_unknown_filter_via_cli(ec2_server):
    result = aws(ec2_server, "ec2", "describe-key-pairs", "--filters", "Name=key-type,Values=rsa")
    assert_cli_error(result, "InvalidParameterValue", "DescribeKeyPairs", "The filter 'key-type' is invalid")


def test_filter_value_too_long(client):
    expect_client_error(
        lambda: client.describe_key_pairs(Filters=[{"Name": "key-name", "Values": ["x" * 256]}]),
        "FilterLimitExceeded", message="The maximum length for a filter value is 255 characters",
    )
    client.describe_key_pairs(Filters=[{"Name": "key-name", "Values": ["x" * 255]}])


def test_include_public_key(ec2_server, client, described, keys):
    d = described
    gamma = describe_one(client, d.pairs["gamma"]["name"])
    assert gamma["PublicKey"] == f"ssh-rsa {keys['rsa2048'].line_fields[1]} {d.pairs['gamma']['name']}", (
        "server's choice: an imported key's own comment is replaced by the key name"
    )
    alpha = d.pairs["alpha"]["name"]
    out = aws_json(ec2_server, "ec2", "describe-key-pairs", "--key-names", alpha, "--include-public-key")
    line = out["KeyPairs"][0]["PublicKey"]
    assert line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI") and line.endswith(" " + alpha)
    out = aws_json(ec2_server, "ec2", "describe-key-pairs", "--key-names", alpha, "--no-include-public-key")
    assert "PublicKey" not in out["KeyPairs"][0]


def test_public_key_is_a_valid_openssh_line(client, described, tmp_path):
    """ssh-keygen reads the publicKey of a created key and computes the same Ed25519 fingerprint."""
    axb = describe_one(client, described.pairs["axb"]["name"])
    pub = write_file(tmp_path / "axb.pub", axb["PublicKey"] + "\n")
    assert ed25519_fingerprint_of(pub) == axb["KeyFingerprint"]
    beta = describe_one(client, described.pairs["beta"]["name"])
    pub = write_file(tmp_path / "beta.pub", beta["PublicKey"] + "\n")
    assert ssh_keygen_fingerprint(pub)[0] == 2048


def test_raw_xml_create_time_has_milliseconds(client, described):
    names = [described.pairs[s]["name"] for s in ("alpha", "beta")]
    before = dt.datetime.now(dt.timezone.utc)
    parsed, body = raw_xml_of(client, "DescribeKeyPairs", KeyNames=names)
    root = ET.fromstring(body)
    assert root.tag == f"{EC2_NS}DescribeKeyPairsResponse", root.tag
    assert root.findtext(f"{EC2_NS}requestId"), "requestId is required"
    items = root.findall(f"{EC2_NS}keySet/{EC2_NS}item")
    assert len(items) == 2
    for item in items:
        text = item.findtext(f"{EC2_NS}createTime")
        assert text and CREATE_TIME.match(text), f"createTime should be like 2022-04-28T11:37:26.123Z, got {text!r}"
        created = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
        assert before - dt.timedelta(minutes=10) < created <= before + dt.timedelta(seconds=5)
        assert item.findtext(f"{EC2_NS}keyType") in ("rsa", "ed25519")
        assert item.findtext(f"{EC2_NS}keyPairId") and item.findtext(f"{EC2_NS}keyName")
        assert item.find(f"{EC2_NS}publicKey") is None
    for pair in parsed["KeyPairs"]:
        assert pair["CreateTime"].tzinfo is not None


def test_raw_xml_empty_tag_set(client, described):
    _, body = raw_xml_of(client, "DescribeKeyPairs", KeyNames=[described.pairs["axb"]["name"]])
    item = ET.fromstring(body).find(f"{EC2_NS}keySet/{EC2_NS}item")
    tag_set = item.find(f"{EC2_NS}tagSet")
    assert tag_set is not None and len(tag_set) == 0, "no tags: an empty <tagSet/>"


def test_xml_special_characters_round_trip(client):
    name = unique_name("x<&>'\"")
    value = "<v>&amp; ' \" ✓ ünï\r\n"
    response = import_ed25519(client, name, TagSpecifications=tag_spec([{"Key": "<k&>", "Value": value}]))
    assert response["KeyName"] == name
    _, body = raw_xml_of(client, "DescribeKeyPairs", KeyNames=[name], IncludePublicKey=True)
    ET.fromstring(body)  # well-formed
    item = describe_one(client, name)
    assert item["KeyName"] == name and item["PublicKey"].endswith(" " + name)
    assert item["Tags"] == [{"Key": "<k&>", "Value": value}]
    expect_client_error(lambda: import_ed25519(client, name), "InvalidKeyPair.Duplicate",
                        message=f"The keypair '{name}' already exists.")


def test_key_type_for_every_origin(client, described):
    pairs = client.describe_key_pairs(KeyNames=[p["name"] for p in described.pairs.values()])["KeyPairs"]
    assert {p["KeyName"]: p["KeyType"] for p in pairs} == {p["name"]: p["type"] for p in described.pairs.values()}


def test_empty_account(ec2_server):
    """A region nobody has written to: an empty list, not an error; names there still do not exist."""
    client = ec2_client(ec2_server, EMPTY_REGION)
    assert client.describe_key_pairs()["KeyPairs"] == []
    assert client.describe_key_pairs(Filters=[{"Name": "key-name", "Values": ["*"]}])["KeyPairs"] == []
    assert client.describe_tags()["Tags"] == []
    out = aws_json(ec2_server, "ec2", "describe-key-pairs", region=EMPTY_REGION)
    assert out == {"KeyPairs": []}
    expect_client_error(lambda: client.describe_key_pairs(KeyNames=["anything"]), "InvalidKeyPair.NotFound",
                        message="The key pair 'anything' does not exist")


# ==================================================================================================
# 4. DeleteKeyPair


def test_delete_by_name_via_cli(ec2_server, client):
    created = import_ed25519(client, TagSpecifications=tag_spec([{"Key": "k", "Value": "v"}]))
    name = created["KeyName"]
    out = aws_json(ec2_server, "ec2", "delete-key-pair", "--key-name", name)
    assert out == {"Return": True, "KeyPairId": created["KeyPairId"]}
    assert_key_absent(client, name)
    assert client.describe_tags(Filters=[{"Name": "resource-id", "Values": [created["KeyPairId"]]}])["Tags"] == [], (
        "the key pair's tags go with it"
    )
    again = import_ed25519(client, name)
    assert again["KeyPairId"] != created["KeyPairId"], "a new key pair under the old name gets a new ID"
    assert describe_one(client, name)["Tags"] == []


def test_delete_by_id(ec2_server, client):
    created = client.create_key_pair(KeyName=unique_name("del-id"), KeyType="ed25519")
    response = client.delete_key_pair(KeyPairId=created["KeyPairId"])
    assert response["Return"] is True and response["KeyPairId"] == created["KeyPairId"]
    assert_key_absent(client, created["KeyName"])
    other = import_ed25519(client)
    out = aws_json(ec2_server, "ec2", "delete-key-pair", "--key-pair-id", other["KeyPairId"])
    assert out == {"Return": True, "KeyPairId": other["KeyPairId"]}
    assert_key_absent(client, other["KeyName"])


def test_delete_missing_name_succeeds(ec2_server, client):
    name = unique_name("never")
    out = aws_json(ec2_server, "ec2", "delete-key-pair", "--key-name", name)
    assert out == {"Return": True}, "a missing name: 200, return true, no keyPairId"
    response = client.delete_key_pair(KeyName=name)
    assert response["Return"] is True and "KeyPairId" not in response


def test_delete_is_idempotent(client):
    created = import_ed25519(client)
    assert client.delete_key_pair(KeyName=created["KeyName"])["KeyPairId"] == created["KeyPairId"]
    second = client.delete_key_pair(KeyName=created["KeyName"])
    assert second["Return"] is True and "KeyPairId" not in second


def test_delete_missing_or_malformed_id_succeeds(client):
    """Server's choice (AWS unconfirmed): an unknown or malformed ID answers true like a missing name."""
    for key_pair_id in ["key-0123456789abcdef0", "bogus"]:
        response = client.delete_key_pair(KeyPairId=key_pair_id)
        assert response["Return"] is True and "KeyPairId" not in response


def test_delete_without_name_or_id(client):
    """Server's choice: neither KeyName nor KeyPairId is MissingParameter."""
    expect_client_error(lambda: client.delete_key_pair(), "MissingParameter")


def test_delete_with_both_name_and_id_uses_the_id(client):
    """Server's choice: with both, the ID decides."""
    one, two = import_ed25519(client), import_ed25519(client)
    response = client.delete_key_pair(KeyName=one["KeyName"], KeyPairId=two["KeyPairId"])
    assert response["KeyPairId"] == two["KeyPairId"]
    assert describe_one(client, one["KeyName"])["KeyPairId"] == one["KeyPairId"]
    assert_key_absent(client, two["KeyName"])


# ==================================================================================================
# 5. Tags


def tags_of(client, key_pair_id: str) -> dict[str, str]:
    tags = client.describe_tags(Filters=[{"Name": "resource-id", "Values": [key_pair_id]}])["Tags"]
    for tag in tags:
        assert tag["ResourceId"] == key_pair_id and tag["ResourceType"] == "key-pair", tag
    result = {t["Key"]: t["Value"] for t in tags}
    assert len(result) == len(tags), "a key appears once per resource"
    return result


def test_tag_lifecycle_via_cli(ec2_server, client):
    created = import_ed25519(client)
    kid = created["KeyPairId"]
    result = aws(
        ec2_server, "ec2", "create-tags", "--resources", kid, "--tags", "Key=env,Value=dev", "Key=team,Value=blue"
    )
    assert result.rc == 0 and result.out.strip() == "", result.describe()
    out = aws_json(ec2_server, "ec2", "describe-tags", "--filters", f"Name=resource-id,Values={kid}")
    assert sorted((t["Key"], t["Value"], t["ResourceType"]) for t in out["Tags"]) == [
        ("env", "dev", "key-pair"), ("team", "blue", "key-pair"),
    ]
    # Overwrite.
    assert aws(ec2_server, "ec2", "create-tags", "--resources", kid, "--tags", "Key=env,Value=prod").rc == 0
    assert tags_of(client, kid) == {"env": "prod", "team": "blue"}
    assert describe_one(client, created["KeyName"])["Tags"] == [
        {"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "blue"},
    ]
    # Delete by key, whatever the value.
    result = aws(ec2_server, "ec2", "delete-tags", "--resources", kid, "--tags", "Key=team")
    assert result.rc == 0, result.describe()
    assert tags_of(client, kid) == {"env": "prod"}
    # Delete by key and value: only on a match.
    assert aws(ec2_server, "ec2", "delete-tags", "--resources", kid, "--tags", "Key=env,Value=dev").rc == 0
    assert tags_of(client, kid) == {"env": "prod"}
    assert aws(ec2_server, "ec2", "delete-tags", "--resources", kid, "--tags", "Key=env,Value=prod").rc == 0
    assert tags_of(client, kid) == {}
    # Delete all tags.
    client.create_tags(Resources=[kid], Tags=[{"Key": f"t{i}", "Value": str(i)} for i in range(5)])
    assert len(tags_of(client, kid)) == 5
    assert aws(ec2_server, "ec2", "delete-tags", "--resources", kid).rc == 0
    assert tags_of(client, kid) == {}


def test_tags_with_empty_values(client):
    kid = import_ed25519(client)["KeyPairId"]
    client.create_tags(Resources=[kid], Tags=[{"Key": "empty", "Value": ""}, {"Key": "full", "Value": "x"}])
    assert tags_of(client, kid) == {"empty": "", "full": "x"}
    client.delete_tags(Resources=[kid], Tags=[{"Key": "full", "Value": ""}])
    assert tags_of(client, kid) == {"empty": "", "full": "x"}, "Value '' removes only a tag whose value is empty"
    client.delete_tags(Resources=[kid], Tags=[{"Key": "empty", "Value": ""}])
    assert tags_of(client, kid) == {"full": "x"}
    client.delete_tags(Resources=[kid], Tags=[{"Key": "nosuch"}])
    assert tags_of(client, kid) == {"full": "x"}, "deleting a tag that is not there is fine"


def test_tags_on_several_resources(client):
    a, b = import_ed25519(client)["KeyPairId"], import_ed25519(client)["KeyPairId"]
    client.create_tags(Resources=[a, b], Tags=[{"Key": "shared", "Value": "1"}])
    assert tags_of(client, a) == tags_of(client, b) == {"shared": "1"}
    client.delete_tags(Resources=[a, b], Tags=[{"Key": "shared"}])
    assert tags_of(client, a) == tags_of(client, b) == {}


def test_fifty_tag_limit(client):
    kid = import_ed25519(client)["KeyPairId"]
    fifty = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(50)]
    client.create_tags(Resources=[kid], Tags=fifty)
    assert len(tags_of(client, kid)) == 50
    expect_client_error(
        lambda: client.create_tags(Resources=[kid], Tags=[{"Key": "one-more", "Value": "x"}]), "TagLimitExceeded"
    )
    assert len(tags_of(client, kid)) == 50
    client.create_tags(Resources=[kid], Tags=[{"Key": "k00", "Value": "overwritten"}])
    assert tags_of(client, kid)["k00"] == "overwritten", "overwriting at the limit is allowed"
    fresh = import_ed25519(client)["KeyPairId"]
    expect_client_error(
        lambda: client.create_tags(Resources=[fresh], Tags=fifty + [{"Key": "k50", "Value": "x"}]), "TagLimitExceeded"
    )
    assert tags_of(client, fresh) == {}


def test_create_tags_is_all_or_nothing(client):
    near = import_ed25519(client)["KeyPairId"]
    empty = import_ed25519(client)["KeyPairId"]
    client.create_tags(Resources=[near], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    expect_client_error(
        lambda: client.create_tags(
            Resources=[empty, near], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
        ),
        "TagLimitExceeded",
    )
    assert tags_of(client, empty) == {} and len(tags_of(client, near)) == 49
    unknown = "key-0fedcba98765432f0"
    expect_client_error(
        lambda: client.create_tags(Resources=[empty, unknown], Tags=[{"Key": "a", "Value": "1"}]),
        "InvalidKeyPair.NotFound", message=f"The key pair ID '{unknown}' does not exist",
    )
    assert tags_of(client, empty) == {}


@pytest.mark.parametrize("key", ["aws:owner", "aws:", "AWS:Owner"])
def test_reserved_tag_prefix(client, key):
    """`aws:` is reserved; server's choice: the prefix is matched without regard to case."""
    kid = import_ed25519(client)["KeyPairId"]
    expect_client_error(
        lambda: client.create_tags(Resources=[kid], Tags=[{"Key": key, "Value": "x"}]), "InvalidParameterValue"
    )
    expect_client_error(lambda: client.delete_tags(Resources=[kid], Tags=[{"Key": key}]), "InvalidParameterValue")
    assert tags_of(client, kid) == {}


def test_reserved_tag_prefix_via_cli(ec2_server, client):
    kid = import_ed25519(client)["KeyPairId"]
    result = aws(ec2_server, "ec2", "create-tags", "--resources", kid, "--tags", "Key=aws:x,Value=1")
    assert_cli_error(result, "InvalidParameterValue", "CreateTags")


@pytest.mark.parametrize("case", ["key-129", "value-257", "empty-key"])
def test_tag_length_rules(client, case):
    kid = import_ed25519(client)["KeyPairId"]
    tag = {"key-129": {"Key": "k" * 129, "Value": "v"}, "value-257": {"Key": "k", "Value": "v" * 257},
           "empty-key": {"Key": "", "Value": "v"}}[case]
    expect_client_error(lambda: client.create_tags(Resources=[kid], Tags=[tag]), "InvalidParameterValue")
    assert tags_of(client, kid) == {}
    client.create_tags(Resources=[kid], Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    assert tags_of(client, kid) == {"k" * 128: "v" * 256}
    client.create_tags(Resources=[kid], Tags=[{"Key": "é" * 128, "Value": "ü" * 256}])  # characters, not bytes
    assert tags_of(client, kid)["é" * 128] == "ü" * 256


@pytest.mark.parametrize("resource", ["bogus", "key-123", "key-0123456789ABCDEF0", "i-0123456789abcdef0", "NAME"])
def test_tags_on_invalid_ids(client, resource):
    name = import_ed25519(client)["KeyName"]
    resource = name if resource == "NAME" else resource
    message = f"The ID '{resource}' is not valid"
    expect_client_error(
        lambda: client.create_tags(Resources=[resource], Tags=[{"Key": "a", "Value": "b"}]), "InvalidID",
        message=message,
    )
    expect_client_error(lambda: client.delete_tags(Resources=[resource]), "InvalidID", message=message)


def test_tags_on_invalid_id_via_cli(ec2_server):
    result = aws(ec2_server, "ec2", "create-tags", "--resources", "bogus", "--tags", "Key=a,Value=b")
    assert_cli_error(result, "InvalidID", "CreateTags", "The ID 'bogus' is not valid")


def test_tags_on_unknown_key_pair_id(client):
    """Server's choice (AWS unconfirmed): a well-formed unknown ID is InvalidKeyPair.NotFound."""
    unknown = "key-0aaaaaaaaaaaaaaa0"
    message = f"The key pair ID '{unknown}' does not exist"
    expect_client_error(lambda: client.create_tags(Resources=[unknown], Tags=[{"Key": "a", "Value": "b"}]),
                        "InvalidKeyPair.NotFound", message=message)
    expect_client_error(lambda: client.delete_tags(Resources=[unknown]), "InvalidKeyPair.NotFound", message=message)


def test_create_tags_without_tags(client):
    kid = import_ed25519(client)["KeyPairId"]
    expect_client_error(lambda: client.create_tags(Resources=[kid], Tags=[]), "MissingParameter")


@pytest.fixture(scope="module")
def tagged(client) -> dict[str, str]:
    """Two key pairs with tags for the DescribeTags filter tests: x and y map to their IDs."""
    x = import_ed25519(client)["KeyPairId"]
    y = import_ed25519(client)["KeyPairId"]
    client.create_tags(Resources=[x], Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "blue-1"},
                                            {"Key": "Owner", "Value": "Alice"}])
    client.create_tags(Resources=[y], Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "blue-2"}])
    return {"x": x, "y": y}


def described_tags(client, tagged, *filters) -> set[tuple[str, str, str]]:
    scope = {"Name": "resource-id", "Values": [tagged["x"], tagged["y"]]}
    tags = client.describe_tags(Filters=[scope, *filters])["Tags"]
    found = {(("x" if t["ResourceId"] == tagged["x"] else "y"), t["Key"], t["Value"]) for t in tags}
    assert len(found) == len(tags)
    assert all(t["ResourceType"] == "key-pair" for t in tags)
    return found


def test_describe_tags_filters(client, tagged):
    x_env, x_team, x_owner = ("x", "env", "prod"), ("x", "team", "blue-1"), ("x", "Owner", "Alice")
    y_env, y_team = ("y", "env", "dev"), ("y", "team", "blue-2")
    everything = {x_env, x_team, x_owner, y_env, y_team}
    assert described_tags(client, tagged) == everything
    assert described_tags(client, tagged, flt("key", "env")) == {x_env, y_env}
    assert described_tags(client, tagged, flt("key", "te*")) == {x_team, y_team}
    assert described_tags(client, tagged, flt("key", "owner")) == set(), "case-sensitive"
    assert described_tags(client, tagged, flt("key", "Owner", "env")) == {x_owner, x_env, y_env}
    assert described_tags(client, tagged, flt("value", "prod")) == {x_env}
    assert described_tags(client, tagged, flt("value", "blue-?")) == {x_team, y_team}
    assert described_tags(client, tagged, flt("resource-type", "key-pair")) == everything
    assert described_tags(client, tagged, flt("resource-type", "instance")) == set()
    assert described_tags(client, tagged, flt("key", "env"), flt("value", "dev")) == {y_env}
    only_y = client.describe_tags(Filters=[{"Name": "resource-id", "Values": [tagged["y"]]}])["Tags"]
    assert {t["ResourceId"] for t in only_y} == {tagged["y"]} and len(only_y) == 2
    found = described_tags(client, tagged, {"Name": "tag:env", "Values": ["dev"]})
    assert ("y", "env", "dev") in found and all(r == "y" for r, _, _ in found)


def test_describe_tags_filters_via_cli(ec2_server, tagged):
    out = aws_json(ec2_server, "ec2", "describe-tags", "--filters",
                   f"Name=resource-id,Values={tagged['x']},{tagged['y']}", "Name=key,Values=team")
    found = sorted((t["ResourceId"], t["Value"]) for t in out["Tags"])
    assert found == sorted([(tagged["x"], "blue-1"), (tagged["y"], "blue-2")])


@pytest.mark.parametrize("filter_name", ["key-name", "tag-key", "resource_id", "owner-id"])
def test_describe_tags_unknown_filter(client, filter_name):
    expect_client_error(lambda: client.describe_tags(Filters=[{"Name": filter_name, "Values": ["x"]}]),
                        "InvalidParameterValue", message=f"The filter '{filter_name}' is invalid")


def test_describe_tags_pagination(ec2_server, client):
    ids = [import_ed25519(client)["KeyPairId"] for _ in range(3)]
    expected = set()
    for n, kid in enumerate(ids):
        tags = [{"Key": f"p{i:02d}", "Value": f"{n}-{i}"} for i in range(12 - n)]
        client.create_tags(Resources=[kid], Tags=tags)
        expected |= {(kid, t["Key"], t["Value"]) for t in tags}
    assert len(expected) == 33
    scope = [{"Name": "resource-id", "Values": ids}]
    pages = list(client.get_paginator("describe_tags").paginate(Filters=scope, PaginationConfig={"PageSize": 5}))
    assert len(pages) == 7, [len(p["Tags"]) for p in pages]
    seen = []
    for index, page in enumerate(pages):
        assert len(page["Tags"]) == (5 if index < 6 else 3)
        assert ("NextToken" in page) == (index < 6), "a token on every page but the last"
        seen += [(t["ResourceId"], t["Key"], t["Value"]) for t in page["Tags"]]
    assert len(seen) == len(set(seen)) == 33 and set(seen) == expected, "no tag twice, none missed"
    # By hand, MaxResults and NextToken.
    first = client.describe_tags(Filters=scope, MaxResults=10)
    second = client.describe_tags(Filters=scope, MaxResults=1000, NextToken=first["NextToken"])
    assert len(first["Tags"]) == 10 and len(second["Tags"]) == 23 and "NextToken" not in second
    # The CLI follows the tokens itself.
    by_id = f"Name=resource-id,Values={','.join(ids)}"
    out = aws_json(ec2_server, "ec2", "describe-tags", "--page-size", "5", "--filters", by_id)
    assert {(t["ResourceId"], t["Key"], t["Value"]) for t in out["Tags"]} == expected and len(out["Tags"]) == 33
    out = aws_json(ec2_server, "ec2", "describe-tags", "--max-items", "7", "--filters", by_id)
    assert len(out["Tags"]) == 7 and out.get("NextToken")


@pytest.mark.parametrize("max_results", [4, 1001, 0, -1])
def test_describe_tags_max_results_range(client, max_results):
    expect_client_error(lambda: client.describe_tags(MaxResults=max_results), "InvalidParameterValue")


def test_describe_tags_bad_next_token(client):
    """Server's choice: a token it did not issue is InvalidParameterValue."""
    expect_client_error(lambda: client.describe_tags(NextToken="not-a-token!"), "InvalidParameterValue")


# ==================================================================================================
# 6. DescribeRegions, and regions not served


def test_describe_regions_lists_the_configured_regions(ec2_server):
    out = aws_json(ec2_server, "ec2", "describe-regions")
    names = [r["RegionName"] for r in out["Regions"]]
    assert sorted(names) == sorted(SHARED_REGIONS), names
    for region in out["Regions"]:
        assert region["Endpoint"] == f"ec2.{region['RegionName']}.amazonaws.com"
        assert region["OptInStatus"] == "opt-in-not-required"
    out = aws_json(ec2_server, "ec2", "describe-regions", "--region-names", "eu-west-1", region="eu-west-1")
    assert [r["RegionName"] for r in out["Regions"]] == ["eu-west-1"]
    out = aws_json(ec2_server, "ec2", "describe-regions", "--filters", "Name=region-name,Values=*-1,ap-*")
    assert sorted(r["RegionName"] for r in out["Regions"]) == sorted(SHARED_REGIONS)
    out = aws_json(ec2_server, "ec2", "describe-regions", "--filters", "Name=region-name,Values=eu-*")
    assert [r["RegionName"] for r in out["Regions"]] == ["eu-west-1"]


def test_describe_regions_errors(client):
    """Server's choice: a region it does not serve, named in RegionNames, is InvalidParameterValue."""
    expect_client_error(lambda: client.describe_regions(RegionNames=["us-west-2"]), "InvalidParameterValue")
    expect_client_error(lambda: client.describe_regions(Filters=[{"Name": "key-name", "Values": ["x"]}]),
                        "InvalidParameterValue", message="The filter 'key-name' is invalid")


def test_describe_regions_default_list(start_server):
    server = start_server()
    names = {r["RegionName"] for r in ec2_client(server).describe_regions()["Regions"]}
    assert {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
            "ap-northeast-1", "sa-east-1", "ca-central-1"} <= names, names
    assert len(names) >= 17


@pytest.mark.parametrize("region", ["us-west-2", "cn-north-1", "eu-west-3"])
def test_region_not_served_is_auth_failure(ec2_server, region):
    client = ec2_client(ec2_server, region)
    name = unique_name("unserved")
    for call in [
        lambda: client.describe_regions(),
        lambda: client.describe_key_pairs(),
        lambda: client.import_key_pair(KeyName=name, PublicKeyMaterial=ed25519_line_random().encode()),
        lambda: client.create_key_pair(KeyName=name),
    ]:
        expect_client_error(call, "AuthFailure", status=401)
    for served in SHARED_REGIONS:
        assert name not in key_names_in(ec2_client(ec2_server, served), Filters=[flt("key-name", name)])


def test_region_not_served_via_cli(ec2_server):
    result = aws(ec2_server, "ec2", "describe-regions", region="us-west-2")
    assert_cli_error(result, "AuthFailure", "DescribeRegions")
    result = aws(ec2_server, "--region", "eu-central-1", "ec2", "describe-key-pairs")
    assert_cli_error(result, "AuthFailure", "DescribeKeyPairs")


# ==================================================================================================
# 7. Two regions side by side


def test_same_name_in_two_regions(ec2_server, keys, tmp_path):
    name = unique_name("both")
    us, eu = ec2_client(ec2_server, "us-east-1"), ec2_client(ec2_server, "eu-west-1")
    made = aws_json(ec2_server, "ec2", "create-key-pair", "--key-name", name, region="us-east-1")
    pem = write_file(tmp_path / "us.pem", made["KeyMaterial"])
    imported = aws_json(ec2_server, "--region", "eu-west-1", "ec2", "import-key-pair", "--key-name", name,
                        "--public-key-material", f"fileb://{keys['ed25519'].public}", region="us-east-1")
    assert made["KeyPairId"] != imported["KeyPairId"]
    assert made["KeyFingerprint"] == openssl_aws_created(pem)
    assert imported["KeyFingerprint"] == keys["ed25519"].fingerprint

    by_name = f"Name=key-name,Values={name}"
    in_us = aws_json(ec2_server, "ec2", "describe-key-pairs", "--filters", by_name, region="us-east-1")
    in_eu = aws_json(ec2_server, "ec2", "describe-key-pairs", "--filters", by_name, region="eu-west-1")
    assert [(p["KeyPairId"], p["KeyType"]) for p in in_us["KeyPairs"]] == [(made["KeyPairId"], "rsa")]
    assert [(p["KeyPairId"], p["KeyType"]) for p in in_eu["KeyPairs"]] == [(imported["KeyPairId"], "ed25519")]
    # A duplicate is per region.
    result = aws(ec2_server, "ec2", "create-key-pair", "--key-name", name, region="eu-west-1")
    assert_cli_error(result, "InvalidKeyPair.Duplicate", "CreateKeyPair", f"The keypair '{name}' already exists.")
    # IDs of one region mean nothing in the other.
    expect_client_error(lambda: us.describe_key_pairs(KeyPairIds=[imported["KeyPairId"]]), "InvalidKeyPair.NotFound")
    expect_client_error(lambda: eu.create_tags(Resources=[made["KeyPairId"]], Tags=[{"Key": "a", "Value": "b"}]),
                        "InvalidKeyPair.NotFound")
    eu.create_tags(Resources=[imported["KeyPairId"]], Tags=[{"Key": "where", "Value": "eu"}])
    assert us.describe_tags(Filters=[{"Name": "resource-id", "Values": [imported["KeyPairId"]]}])["Tags"] == []
    assert us.describe_tags(Filters=[flt("key", "where"), flt("value", "eu")])["Tags"] == []
    assert describe_one(us, name)["Tags"] == []
    assert describe_one(eu, name)["Tags"] == [{"Key": "where", "Value": "eu"}]
    # Deleting in one region leaves the other.
    response = us.delete_key_pair(KeyPairId=imported["KeyPairId"])
    assert response["Return"] is True and "KeyPairId" not in response
    assert describe_one(eu, name)["KeyPairId"] == imported["KeyPairId"], "a delete by ID in us-east-1 leaves eu-west-1"
    out = aws_json(ec2_server, "ec2", "delete-key-pair", "--key-name", name, region="eu-west-1")
    assert out == {"Return": True, "KeyPairId": imported["KeyPairId"]}
    assert describe_one(us, name)["KeyPairId"] == made["KeyPairId"]
    assert_key_absent(eu, name)


def test_key_only_in_one_region(ec2_server):
    eu = ec2_client(ec2_server, "eu-west-1")
    created = import_ed25519(eu)
    result = aws(ec2_server, "ec2", "describe-key-pairs", "--key-names", created["KeyName"], region="us-east-1")
    message = f"The key pair '{created['KeyName']}' does not exist"
    assert_cli_error(result, "InvalidKeyPair.NotFound", "DescribeKeyPairs", message)
    assert describe_one(eu, created["KeyName"])["KeyPairId"] == created["KeyPairId"]
