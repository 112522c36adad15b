#!/usr/bin/env python3
"""Makes the KeyFormats test fixtures: valid keys from the real tools with the fingerprints those tools compute,
and a corpus of malformed inputs, each with the KeyFormatsError code it must produce.

Run from the repository root: python3 scripts/make-fixtures.py
Needs ssh-keygen (OpenSSH), openssl and puttygen (putty-tools). Random inputs use a fixed seed; keys are fresh
each run, so the output differs between runs but is always self-consistent. The files are committed; the tests
never run this script.
"""
import base64
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "KeyFormatsTests", "Fixtures")
VALID = os.path.join(ROOT, "valid")
CERTIFICATES = os.path.join(ROOT, "certificates")
MALFORMED = os.path.join(ROOT, "malformed")


def run(*args, input=None):
    return subprocess.run(args, check=True, capture_output=True, input=input).stdout


def ssh_string(data):
    if isinstance(data, str):
        data = data.encode()
    return struct.pack(">I", len(data)) + data


def mpint(value):
    if value == 0:
        return ssh_string(b"")
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if raw[0] & 0x80:
        raw = b"\0" + raw
    return ssh_string(raw)


def line(prefix, blob, comment=None):
    text = f"{prefix} {base64.b64encode(blob).decode()}"
    return text + (f" {comment}" if comment else "") + "\n"


def openssl_digest(name, data):
    out = run("openssl", name, "-c", input=data).decode().strip()
    return out.split("= ", 1)[1]


def ssh_keygen_fingerprint(path, hash_name):
    out = run("ssh-keygen", "-l", "-E", hash_name, "-f", path).decode().split()
    return out[1]


