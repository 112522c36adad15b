"""End-to-end tests of `keyway key generate|public|fingerprint|convert|match`.

The judges are the real tools: ssh-keygen (OpenSSH 9.2), openssl 3 and puttygen 0.78. Keys go both ways:
keys keyway writes must be read by those tools with the same public key, and keys those tools write must be
read by keyway with the fingerprints the tools themselves compute.

Sections: 1 keys keyway writes, judged by the real tools; 2 keys the real tools write, read by keyway; 3 spec
vectors; 4 match; 5 bad input; 6 Ed25519 through PKCS#8 and openssl; 7 Windows text files (CRLF, BOM) and pipes
given as file names, which the real tools read.

Tool limitations the tests work around (not keyway bugs):
  * ssh-keygen 9.2 cannot read PKCS#8 Ed25519 private keys ("invalid format") and cannot export Ed25519 keys
    with `-e -m PKCS8` / `-e -m PEM`; openssl judges those instead.
  * ssh-keygen `-m PEM` / `-m PKCS8` still writes Ed25519 private keys in OpenSSH format.
  * puttygen 0.78 writes PPK v3 by default and has no `-N`; unencrypted keys use `--new-passphrase /dev/null`,
    v2 files `--ppk-param version=2`.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import (
    KEYWAY_BIN,
    assert_bad_input,
    ed25519_line_from_raw,
    file_mode,
    first_line,
    keyway,
    keyway_fingerprints,
    keyway_ok,
    keyway_public,
    openssl_aws_created,
    openssl_aws_imported_from_private,
    openssl_aws_imported_from_public,
    openssl_ed25519_raw_public,
    pub_comment,
    pub_fields,
    puttygen_export_openssh,
    puttygen_public,
    run,
    run_ok,
    ssh_keygen_fingerprint,
    ssh_keygen_public,
    write_file,
)

FUZZ_CORPUS = Path(__file__).resolve().parents[2] / "Fuzz" / "Corpus"

PRIVATE_FORMATS = ["pem", "pkcs8", "openssh", "ppk", "ppk3"]
PUBLIC_FORMATS = ["public", "rfc4716", "spki"]

OPENSSH_PRIVATE_HEADER = "-----BEGIN OPENSSH PRIVATE KEY-----"
HEADERS = {
    ("rsa", "pem"): "-----BEGIN RSA PRIVATE KEY-----",
    ("rsa", "pkcs8"): "-----BEGIN PRIVATE KEY-----",
    ("rsa", "openssh"): OPENSSH_PRIVATE_HEADER,
    ("rsa", "ppk"): "PuTTY-User-Key-File-2: ssh-rsa",
    ("rsa", "ppk3"): "PuTTY-User-Key-File-3: ssh-rsa",
    ("ed25519", "pem"): OPENSSH_PRIVATE_HEADER,  # as EC2: Ed25519 'pem' key pairs are OpenSSH files
    ("ed25519", "pkcs8"): "-----BEGIN PRIVATE KEY-----",
    ("ed25519", "openssh"): OPENSSH_PRIVATE_HEADER,
    ("ed25519", "ppk"): "PuTTY-User-Key-File-2: ssh-ed25519",
    ("ed25519", "ppk3"): "PuTTY-User-Key-File-3: ssh-ed25519",
}
SSH_TYPE = {"rsa": "ssh-rsa", "ed25519": "ssh-ed25519"}

# Key specs for keys keyway generates: name -> (type, bits).
SPECS = {
    "rsa1024": ("rsa", 1024),
    "rsa2048": ("rsa", 2048),
    "rsa3072": ("rsa", 3072),
    "rsa4096": ("rsa", 4096),
    "ed25519": ("ed25519", 256),
}


def generate_args(spec: str) -> list[str]:
    ktype, bits = SPECS[spec]
    if ktype == "ed25519":
        return ["--type", "ed25519"]
    args = ["--type", "rsa", "--bits", str(bits)]
    if bits == 1024:
        args.append("--allow-insecure-size")
    return args


def holds_comment(ktype: str, fmt: str) -> bool:
    """Whether a private key format keyway writes carries a comment."""
    return HEADERS[(ktype, fmt)] == OPENSSH_PRIVATE_HEADER or fmt in ("ppk", "ppk3")


def ed25519_aws(sha256: str) -> str:
    assert sha256.startswith("SHA256:")
    return sha256[len("SHA256:"):] + "="


# --------------------------------------------------------------------------------------------------
# The judge of private key files keyway writes


def judge_private_key(path: Path, fmt: str, ktype: str, bits: int, expected_line: str, *, comment=None):
    """The real tools read a private key file that keyway wrote and find `expected_line`'s public key."""
    path = Path(path)
    expected = pub_fields(expected_line)
    header = first_line(path)
    assert header == HEADERS[(ktype, fmt)], f"{fmt} {ktype}: wrong first line {header!r}"
    text = path.read_text()
    assert "\r" not in text and text.endswith("\n")

    if fmt in ("ppk", "ppk3"):
        line = puttygen_public(path)
        assert pub_fields(line) == expected, "puttygen -L disagrees with keyway's public line"
        if comment is not None:
            assert pub_comment(line) == comment
            assert f"Comment: {comment}" in text.splitlines()
        exported = puttygen_export_openssh(path, path.parent / (path.name + ".puttygen-export"))
        assert pub_fields(ssh_keygen_public(exported)) == expected, "ssh-keygen -y on puttygen's export"
        return

    if ktype == "ed25519" and fmt == "pkcs8":
        # ssh-keygen 9.2 cannot read PKCS#8 Ed25519; openssl judges the key instead.
        raw = openssl_ed25519_raw_public(path)
        assert ed25519_line_from_raw(raw) == " ".join(expected), "openssl's public key differs"
    else:
        line = ssh_keygen_public(path)
        assert pub_fields(line) == expected, "ssh-keygen -y disagrees with keyway's public line"
        if comment is not None and header == OPENSSH_PRIVATE_HEADER:
            assert pub_comment(line) == comment, "ssh-keygen -y shows another comment"

    if fmt == "pkcs8" or (ktype == "rsa" and fmt == "pem"):
        described = run_ok(["openssl", "pkey", "-in", path, "-noout", "-text"]).out
        if ktype == "rsa":
            assert f"Private-Key: ({bits} bit, 2 primes)" in described, described[:200]
            check = run_ok(["openssl", "rsa", "-in", path, "-check", "-noout"])
            assert "RSA key ok" in check.out, check.describe()
        else:
            assert "ED25519 Private-Key" in described, described[:200]


def judge_public_output(path: Path, fmt: str, ktype: str, expected_line: str):
    """The real tools read a public key file keyway wrote (convert --to public|rfc4716|spki)."""
    expected = pub_fields(expected_line)
    text = Path(path).read_text()
    if fmt == "public":
        lines = text.splitlines()
        assert len(lines) == 1
        assert pub_fields(lines[0]) == expected
    elif fmt == "rfc4716":
        assert text.splitlines()[0] == "---- BEGIN SSH2 PUBLIC KEY ----"
        assert text.splitlines()[-1] == "---- END SSH2 PUBLIC KEY ----"
        assert all(len(line) <= 72 for line in text.splitlines()), "RFC 4716 lines are at most 72 bytes"
        line = run_ok(["ssh-keygen", "-i", "-m", "RFC4716", "-f", path]).out.strip()
        assert pub_fields(line) == expected
    elif fmt == "spki":
        assert text.splitlines()[0] == "-----BEGIN PUBLIC KEY-----"
        run_ok(["openssl", "pkey", "-pubin", "-in", path, "-noout"])
        if ktype == "rsa":
            line = run_ok(["ssh-keygen", "-i", "-m", "PKCS8", "-f", path]).out.strip()
            assert pub_fields(line) == expected
        else:
            raw = openssl_ed25519_raw_public(path, pubin=True)
            assert ed25519_line_from_raw(raw) == " ".join(expected)
    else:  # pragma: no cover
        raise AssertionError(fmt)


