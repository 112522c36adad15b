#!/usr/bin/env python3
"""Writes the fuzz seed corpus, Fuzz/Corpus/<target>/, from the KeyFormats test fixtures and small hand-made inputs.

Run from the repository root: `python3 Fuzz/make-seeds.py`. It is deterministic (no randomness, no tools): running it
again rewrites the same seed files. Files named `crash-*` reproduce traps the fuzzers or reviews found, and
`regression-*` other bugs; they are written here too, and the Swift test suites load the crashes by name.
scripts/fuzz never writes into Fuzz/Corpus.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/KeyFormatsTests/Fixtures"
CORPUS = ROOT / "Fuzz/Corpus"


def write(target: str, name: str, data: bytes | str) -> None:
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def pem_body(text: bytes) -> bytes:
    lines = [line for line in text.decode().splitlines() if line and not line.startswith("-----")]
    return base64.b64decode("".join(lines))


def pem(label: str, body: bytes, width: int = 64) -> str:
    encoded = base64.b64encode(body).decode()
    lines = [encoded[i:i + width] for i in range(0, len(encoded), width)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def openssh_parts(body: bytes) -> tuple[bytes, bytes]:
    """Splits an openssh-key-v1 body into what precedes the private section and the section without padding."""
    at = 15
    for _ in range(3):
        (length,) = struct.unpack(">I", body[at:at + 4])
        at += 4 + length
    at += 4
    (length,) = struct.unpack(">I", body[at:at + 4])
    at += 4 + length
    prefix = body[:at]
    (length,) = struct.unpack(">I", body[at:at + 4])
    secret = body[at + 4:at + 4 + length]
    pos = 8
    (name_length,) = struct.unpack(">I", secret[pos:pos + 4])
    name = secret[pos + 4:pos + 4 + name_length]
    pos += 4 + name_length
    for _ in range((6 if name == b"ssh-rsa" else 2) + 1):
        (length,) = struct.unpack(">I", secret[pos:pos + 4])
        pos += 4 + length
    return prefix, secret[:pos]


def openssh_with_padding(body: bytes, minimum: int) -> bytes:
    prefix, unpadded = openssh_parts(body)
    padding = minimum + (8 - (len(unpadded) + minimum) % 8) % 8
    return prefix + ssh_string(unpadded + bytes((i + 1) & 0xFF for i in range(padding)))


def rfc4716(blob: bytes, headers: list[str]) -> str:
    encoded = base64.b64encode(blob).decode()
    body = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join(["---- BEGIN SSH2 PUBLIC KEY ----", *headers, *body, "---- END SSH2 PUBLIC KEY ----"]) + "\n"


def ppk_built(version: int, algorithm: bytes, comment: bytes, public: bytes, private: bytes) -> bytes:
    """The PPK fuzzer's built mode: 0, version byte, then 2-byte-length fields."""
    out = bytes([0, 0 if version == 2 else 1])
    for field in (algorithm, comment, public, private):
        out += struct.pack(">H", len(field)) + field
    return out


def ppk_fields(text: bytes) -> tuple[int, bytes, bytes, bytes, bytes]:
    lines = text.decode().splitlines()
    version = int(lines[0].split(":")[0][-1])
    algorithm = lines[0].split(": ")[1].encode()
    comment = lines[2].split(": ", 1)[1].encode()
    count = int(lines[3].split(": ")[1])
    public = base64.b64decode("".join(lines[4:4 + count]))
    private_count = int(lines[4 + count].split(": ")[1])
    private = base64.b64decode("".join(lines[5 + count:5 + count + private_count]))
    return version, algorithm, comment, public, private