def make_valid(tmp):
    """Keys from ssh-keygen, openssl and puttygen, with the fingerprints those tools compute."""
    shutil.rmtree(VALID, ignore_errors=True)
    os.makedirs(VALID)
    expected = {}

    def record(name, private_path, public_path):
        pub_for_ssh = os.path.join(tmp, name + ".sshpub")
        with open(pub_for_ssh, "wb") as handle:
            handle.write(run("ssh-keygen", "-y", "-f", private_path) if private_path else open(public_path, "rb").read())
        entry = {
            "sha256": ssh_keygen_fingerprint(pub_for_ssh, "sha256"),
            "md5": ssh_keygen_fingerprint(pub_for_ssh, "md5"),
            "publicLine": " ".join(open(pub_for_ssh).read().split()[:2]),
        }
        key_type = entry["publicLine"].split()[0]
        if key_type == "ssh-rsa":
            spki = run("ssh-keygen", "-e", "-m", "PKCS8", "-f", pub_for_ssh)
            der = run("openssl", "pkey", "-pubin", "-outform", "DER", input=spki)
            entry["awsImported"] = openssl_digest("md5", der)
            if private_path:
                pem = private_path
                if open(private_path, "rb").read().startswith(b"-----BEGIN OPENSSH"):
                    pem = os.path.join(tmp, name + ".pem")
                    shutil.copy(private_path, pem)
                    run("ssh-keygen", "-p", "-N", "", "-m", "PEM", "-f", pem)
                pkcs8 = run("openssl", "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", pem)
                entry["awsCreated"] = openssl_digest("sha1", pkcs8)
        else:
            entry["awsImported"] = entry["sha256"][len("SHA256:"):] + "="
            entry["awsCreated"] = entry["awsImported"]
        expected[name] = entry

    for bits in (1024, 2048):
        for fmt, suffix in (("RFC4716", "openssh"), ("PEM", "pkcs1.pem"), ("PKCS8", "pkcs8.pem")):
            name = f"ssh-keygen-rsa{bits}.{suffix}"
            path = os.path.join(VALID, name)
            args = ["ssh-keygen", "-q", "-t", "rsa", "-b", str(bits), "-N", "", "-C", f"rsa{bits}@fixture", "-f", path]
            if fmt != "RFC4716":
                args += ["-m", fmt]
            run(*args)
            os.remove(path + ".pub")
            record(name, path, None)
    path = os.path.join(VALID, "ssh-keygen-ed25519.openssh")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ed@fixture", "-f", path)
    shutil.move(path + ".pub", os.path.join(VALID, "ssh-keygen-ed25519.pub"))
    record("ssh-keygen-ed25519.openssh", path, None)
    record("ssh-keygen-ed25519.pub", None, os.path.join(VALID, "ssh-keygen-ed25519.pub"))
    rsa = os.path.join(VALID, "ssh-keygen-rsa2048.openssh")
    for fmt, name in (("RFC4716", "ssh-keygen-rsa2048.rfc4716"), ("PKCS8", "ssh-keygen-rsa2048.spki.pem"),
                      ("PEM", "ssh-keygen-rsa2048.pkcs1-public.pem")):
        with open(os.path.join(VALID, name), "wb") as handle:
            handle.write(run("ssh-keygen", "-e", "-m", fmt, "-f", rsa))
        record(name, rsa, None)
    for algorithm, name in (("RSA", "openssl-rsa2048.pkcs8.pem"), ("ED25519", "openssl-ed25519.pkcs8.pem")):
        path = os.path.join(VALID, name)
        run("openssl", "genpkey", "-algorithm", algorithm, "-out", path)
        os.chmod(path, 0o600)
        if algorithm == "ED25519":
            # OpenSSH 9.2 cannot read PKCS#8 Ed25519 keys: build its public line from the raw key openssl prints.
            raw = run("openssl", "pkey", "-in", path, "-pubout", "-outform", "DER")[-32:]
            public = os.path.join(tmp, name + ".pub")
            with open(public, "w") as handle:
                handle.write(line("ssh-ed25519", ssh_string("ssh-ed25519") + ssh_string(raw)))
            record(name, None, public)
        else:
            record(name, path, None)
    for key_type, name, version in (("rsa", "puttygen-rsa2048.v2.ppk", 2), ("ed25519", "puttygen-ed25519.v3.ppk", 3)):
        path = os.path.join(VALID, name)
        run("puttygen", "-q", "-t", key_type, "-C", f"{key_type}@puttygen", "--ppk-param", f"version={version}",
            "--new-passphrase", "/dev/null", "-O", "private", "-o", path)
        openssh = os.path.join(tmp, name + ".openssh")
        run("puttygen", path, "-O", "private-openssh", "-o", openssh)
        record(name, openssh, None)
    with open(os.path.join(VALID, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=2, sort_keys=True)
        handle.write("\n")


def make_malformed(tmp):
    shutil.rmtree(MALFORMED, ignore_errors=True)
    os.makedirs(MALFORMED)
    rng = random.Random(4716)
    cases = []

    def add(name, data, code):
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(MALFORMED, name), "wb") as handle:
            handle.write(data)
        cases.append((name, code))

    ed_raw = bytes(rng.randrange(256) for _ in range(32))
    ed_blob = ssh_string("ssh-ed25519") + ssh_string(ed_raw)
    # A 2048-bit odd "modulus" is enough for format tests: public keys are not checked for primality.
    modulus = rng.getrandbits(2048) | (1 << 2047) | 1
    rsa_blob = ssh_string("ssh-rsa") + mpint(65537) + mpint(modulus)

    # Unsupported algorithms.
    dsa_blob = ssh_string("ssh-dss") + mpint(rng.getrandbits(1024) | 1) + mpint(rng.getrandbits(160)) + mpint(5) + mpint(7)
    add("dsa.pub", line("ssh-dss", dsa_blob, "dsa"), "unsupportedKeyType")
    point = b"\x04" + bytes(rng.randrange(256) for _ in range(64))
    add("ecdsa-p256.pub", line("ecdsa-sha2-nistp256", ssh_string("ecdsa-sha2-nistp256") + ssh_string("nistp256") + ssh_string(point)), "unsupportedKeyType")
    add("sk-ed25519.pub", line("sk-ssh-ed25519@openssh.com", ssh_string("sk-ssh-ed25519@openssh.com") + ssh_string(ed_raw) + ssh_string("ssh:")), "unsupportedKeyType")
    add("sk-ecdsa.pub", line("sk-ecdsa-sha2-nistp256@openssh.com", ssh_string("sk-ecdsa-sha2-nistp256@openssh.com") + ssh_string("nistp256") + ssh_string(point) + ssh_string("ssh:")), "unsupportedKeyType")
    add("openssh-certificate.pub", line("ssh-ed25519-cert-v01@openssh.com", ssh_string("ssh-ed25519-cert-v01@openssh.com") + ssh_string(b"n" * 32)), "unsupportedKeyType")
    ec_key = os.path.join(tmp, "ec.pem")
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec_key)
    add("ec-p256.spki.pem", run("openssl", "pkey", "-in", ec_key, "-pubout"), "unsupportedKeyType")
    add("ec-p256.spki.b64", base64.b64encode(run("openssl", "pkey", "-in", ec_key, "-pubout", "-outform", "DER")), "unsupportedKeyType")
    add("ec-p256.pkcs8.pem", open(ec_key, "rb").read(), "unsupportedKeyType")
    add("ec-p256.sec1.pem", run("openssl", "ec", "-in", ec_key), "unsupportedKeyType")
    dsa_param = os.path.join(tmp, "dsa.param")
    run("openssl", "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", dsa_param)
    dsa_key = os.path.join(tmp, "dsa.pem")
    run("openssl", "genpkey", "-paramfile", dsa_param, "-out", dsa_key)
    add("dsa.spki.pem", run("openssl", "pkey", "-in", dsa_key, "-pubout"), "unsupportedKeyType")
    add("ssh1-rsa.key", b"SSH PRIVATE KEY FILE FORMAT 1.1\n\0\0\0\0", "unrecognizedFormat")

    # Option prefixes and several keys.
    ed_line = line("ssh-ed25519", ed_blob, "me@host")
    add("options-command.pub", 'command="/bin/ls",no-pty ' + ed_line, "optionsNotAllowed")
    add("options-from.pub", 'from="10.0.0.1" ' + line("ssh-rsa", rsa_blob), "optionsNotAllowed")
    add("options-restrict.pub", "restrict,pty " + ed_line, "optionsNotAllowed")
    add("two-lines.pub", ed_line + line("ssh-rsa", rsa_blob), "multipleKeys")
    add("two-lines-same.pub", ed_line + ed_line, "multipleKeys")
    rfc = "---- BEGIN SSH2 PUBLIC KEY ----\n" + base64.encodebytes(ed_blob).decode() + "---- END SSH2 PUBLIC KEY ----\n"
    add("two-rfc4716.pub", rfc + rfc, "multipleKeys")
    rsa_private = os.path.join(tmp, "rsa.pem")
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa_private)
    pub_pem = run("openssl", "pkey", "-in", rsa_private, "-pubout").decode()
    add("two-pem-public.pem", pub_pem + pub_pem, "multipleKeys")

    # Base64 damage.
    good64 = base64.b64encode(ed_blob).decode()
    add("bad-base64-chars.pub", f"ssh-ed25519 {good64[:20]}!!{good64[22:]}\n", "invalidEncoding")
    add("bad-base64-padding.pub", f"ssh-ed25519 {good64.rstrip('=')}A\n", "invalidEncoding")
    add("bad-base64-rfc4716.pub", "---- BEGIN SSH2 PUBLIC KEY ----\n" + good64[:30] + "*\n---- END SSH2 PUBLIC KEY ----\n", "invalidEncoding")
    add("bad-base64-pem.pem", "-----BEGIN PUBLIC KEY-----\nMIIB$$$\n-----END PUBLIC KEY-----\n", "invalidEncoding")
    add("bad-base64-der.b64", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1\n", "invalidEncoding")

    # Blobs that lie.
    add("inner-ed25519-outer-rsa.pub", line("ssh-rsa", ed_blob), "algorithmMismatch")
    add("inner-rsa-outer-ed25519.pub", line("ssh-ed25519", rsa_blob), "algorithmMismatch")
    add("inner-dss-outer-rsa.pub", line("ssh-rsa", dsa_blob), "algorithmMismatch")
    add("trailing-bytes-ed25519.pub", line("ssh-ed25519", ed_blob + b"\0\0\0\0"), "trailingData")
    add("trailing-bytes-rsa.pub", line("ssh-rsa", rsa_blob + b"x"), "trailingData")
    add("trailing-after-rfc4716.pub", rfc + "garbage\n", "trailingData")
    add("length-past-end-name.pub", line("ssh-ed25519", b"\xff\xff\xff\xff" + b"ssh-ed25519"), "truncated")
    add("length-past-end-key.pub", line("ssh-ed25519", ssh_string("ssh-ed25519") + b"\x00\x00\x01\x00" + ed_raw), "truncated")
    add("length-past-end-modulus.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(65537) + b"\x7f\xff\xff\xff" + b"\x01" * 64), "truncated")
    add("rfc4716-no-end.pub", "---- BEGIN SSH2 PUBLIC KEY ----\n" + good64 + "\n", "truncated")
    add("pem-no-end.pem", pub_pem.split("-----END")[0], "truncated")
    add("type-only.pub", "ssh-ed25519\n", "truncated")

    # Sizes and numbers.
    for bits in (512, 1016):
        small = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        add(f"rsa-{bits}-bits.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(65537) + mpint(small)), "invalidKeySize")
    huge = rng.getrandbits(16392) | (1 << 16391) | 1
    add("rsa-16392-bits.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(65537) + mpint(huge)), "invalidKeySize")
    add("ed25519-31-bytes.pub", line("ssh-ed25519", ssh_string("ssh-ed25519") + ssh_string(ed_raw[:31])), "invalidKeySize")
    add("ed25519-33-bytes.pub", line("ssh-ed25519", ssh_string("ssh-ed25519") + ssh_string(ed_raw + b"\0")), "invalidKeySize")
    add("rsa-even-modulus.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(65537) + mpint(modulus - 1)), "invalidKey")
    add("rsa-exponent-1.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(1) + mpint(modulus)), "invalidKey")
    negative = modulus.to_bytes(256, "big")  # top bit set and no leading zero: a negative mpint
    add("rsa-negative-modulus.pub", line("ssh-rsa", ssh_string("ssh-rsa") + mpint(65537) + ssh_string(negative)), "invalidKey")

    # Private keys that cannot be used.
    ossh = os.path.join(tmp, "enc-ed25519")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret-passphrase", "-f", ossh)
    add("encrypted.openssh", open(ossh, "rb").read(), "passphraseProtected")
    pem = os.path.join(tmp, "enc-rsa")
    run("ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-m", "PEM", "-N", "secret-passphrase", "-f", pem)
    add("encrypted.pkcs1.pem", open(pem, "rb").read(), "passphraseProtected")
    add("encrypted.pkcs8.pem", run("openssl", "pkcs8", "-topk8", "-in", rsa_private, "-passout", "pass:secret"), "passphraseProtected")
    passfile = os.path.join(tmp, "pass")
    with open(passfile, "w") as handle:
        handle.write("secret-passphrase\n")
    ppk_enc = os.path.join(tmp, "enc.ppk")
    run("puttygen", "-q", "-t", "ed25519", "--new-passphrase", passfile, "--ppk-param", "version=2", "-O", "private", "-o", ppk_enc)
    add("encrypted.v2.ppk", open(ppk_enc, "rb").read(), "passphraseProtected")
    run("puttygen", "-q", "-t", "ed25519", "--new-passphrase", passfile, "-O", "private", "-o", ppk_enc)
    add("encrypted.v3.ppk", open(ppk_enc, "rb").read(), "passphraseProtected")
    ppk = os.path.join(tmp, "plain.ppk")
    run("puttygen", "-q", "-t", "ed25519", "-C", "x", "--new-passphrase", "/dev/null", "--ppk-param", "version=2", "-O", "private", "-o", ppk)
    text = open(ppk).read()
    add("ppk-comment-changed.ppk", text.replace("Comment: x", "Comment: y"), "invalidKey")
    mac_line = [l for l in text.splitlines() if l.startswith("Private-MAC: ")][0]
    add("ppk-mac-damaged.ppk", text.replace(mac_line, mac_line[:-1] + ("0" if mac_line[-1] != "0" else "1")), "invalidKey")
    add("ppk-no-mac.ppk", text.split("Private-MAC")[0], "truncated")
    add("ppk-version-1.ppk", text.replace("PuTTY-User-Key-File-2", "PuTTY-User-Key-File-1"), "unrecognizedFormat")
    add("ppk-dss.ppk", text.replace("PuTTY-User-Key-File-2: ssh-ed25519", "PuTTY-User-Key-File-2: ssh-dss"), "unsupportedKeyType")
    ossh_plain = os.path.join(tmp, "plain-ed25519")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ossh_plain)
    body = bytearray(base64.b64decode("".join(open(ossh_plain).read().splitlines()[1:-1])))
    # The private section's two check integers stand just before its second "ssh-ed25519"; flip a byte of the second.
    marker = body.find(b"\0\0\0\x0bssh-ed25519", body.find(b"\0\0\0\x0bssh-ed25519") + 1)
    body[marker - 1] ^= 0xFF
    wrapped = base64.encodebytes(bytes(body)).decode().replace("\n", "")
    pem_lines = [wrapped[i:i + 70] for i in range(0, len(wrapped), 70)]
    add("openssh-checkint-mismatch.openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(pem_lines) + "\n-----END OPENSSH PRIVATE KEY-----\n", "invalidKey")
    pkcs1_der = bytearray(run("openssl", "rsa", "-in", rsa_private, "-traditional", "-outform", "DER"))
    pkcs1_der[-5] ^= 0x01  # the last byte of the CRT coefficient's neighbourhood: the numbers no longer agree
    add("pkcs1-inconsistent.pem", "-----BEGIN RSA PRIVATE KEY-----\n" + base64.encodebytes(bytes(pkcs1_der)).decode() + "-----END RSA PRIVATE KEY-----\n", "invalidKey")
    add("pkcs1-not-der.pem", "-----BEGIN RSA PRIVATE KEY-----\n" + base64.b64encode(b"\x30\x03\x02\x01").decode() + "\n-----END RSA PRIVATE KEY-----\n", "invalidEncoding")

    # Not keys at all.
    add("empty.txt", b"", "unrecognizedFormat")
    add("whitespace.txt", b"  \n\t\n", "unrecognizedFormat")
    add("certificate.pem", run("openssl", "req", "-x509", "-key", rsa_private, "-subj", "/CN=fixture", "-days", "1"), "unrecognizedFormat")
    add("unknown-pem-label.pem", "-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n", "unrecognizedFormat")
    add("unknown-type.pub", line("ssh-foo", ssh_string("ssh-foo")), "unrecognizedFormat")
    add("prose.txt", "this is not a key, just some words\n", "unrecognizedFormat")

    # Truncation of a valid Ed25519 blob at every length, and of an RSA blob at every 16th length.
    for length in range(len(ed_blob)):
        add(f"truncated-ed25519-{length:02d}.pub", f"ssh-ed25519 {base64.b64encode(ed_blob[:length]).decode()}\n", "truncated")
    for length in range(0, len(rsa_blob), 16):
        add(f"truncated-rsa-{length:03d}.pub", f"ssh-rsa {base64.b64encode(rsa_blob[:length]).decode()}\n", "truncated")

    # Random bytes and random text: any typed error will do, none may crash.
    for index in range(12):
        size = rng.choice([1, 7, 64, 300, 2000])
        add(f"random-bytes-{index:02d}.bin", bytes(rng.randrange(256) for _ in range(size)), "*")
    for index in range(6):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n-"
        add(f"random-text-{index:02d}.txt", "".join(rng.choice(alphabet) for _ in range(rng.choice([10, 100, 700]))), "*")
    for index in range(6):
        add(f"random-after-prefix-{index:02d}.pub", b"ssh-ed25519 " + base64.b64encode(bytes(rng.randrange(256) for _ in range(rng.choice([4, 20, 51, 80])))) + b"\n", "*")

    with open(os.path.join(MALFORMED, "expected.tsv"), "w") as handle:
        handle.write("# file\texpected KeyFormatsError code ('*': any code)\n")
        for name, code in sorted(cases):
            handle.write(f"{name}\t{code}\n")


def make_certificates(tmp):
    """Self-signed certificates with their keys, and other keys that do not belong to them."""
    shutil.rmtree(CERTIFICATES, ignore_errors=True)
    os.makedirs(CERTIFICATES)

    def key(name, *genpkey):
        path = os.path.join(CERTIFICATES, name)
        run("openssl", "genpkey", *genpkey, "-out", path)
        return path

    def certificate(name, key_path):
        path = os.path.join(CERTIFICATES, name)
        run("openssl", "req", "-x509", "-key", key_path, "-subj", f"/CN={name}", "-days", "3650", "-out", path)

    for label, args in (
        ("rsa2048", ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")),
        ("rsa1024", ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024")),
        ("p256", ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")),
        ("p384", ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384")),
        ("ed25519", ("-algorithm", "ED25519",)),
    ):
        own = key(f"{label}.key.pkcs8.pem", *args)
        certificate(f"{label}.cert.pem", own)
        key(f"{label}.other.key.pkcs8.pem", *args)
        if label.startswith("rsa"):
            with open(os.path.join(CERTIFICATES, f"{label}.key.pkcs1.pem"), "wb") as handle:
                handle.write(run("openssl", "rsa", "-in", own, "-traditional"))
        if label.startswith("p"):
            with open(os.path.join(CERTIFICATES, f"{label}.key.sec1.pem"), "wb") as handle:
                handle.write(run("openssl", "ec", "-in", own))
    with open(os.path.join(CERTIFICATES, "rsa2048.key.encrypted.pem"), "wb") as handle:
        handle.write(run("openssl", "pkcs8", "-topk8", "-in", os.path.join(CERTIFICATES, "rsa2048.key.pkcs8.pem"),
                         "-passout", "pass:secret"))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        make_certificates(tmp)
        make_valid(tmp)
        make_malformed(tmp)


if __name__ == "__main__":
    main()