def assert_fingerprints_match_reference(fp: dict, ref: "Reference", *, private: bool):
    assert fp["type"] == ref.ktype
    assert fp["bits"] == ref.bits
    assert fp["sha256"] == ref.sha256, "sha256 differs from ssh-keygen -l"
    assert fp["md5"] == ref.md5, "md5 differs from ssh-keygen -l -E md5"
    if ref.ktype == "ed25519":
        assert fp["awsImported"] == ed25519_aws(ref.sha256)
        assert fp["awsCreated"] == ed25519_aws(ref.sha256)
    else:
        assert fp["awsImported"] == ref.aws_imported, "awsImported differs from openssl md5 of DER SPKI"
        if private:
            assert fp["awsCreated"] == ref.aws_created, "awsCreated differs from openssl sha1 of DER PKCS#8"
            assert len(fp["awsCreated"]) == 59
        else:
            assert fp["awsCreated"] is None, "an RSA public key alone has no EC2-created fingerprint"
        assert len(fp["awsImported"]) == 47


# --------------------------------------------------------------------------------------------------
# References computed by the real tools


@dataclass
class Reference:
    ktype: str
    line: str  # the OpenSSH public line (with comment if the key has one)
    bits: int
    sha256: str
    md5: str
    aws_imported: str | None  # RSA only
    aws_created: str | None  # RSA with a private key only
    comment: str | None = None


def reference_for(line: str, directory: Path, *, private_pem: Path | None = None, comment=None) -> Reference:
    """Fingerprints of a key as ssh-keygen and openssl compute them."""
    ktype = {"ssh-rsa": "rsa", "ssh-ed25519": "ed25519"}[pub_fields(line)[0]]
    pub = write_file(directory / "reference.pub", line + "\n", 0o644)
    bits, sha256, tag = ssh_keygen_fingerprint(pub, "sha256")
    bits_md5, md5, _ = ssh_keygen_fingerprint(pub, "md5")
    assert bits == bits_md5 and tag == {"rsa": "(RSA)", "ed25519": "(ED25519)"}[ktype]
    aws_imported = aws_created = None
    if ktype == "rsa":
        aws_imported = openssl_aws_imported_from_public(pub)
        if private_pem is not None:
            assert openssl_aws_imported_from_private(private_pem) == aws_imported
            aws_created = openssl_aws_created(private_pem)
    return Reference(ktype, line, bits, sha256, md5, aws_imported, aws_created, comment)


# --------------------------------------------------------------------------------------------------
# Keys made by the other tools


FOREIGN_SOURCES = {
    # name: (tool, type, bits)
    "ssh-keygen-rsa1024": ("ssh-keygen", "rsa", 1024),
    "ssh-keygen-rsa2048": ("ssh-keygen", "rsa", 2048),
    "ssh-keygen-rsa3072": ("ssh-keygen", "rsa", 3072),
    "ssh-keygen-rsa4096": ("ssh-keygen", "rsa", 4096),
    "ssh-keygen-ed25519": ("ssh-keygen", "ed25519", 256),
    "openssl-rsa2048": ("openssl", "rsa", 2048),
    "openssl-rsa3072": ("openssl", "rsa", 3072),
    "openssl-ed25519": ("openssl", "ed25519", 256),
    "puttygen-rsa2048": ("puttygen", "rsa", 2048),
    "puttygen-rsa3072": ("puttygen", "rsa", 3072),
    "puttygen-ed25519": ("puttygen", "ed25519", 256),
}

FOREIGN_VARIANTS = {
    ("ssh-keygen", "rsa"): ["openssh", "pem", "pkcs8", "pub", "rfc4716", "pkcs8-pub", "pem-pub", "spki-der", "spki-b64"],
    ("ssh-keygen", "ed25519"): ["openssh", "pem", "pkcs8", "pub", "rfc4716"],
    ("openssl", "rsa"): ["pkcs8", "pkcs1", "pubout-pem", "pubout-der", "pubout-b64"],
    ("openssl", "ed25519"): ["pkcs8", "pubout-pem", "pubout-der", "pubout-b64"],
    ("puttygen", "rsa"): ["ppk2", "ppk3", "pub", "rfc4716"],
    ("puttygen", "ed25519"): ["ppk2", "ppk3", "pub", "rfc4716"],
}
PRIVATE_VARIANTS = {"openssh", "pem", "pkcs8", "pkcs1", "ppk2", "ppk3"}

FOREIGN_CASES = [
    (source, variant)
    for source, (tool, ktype, _bits) in FOREIGN_SOURCES.items()
    for variant in FOREIGN_VARIANTS[(tool, ktype)]
]
FOREIGN_PRIVATE_CASES = [case for case in FOREIGN_CASES if case[1] in PRIVATE_VARIANTS]


@dataclass
class ForeignKey:
    name: str
    tool: str
    ktype: str
    files: dict[str, Path]
    ref: Reference
    workdir: Path

    def expected_comment(self, variant: str) -> str | None:
        """The comment keyway should show for this file: only formats that store one."""
        if self.ref.comment is None:
            return None
        if variant in ("pub", "ppk2", "ppk3"):
            return self.ref.comment
        if variant in PRIVATE_VARIANTS and first_line(self.files[variant]) == OPENSSH_PRIVATE_HEADER:
            return self.ref.comment
        return None

    def ssh_keygen_reads(self, variant: str) -> bool:
        return variant in PRIVATE_VARIANTS and not variant.startswith("ppk") and not (
            self.ktype == "ed25519" and first_line(self.files[variant]) == "-----BEGIN PRIVATE KEY-----"
        )


def _der_to_b64_text(der_path: Path, out: Path) -> Path:
    return write_file(out, base64.b64encode(der_path.read_bytes()).decode() + "\n", 0o644)


def build_ssh_keygen(directory: Path, name: str, ktype: str, bits: int) -> ForeignKey:
    comment = f"{name}@e2e"
    key = directory / "id"
    argv = ["ssh-keygen", "-q", "-t", ktype, "-N", "", "-C", comment, "-f", key]
    if ktype == "rsa":
        argv[4:4] = ["-b", str(bits)]
    run_ok(argv)
    files = {"openssh": key, "pub": directory / "id.pub"}
    for variant, mode in (("pem", "PEM"), ("pkcs8", "PKCS8")):
        copy = directory / f"id.{variant}"
        shutil.copyfile(key, copy)
        copy.chmod(0o600)
        run_ok(["ssh-keygen", "-q", "-p", "-P", "", "-N", "", "-m", mode, "-f", copy])
        files[variant] = copy
    if ktype == "rsa":
        assert first_line(files["pem"]) == "-----BEGIN RSA PRIVATE KEY-----"
        assert first_line(files["pkcs8"]) == "-----BEGIN PRIVATE KEY-----"
    files["rfc4716"] = write_file(
        directory / "id.rfc4716", run_ok(["ssh-keygen", "-e", "-f", files["pub"]]).out, 0o644
    )
    assert first_line(files["rfc4716"]) == "---- BEGIN SSH2 PUBLIC KEY ----"
    if ktype == "rsa":
        files["pkcs8-pub"] = write_file(
            directory / "id.pkcs8.pub", run_ok(["ssh-keygen", "-e", "-m", "PKCS8", "-f", files["pub"]]).out, 0o644
        )
        assert first_line(files["pkcs8-pub"]) == "-----BEGIN PUBLIC KEY-----"
        files["pem-pub"] = write_file(
            directory / "id.pem.pub", run_ok(["ssh-keygen", "-e", "-m", "PEM", "-f", files["pub"]]).out, 0o644
        )
        assert first_line(files["pem-pub"]) == "-----BEGIN RSA PUBLIC KEY-----"
        files["spki-der"] = directory / "id.spki.der"
        run_ok(["openssl", "pkey", "-pubin", "-in", files["pkcs8-pub"], "-outform", "DER", "-out", files["spki-der"]])
        files["spki-b64"] = _der_to_b64_text(files["spki-der"], directory / "id.spki.b64")
    line = files["pub"].read_text().strip()
    assert pub_comment(line) == comment
    ref = reference_for(line, directory, private_pem=files["pem"] if ktype == "rsa" else None, comment=comment)
    return ForeignKey(name, "ssh-keygen", ktype, files, ref, directory)