def main() -> None:
    valid = sorted(p.name for p in (FIXTURES / "valid").iterdir() if p.name != "expected.json")
    malformed_picks = [
        "bad-base64-pem.pem", "dsa.pub", "ec-p256.pkcs8.pem", "ec-p256.spki.b64", "encrypted.openssh",
        "encrypted.pkcs1.pem", "encrypted.v3.ppk", "inner-ed25519-outer-rsa.pub", "length-past-end-modulus.pub",
        "openssh-certificate.pub", "options-command.pub", "pkcs1-inconsistent.pem", "ppk-mac-damaged.ppk",
        "rsa-even-modulus.pub", "trailing-after-rfc4716.pub", "two-pem-public.pem", "unknown-pem-label.pem",
        "random-bytes-00.bin", "random-text-00.txt",
    ]

    ed_private = fixture("valid/ssh-keygen-ed25519.openssh")
    padded = openssh_with_padding(pem_body(ed_private), 256)
    colon = "---- BEGIN SSH2 PUBLIC KEY ----\n:\n---- END SSH2 PUBLIC KEY ----"

    # KeyMaterial: every valid fixture, a spread of malformed ones, and the reproducers.
    for name in valid:
        write("KeyMaterial", f"valid-{name}", fixture(f"valid/{name}"))
    for name in malformed_picks:
        write("KeyMaterial", f"malformed-{name}", fixture(f"malformed/{name}"))
    write("KeyMaterial", "spec-rsa-1024.pem", fixture("vectors/spec-rsa-1024.pem"))
    write("KeyMaterial", "crash-openssh-padding-256", pem("OPENSSH PRIVATE KEY", padded, 70))
    write("KeyMaterial", "crash-rfc4716-header-only-colon", colon)

    # PEM: PEM keys and certificates, damaged armour.
    for name in valid:
        if name.endswith(".pem"):
            write("PEM", f"valid-{name}", fixture(f"valid/{name}"))
    for name in ["rsa2048.cert.pem", "p256.cert.pem", "ed25519.cert.pem", "rsa2048.key.encrypted.pem", "p384.key.sec1.pem"]:
        write("PEM", f"cert-{name}", fixture(f"certificates/{name}"))
    for name in ["bad-base64-pem.pem", "pem-no-end.pem", "two-pem-public.pem", "unknown-pem-label.pem", "encrypted.pkcs1.pem"]:
        write("PEM", f"malformed-{name}", fixture(f"malformed/{name}"))
    write("PEM", "chain-two-certificates", fixture("certificates/rsa2048.cert.pem") + fixture("certificates/p256.cert.pem"))
    write("PEM", "headers-continued", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,\n 00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")

    # OpenSSH public lines and pasted fingerprints.
    for name in ["ssh-keygen-ed25519.pub"]:
        write("OpenSSHPublicKey", f"valid-{name}", fixture(f"valid/{name}"))
    write("OpenSSHPublicKey", "spec-ed25519.pub", fixture("vectors/spec-ed25519.pub"))
    for name in ["dsa.pub", "ecdsa-p256.pub", "inner-rsa-outer-ed25519.pub", "options-from.pub", "rsa-exponent-1.pub",
                 "sk-ed25519.pub", "trailing-bytes-rsa.pub", "type-only.pub", "unknown-type.pub", "rsa-512-bits.pub"]:
        write("OpenSSHPublicKey", f"malformed-{name}", fixture(f"malformed/{name}"))
    expected = json.loads(fixture("valid/expected.json"))
    rsa = expected["ssh-keygen-rsa2048.openssh"]
    write("OpenSSHPublicKey", "rsa2048.pub", rsa["publicLine"] + "\n")
    for label, value in [("sha256", rsa["sha256"]), ("md5", rsa["md5"]), ("aws-created", rsa["awsCreated"]),
                         ("aws-imported", rsa["awsImported"]), ("ed25519-aws", expected["ssh-keygen-ed25519.openssh"]["awsImported"])]:
        write("OpenSSHPublicKey", f"fingerprint-{label}", value)
    write("OpenSSHPublicKey", "regression-fingerprint-prepend-character", "ab\u0600")

    # RFC 4716 blocks.
    write("RFC4716", "valid-ssh-keygen-rsa2048.rfc4716", fixture("valid/ssh-keygen-rsa2048.rfc4716"))
    ed_blob = base64.b64decode(fixture("valid/ssh-keygen-ed25519.pub").split()[1])
    write("RFC4716", "ed25519-no-headers", rfc4716(ed_blob, []))
    write("RFC4716", "ed25519-continued-comment", rfc4716(ed_blob, ['Comment: "a comment that \\', 'goes on"', "x-private: yes"]))
    write("RFC4716", "ed25519-escaped-comment", rfc4716(ed_blob, ['Comment: "quote \\" and backslash \\\\"']))
    for name in ["bad-base64-rfc4716.pub", "rfc4716-no-end.pub", "two-rfc4716.pub", "trailing-after-rfc4716.pub"]:
        write("RFC4716", f"malformed-{name}", fixture(f"malformed/{name}"))
    write("RFC4716", "crash-header-only-colon", colon)
    write("RFC4716", "regression-comment-prepend-character", rfc4716(ed_blob, ['Comment: "x\u0600"']))

    # OpenSSH private key bodies (binary; the fuzzer adds the armour).
    for name in ["ssh-keygen-ed25519.openssh", "ssh-keygen-rsa1024.openssh", "ssh-keygen-rsa2048.openssh"]:
        write("OpenSSHPrivateKey", f"valid-{name}.bin", pem_body(fixture(f"valid/{name}")))
    for name in ["encrypted.openssh", "openssh-checkint-mismatch.openssh"]:
        write("OpenSSHPrivateKey", f"malformed-{name}.bin", pem_body(fixture(f"malformed/{name}")))
    write("OpenSSHPrivateKey", "crash-padding-256.bin", padded)

    # PPK files, as text and in the fuzzer's built mode.
    for name in ["puttygen-ed25519.v3.ppk", "puttygen-rsa2048.v2.ppk"]:
        text = fixture(f"valid/{name}")
        write("PPK", f"valid-{name}", text)
        write("PPK", f"built-{name}", ppk_built(*ppk_fields(text)))
    for name in ["encrypted.v2.ppk", "ppk-comment-changed.ppk", "ppk-dss.ppk", "ppk-mac-damaged.ppk", "ppk-no-mac.ppk",
                 "ppk-version-1.ppk"]:
        write("PPK", f"malformed-{name}", fixture(f"malformed/{name}"))

    # Certificate and private key pairs: a 2-byte DER length, the DER, then the key's PEM.
    pairs = [("rsa2048.cert.pem", "rsa2048.key.pkcs1.pem"), ("rsa2048.cert.pem", "rsa2048.other.key.pkcs8.pem"),
             ("rsa1024.cert.pem", "rsa1024.key.pkcs8.pem"), ("p256.cert.pem", "p256.key.sec1.pem"),
             ("p384.cert.pem", "p384.key.pkcs8.pem"), ("ed25519.cert.pem", "ed25519.key.pkcs8.pem"),
             ("rsa2048.cert.pem", "rsa2048.key.encrypted.pem")]
    for cert, key in pairs:
        der = pem_body(fixture(f"certificates/{cert}"))
        name = f"{cert.split('.')[0]}-{key.replace('.pem', '')}"
        write("CertificateKeyCheck", name, struct.pack(">H", len(der)) + der + fixture(f"certificates/{key}"))

    # Query strings (first line) and form bodies (the rest).
    for name, data in [
        ("describe-key-pairs", "\nAction=DescribeKeyPairs&Version=2016-11-15&KeyName.1=a&KeyName.2=b&KeyPairId.10=key-1"),
        ("filters", "\nAction=DescribeKeyPairs&Filter.1.Name=tag%3AEnv&Filter.1.Value.1=prod&Filter.1.Value.2=a%2Ab"),
        ("tags", "\nAction=CreateTags&ResourceId.1=key-0123&Tag.1.Key=Name&Tag.1.Value=x+y&Tag.2.Key=%E2%9C%93&Tag.2.Value="),
        ("tag-specification", "\nAction=ImportKeyPair&TagSpecification.1.ResourceType=key-pair&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v&DryRun=true"),
        ("iam-members", "\nAction=ListUsers&Version=2010-05-08&PathPrefix=%2F&MaxItems=10&Tags.member.1.Key=k&Tags.member.1.Value=v"),
        ("query-and-body", "Action=GetCallerIdentity&Version=2011-06-15\nMaxItems=abc&IncludePublicKey=TRUE"),
        ("bad-escape", "\nAction=X&Name=%4&Other=%zz"),
        ("duplicate", "\nAction=X&Action=Y"),
        ("control-character", "\nAction=%01&Value=%ED%A0%80"),
        ("empty-pairs", "&&=&a=&=b\n&&&"),
    ]:
        write("QueryParameters", name, data)

    # Authorization header (first line), query (second), body (rest).
    good = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, Signature=3c33daaa9585c17c9508e20350b431e9b627aedf0519ae8a3297ac682f5b45a8")
    body = "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=my-key"
    for name, data in [
        ("header-signed", f"{good}\n\n{body}"),
        ("duplicate-signature", f"{good}, Signature=00\n\n{body}"),
        ("empty-signed-header", good.replace("host;x-amz-date", "host;;x-amz-date") + f"\n\n{body}"),
        ("unknown-parameter", good + ", Extra=1\n\n" + body),
        ("no-equal-sign", good.replace(", Signature", " Signature junk, Signature") + f"\n\n{body}"),
        ("presigned", "\nAction=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=edc8907c6c6ab903df773b39e30bcee2e7cbef539f89e69dfe8e7f6a80781bb6\n"),
        ("other-algorithm", "AWS3 Credential=x\n\n"),
        ("query-with-path-characters", f"{good}\nb=%2F&a=1&a=0&c\n{body}"),
    ]:
        write("SigV4Authorization", name, data)

    # SendSSHPublicKey bodies.
    line = fixture("valid/ssh-keygen-ed25519.pub").decode().strip()
    for name, data in [
        ("valid", json.dumps({"InstanceId": "i-0123456789abcdef0", "InstanceOSUser": "ec2-user", "SSHPublicKey": line})),
        ("unicode-escapes", '{"InstanceId":"i-0123456789\\u0061bcdef0","InstanceOSUser":"\\ud83d\\ude00","SSHPublicKey":"x"}'),
        ("wrong-types", '{"InstanceId":1e400,"InstanceOSUser":[true,null],"SSHPublicKey":{"a":-0.0}}'),
        ("nested", "[" * 64 + "]" * 64),
        ("not-object", '"just a string"'),
        ("duplicate-keys", '{"InstanceId":"i-0123456789abcdef0","InstanceId":"i-1"}'),
        ("truncated", '{"InstanceId":"i-01234'),
    ]:
        write("InstanceConnectJSON", name, data)


if __name__ == "__main__":
    main()
