"""`keyway serve --dev`: dummy credentials for test suites, and POST /_keyway/reset.

In dev mode a key Keyway issued still authenticates as its owner, with its signature verified; any other
well-formed SigV4 request (a key ID and secret Keyway never issued) acts as the root of the dev account
(000000000000, or --dev-account). The banner says so loudly. POST /_keyway/reset wipes all state; in strict mode
that path is just another request that gets an AWS error.
"""

from __future__ import annotations

import json
import re

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import (
    EC2_AUTH_FAILURE,
    INVALID_TOKEN,
    SIGNATURE_MISMATCH,
    UNAUTHORIZED_OPERATION,
    Creds,
    aws_json,
    client,
    expect_error,
    new_access_key,
    unique,
)

DEV_ACCOUNT = "000000000000"

server = s.server_fixture("auth-dev", dev=True)


def _reset(server) -> s.RawResponse:
    return s.send(server, s.Raw("POST", "/_keyway/reset", {"Host": f"127.0.0.1:{server.port}"}, b""))


def test_banner_announces_dev_mode(server):
    output = server.output()
    banner_at = s.BANNER.search(output).start()
    after_banner = output[banner_at:]
    assert "DEV MODE" in after_banner, "the banner should announce dev mode loudly\n" + output[-2000:]
    line = next(line for line in after_banner.splitlines() if "DEV MODE" in line)
    assert line.startswith("***"), line
    assert re.search(r"not verified", after_banner, re.IGNORECASE), after_banner[:1000]
    assert "/_keyway/reset" in after_banner
    # The dev account exists with root credentials of its own, written to the credentials file.
    assert server.root.account == DEV_ACCOUNT


def test_unknown_keys_act_as_the_dev_root(server, tmp_path):
    for creds in (s.random_creds(), s.random_creds(), Creds("test", "test"), Creds("AKIDEXAMPLE", "x" * 40)):
        identity = client(server, "sts", creds).get_caller_identity()
        assert {k: identity[k] for k in ("UserId", "Account", "Arn")} == {
            "UserId": DEV_ACCOUNT, "Account": DEV_ACCOUNT, "Arn": f"arn:aws:iam::{DEV_ACCOUNT}:root"}
    # What one dummy key makes, another sees: they are all the same root.
    name = unique("dev")
    client(server, "ec2", s.random_creds()).create_key_pair(KeyName=name)
    assert name in {p["KeyName"] for p in client(server, "ec2", s.random_creds()).describe_key_pairs()["KeyPairs"]}
    assert name in {p["KeyName"] for p in client(server, "ec2", server.root).describe_key_pairs()["KeyPairs"]}
    # The CLI with the usual dummy credentials.
    profiles = s.write_profiles(tmp_path / "dummy", {"default": Creds("test", "test")})
    identity = aws_json(server, "sts", "get-caller-identity", credentials_file=profiles)
    assert identity["Account"] == DEV_ACCOUNT
    listed = aws_json(server, "ec2", "describe-key-pairs", "--key-names", name, credentials_file=profiles)
    assert [p["KeyName"] for p in listed["KeyPairs"]] == [name]


