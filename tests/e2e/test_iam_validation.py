"""IAM's answers to bad input on `keyway serve`, end to end with boto3, the AWS CLI v1 and raw signed requests.

AWS checks every member against the IAM API model before an action runs and reports all violations at once, code
`ValidationError`, HTTP 400, naming the member in lower camel case without echoing the value:
`1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or
equal to 64` (the form of every IAM validation message in LocalStack's AWS-recorded snapshots of February 2026).
Paths are IAM's own check: `The specified value for path is invalid. It must begin and end with / and contain only
alphanumeric characters and/or / characters.` (recorded for `invalid-path/` and `/invalid-path`), while a path
longer than 512 is the model's length message. A bad marker is `Invalid Marker.`. botocore itself refuses a few
things before sending (minimum lengths, `MaxItems` below 1, missing required members), so those go as raw requests.
"""

from __future__ import annotations

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import aws, assert_cli_error, client, expect_error, new_access_key, unique

server = s.server_fixture("iam-validation")

NAME_PATTERN = r"[\w+=,.@-]+"
PATH = ("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric "
        "characters and/or / characters.")


@pytest.fixture(scope="module")
def iam(server):
    return client(server, "iam", server.root)


def validation(*violations: str) -> str:
    n = len(violations)
    return f"{n} validation error{'' if n == 1 else 's'} detected: " + "; ".join(violations)


def at(member: str, constraint: str) -> str:
    return f"Value at '{member}' failed to satisfy constraint: Member {constraint}"


def raw(server, action: str, **params):
    return s.send(server, s.signed(server, server.root, "iam", s.query_body("iam", action, **params)))


