"""IAM SSH public keys (the CodeCommit kind) end to end, with keys made here by ssh-keygen.

One strict `keyway serve` on an empty data folder for the whole module (DATA/credentials = account A's root);
account B is made with `keyway admin create-account` while it runs. Covered: UploadSSHPublicKey (RSA 2048/4096 as
an `ssh-rsa` line and as a PEM `BEGIN PUBLIC KEY`; RSA 1024, Ed25519, ECDSA and garbage refused), GetSSHPublicKey in
both encodings (checked with openssl), MD5 fingerprints as ssh-keygen prints them, IDs, the limit of 5 a user,
duplicates, UpdateSSHPublicKey, ListSSHPublicKeys, DeleteSSHPublicKey, NoSuchEntity answers, DeleteUser while keys
remain, and isolation across accounts and users.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import aws, aws_json, expect_error, unique

server = s.server_fixture("iam-ssh-keys")

KEY_ID = re.compile(r"^APKA[A-Z2-7]{16}$")
MD5 = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){15}$")
UNRECOGNIZED = (
    "The public key encoding format is unsupported or unrecognized. Give an ssh-rsa line or a PEM public key."
)
ONLY_RSA = "The public key is not valid: Only RSA keys are accepted."
TOO_SHORT = "The public key is not valid: RSA keys must have at least 2048 bits."
INVALID_PREFIX = "The public key is not valid: "
LIMIT = "Cannot exceed quota for SSHPublicKeysPerUser: 5"
DELETE_CONFLICT = "Cannot delete entity, must delete SSH public keys first."


def key_not_found(key_id: str) -> str:
    return f"The Public Key with id {key_id} cannot be found."


def user_not_found(user: str) -> str:
    return f"The user with name {user} cannot be found."


def duplicate(user: str) -> str:
    return f"The public key is already associated with user {user}."


def status_error(value: str) -> str:
    # AWS names neither the value nor the set (UpdateServiceSpecificCredential, whose `statusType` this shares,
    # recorded February 2026 in LocalStack's AWS snapshots).
    return "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"


def encoding_error(value: str) -> str:
    return ("1 validation error detected: Value at 'encoding' failed to satisfy constraint: "
            "Member must satisfy enum value set")


# --------------------------------------------------------------------------------------------------
# Keys, made once per module with ssh-keygen


def tool(*argv, input: bytes | None = None) -> str:
    proc = subprocess.run([str(a) for a in argv], input=input, capture_output=True, timeout=60)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} failed:\n{proc.stderr.decode(errors='replace')}"
    return proc.stdout.decode()


def modulus_of_pem(pem: str) -> int:
    """The RSA modulus of a PEM public key, as `openssl pkey -pubin` reads it."""
    text = tool("openssl", "pkey", "-pubin", "-noout", "-text_pub", input=pem.encode())
    match = re.search(r"Modulus:\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
    assert match, f"openssl printed no modulus:\n{text}"
    return int(re.sub(r"[\s:]", "", match.group(1)), 16)


def der_of_pem(pem: str) -> bytes:
    return base64.b64decode("".join(line for line in pem.splitlines() if "-----" not in line))


@dataclass
class Key:
    name: str
    path: Path  # the private key; the public one is path.pub
    line: str  # the `.pub` line, comment included
    pem: str | None = None  # `ssh-keygen -e -m PKCS8` (RSA only)
    md5: str | None = None  # `ssh-keygen -l -E md5` without `MD5:`
    modulus: int | None = None

    @property
    def blob(self) -> str:
        """The base64 key blob of the line (type and comment left out)."""
        return self.line.split()[1]


KEY_SPECS = {
    **{f"rsa{i}": ("rsa", 2048) for i in range(1, 9)},
    "rsa4096": ("rsa", 4096),
    "rsa1024": ("rsa", 1024),
    "ed25519": ("ed25519", None),
    "ecdsa256": ("ecdsa", 256),
    "ecdsa384": ("ecdsa", 384),
    "ecdsa521": ("ecdsa", 521),
}


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Key]:
    folder = tmp_path_factory.mktemp("ssh-keys")
    procs = []
    for name, (kind, bits) in KEY_SPECS.items():
        argv = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{name}@keyway-e2e", "-f", str(folder / name)]
        if bits:
            argv[4:4] = ["-b", str(bits)]
        procs.append((name, subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)))
    result = {}
    for name, proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"ssh-keygen for {name} failed: {err.decode(errors='replace')}"
        path = folder / name
        key = Key(name, path, Path(f"{path}.pub").read_text().strip())
        if KEY_SPECS[name][0] == "rsa":
            key.pem = tool("ssh-keygen", "-e", "-m", "PKCS8", "-f", f"{path}.pub")
            assert key.pem.startswith("-----BEGIN PUBLIC KEY-----\n"), key.pem
            fingerprint = tool("ssh-keygen", "-l", "-E", "md5", "-f", f"{path}.pub").split()
            assert fingerprint[1].startswith("MD5:"), fingerprint
            key.md5 = fingerprint[1][len("MD5:"):]
            key.modulus = modulus_of_pem(key.pem)
            assert key.modulus.bit_length() == KEY_SPECS[name][1]
        result[name] = key
    return result


# --------------------------------------------------------------------------------------------------
# Clients and users


@pytest.fixture(scope="module")
def iam(server):
    return s.client(server, "iam", server.root)


@pytest.fixture(scope="module")
def account_b(server):
    return s.new_account(server)


@pytest.fixture
def user(iam):
    """A fresh user of account A."""
    name = unique("sshuser")
    iam.create_user(UserName=name)
    return name


def upload(iam, user: str, body: str) -> dict:
    return iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)["SSHPublicKey"]


def get(iam, user: str, key_id: str, encoding: str = "SSH") -> dict:
    return iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding=encoding)["SSHPublicKey"]


def listed(iam, user: str | None, **params) -> list[dict]:
    if user is not None:
        params["UserName"] = user
    return iam.list_ssh_public_keys(**params)["SSHPublicKeys"]


def same_key_as(body: str, key: Key) -> bool:
    """Whether an answered body (an ssh-rsa line or a PEM public key) is `key`."""
    if body.startswith("ssh-rsa "):
        return body.split()[1] == key.blob
    return der_of_pem(body) == der_of_pem(key.pem)


def check_uploaded(answer: dict, *, user: str, key: Key) -> None:
    assert answer["UserName"] == user, answer
    assert KEY_ID.match(answer["SSHPublicKeyId"]) and len(answer["SSHPublicKeyId"]) == 20, answer
    assert answer["Fingerprint"] == key.md5, (answer, key.md5)
    assert MD5.match(answer["Fingerprint"]), answer
    assert same_key_as(answer["SSHPublicKeyBody"], key), answer
    assert answer["Status"] == "Active", answer
    assert abs((answer["UploadDate"] - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 300, answer


def check_both_encodings(iam, user: str, key_id: str, key: Key) -> None:
    """Get with Encoding SSH gives the ssh-rsa line; with PEM a SubjectPublicKeyInfo PEM openssl reads."""
    as_ssh = get(iam, user, key_id, "SSH")
    assert as_ssh["SSHPublicKeyBody"].startswith("ssh-rsa "), as_ssh
    assert as_ssh["SSHPublicKeyBody"].split()[1] == key.blob, as_ssh
    assert as_ssh["Fingerprint"] == key.md5
    as_pem = get(iam, user, key_id, "PEM")
    pem = as_pem["SSHPublicKeyBody"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n") and pem.rstrip().endswith("-----END PUBLIC KEY-----"), pem
    assert modulus_of_pem(pem) == key.modulus
    assert der_of_pem(pem) == der_of_pem(key.pem)
    for answer in (as_ssh, as_pem):
        assert (answer["UserName"], answer["SSHPublicKeyId"], answer["Fingerprint"]) == (user, key_id, key.md5)
    assert as_pem["Status"] == as_ssh["Status"] and as_pem["UploadDate"] == as_ssh["UploadDate"]


def expect_refused(iam, user: str, body: str, code: str, message: str | None, *, message_prefix: str | None = None):
    exception = getattr(iam.exceptions, f"{code}Exception")
    with pytest.raises(exception) as info:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)
    response = info.value.response
    assert response["Error"]["Code"] == code and response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    if message is not None:
        assert response["Error"]["Message"] == message, (body[:60], response["Error"])
    if message_prefix is not None:
        assert response["Error"]["Message"].startswith(message_prefix), (body[:60], response["Error"])


# --------------------------------------------------------------------------------------------------
# The AWS CLI


def test_cli_upload_get_list_update_delete(server, iam, keys, user, tmp_path):
    key = keys["rsa1"]
    uploaded = aws_json(server, "iam", "upload-ssh-public-key", "--user-name", user,
                        "--ssh-public-key-body", f"file://{key.path}.pub")["SSHPublicKey"]
    assert KEY_ID.match(uploaded["SSHPublicKeyId"]), uploaded
    assert uploaded["Fingerprint"] == key.md5
    assert uploaded["UserName"] == user and uploaded["Status"] == "Active"
    assert same_key_as(uploaded["SSHPublicKeyBody"], key)
    key_id = uploaded["SSHPublicKeyId"]

    as_ssh = aws_json(server, "iam", "get-ssh-public-key", "--user-name", user, "--ssh-public-key-id", key_id,
                      "--encoding", "SSH")["SSHPublicKey"]
    assert as_ssh["SSHPublicKeyBody"].split()[:2] == key.line.split()[:2]
    assert as_ssh["UploadDate"] == uploaded["UploadDate"]
    as_pem = aws_json(server, "iam", "get-ssh-public-key", "--user-name", user, "--ssh-public-key-id", key_id,
                      "--encoding", "PEM")["SSHPublicKey"]
    pem_file = tmp_path / "answered.pem"
    pem_file.write_text(as_pem["SSHPublicKeyBody"])
    # openssl reads the file as is, and finds the modulus ssh-keygen wrote.
    text = tool("openssl", "pkey", "-pubin", "-in", pem_file, "-noout", "-text_pub")
    assert "Public-Key: (2048 bit)" in text, text
    assert modulus_of_pem(pem_file.read_text()) == key.modulus

    listing = aws_json(server, "iam", "list-ssh-public-keys", "--user-name", user)
    assert listing["SSHPublicKeys"] == [{"UserName": user, "SSHPublicKeyId": key_id, "Status": "Active",
                                         "UploadDate": uploaded["UploadDate"]}], listing

    result = aws(server, "iam", "update-ssh-public-key", "--user-name", user, "--ssh-public-key-id", key_id,
                 "--status", "Inactive")
    assert result.rc == 0 and result.out.strip() == "", result.describe()
    assert aws_json(server, "iam", "list-ssh-public-keys", "--user-name", user)["SSHPublicKeys"][0][
        "Status"] == "Inactive"

    refused = aws(server, "iam", "upload-ssh-public-key", "--user-name", user, "--ssh-public-key-body",
                  f"file://{keys['rsa1024'].path}.pub")
    s.assert_cli_error(refused, "InvalidPublicKey", "UploadSSHPublicKey", TOO_SHORT)

    result = aws(server, "iam", "delete-ssh-public-key", "--user-name", user, "--ssh-public-key-id", key_id)
    assert result.rc == 0 and result.out.strip() == "", result.describe()
    s.assert_cli_error(
        aws(server, "iam", "get-ssh-public-key", "--user-name", user, "--ssh-public-key-id", key_id,
            "--encoding", "SSH"),
        "NoSuchEntity", "GetSSHPublicKey", key_not_found(key_id))
    assert aws_json(server, "iam", "list-ssh-public-keys", "--user-name", user)["SSHPublicKeys"] == []


# --------------------------------------------------------------------------------------------------
# What is accepted, and what not


def test_rsa_2048_and_4096_as_line_and_as_pem(iam, keys, user):
    uploads = [(keys["rsa1"], keys["rsa1"].line), (keys["rsa4096"], keys["rsa4096"].line),
               (keys["rsa2"], keys["rsa2"].pem)]
    ids = []
    for key, body in uploads:
        answer = upload(iam, user, body)
        check_uploaded(answer, user=user, key=key)
        check_both_encodings(iam, user, answer["SSHPublicKeyId"], key)
        ids.append(answer["SSHPublicKeyId"])
    assert len(set(ids)) == 3
    assert sorted(k["SSHPublicKeyId"] for k in listed(iam, user)) == sorted(ids)


def test_a_4096_bit_pem_key_and_a_line_without_comment(iam, keys, user):
    key = keys["rsa4096"]
    answer = upload(iam, user, key.pem)
    check_uploaded(answer, user=user, key=key)
    check_both_encodings(iam, user, answer["SSHPublicKeyId"], key)
    bare = " ".join(keys["rsa3"].line.split()[:2]) + "\n"
    answer = upload(iam, user, bare)
    check_uploaded(answer, user=user, key=keys["rsa3"])


def test_rsa_below_2048_bits_is_refused(iam, keys, user):
    expect_refused(iam, user, keys["rsa1024"].line, "InvalidPublicKey", TOO_SHORT)
    expect_refused(iam, user, keys["rsa1024"].pem, "InvalidPublicKey", TOO_SHORT)
    assert listed(iam, user) == []


def test_ed25519_is_refused(iam, keys, user):
    expect_refused(iam, user, keys["ed25519"].line, "InvalidPublicKey", ONLY_RSA)
    pem = tool("openssl", "pkey", "-pubout", input=tool("openssl", "genpkey", "-algorithm", "ed25519").encode())
    assert pem.startswith("-----BEGIN PUBLIC KEY-----"), pem
    expect_refused(iam, user, pem, "InvalidPublicKey", ONLY_RSA)
    assert listed(iam, user) == []


@pytest.mark.parametrize("name", ["ecdsa256", "ecdsa384", "ecdsa521"])
def test_ecdsa_is_refused(iam, keys, user, name):
    # Refused like Ed25519, with the same words: the answer must not offer Ed25519, which IAM refuses as well.
    expect_refused(iam, user, keys[name].line, "InvalidPublicKey", ONLY_RSA)
    pem = tool("ssh-keygen", "-e", "-m", "PKCS8", "-f", f"{keys[name].path}.pub")
    assert pem.startswith("-----BEGIN PUBLIC KEY-----"), pem
    expect_refused(iam, user, pem, "InvalidPublicKey", ONLY_RSA)
    assert listed(iam, user) == []


def test_garbage_is_an_unrecognized_encoding(iam, keys, user):
    for body in ("hello", "   ", "AAAAB3NzaC1yc2EAAAADAQABAAABAQ", keys["rsa1"].path.read_text()):
        expect_refused(iam, user, body, "UnrecognizedPublicKeyEncoding", UNRECOGNIZED)
    assert listed(iam, user) == []


def test_a_broken_key_behind_the_right_start_is_invalid(iam, keys, user):
    for body in ("ssh-rsa AAAA not-a-key", "ssh-rsa " + keys["rsa1"].blob[:-40],
                 "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"):
        expect_refused(iam, user, body, "InvalidPublicKey", None, message_prefix=INVALID_PREFIX)
    assert listed(iam, user) == []


def test_fingerprints_are_ssh_keygen_md5(iam, keys, user):
    for name in ("rsa4", "rsa5", "rsa4096"):
        answer = upload(iam, user, keys[name].line)
        assert answer["Fingerprint"] == keys[name].md5
        assert len(answer["Fingerprint"]) == 47
    fingerprints = {get(iam, user, k["SSHPublicKeyId"])["Fingerprint"] for k in listed(iam, user)}
    assert fingerprints == {keys[n].md5 for n in ("rsa4", "rsa5", "rsa4096")}


def test_the_same_key_twice_for_one_user(iam, keys, user):
    key = keys["rsa6"]
    first = upload(iam, user, key.line)
    for body in (key.line, key.pem, " ".join(key.line.split()[:2]) + " another-comment"):
        with pytest.raises(iam.exceptions.DuplicateSSHPublicKeyException) as info:
            upload(iam, user, body)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert info.value.response["Error"]["Message"] == duplicate(user)
    # Inactive still counts.
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=first["SSHPublicKeyId"], Status="Inactive")
    expect_error(lambda: upload(iam, user, key.line), "DuplicateSSHPublicKey", 400, duplicate(user))
    assert [k["SSHPublicKeyId"] for k in listed(iam, user)] == [first["SSHPublicKeyId"]]
    # Another user may hold the same key; after deletion the first user may upload it again, with a new ID.
    other = unique("sshother")
    iam.create_user(UserName=other)
    second = upload(iam, other, key.line)
    assert second["SSHPublicKeyId"] != first["SSHPublicKeyId"] and second["Fingerprint"] == first["Fingerprint"]
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=first["SSHPublicKeyId"])
    again = upload(iam, user, key.pem)
    assert again["SSHPublicKeyId"] not in (first["SSHPublicKeyId"], second["SSHPublicKeyId"])


def test_at_most_five_per_user(iam, keys, user):
    ids = [upload(iam, user, keys[f"rsa{i}"].line)["SSHPublicKeyId"] for i in range(1, 6)]
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=ids[2], Status="Inactive")  # inactive counts too
    for body in (keys["rsa6"].line, keys["rsa7"].pem):
        with pytest.raises(iam.exceptions.LimitExceededException) as info:
            upload(iam, user, body)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert info.value.response["Error"]["Message"] == LIMIT
    assert len(listed(iam, user)) == 5
    # Another user has a quota of its own.
    other = unique("sshquota")
    iam.create_user(UserName=other)
    upload(iam, other, keys["rsa6"].line)
    # One deleted: one more fits, and then no more.
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=ids[0])
    upload(iam, user, keys["rsa6"].line)
    expect_error(lambda: upload(iam, user, keys["rsa7"].line), "LimitExceeded", 409, LIMIT)


# --------------------------------------------------------------------------------------------------
# Update, List, Delete


def test_update_status(iam, keys, user):
    key_id = upload(iam, user, keys["rsa7"].line)["SSHPublicKeyId"]
    for status in ("Inactive", "Inactive", "Active", "Inactive"):
        assert iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status=status)[
            "ResponseMetadata"]["HTTPStatusCode"] == 200
        assert get(iam, user, key_id)["Status"] == status
        assert get(iam, user, key_id, "PEM")["Status"] == status
        assert listed(iam, user)[0]["Status"] == status
    for bad in ("Disabled", "active", "INACTIVE"):
        expect_error(lambda: iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status=bad),
                     "ValidationError", 400, status_error(bad))
    assert get(iam, user, key_id)["Status"] == "Inactive"


def test_get_with_a_bad_encoding(iam, keys, user):
    key_id = upload(iam, user, keys["rsa8"].line)["SSHPublicKeyId"]
    for bad in ("DER", "ssh", "pem", "OPENSSH"):
        expect_error(lambda: get(iam, user, key_id, bad), "ValidationError", 400, encoding_error(bad))


def test_list_and_paging(iam, keys, user):
    ids = [upload(iam, user, keys[f"rsa{i}"].line)["SSHPublicKeyId"] for i in (1, 2, 3, 4)]
    members = listed(iam, user)
    assert sorted(m["SSHPublicKeyId"] for m in members) == sorted(ids)
    for member in members:
        assert set(member) == {"UserName", "SSHPublicKeyId", "Status", "UploadDate"}, member
        assert member["UserName"] == user and member["Status"] == "Active"
    order = [m["SSHPublicKeyId"] for m in members]
    pages, marker = [], None
    while True:
        params = {"UserName": user, "MaxItems": 3}
        if marker:
            params["Marker"] = marker
        response = iam.list_ssh_public_keys(**params)
        pages.append([m["SSHPublicKeyId"] for m in response["SSHPublicKeys"]])
        if not response["IsTruncated"]:
            assert "Marker" not in response
            break
        marker = response["Marker"]
        assert len(pages) < 5
    assert pages == [order[:3], order[3:]]
    walked = [m["SSHPublicKeyId"] for page in iam.get_paginator("list_ssh_public_keys").paginate(
        UserName=user, PaginationConfig={"PageSize": 1}) for m in page["SSHPublicKeys"]]
    assert walked == order
    # The root has no keys of its own.
    assert listed(iam, None) == []


def test_unknown_user_and_unknown_key(iam, keys, user):
    ghost = unique("ghost")
    calls = {
        "upload": lambda: upload(iam, ghost, keys["rsa1"].line),
        "get": lambda: get(iam, ghost, "APKAAAAAAAAAAAAAAAAA"),
        "list": lambda: listed(iam, ghost),
        "update": lambda: iam.update_ssh_public_key(UserName=ghost, SSHPublicKeyId="APKAAAAAAAAAAAAAAAAA",
                                                    Status="Inactive"),
        "delete": lambda: iam.delete_ssh_public_key(UserName=ghost, SSHPublicKeyId="APKAAAAAAAAAAAAAAAAA"),
    }
    for name, call in calls.items():
        with pytest.raises(iam.exceptions.NoSuchEntityException) as info:
            call()
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404, name
        assert info.value.response["Error"]["Message"] == user_not_found(ghost), name

    key_id = upload(iam, user, keys["rsa1"].line)["SSHPublicKeyId"]
    # Well-formed but unknown, and not even the right shape (20 characters, as the model's minimum wants).
    for unknown in ("APKA" + "A" * 16, "APKA" + key_id[4:][::-1], "APKA1111111111111111", "x" * 20):
        if unknown == key_id:
            continue
        for call in (lambda: get(iam, user, unknown),
                     lambda: get(iam, user, unknown, "PEM"),
                     lambda: iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=unknown, Status="Inactive"),
                     lambda: iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=unknown)):
            expect_error(call, "NoSuchEntity", 404, key_not_found(unknown))
    assert get(iam, user, key_id)["Status"] == "Active"


def test_delete(iam, keys, user):
    first = upload(iam, user, keys["rsa2"].line)["SSHPublicKeyId"]
    second = upload(iam, user, keys["rsa3"].line)["SSHPublicKeyId"]
    assert iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=first)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [k["SSHPublicKeyId"] for k in listed(iam, user)] == [second]
    for call in (lambda: get(iam, user, first),
                 lambda: iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=first),
                 lambda: iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=first, Status="Active")):
        expect_error(call, "NoSuchEntity", 404, key_not_found(first))
    assert get(iam, user, second)["SSHPublicKeyBody"].split()[1] == keys["rsa3"].blob


def test_delete_user_refused_while_keys_remain(iam, keys):
    user = unique("leaving")
    iam.create_user(UserName=user)
    ids = [upload(iam, user, keys[n].line)["SSHPublicKeyId"] for n in ("rsa1", "rsa2")]
    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=ids[1], Status="Inactive")
    for remaining in ids:
        with pytest.raises(iam.exceptions.DeleteConflictException) as info:
            iam.delete_user(UserName=user)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert info.value.response["Error"]["Message"] == DELETE_CONFLICT
        assert iam.get_user(UserName=user)["User"]["UserName"] == user
        iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=remaining)
    iam.delete_user(UserName=user)
    expect_error(lambda: iam.get_user(UserName=user), "NoSuchEntity", 404, user_not_found(user))
    # A new user of the same name starts with no keys, and the old IDs are gone.
    iam.create_user(UserName=user)
    assert listed(iam, user) == []
    for key_id in ids:
        expect_error(lambda: get(iam, user, key_id), "NoSuchEntity", 404, key_not_found(key_id))


# --------------------------------------------------------------------------------------------------
# Isolation


def test_a_key_id_with_another_user_name(iam, keys, user):
    key_id = upload(iam, user, keys["rsa4"].line)["SSHPublicKeyId"]
    other = unique("sshneighbour")
    iam.create_user(UserName=other)
    upload(iam, other, keys["rsa5"].line)
    for call in (lambda: get(iam, other, key_id),
                 lambda: get(iam, other, key_id, "PEM"),
                 lambda: iam.update_ssh_public_key(UserName=other, SSHPublicKeyId=key_id, Status="Inactive"),
                 lambda: iam.delete_ssh_public_key(UserName=other, SSHPublicKeyId=key_id)):
        expect_error(call, "NoSuchEntity", 404, key_not_found(key_id))
    assert key_id not in [k["SSHPublicKeyId"] for k in listed(iam, other)]
    answer = get(iam, user, key_id)
    assert answer["Status"] == "Active" and answer["SSHPublicKeyBody"].split()[1] == keys["rsa4"].blob


def test_accounts_are_isolated(server, iam, keys, user, account_b):
    iam_b = s.client(server, "iam", account_b)
    key_id = upload(iam, user, keys["rsa6"].line)["SSHPublicKeyId"]

    # B has no user of that name: the answers for a user that does not exist.
    for call in (lambda: get(iam_b, user, key_id),
                 lambda: listed(iam_b, user),
                 lambda: iam_b.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive"),
                 lambda: iam_b.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id),
                 lambda: upload(iam_b, user, keys["rsa7"].line)):
        expect_error(call, "NoSuchEntity", 404, user_not_found(user))

    # B makes a user of the same name: A's key is still not B's.
    iam_b.create_user(UserName=user)
    assert listed(iam_b, user) == []
    for call in (lambda: get(iam_b, user, key_id),
                 lambda: get(iam_b, user, key_id, "PEM"),
                 lambda: iam_b.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive"),
                 lambda: iam_b.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id)):
        expect_error(call, "NoSuchEntity", 404, key_not_found(key_id))
    # The same public key is no duplicate across accounts.
    theirs = upload(iam_b, user, keys["rsa6"].line)
    assert theirs["SSHPublicKeyId"] != key_id and theirs["Fingerprint"] == keys["rsa6"].md5
    assert [k["SSHPublicKeyId"] for k in listed(iam_b, user)] == [theirs["SSHPublicKeyId"]]
    # A's own key for its user is the only one A sees, untouched.
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed(iam, user)] == [(key_id, "Active")]
    # B deleting its user's key and user leaves A's alone.
    iam_b.delete_ssh_public_key(UserName=user, SSHPublicKeyId=theirs["SSHPublicKeyId"])
    iam_b.delete_user(UserName=user)
    assert get(iam, user, key_id)["SSHPublicKeyBody"].split()[1] == keys["rsa6"].blob
    expect_error(lambda: iam.delete_user(UserName=user), "DeleteConflict", 409, DELETE_CONFLICT)


def test_an_iam_user_without_policies_cannot_manage_ssh_keys(server, iam, keys, user):
    key_id = upload(iam, user, keys["rsa8"].line)["SSHPublicKeyId"]
    creds = s.new_access_key(server, iam, user)
    as_user = s.client(server, "iam", creds)
    expect_error(lambda: upload(as_user, user, keys["rsa7"].line), "AccessDenied", 403)
    expect_error(lambda: as_user.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id), "AccessDenied", 403)
    assert [k["SSHPublicKeyId"] for k in listed(iam, user)] == [key_id]