def test_issued_keys_are_still_verified(server):
    root = server.root
    # The dev root's issued key, right and wrong secret.
    assert client(server, "sts", root).get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"
    wrong = Creds(root.key_id, s.random_creds().secret)
    expect_error(lambda: client(server, "ec2", wrong).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
    expect_error(lambda: client(server, "sts", wrong).get_caller_identity(), "SignatureDoesNotMatch", 403,
                 SIGNATURE_MISMATCH)
    # A user's issued key is that user, not the root: verified, and limited to what users may do.
    iam = client(server, "iam", s.random_creds())
    user = unique("devuser")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    assert arn == f"arn:aws:iam::{DEV_ACCOUNT}:user/{user}"
    key = new_access_key(server, iam, user)
    assert client(server, "sts", key).get_caller_identity()["Arn"] == arn
    expect_error(lambda: client(server, "ec2", key).describe_key_pairs(), "UnauthorizedOperation", 403,
                 UNAUTHORIZED_OPERATION)
    expect_error(lambda: client(server, "iam", key).list_users(), "AccessDenied", 403)
    wrong = Creds(key.key_id, s.random_creds().secret)
    expect_error(lambda: client(server, "ec2", wrong).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
    expect_error(lambda: client(server, "iam", wrong).list_users(), "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)
    # Tampering is refused as in strict mode.
    raw = s.signed(server, key, "sts", s.query_body("sts", "GetCallerIdentity"))
    raw.body += b"&x=1"
    s.expect_raw_error(s.send(server, raw), "sts", "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)


def test_deactivated_issued_key_does_not_become_the_dev_root(server):
    """A key Keyway issued and then deactivated is refused; it must not fall back to acting, unverified, as root."""
    iam = client(server, "iam", s.random_creds())
    user = unique("revoked")
    iam.create_user(UserName=user)
    key = new_access_key(server, iam, user)
    iam.update_access_key(UserName=user, AccessKeyId=key.key_id, Status="Inactive")
    from botocore.exceptions import ClientError

    for label, creds in (("its own secret", key), ("a wrong secret", Creds(key.key_id, s.random_creds().secret))):
        try:
            identity = client(server, "sts", creds).get_caller_identity()
        except ClientError:
            pass
        else:
            pytest.fail(f"the deactivated key {key.key_id} of user {user}, signed with {label}, was accepted as "
                        f"{identity['Arn']}")
        expect_error(lambda: client(server, "sts", creds).get_caller_identity(), "InvalidClientTokenId", 403,
                     INVALID_TOKEN)
        expect_error(lambda: client(server, "ec2", creds).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
        expect_error(lambda: client(server, "iam", creds).create_user(UserName=unique("escalated")),
                     "InvalidClientTokenId", 403, INVALID_TOKEN)


def test_other_accounts_keys_authenticate_as_their_owner(server):
    """An account made with keyway admin next to the dev account: its key is that account, verified."""
    other = s.admin_credentials(s.admin("create-account", "--data-dir", server.data_dir))
    server.remember(other.secret)
    assert other.account != DEV_ACCOUNT
    assert client(server, "sts", other).get_caller_identity()["Account"] == other.account
    wrong = Creds(other.key_id, s.random_creds().secret)
    expect_error(lambda: client(server, "sts", wrong).get_caller_identity(), "SignatureDoesNotMatch", 403)
    name = unique("mine")
    client(server, "ec2", other).create_key_pair(KeyName=name)
    assert name not in {p["KeyName"] for p in client(server, "ec2", s.random_creds()).describe_key_pairs()["KeyPairs"]}


def test_time_window_still_applies(server):
    import datetime as dt

    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    raw = s.signed(server, s.random_creds(), "ec2", s.query_body("ec2", "DescribeKeyPairs"), when=when)
    s.expect_raw_error(s.send(server, raw), "ec2", "RequestExpired", 400, "Request has expired.")
    raw = s.Raw("POST", "/", {"Host": f"127.0.0.1:{server.port}",
                              "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                s.query_body("sts", "GetCallerIdentity"))
    s.expect_raw_error(s.send(server, raw), "sts", "MissingAuthenticationToken", 403)


def test_reset_wipes_all_state(server):
    dummy = s.random_creds()
    ec2, iam = client(server, "ec2", dummy), client(server, "iam", dummy)
    name = unique("wiped")
    pair_id = ec2.create_key_pair(KeyName=name)["KeyPairId"]
    ec2.create_tags(Resources=[pair_id], Tags=[{"Key": "t", "Value": "v"}])
    user = unique("wiped")
    iam.create_user(UserName=user)
    key = new_access_key(server, iam, user)
    assert client(server, "sts", key).get_caller_identity()["Arn"].endswith(f":user/{user}")
    client(server, "ec2", dummy, "ap-south-1").create_key_pair(KeyName=name)

    response = _reset(server)
    assert response.status == 200, response.describe()
    assert json.loads(response.body) == {"reset": True}, response.describe()

    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert client(server, "ec2", dummy, "ap-south-1").describe_key_pairs()["KeyPairs"] == []
    assert ec2.describe_tags()["Tags"] == []
    assert iam.list_users()["Users"] == []
    expect_error(lambda: iam.get_user(UserName=user), "NoSuchEntity", 404)
    # The user's key is no longer an issued key: it is just another dummy key now, i.e. the dev root.
    assert client(server, "sts", key).get_caller_identity()["Arn"] == f"arn:aws:iam::{DEV_ACCOUNT}:root"
    # The dev account is there again, and works as before.
    assert client(server, "sts", s.random_creds()).get_caller_identity()["Account"] == DEV_ACCOUNT
    ec2.create_key_pair(KeyName=name)
    assert [p["KeyName"] for p in ec2.describe_key_pairs()["KeyPairs"]] == [name]
    # The log says the state was reset.
    assert "reset" in server.output().split("Keyway is listening", 1)[1]


def test_reset_needs_post(server):
    name = unique("kept")
    client(server, "ec2", s.random_creds()).create_key_pair(KeyName=name)
    response = s.get(server, "/_keyway/reset")
    assert response.status >= 400, response.describe()
    s.parse_error(response)  # an AWS error, not a reset
    assert name in {p["KeyName"] for p in client(server, "ec2", s.random_creds()).describe_key_pairs()["KeyPairs"]}


def test_dev_account_option(tmp_path):
    server = s.start_server(tmp_path / "data", tmp_path / "server.log", dev=True, dev_account="123456789012")
    try:
        root = s.first_start_credentials(server)
        server.remember(root.secret)
        assert root.account == "123456789012"
        for creds in (s.random_creds(), root):
            identity = client(server, "sts", creds).get_caller_identity()
            assert (identity["Account"], identity["Arn"]) == ("123456789012", "arn:aws:iam::123456789012:root")
        assert "DEV MODE" in server.output()
    finally:
        assert server.stop() == 0
    assert not s.leaks(server)


# --------------------------------------------------------------------------------------------------
# Strict mode: no reset


strict = s.server_fixture("auth-dev-strict")


def test_strict_mode_has_no_reset(strict):
    root = strict.root
    output = strict.output()
    assert "DEV MODE" not in output
    name = unique("survivor")
    client(strict, "ec2", root).create_key_pair(KeyName=name)
    user = unique("survivor")
    client(strict, "iam", root).create_user(UserName=user)

    # Unsigned: an AWS error (no credentials), not a reset.
    response = _reset(strict)
    assert response.status == 403, response.describe()
    envelope, code, _ = s.parse_error(response)
    assert code == "MissingAuthenticationToken", response.describe()
    # Signed by the root: still an AWS error about the request, not a reset.
    raw = s.signed(strict, root, "ec2", b"", path="/_keyway/reset")
    response = s.send(strict, raw)
    assert 400 <= response.status < 500, response.describe()
    _, code, _ = s.parse_error(response)
    assert code not in ("AuthFailure", "SignatureDoesNotMatch"), "the signature itself is fine\n" + response.describe()
    # Dummy credentials are refused outright.
    expect_error(lambda: client(strict, "sts", s.random_creds()).get_caller_identity(), "InvalidClientTokenId", 403)
    expect_error(lambda: client(strict, "ec2", Creds("test", "test")).describe_key_pairs(), "AuthFailure", 401)

    # Nothing was wiped.
    assert name in {p["KeyName"] for p in client(strict, "ec2", root).describe_key_pairs()["KeyPairs"]}
    assert user in {u["UserName"] for u in client(strict, "iam", root).list_users()["Users"]}
    assert client(strict, "sts", root).get_caller_identity()["Account"] == root.account