def test_user_names(server, iam):
    for bad in ("bad name!", "slash/no", "tab\there", "ünïcode"):
        expect_error(lambda: iam.create_user(UserName=bad), "ValidationError", 400,
                     validation(at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}")))
    expect_error(lambda: iam.create_user(UserName="x" * 65), "ValidationError", 400,
                 validation(at("userName", "must have length less than or equal to 64")))
    expect_error(lambda: iam.create_user(UserName="x" * 65 + "!"), "ValidationError", 400,
                 validation(at("userName", "must have length less than or equal to 64"),
                            at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}")))
    result = aws(server, "iam", "create-user", "--user-name", "bad name!")
    assert_cli_error(result, "ValidationError", "CreateUser",
                     validation(at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}")))
    # Every allowed character, at the longest length.
    name = ("A-z_0.9+=,@" + unique("n"))[:64].ljust(64, "x")
    assert iam.create_user(UserName=name)["User"]["UserName"] == name
    # Lookups take names of up to 128 characters (`existingUserNameType`), and then find nothing.
    expect_error(lambda: iam.get_user(UserName="y" * 128), "NoSuchEntity", 404,
                 f"The user with name {'y' * 128} cannot be found.")
    expect_error(lambda: iam.get_user(UserName="y" * 129), "ValidationError", 400,
                 validation(at("userName", "must have length less than or equal to 128")))
    expect_error(lambda: iam.delete_user(UserName="bad name"), "ValidationError", 400,
                 validation(at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}")))
    # The SSH key actions take `userNameType`: 64 at most.
    expect_error(lambda: iam.list_ssh_public_keys(UserName="y" * 65), "ValidationError", 400,
                 validation(at("userName", "must have length less than or equal to 64")))


def test_paths(server, iam):
    for bad in ("no-slashes", "invalid-path/", "/invalid-path", "/a//b/", "/spaces are/not printable/"):
        expect_error(lambda: iam.create_user(UserName=unique("p"), Path=bad), "ValidationError", 400, PATH)
    result = aws(server, "iam", "create-user", "--user-name", unique("p"), "--path", "no-slashes")
    assert_cli_error(result, "ValidationError", "CreateUser", PATH)
    expect_error(lambda: iam.create_user(UserName=unique("p"), Path="/" + "b" * 511 + "/"), "ValidationError", 400,
                 validation(at("path", "must have length less than or equal to 512")))
    # Any printable ASCII between the slashes, up to 512 in all.
    long_path = "/" + "b" * 510 + "/"
    assert iam.create_user(UserName=unique("p"), Path=long_path)["User"]["Path"] == long_path
    weird = "/!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~/"
    assert iam.create_user(UserName=unique("p"), Path=weird)["User"]["Path"] == weird
    # Server certificates use the same rule (NewPath too).
    expect_error(lambda: iam.update_server_certificate(ServerCertificateName="c", NewPath="x"), "ValidationError", 400,
                 PATH.replace("for path", "for newPath"))
    # A prefix must begin with /, and need not end with one.
    expect_error(lambda: iam.list_users(PathPrefix="test"), "ValidationError", 400,
                 "The specified value for pathPrefix is invalid. It must begin with the / character and contain only "
                 "alphanumeric characters and/or / characters.")
    assert iam.list_users(PathPrefix="/b")["Users"][0]["Path"] == long_path


def test_paging_parameters(server, iam):
    expect_error(lambda: iam.list_users(MaxItems=1001), "ValidationError", 400,
                 validation(at("maxItems", "must have value less than or equal to 1000")))
    response = raw(server, "ListUsers", MaxItems="0")
    s.expect_raw_error(response, "iam", "ValidationError", 400,
                       validation(at("maxItems", "must have value greater than or equal to 1")))
    for call in (lambda: iam.list_users(Marker="not-a-marker"), lambda: iam.list_access_keys(Marker="%%%"),
                 lambda: iam.list_server_certificates(Marker="x")):
        expect_error(call, "ValidationError", 400, "Invalid Marker.")


def test_access_key_ids_and_statuses(server, iam):
    user = unique("keys")
    iam.create_user(UserName=user)
    key = new_access_key(server, iam, user)
    for bad in ("not-a-valid-access-key-id", "AKIA$$$$$$$$$$$$$$$$"):
        expect_error(lambda: iam.get_access_key_last_used(AccessKeyId=bad), "ValidationError", 400,
                     validation(at("accessKeyId", r"must satisfy regular expression pattern: [\w]+")))
        expect_error(lambda: iam.delete_access_key(UserName=user, AccessKeyId=bad), "ValidationError", 400,
                     validation(at("accessKeyId", r"must satisfy regular expression pattern: [\w]+")))
    expect_error(lambda: iam.update_access_key(UserName=user, AccessKeyId=key.key_id, Status="Disabled"),
                 "ValidationError", 400, validation(at("status", "must satisfy enum value set")))
    result = aws(server, "iam", "update-access-key", "--user-name", user, "--access-key-id", key.key_id,
                 "--status", "active")
    assert_cli_error(result, "ValidationError", "UpdateAccessKey", validation(at("status", "must satisfy enum value set")))
    # Several members at once, listed by member.
    response = raw(server, "UpdateAccessKey", UserName="bad name", AccessKeyId="short", Status="Nope")
    s.expect_raw_error(response, "iam", "ValidationError", 400, validation(
        at("accessKeyId", "must have length greater than or equal to 16"),
        at("status", "must satisfy enum value set"),
        at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}"),
    ))


def test_missing_and_empty_members(server):
    s.expect_raw_error(raw(server, "CreateUser"), "iam", "ValidationError", 400,
                       validation(at("userName", "must not be null")))
    s.expect_raw_error(raw(server, "CreateUser", UserName=""), "iam", "ValidationError", 400, validation(
        at("userName", "must have length greater than or equal to 1"),
        at("userName", f"must satisfy regular expression pattern: {NAME_PATTERN}"),
    ))
    s.expect_raw_error(raw(server, "TagUser", UserName="u"), "iam", "ValidationError", 400,
                       validation(at("tags", "must not be null")))
    s.expect_raw_error(raw(server, "TagUser", **{"UserName": "u", "Tags.member.1.Key": "k"}), "iam", "ValidationError",
                       400, validation(at("tags.1.member.value", "must not be null")))
    s.expect_raw_error(raw(server, "UploadServerCertificate", ServerCertificateName="c"), "iam", "ValidationError",
                       400, validation(at("certificateBody", "must not be null"), at("privateKey", "must not be null")))


def test_server_certificate_and_ssh_key_members(server, iam):
    expect_error(lambda: iam.get_server_certificate(ServerCertificateName="no spaces"), "ValidationError", 400,
                 validation(at("serverCertificateName", f"must satisfy regular expression pattern: {NAME_PATTERN}")))
    expect_error(lambda: iam.delete_server_certificate(ServerCertificateName="c" * 129), "ValidationError", 400,
                 validation(at("serverCertificateName", "must have length less than or equal to 128")))
    pem = r"must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+"
    expect_error(lambda: iam.upload_server_certificate(ServerCertificateName="c", CertificateBody="Zertifikat ✓",
                                                       PrivateKey="key"),
                 "ValidationError", 400, validation(at("certificateBody", pem)))
    user = unique("ssh")
    iam.create_user(UserName=user)
    expect_error(lambda: iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody="ssh-rsa ключ"), "ValidationError",
                 400, validation(at("sSHPublicKeyBody", pem)))
    expect_error(lambda: iam.get_ssh_public_key(UserName=user, SSHPublicKeyId="APKA-not-an-id-at-all", Encoding="SSH"),
                 "ValidationError", 400,
                 validation(at("sSHPublicKeyId", r"must satisfy regular expression pattern: [\w]+")))