def build_openssl(directory: Path, name: str, ktype: str, bits: int) -> ForeignKey:
    key = directory / "key.pem"
    if ktype == "rsa":
        run_ok(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}", "-out", key])
    else:
        run_ok(["openssl", "genpkey", "-algorithm", "ED25519", "-out", key])
    key.chmod(0o600)
    assert first_line(key) == "-----BEGIN PRIVATE KEY-----"
    files = {"pkcs8": key}
    if ktype == "rsa":
        files["pkcs1"] = directory / "key.pkcs1.pem"
        run_ok(["openssl", "rsa", "-in", key, "-traditional", "-out", files["pkcs1"]])
        files["pkcs1"].chmod(0o600)
        assert first_line(files["pkcs1"]) == "-----BEGIN RSA PRIVATE KEY-----"
    files["pubout-pem"] = directory / "pub.pem"
    run_ok(["openssl", "pkey", "-in", key, "-pubout", "-out", files["pubout-pem"]])
    files["pubout-der"] = directory / "pub.der"
    run_ok(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER", "-out", files["pubout-der"]])
    files["pubout-b64"] = _der_to_b64_text(files["pubout-der"], directory / "pub.b64")
    if ktype == "rsa":
        line = ssh_keygen_public(key)
        assert pub_fields(ssh_keygen_public(files["pkcs1"])) == pub_fields(line)
    else:
        line = ed25519_line_from_raw(openssl_ed25519_raw_public(key))
    ref = reference_for(line, directory, private_pem=key if ktype == "rsa" else None)
    return ForeignKey(name, "openssl", ktype, files, ref, directory)


def build_puttygen(directory: Path, name: str, ktype: str, bits: int) -> ForeignKey:
    comment = f"{name}@e2e"
    ppk2 = directory / "key2.ppk"
    argv = ["puttygen", "-q", "-t", ktype, "-C", comment, "-O", "private", "--new-passphrase", "/dev/null",
            "--ppk-param", "version=2", "-o", ppk2]
    if ktype == "rsa":
        argv[4:4] = ["-b", str(bits)]
    run_ok(argv)
    ppk3 = directory / "key3.ppk"
    run_ok(["puttygen", ppk2, "--reencrypt", "--ppk-param", "version=3", "-o", ppk3])
    assert first_line(ppk2) == f"PuTTY-User-Key-File-2: {SSH_TYPE[ktype]}"
    assert first_line(ppk3) == f"PuTTY-User-Key-File-3: {SSH_TYPE[ktype]}"
    line = puttygen_public(ppk2)
    assert puttygen_public(ppk3) == line
    files = {
        "ppk2": ppk2,
        "ppk3": ppk3,
        "pub": write_file(directory / "key.pub", line + "\n", 0o644),
        "rfc4716": write_file(directory / "key.rfc4716", run_ok(["puttygen", ppk2, "-p"]).out, 0o644),
    }
    exported = puttygen_export_openssh(ppk2, directory / "export.pem")
    assert pub_fields(ssh_keygen_public(exported)) == pub_fields(line)
    if ktype == "rsa":
        assert first_line(exported) == "-----BEGIN RSA PRIVATE KEY-----"
    ref = reference_for(line, directory, private_pem=exported if ktype == "rsa" else None, comment=comment)
    return ForeignKey(name, "puttygen", ktype, files, ref, directory)


BUILDERS = {"ssh-keygen": build_ssh_keygen, "openssl": build_openssl, "puttygen": build_puttygen}


class ForeignKeys:
    """Builds each foreign key (and all its files) once, when a test first needs it."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, ForeignKey] = {}

    def __getitem__(self, name: str) -> ForeignKey:
        if name not in self.cache:
            tool, ktype, bits = FOREIGN_SOURCES[name]
            directory = self.root / name
            directory.mkdir()
            self.cache[name] = BUILDERS[tool](directory, name, ktype, bits)
        return self.cache[name]


@pytest.fixture(scope="module")
def foreign(tmp_path_factory) -> ForeignKeys:
    return ForeignKeys(tmp_path_factory.mktemp("foreign"))


# --------------------------------------------------------------------------------------------------
# Keys made by keyway (module-scoped: the 4096-bit key is generated once)


@dataclass
class OwnKey:
    spec: str
    ktype: str
    bits: int
    base: Path  # OpenSSH format, with comment
    line: str  # public line generate printed
    comment: str
    directory: Path
    converted: dict[str, Path] = field(default_factory=dict)

    def source(self, fmt: str) -> Path:
        """The key in a private format (made by keyway convert from the OpenSSH base) or a public one."""
        if fmt == "openssh":
            return self.base
        if fmt not in self.converted:
            out = self.directory / f"source.{fmt}"
            keyway_ok("convert", self.base, "--to", fmt, "-o", out)
            self.converted[fmt] = out
        return self.converted[fmt]


class OwnKeys:
    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, OwnKey] = {}

    def __getitem__(self, spec: str) -> OwnKey:
        if spec not in self.cache:
            ktype, bits = SPECS[spec]
            directory = self.root / spec
            directory.mkdir()
            comment = f"keyway-{spec}@e2e"
            base = directory / "base"
            result = keyway_ok("generate", *generate_args(spec), "--format", "openssh", "--comment", comment,
                               "-o", base)
            self.cache[spec] = OwnKey(spec, ktype, bits, base, result.out.strip(), comment, directory)
        return self.cache[spec]


@pytest.fixture(scope="module")
def own(tmp_path_factory) -> OwnKeys:
    return OwnKeys(tmp_path_factory.mktemp("own"))


# ==================================================================================================
# 1. Keys keyway writes, judged by the real tools

GENERATE_CASES = [
    (spec, fmt) for spec in ("rsa1024", "rsa2048", "rsa3072", "ed25519") for fmt in PRIVATE_FORMATS
] + [("rsa4096", "pem"), ("rsa4096", "ppk3")]


@pytest.mark.parametrize("spec,fmt", GENERATE_CASES, ids=[f"{s}-{f}" for s, f in GENERATE_CASES])
def test_generate_is_read_by_real_tools(spec, fmt, tmp_path):
    ktype, bits = SPECS[spec]
    comment = f"gen-{spec}-{fmt}@e2e"
    out = tmp_path / "key"
    result = keyway_ok("generate", *generate_args(spec), "--format", fmt, "--comment", comment, "-o", out)

    lines = result.out.splitlines()
    assert len(lines) == 1, "generate -o prints exactly the public line\n" + result.describe()
    line = lines[0]
    assert pub_fields(line)[0] == SSH_TYPE[ktype]
    assert pub_comment(line) == comment
    assert file_mode(out) == 0o600, oct(file_mode(out))

    judge_private_key(out, fmt, ktype, bits, line, comment=comment if holds_comment(ktype, fmt) else None)

    pub = write_file(tmp_path / "key.pub", line + "\n", 0o644)
    assert ssh_keygen_fingerprint(pub)[0] == bits, "ssh-keygen -l reports another size"

    # keyway reads its own output back to the same public line, with the comment if the format keeps one.
    again = keyway_public(out)
    assert pub_fields(again) == pub_fields(line)
    if holds_comment(ktype, fmt):
        assert again == line


@pytest.mark.parametrize("spec", ["rsa1024", "rsa2048", "rsa3072", "rsa4096", "ed25519"])
def test_generated_key_fingerprints_agree_with_real_tools(spec, own, tmp_path):
    key = own[spec]
    private_pem = key.source("pem") if key.ktype == "rsa" else None
    ref = reference_for(key.line, tmp_path, private_pem=private_pem, comment=key.comment)
    for fmt in PRIVATE_FORMATS:
        fp = keyway_fingerprints(key.source(fmt))
        assert_fingerprints_match_reference(fp, ref, private=True)
    pub = write_file(tmp_path / "only.pub", key.line + "\n", 0o644)
    assert_fingerprints_match_reference(keyway_fingerprints(pub), ref, private=False)


@pytest.mark.parametrize("ktype", ["rsa", "ed25519"])
def test_generate_to_stdout_writes_only_the_private_key_there(ktype, tmp_path):
    result = keyway_ok("generate", "--type", ktype)
    key = write_file(tmp_path / "key", result.stdout_bytes)
    header = first_line(key)
    assert header == HEADERS[(ktype, "pem")]
    assert result.out.rstrip("\n").endswith("-----END " + header[len("-----BEGIN "):]), "stdout holds only the key"
    # the public line is not mixed into the key on stdout; it is reported on stderr
    err_lines = result.err.splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith(SSH_TYPE[ktype] + " "), result.describe()
    assert pub_fields(ssh_keygen_public(key)) == pub_fields(err_lines[0])


def test_generate_defaults_to_rsa_2048_pkcs1(tmp_path):
    out = tmp_path / "key"
    line = keyway_ok("generate", "-o", out).out.strip()
    assert first_line(out) == "-----BEGIN RSA PRIVATE KEY-----"
    judge_private_key(out, "pem", "rsa", 2048, line)


@pytest.mark.parametrize("how", ["umask-000", "existing-0644-file"])
@pytest.mark.parametrize("command", ["generate", "convert"])
def test_private_key_output_is_mode_0600(command, how, own, tmp_path):
    out = tmp_path / "key.pem"
    if how == "existing-0644-file":
        write_file(out, "old contents\n", 0o644)
    if command == "generate":
        argv = [KEYWAY_BIN, "key", "generate", "--type", "ed25519", "-o", out]
    else:
        argv = [KEYWAY_BIN, "key", "convert", own["ed25519"].base, "--to", "pkcs8", "-o", out]
    if how == "umask-000":
        argv = ["sh", "-c", 'umask 000; exec "$0" "$@"', *argv]
    result = run(argv)
    if how == "existing-0644-file" and result.rc != 0:
        # refusing to overwrite is acceptable; then the old file must be untouched and the error one line
        assert result.rc == 2 and len(result.err.splitlines()) == 1, result.describe()
        assert out.read_text() == "old contents\n"
        return
    assert result.rc == 0, result.describe()
    assert file_mode(out) == 0o600, f"{command} -o left mode {oct(file_mode(out))} ({how})"
    assert first_line(out).startswith("-----BEGIN")


@pytest.mark.parametrize(
    "args,mention",
    [
        (["--bits", "1024"], "--allow-insecure-size"),
        (["--bits", "1000"], "1000"),
        (["--bits", "512", "--allow-insecure-size"], "512"),
        (["--type", "ed25519", "--bits", "2048"], "Ed25519"),
    ],
    ids=["1024-without-flag", "odd-size", "512-even-with-flag", "ed25519-with-bits"],
)
def test_generate_rejects_bad_sizes(args, mention, tmp_path):
    out = tmp_path / "key"
    result = keyway("generate", *args, "-o", out)
    assert result.rc == 2, result.describe()
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("keyway: "), result.describe()
    assert mention.lower() in lines[0].lower(), result.describe()
    assert not out.exists(), "no key file may be written when generation is refused"


CONVERT_PRIVATE_CASES = [
    (spec, src, dst) for spec in ("rsa2048", "ed25519") for src in PRIVATE_FORMATS for dst in PRIVATE_FORMATS
] + [(spec, "pem", dst) for spec in ("rsa1024", "rsa3072", "rsa4096") for dst in PRIVATE_FORMATS]


@pytest.mark.parametrize(
    "spec,src,dst", CONVERT_PRIVATE_CASES, ids=[f"{a}-{b}-to-{c}" for a, b, c in CONVERT_PRIVATE_CASES]
)
def test_convert_private_is_read_by_real_tools(spec, src, dst, own, tmp_path):
    key = own[spec]
    source = key.source(src)
    out = tmp_path / f"converted.{dst}"
    result = keyway_ok("convert", source, "--to", dst, "-o", out)
    assert result.out == "", "convert -o writes nothing on stdout"
    assert file_mode(out) == 0o600
    keeps_comment = holds_comment(key.ktype, src) and holds_comment(key.ktype, dst)
    judge_private_key(out, dst, key.ktype, key.bits, key.line, comment=key.comment if keeps_comment else None)

    # without -o the same bytes go to stdout
    again = keyway_ok("convert", source, "--to", dst)
    if HEADERS[(key.ktype, dst)].startswith("-----BEGIN") and HEADERS[(key.ktype, dst)] != OPENSSH_PRIVATE_HEADER:
        # DER encodings are deterministic (OpenSSH files carry a random check int)
        assert again.stdout_bytes == out.read_bytes()
    else:
        assert first_line(write_file(tmp_path / "stdout", again.stdout_bytes)) == HEADERS[(key.ktype, dst)]

    if key.ktype == "rsa":
        # The EC2-created fingerprint depends on every PKCS#8 field, the CRT values keyway recomputes included.
        ref_created = openssl_aws_created(key.source("pem"))
        assert keyway_fingerprints(out)["awsCreated"] == ref_created
        if dst in ("pem", "pkcs8"):
            assert openssl_aws_created(out) == ref_created


CONVERT_PUBLIC_CASES = [
    (spec, src, dst)
    for spec in ("rsa2048", "ed25519")
    for src in PRIVATE_FORMATS + PUBLIC_FORMATS
    for dst in PUBLIC_FORMATS
] + [(spec, "pem", dst) for spec in ("rsa1024", "rsa3072", "rsa4096") for dst in PUBLIC_FORMATS]


@pytest.mark.parametrize(
    "spec,src,dst", CONVERT_PUBLIC_CASES, ids=[f"{a}-{b}-to-{c}" for a, b, c in CONVERT_PUBLIC_CASES]
)
def test_convert_public_is_read_by_real_tools(spec, src, dst, own, tmp_path):
    key = own[spec]
    source = key.source(src)
    out = tmp_path / f"converted.{dst}"
    keyway_ok("convert", source, "--to", dst, "-o", out)
    judge_public_output(out, dst, key.ktype, key.line)
    if dst == "public" and (src == "public" or (src in PRIVATE_FORMATS and holds_comment(key.ktype, src))):
        assert out.read_text().strip() == key.line, "the comment is kept"
    if dst == "spki" and key.ktype == "rsa":
        der = run_ok(["openssl", "pkey", "-pubin", "-in", out, "-outform", "DER"]).stdout_bytes
        md5 = run_ok(["openssl", "md5", "-c"], input=der).out.split("= ", 1)[1].strip()
        assert keyway_fingerprints(source)["awsImported"] == md5


# ==================================================================================================
# 2. Keys the other tools write, read by keyway


@pytest.mark.parametrize("source,variant", FOREIGN_CASES, ids=[f"{s}-{v}" for s, v in FOREIGN_CASES])
def test_foreign_key_fingerprints_agree_with_real_tools(source, variant, foreign):
    key = foreign[source]
    fp = keyway_fingerprints(key.files[variant])
    assert_fingerprints_match_reference(fp, key.ref, private=variant in PRIVATE_VARIANTS)


@pytest.mark.parametrize("source,variant", FOREIGN_CASES, ids=[f"{s}-{v}" for s, v in FOREIGN_CASES])
def test_foreign_key_public_line_agrees_with_real_tools(source, variant, foreign):
    key = foreign[source]
    path = key.files[variant]
    line = keyway_public(path)
    assert pub_fields(line) == pub_fields(key.ref.line)
    if key.ssh_keygen_reads(variant):
        assert line == ssh_keygen_public(path), "keyway key public differs from ssh-keygen -y -f"
    expected_comment = key.expected_comment(variant)
    if expected_comment is not None:
        assert pub_comment(line) == expected_comment
    elif variant in PRIVATE_VARIANTS or variant.startswith(("spki", "pubout", "pkcs8-pub", "pem-pub")):
        assert pub_comment(line) is None, "a format without comments gives a line without one"


CONVERT_FOREIGN_CASES = [(s, v, dst) for s, v in FOREIGN_PRIVATE_CASES for dst in PRIVATE_FORMATS]


@pytest.mark.parametrize(
    "source,variant,dst", CONVERT_FOREIGN_CASES, ids=[f"{s}-{v}-to-{d}" for s, v, d in CONVERT_FOREIGN_CASES]
)
def test_convert_foreign_private_key(source, variant, dst, foreign, tmp_path):
    key = foreign[source]
    out = tmp_path / f"converted.{dst}"
    keyway_ok("convert", key.files[variant], "--to", dst, "-o", out)
    keeps_comment = key.expected_comment(variant) is not None and holds_comment(key.ktype, dst)
    judge_private_key(out, dst, key.ktype, key.ref.bits, key.ref.line,
                      comment=key.ref.comment if keeps_comment else None)
    assert_fingerprints_match_reference(keyway_fingerprints(out), key.ref, private=True)


STDIN_CASES = [
    ("ssh-keygen-rsa2048", "openssh"),
    ("ssh-keygen-rsa2048", "pub"),
    ("ssh-keygen-rsa2048", "rfc4716"),
    ("ssh-keygen-rsa2048", "pem-pub"),
    ("ssh-keygen-rsa2048", "spki-der"),
    ("ssh-keygen-rsa2048", "spki-b64"),
    ("openssl-rsa2048", "pkcs1"),
    ("openssl-ed25519", "pkcs8"),
    ("openssl-ed25519", "pubout-der"),
    ("puttygen-rsa2048", "ppk2"),
    ("puttygen-ed25519", "ppk3"),
]


@pytest.mark.parametrize("source,variant", STDIN_CASES, ids=[f"{s}-{v}" for s, v in STDIN_CASES])
def test_stdin_input(source, variant, foreign, tmp_path):
    key = foreign[source]
    data = key.files[variant].read_bytes()
    assert keyway_public("-", input=data) == keyway_public(key.files[variant])
    fp = keyway_fingerprints("-", input=data)
    assert_fingerprints_match_reference(fp, key.ref, private=variant in PRIVATE_VARIANTS)
    out = tmp_path / "out.pub"
    keyway_ok("convert", "-", "--to", "rfc4716", "-o", out, input=data)
    judge_public_output(out, "rfc4716", key.ktype, key.ref.line)


@pytest.mark.parametrize("source,variant", [("ssh-keygen-rsa2048", "openssh"), ("ssh-keygen-rsa2048", "pub"),
                                            ("puttygen-ed25519", "ppk2")])
def test_fingerprint_text_output_matches_json(source, variant, foreign):
    path = foreign[source].files[variant]
    fp = keyway_fingerprints(path)
    text = keyway_ok("fingerprint", path).out
    for member in ("awsImported", "sha256", "md5"):
        assert fp[member] in text
    if fp["awsCreated"] is not None:
        assert fp["awsCreated"] in text
    assert str(fp["bits"]) in text


# ==================================================================================================
# 3. Spec vectors

# The throw-away keys of the AWS API spec §2.7, shared with the Swift suites.
VECTORS = Path(__file__).resolve().parents[2] / "Tests" / "KeyFormatsTests" / "Fixtures" / "vectors"
VECTOR_RSA_1024 = (VECTORS / "spec-rsa-1024.pem").read_text()
VECTOR_RSA_AWS_CREATED = "e0:e6:97:bf:76:55:67:90:59:c0:98:06:ce:ff:d9:4c:c3:3f:73:a0"
VECTOR_RSA_AWS_IMPORTED = "da:17:fb:a9:23:54:c4:4f:f8:09:39:9a:48:01:f0:71"
VECTOR_RSA_MD5 = "MD5:08:67:ae:c0:6c:2a:ac:c0:17:1f:3b:1b:da:07:c1:54"

VECTOR_ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFUO/V7kPC050XeczAW0ucEa3mCtyUMFrpydJ9F+WJc5 vector-ed25519"
VECTOR_ED25519_AWS = "FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8="
VECTOR_ED25519_SHA256 = "SHA256:FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8"


@pytest.fixture
def rsa_vector(tmp_path) -> Path:
    return write_file(tmp_path / "vector-rsa.pem", VECTOR_RSA_1024)


@pytest.mark.parametrize("fmt", ["as-given", "pkcs8", "openssh", "ppk", "ppk3"])
def test_rsa_1024_vector(fmt, rsa_vector, tmp_path):
    path = rsa_vector
    if fmt != "as-given":
        path = tmp_path / f"vector.{fmt}"
        keyway_ok("convert", rsa_vector, "--to", fmt, "-o", path)
    fp = keyway_fingerprints(path)
    assert fp["type"] == "rsa" and fp["bits"] == 1024
    assert fp["awsCreated"] == VECTOR_RSA_AWS_CREATED
    assert fp["awsImported"] == VECTOR_RSA_AWS_IMPORTED
    assert fp["md5"] == VECTOR_RSA_MD5
    pub = write_file(tmp_path / "vector.pub", ssh_keygen_public(rsa_vector) + "\n", 0o644)
    assert fp["sha256"] == ssh_keygen_fingerprint(pub)[1]


def test_rsa_1024_vector_values_are_what_openssl_computes(rsa_vector):
    # guards the vector itself: the real tools give the same values
    assert openssl_aws_created(rsa_vector) == VECTOR_RSA_AWS_CREATED
    assert openssl_aws_imported_from_private(rsa_vector) == VECTOR_RSA_AWS_IMPORTED


def test_rsa_1024_vector_public_half(rsa_vector, tmp_path):
    line = keyway_public(rsa_vector)
    assert line == ssh_keygen_public(rsa_vector)
    pub = write_file(tmp_path / "vector.pub", line + "\n", 0o644)
    fp = keyway_fingerprints(pub)
    assert fp["awsCreated"] is None
    assert fp["awsImported"] == VECTOR_RSA_AWS_IMPORTED
    assert fp["md5"] == VECTOR_RSA_MD5


@pytest.mark.parametrize("form", ["openssh", "rfc4716", "spki", "stdin"])
def test_ed25519_vector(form, tmp_path):
    pub = write_file(tmp_path / "vector.pub", VECTOR_ED25519 + "\n", 0o644)
    path, kwargs = pub, {}
    if form in ("rfc4716", "spki"):
        path = tmp_path / f"vector.{form}"
        keyway_ok("convert", pub, "--to", form, "-o", path)
    elif form == "stdin":
        path, kwargs = "-", {"input": VECTOR_ED25519 + "\n"}
    fp = keyway_fingerprints(path, **kwargs)
    assert fp["type"] == "ed25519" and fp["bits"] == 256
    assert fp["awsImported"] == VECTOR_ED25519_AWS
    assert fp["awsCreated"] == VECTOR_ED25519_AWS
    assert fp["sha256"] == VECTOR_ED25519_SHA256
    assert fp["sha256"] == ssh_keygen_fingerprint(pub)[1]
    assert fp["md5"] == ssh_keygen_fingerprint(pub, "md5")[1]
    if form == "openssh":
        assert keyway_public(pub) == VECTOR_ED25519


def test_vectors_with_match(rsa_vector, tmp_path):
    pub = write_file(tmp_path / "vector.pub", VECTOR_ED25519 + "\n", 0o644)
    result = keyway("match", VECTOR_RSA_AWS_CREATED, pub, rsa_vector)
    assert result.rc == 0, result.describe()
    assert f"{rsa_vector}: match (" in result.out and "AWS-created" in result.out
    result = keyway("match", VECTOR_ED25519_AWS, rsa_vector, pub)
    assert result.rc == 0, result.describe()
    assert f"{pub}: match (" in result.out and f"{rsa_vector}: match" not in result.out


# ==================================================================================================
# 4. match


@dataclass
class MatchSet:
    rsa_pem: Path
    rsa_pub: Path
    other_pem: Path
    other_pub: Path
    ed_pem: Path
    ed_pub: Path
    fps: dict[str, dict]  # file name -> keyway's fingerprints (checked against ssh-keygen below)


@pytest.fixture(scope="module")
def match_set(tmp_path_factory) -> MatchSet:
    directory = tmp_path_factory.mktemp("match")
    files = {}
    for name, ktype in (("rsa", "rsa"), ("other", "rsa"), ("ed", "ed25519")):
        pem = directory / f"{name}.pem"
        line = keyway_ok("generate", "--type", ktype, "--comment", name, "-o", pem).out.strip()
        files[f"{name}_pem"] = pem
        files[f"{name}_pub"] = write_file(directory / f"{name}.pub", line + "\n", 0o644)
    fps = {}
    for path in files.values():
        fp = keyway_fingerprints(path)
        if path.suffix == ".pub":
            assert fp["sha256"] == ssh_keygen_fingerprint(path)[1]
            assert fp["md5"] == ssh_keygen_fingerprint(path, "md5")[1]
        elif fp["type"] == "rsa":
            assert fp["awsCreated"] == openssl_aws_created(path)
            assert fp["awsImported"] == openssl_aws_imported_from_private(path)
        fps[path.name] = fp
    return MatchSet(fps=fps, **files)


RULE_LABEL = {"awsCreated": "AWS-created", "awsImported": "AWS-imported", "sha256": "SHA256", "md5": "MD5"}


def match_lines(result) -> list[str]:
    return [line for line in result.out.splitlines() if ": match (" in line]


@pytest.mark.parametrize(
    "file_attr,member",
    [("rsa_pem", "awsCreated"), ("rsa_pem", "awsImported"), ("rsa_pem", "sha256"), ("rsa_pem", "md5"),
     ("rsa_pub", "awsImported"), ("rsa_pub", "sha256"), ("rsa_pub", "md5"),
     ("ed_pem", "awsImported"), ("ed_pem", "sha256"), ("ed_pub", "awsImported"), ("ed_pub", "md5")],
)
def test_match_single_file(file_attr, member, match_set):
    path = getattr(match_set, file_attr)
    fingerprint = match_set.fps[path.name][member]
    result = keyway("match", fingerprint, path)
    assert result.rc == 0, result.describe()
    lines = match_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"{path}: match ("), result.describe()
    assert RULE_LABEL[member] in lines[0], result.describe()


@pytest.mark.parametrize("target", ["rsa_pem", "rsa_pub", "other_pem", "other_pub", "ed_pub"])
@pytest.mark.parametrize("member", ["awsImported", "sha256", "md5"])
def test_match_reports_only_the_matching_files(target, member, match_set):
    everything = [match_set.rsa_pem, match_set.rsa_pub, match_set.other_pem, match_set.other_pub,
                  match_set.ed_pem, match_set.ed_pub]
    target_path = getattr(match_set, target)
    fingerprint = match_set.fps[target_path.name][member]
    result = keyway("match", fingerprint, *everything)
    assert result.rc == 0, result.describe()
    # the private and public halves of one key both hold it; no other file does
    stem = target_path.stem
    expected = [p for p in everything if p.stem == stem]
    matched = [line.split(": match (")[0] for line in match_lines(result)]
    assert sorted(matched) == sorted(map(str, expected)), result.describe()


def test_match_created_fingerprint_against_public_key_explains(match_set):
    result = keyway("match", match_set.fps["rsa.pem"]["awsCreated"], match_set.rsa_pub)
    assert result.rc == 1, result.describe()
    assert match_lines(result) == []
    explanation = (result.out + result.err).lower()
    assert "private key" in explanation, result.describe()
    assert "Fatal error" not in result.err


def test_match_wrong_fingerprint_lists_every_file(match_set):
    files = [match_set.rsa_pem, match_set.other_pub, match_set.ed_pub]
    wrong = ":".join(["5a"] * 16)
    result = keyway("match", wrong, *files)
    assert result.rc == 1, result.describe()
    assert match_lines(result) == []
    output = result.out + result.err
    for path in files:
        fp = match_set.fps[path.name]
        assert str(path) in output, result.describe()
        for member in ("awsImported", "sha256", "md5"):
            assert fp[member] in output, f"{member} of {path.name} not listed\n" + result.describe()
    assert match_set.fps["rsa.pem"]["awsCreated"] in output


@pytest.mark.parametrize(
    "fingerprint",
    ["garbage", "SHA256:", "MD5:12:34", ":".join(["zz"] * 16), ":".join(["ab"] * 19), "ab" * 16 + "x", ""],
    ids=["word", "empty-sha256", "short-md5", "non-hex", "19-bytes", "trailing-junk", "empty"],
)
def test_match_garbage_fingerprint_is_bad_input(fingerprint, match_set):
    result = keyway("match", fingerprint, match_set.rsa_pem)
    assert result.rc == 2, result.describe()
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("keyway: "), result.describe()
    assert "Fatal error" not in result.err


def test_match_missing_file_is_bad_input(match_set, tmp_path):
    missing = tmp_path / "nope.pem"
    result = keyway("match", match_set.fps["rsa.pem"]["sha256"], missing)
    assert_bad_input(result, str(missing))


# ==================================================================================================
# 5. Bad input

ENCRYPTED_CASES = [
    "ssh-keygen-openssh-rsa",
    "ssh-keygen-openssh-ed25519",
    "ssh-keygen-pem-rsa",
    "openssl-pkcs8-rsa",
    "openssl-pkcs8-ed25519",
    "puttygen-ppk2-rsa",
    "puttygen-ppk3-ed25519",
]


@pytest.fixture(scope="module")
def encrypted_keys(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("encrypted")
    files = {}
    for name, argv in (
        ("ssh-keygen-openssh-rsa", ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "secret", "-f"]),
        ("ssh-keygen-openssh-ed25519", ["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f"]),
        ("ssh-keygen-pem-rsa", ["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret", "-f"]),
    ):
        run_ok(argv + [d / name])
        files[name] = d / name
    assert "ENCRYPTED" in files["ssh-keygen-pem-rsa"].read_text()
    for name, alg in (("openssl-pkcs8-rsa", "RSA"), ("openssl-pkcs8-ed25519", "ED25519")):
        run_ok(["openssl", "genpkey", "-algorithm", alg, "-aes256", "-pass", "pass:x", "-out", d / name])
        assert first_line(d / name) == "-----BEGIN ENCRYPTED PRIVATE KEY-----"
        files[name] = d / name
    passphrase = write_file(d / "passphrase", "secret\n")
    for name, ktype, version in (("puttygen-ppk2-rsa", "rsa", 2), ("puttygen-ppk3-ed25519", "ed25519", 3)):
        run_ok(["puttygen", "-q", "-t", ktype, "-O", "private", "--new-passphrase", passphrase,
                "--ppk-param", f"version={version}", "-o", d / name])
        assert "Encryption: aes256-cbc" in (d / name).read_text()
        files[name] = d / name
    return files


BAD_INPUT_COMMANDS = {
    "public": lambda f: ["public", f],
    "fingerprint": lambda f: ["fingerprint", f],
    "fingerprint-json": lambda f: ["fingerprint", f, "--json"],
    "convert-openssh": lambda f: ["convert", f, "--to", "openssh"],
    "convert-public": lambda f: ["convert", f, "--to", "public"],
    "match": lambda f: ["match", "SHA256:FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8", f],
}


@pytest.mark.parametrize("command", list(BAD_INPUT_COMMANDS))
@pytest.mark.parametrize("name", ENCRYPTED_CASES)
def test_passphrase_protected_keys_are_refused(name, command, encrypted_keys):
    path = str(encrypted_keys[name])
    result = keyway(*BAD_INPUT_COMMANDS[command](path))
    assert_bad_input(result, path, "passphrase")


UNSUPPORTED_CASES = [
    ("ssh-keygen-ecdsa-openssh", "ECDSA"),
    ("ssh-keygen-ecdsa-pem", "ECDSA"),
    ("ssh-keygen-ecdsa-pub", "ECDSA"),
    ("ssh-keygen-ecdsa-rfc4716", "ECDSA"),
    ("openssl-ec-pkcs8", "ECDSA"),
    ("openssl-ec-pubout", "ECDSA"),
    ("puttygen-ecdsa-ppk", "ECDSA"),
    ("ssh-keygen-dsa-openssh", "DSA"),
    ("ssh-keygen-dsa-pem", "DSA"),
    ("ssh-keygen-dsa-pub", "DSA"),
]


@pytest.fixture(scope="module")
def unsupported_keys(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("unsupported")
    files = {}
    run_ok(["ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", d / "ecdsa"])
    files["ssh-keygen-ecdsa-openssh"] = d / "ecdsa"
    files["ssh-keygen-ecdsa-pub"] = d / "ecdsa.pub"
    shutil.copyfile(d / "ecdsa", d / "ecdsa.pem")
    (d / "ecdsa.pem").chmod(0o600)
    run_ok(["ssh-keygen", "-q", "-p", "-P", "", "-N", "", "-m", "PEM", "-f", d / "ecdsa.pem"])
    files["ssh-keygen-ecdsa-pem"] = d / "ecdsa.pem"
    files["ssh-keygen-ecdsa-rfc4716"] = write_file(
        d / "ecdsa.rfc4716", run_ok(["ssh-keygen", "-e", "-f", d / "ecdsa.pub"]).out, 0o644
    )
    run_ok(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", d / "ec.pem"])
    files["openssl-ec-pkcs8"] = d / "ec.pem"
    run_ok(["openssl", "pkey", "-in", d / "ec.pem", "-pubout", "-out", d / "ec.pub.pem"])
    files["openssl-ec-pubout"] = d / "ec.pub.pem"
    run_ok(["puttygen", "-q", "-t", "ecdsa", "-O", "private", "--new-passphrase", "/dev/null", "-o", d / "ec.ppk"])
    files["puttygen-ecdsa-ppk"] = d / "ec.ppk"
    dsa = run(["ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", d / "dsa"])
    if dsa.rc == 0:
        files["ssh-keygen-dsa-openssh"] = d / "dsa"
        files["ssh-keygen-dsa-pub"] = d / "dsa.pub"
        shutil.copyfile(d / "dsa", d / "dsa.pem")
        (d / "dsa.pem").chmod(0o600)
        run_ok(["ssh-keygen", "-q", "-p", "-P", "", "-N", "", "-m", "PEM", "-f", d / "dsa.pem"])
        files["ssh-keygen-dsa-pem"] = d / "dsa.pem"
    return files


@pytest.mark.parametrize("command", ["public", "fingerprint-json", "convert-public", "match"])
@pytest.mark.parametrize("name,mention", UNSUPPORTED_CASES, ids=[c[0] for c in UNSUPPORTED_CASES])
def test_unsupported_key_types_are_refused(name, mention, command, unsupported_keys):
    if name not in unsupported_keys:
        pytest.skip("this ssh-keygen no longer makes DSA keys")
    path = str(unsupported_keys[name])
    line = assert_bad_input(keyway(*BAD_INPUT_COMMANDS[command](path)), path, mention)
    if mention == "DSA":
        assert "ECDSA" not in line


def _garbage(kind: str, d: Path, own: OwnKeys) -> tuple[str, bytes | None]:
    """(file argument, stdin bytes) for a kind of garbage."""
    rng = random.Random(kind)
    if kind == "missing":
        return str(d / "does-not-exist.pem"), None
    if kind == "directory":
        return str(d), None
    if kind == "stdin-empty":
        return "-", b""
    if kind == "stdin-random":
        return "-", bytes(rng.randrange(256) for _ in range(700))
    base = own["rsa2048"]
    pem = base.source("pem").read_text()
    content = {
        "empty": b"",
        "whitespace": b" \n\n\t\n",
        "random-bytes": bytes(rng.randrange(256) for _ in range(1000)),
        "random-text": "".join(rng.choice("abcdefghij KLMNOP\n") for _ in range(600)).encode(),
        "nul-bytes": b"\0" * 64,
        "pem-header-only": b"-----BEGIN RSA PRIVATE KEY-----\n",
        "pem-no-body": b"-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n",
        "pem-bad-base64": b"-----BEGIN RSA PRIVATE KEY-----\n!!!not*base64!!!\n-----END RSA PRIVATE KEY-----\n",
        "pem-mismatched-end": pem.replace("END RSA PRIVATE KEY", "END PUBLIC KEY").encode(),
        "pem-unknown-label": pem.replace("RSA PRIVATE KEY", "FOO BAR").encode(),
        "pem-truncated": pem[: len(pem) // 2].encode(),
        "pem-body-cut": ("\n".join(pem.splitlines()[:6] + [pem.splitlines()[-1]]) + "\n").encode(),
        "openssh-magic-only": b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + base64.b64encode(b"openssh-key-v1\0") + b"\n-----END OPENSSH PRIVATE KEY-----\n",
        "ssh-rsa-word-only": b"ssh-rsa\n",
        "ssh-rsa-bad-base64": b"ssh-rsa AAAA%%%% comment\n",
        "ssh-rsa-wrong-blob-type": b"ssh-rsa " + base64.b64encode(b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + bytes(32)) + b"\n",
        "ssh-ed25519-short-key": b"ssh-ed25519 " + base64.b64encode(b"\0\0\0\x0bssh-ed25519\0\0\0\x10" + bytes(16)) + b"\n",
        "ssh-blob-huge-length": b"ssh-rsa " + base64.b64encode(b"\xff\xff\xff\xf0ssh-rsa") + b"\n",
        "rfc4716-no-end": b"---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3NzaC1yc2E=\n",
        "ppk-header-only": b"PuTTY-User-Key-File-3: ssh-rsa\n",
        "ppk-bad-lines": b"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: x\nPublic-Lines: 99999\nAAAA\n",
        "pem-crlf-no-end": "\r\n".join(pem.splitlines()[:-1]).encode() + b"\r\n",
        "ppk-crlf-truncated": "\r\n".join(base.source("ppk").read_text().splitlines()[:8]).encode() + b"\r\n",
        "der-sequence-huge-length": b"\x30\x84\xff\xff\xff\xff\x30\x0d",
        "der-deep-nesting": b"\x30\x80" * 5000,
        # Reproducers from the fuzz corpus: each once killed the process (a trap) instead of exiting 2.
        "rfc4716-header-only-colon": (FUZZ_CORPUS / "RFC4716/crash-header-only-colon").read_bytes(),
        "openssh-padding-256": (FUZZ_CORPUS / "KeyMaterial/crash-openssh-padding-256").read_bytes(),
    }[kind]
    return str(write_file(d / kind, content)), None


GARBAGE_KINDS = [
    "empty", "whitespace", "missing", "directory", "random-bytes", "random-text", "nul-bytes",
    "pem-header-only", "pem-no-body", "pem-bad-base64", "pem-mismatched-end", "pem-unknown-label",
    "pem-truncated", "pem-body-cut", "pem-crlf-no-end", "ppk-crlf-truncated", "openssh-magic-only", "ssh-rsa-word-only", "ssh-rsa-bad-base64",
    "ssh-rsa-wrong-blob-type", "ssh-ed25519-short-key", "ssh-blob-huge-length", "rfc4716-no-end",
    "ppk-header-only", "ppk-bad-lines", "der-sequence-huge-length", "der-deep-nesting",
    "rfc4716-header-only-colon", "openssh-padding-256",
    "stdin-empty", "stdin-random",
]


GARBAGE_CASES = [
    (kind, command)
    for kind in GARBAGE_KINDS
    for command in ("public", "fingerprint-json", "convert-pem", "match")
    if not (command == "match" and kind.startswith("stdin"))  # match takes files, not standard input
]


@pytest.mark.parametrize("kind,command", GARBAGE_CASES, ids=[f"{k}-{c}" for k, c in GARBAGE_CASES])
def test_garbage_is_bad_input(kind, command, own, tmp_path):
    arg, stdin = _garbage(kind, tmp_path, own)
    argv = {
        "public": ["public", arg],
        "fingerprint-json": ["fingerprint", arg, "--json"],
        "convert-pem": ["convert", arg, "--to", "pem"],
        "match": ["match", "SHA256:FfsyKMAbcFdioVECfB2KxYB4xJFpmd/GDCK5biOIzg8", arg],
    }[command]
    assert_bad_input(keyway(*argv, input=stdin), arg)


MUTATION_SOURCES = [("rsa2048", fmt) for fmt in PRIVATE_FORMATS + PUBLIC_FORMATS] + [
    ("ed25519", "openssh"), ("ed25519", "ppk3"), ("ed25519", "pkcs8"),
]
MUTATIONS = ["cut-10", "cut-50", "cut-90", "flip-30", "flip-60", "flip-85"]


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("spec,fmt", MUTATION_SOURCES, ids=[f"{s}-{f}" for s, f in MUTATION_SOURCES])
def test_damaged_keys_never_crash(spec, fmt, mutation, own, tmp_path):
    data = own[spec].source(fmt).read_bytes()
    how, percent = mutation.split("-")
    at = len(data) * int(percent) // 100
    if how == "cut":
        damaged = data[:at]
    else:
        # replace one base64 character inside the key body with another one
        while chr(data[at]) not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789":
            at += 1
        replacement = b"B" if data[at:at + 1] != b"B" else b"C"
        damaged = data[:at] + replacement + data[at + 1:]
    path = write_file(tmp_path / f"damaged.{fmt}", damaged)
    result = keyway("fingerprint", path, "--json")
    assert result.rc in (0, 2), "expected success or bad input\n" + result.describe()
    if result.rc == 2:
        assert_bad_input(result, str(path))
    else:
        json.loads(result.out)
    if how == "cut" and int(percent) <= 50:
        assert result.rc == 2, "half a key must not be accepted\n" + result.describe()


@pytest.mark.parametrize("dst", PRIVATE_FORMATS)
@pytest.mark.parametrize("src", ["public", "rfc4716", "spki"])
def test_convert_public_key_to_private_format_is_bad_input(src, dst, own):
    path = str(own["rsa2048"].source(src))
    line = assert_bad_input(keyway("convert", path, "--to", dst), path)
    assert "private" in line.lower()


# ==================================================================================================
# 6. Ed25519 from every tool through PKCS#8 and back

ED25519_SOURCES = [
    ("keyway", "pem"), ("keyway", "ppk"), ("ssh-keygen-ed25519", "openssh"), ("openssl-ed25519", "pkcs8"),
    ("puttygen-ed25519", "ppk2"), ("puttygen-ed25519", "ppk3"),
]


@pytest.mark.parametrize("source,variant", ED25519_SOURCES, ids=[f"{s}-{v}" for s, v in ED25519_SOURCES])
def test_ed25519_pkcs8_round_trip_through_openssl(source, variant, own, foreign, tmp_path):
    if source == "keyway":
        key = own["ed25519"]
        path = key.source(variant)
        ref = reference_for(key.line, tmp_path)
    else:
        key = foreign[source]
        path, ref = key.files[variant], key.ref
    assert_fingerprints_match_reference(keyway_fingerprints(path), ref, private=True)

    pkcs8 = tmp_path / "key.p8"
    keyway_ok("convert", path, "--to", "pkcs8", "-o", pkcs8)
    assert first_line(pkcs8) == "-----BEGIN PRIVATE KEY-----"
    run_ok(["openssl", "pkey", "-in", pkcs8, "-noout"])
    pub_pem = tmp_path / "pub.pem"
    run_ok(["openssl", "pkey", "-in", pkcs8, "-pubout", "-out", pub_pem])
    pub_der = tmp_path / "pub.der"
    run_ok(["openssl", "pkey", "-in", pkcs8, "-pubout", "-outform", "DER", "-out", pub_der])
    for public in (pub_pem, pub_der):
        fp = keyway_fingerprints(public)
        assert fp["sha256"] == ref.sha256
        assert fp["awsImported"] == ed25519_aws(ref.sha256)
    # and openssl's own re-encoding of our PKCS#8 private key reads back the same
    reencoded = tmp_path / "reencoded.p8"
    run_ok(["openssl", "pkey", "-in", pkcs8, "-out", reencoded])
    assert keyway_fingerprints(reencoded)["sha256"] == ref.sha256


# ==================================================================================================
# 7. Text files as other systems write them, and files that are not regular files

WINDOWS_TEXT_CASES = [
    # (source, variant, how the real tool reads it)
    ("ssh-keygen-rsa2048", "pem", "openssl-private"),
    ("ssh-keygen-rsa2048", "pkcs8", "openssl-private"),
    ("openssl-rsa2048", "pkcs1", "openssl-private"),
    ("openssl-ed25519", "pkcs8", "openssl-private"),
    ("ssh-keygen-rsa2048", "pkcs8-pub", "openssl-public"),
    ("ssh-keygen-rsa2048", "pem-pub", "openssl-rsapublickey"),
    ("ssh-keygen-rsa2048", "rfc4716", "ssh-keygen-import"),
    ("ssh-keygen-ed25519", "pub", "ssh-keygen-fingerprint"),
    ("puttygen-rsa2048", "ppk2", "puttygen"),
    ("puttygen-ed25519", "ppk3", "puttygen"),
    ("ssh-keygen-ed25519", "openssh", "ssh-keygen-private"),
]


def _real_tool_reads(how: str, path: Path) -> bool:
    argv = {
        "openssl-private": ["openssl", "pkey", "-in", path, "-noout"],
        "openssl-public": ["openssl", "pkey", "-pubin", "-in", path, "-noout"],
        "openssl-rsapublickey": ["openssl", "rsa", "-RSAPublicKey_in", "-in", path, "-noout"],
        "ssh-keygen-import": ["ssh-keygen", "-i", "-f", path],
        "ssh-keygen-fingerprint": ["ssh-keygen", "-l", "-f", path],
        "ssh-keygen-private": ["ssh-keygen", "-y", "-f", path],
        "puttygen": ["puttygen", path, "-L"],
    }[how]
    return run(argv).rc == 0


@pytest.mark.parametrize("encoding", ["crlf", "utf8-bom"])
@pytest.mark.parametrize("source,variant,how", WINDOWS_TEXT_CASES, ids=[f"{s}-{v}" for s, v, _ in WINDOWS_TEXT_CASES])
def test_windows_text_files_are_read_like_the_real_tools_read_them(source, variant, how, encoding, foreign, tmp_path):
    """CRLF line ends (PuTTYgen on Windows, RFC 7468 allows them) and a UTF-8 byte order mark (Notepad).

    Whatever the real tool reads, keyway must read to the same fingerprints; what it does not, keyway may refuse,
    but as bad input: one line on stderr, without the key's contents.
    """
    key = foreign[source]
    data = key.files[variant].read_bytes()
    data = data.replace(b"\n", b"\r\n") if encoding == "crlf" else b"\xef\xbb\xbf" + data
    path = write_file(tmp_path / f"windows.{variant}", data)
    result = keyway("fingerprint", path, "--json")
    if _real_tool_reads(how, path):
        assert result.rc == 0, f"{how} reads this {encoding} file but keyway does not\n" + result.describe()
        assert_fingerprints_match_reference(json.loads(result.out), key.ref, private=variant in PRIVATE_VARIANTS)
    elif result.rc == 0:
        assert_fingerprints_match_reference(json.loads(result.out), key.ref, private=variant in PRIVATE_VARIANTS)
    else:
        assert_bad_input(result, str(path))


def test_rfc4716_headers_with_continuation_lines(foreign, tmp_path):
    key = foreign["ssh-keygen-ed25519"]
    body = [line for line in key.files["rfc4716"].read_text().splitlines()[1:-1] if ":" not in line]
    text = "\n".join(
        ["---- BEGIN SSH2 PUBLIC KEY ----", "Subject: someone", 'Comment: "a long comment that goes on \\',
         'and on"', "x-Private-Header: value", *body, "---- END SSH2 PUBLIC KEY ----", ""]
    )
    path = write_file(tmp_path / "continued.rfc4716", text, 0o644)
    reference = run_ok(["ssh-keygen", "-i", "-f", path]).out.strip()
    assert pub_fields(keyway_public(path)) == pub_fields(reference) == pub_fields(key.ref.line)
    assert_fingerprints_match_reference(keyway_fingerprints(path), key.ref, private=False)


PIPE_CASES = [
    ("ssh-keygen-ed25519", "pub", "public"),
    ("ssh-keygen-rsa2048", "pub", "fingerprint"),
    ("ssh-keygen-rsa2048", "pem", "fingerprint"),
    ("puttygen-rsa2048", "ppk2", "convert"),
]


@pytest.mark.parametrize("form", ["process-substitution", "dev-stdin-pipe"])
@pytest.mark.parametrize("source,variant,command", PIPE_CASES, ids=[f"{s}-{v}-{c}" for s, v, c in PIPE_CASES])
def test_pipes_given_as_file_names(source, variant, command, form, foreign):
    """`keyway key fingerprint <(...)` and `... | keyway key public /dev/stdin`, as ssh-keygen -l -f <(...) works."""
    key = foreign[source]
    path = key.files[variant]
    verb, rest = {"public": ("public", ""), "fingerprint": ("fingerprint", "--json"),
                  "convert": ("convert", "--to openssh")}[command]
    if form == "process-substitution":
        script = f'"$0" key {verb} <(cat "$1") {rest}'
        reference = run_ok(["bash", "-c", 'ssh-keygen -l -f <(cat "$0")', key.files.get("pub", path)])
    else:
        script = f'cat "$1" | "$0" key {verb} /dev/stdin {rest}'
        reference = run_ok(["bash", "-c", 'cat "$0" | ssh-keygen -l -f /dev/stdin', key.files.get("pub", path)])
    assert key.ref.sha256 in reference.out  # the idiom works with the real tool
    result = run(["bash", "-c", script, KEYWAY_BIN, path])
    assert result.rc == 0, "keyway cannot read a pipe given as a file name\n" + result.describe()
    if command == "public":
        assert pub_fields(result.out.strip()) == pub_fields(key.ref.line)
    elif command == "fingerprint":
        assert json.loads(result.out)["sha256"] == key.ref.sha256
    else:
        assert result.out.startswith(OPENSSH_PRIVATE_HEADER)
