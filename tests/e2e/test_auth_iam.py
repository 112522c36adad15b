"""IAM users and access keys and STS GetCallerIdentity on `keyway serve`, end to end with the AWS CLI v1 and boto3,
signed with the root credentials the server wrote to DATA/credentials on its first start (strict mode).

1. The access key rotation of AWS's documentation, step by step (CLI for what a person types, boto3 for HTTP
   statuses), with GetAccessKeyLastUsed after each step.
2. Users: CreateUser/GetUser/ListUsers/DeleteUser, paths, ARNs, IDs, pagination, case-insensitive names.
3. What an IAM user may do with no policies: its own access keys and GetCallerIdentity, nothing else.
4. Identities and formats: GetCallerIdentity for the root and users, key and secret formats.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import (
    ACCESS_KEY_ID,
    ACCOUNT_ID,
    EC2_AUTH_FAILURE,
    INVALID_TOKEN,
    SECRET,
    UNAUTHORIZED_OPERATION,
    USER_ID,
    Creds,
    assert_cli_error,
    aws,
    aws_json,
    client,
    expect_error,
    new_access_key,
    unique,
)

server = s.server_fixture("auth-iam")


@pytest.fixture(scope="module")
def root(server) -> Creds:
    return server.root


@pytest.fixture(scope="module")
def iam(server, root):
    return client(server, "iam", root)


def _near_now(value: dt.datetime, before: float, after: float) -> None:
    stamp = value.timestamp()
    assert before - 2 <= stamp <= after + 2, f"{value} is not the time of the call ({before}..{after})"


# ==================================================================================================
# 1. Rotation


def test_access_key_rotation_step_by_step(server, root, iam, tmp_path):
    """AWS's rotation procedure for an IAM user's key, with the CLI and boto3, and who used which key when."""
    account = root.account
    user = unique("rotator")
    profiles = tmp_path / "profiles"

    # Create the user and its first key (the CLI, with the credentials file the server wrote).
    created = aws_json(server, "iam", "create-user", "--user-name", user)["User"]
    assert created["Arn"] == f"arn:aws:iam::{account}:user/{user}"
    issued = aws_json(server, "iam", "create-access-key", "--user-name", user)["AccessKey"]
    server.remember(issued["SecretAccessKey"])
    key1 = Creds(issued["AccessKeyId"], issued["SecretAccessKey"], account=account, user=user)
    assert ACCESS_KEY_ID.match(key1.key_id) and SECRET.match(key1.secret), issued
    assert issued["UserName"] == user and issued["Status"] == "Active"

    # Never used yet: N/A and no date.
    last = aws_json(server, "iam", "get-access-key-last-used", "--access-key-id", key1.key_id)
    assert last["UserName"] == user
    assert last["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}, last

    # Call EC2 with it: authenticated, but an IAM user without policies is refused EC2 actions.
    s.write_profiles(profiles, {"key1": key1})
    before = time.time()
    result = aws(server, "ec2", "describe-key-pairs", credentials_file=profiles, profile="key1", region="eu-west-2")
    after = time.time()
    assert_cli_error(result, "UnauthorizedOperation", "DescribeKeyPairs", UNAUTHORIZED_OPERATION)
    expect_error(lambda: client(server, "ec2", key1, "eu-west-2").describe_key_pairs(),
                 "UnauthorizedOperation", 403, UNAUTHORIZED_OPERATION)
    last = iam.get_access_key_last_used(AccessKeyId=key1.key_id)
    assert last["UserName"] == user
    used = last["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("ec2", "eu-west-2"), used
    _near_now(used["LastUsedDate"], before, time.time())

    # GetCallerIdentity works for the user (needs no permission), and is recorded as an STS use.
    identity = aws_json(server, "sts", "get-caller-identity", credentials_file=profiles, profile="key1",
                        region="ap-northeast-1")
    assert identity == {"UserId": created["UserId"], "Account": account, "Arn": created["Arn"]}
    used = iam.get_access_key_last_used(AccessKeyId=key1.key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "ap-northeast-1"), used

    # Second key; both listed as Active; the new one is unused.
    issued = aws_json(server, "iam", "create-access-key", "--user-name", user)["AccessKey"]
    server.remember(issued["SecretAccessKey"])
    key2 = Creds(issued["AccessKeyId"], issued["SecretAccessKey"], account=account, user=user)
    assert key2.key_id != key1.key_id and key2.secret != key1.secret
    listed = aws_json(server, "iam", "list-access-keys", "--user-name", user)["AccessKeyMetadata"]
    assert {(k["AccessKeyId"], k["Status"], k["UserName"]) for k in listed} == {
        (key1.key_id, "Active", user), (key2.key_id, "Active", user)}
    assert iam.get_access_key_last_used(AccessKeyId=key2.key_id)["AccessKeyLastUsed"] == {
        "ServiceName": "N/A", "Region": "N/A"}

    # Switch the application to the second key.
    s.write_profiles(profiles, {"key1": key1, "key2": key2})
    identity = aws_json(server, "sts", "get-caller-identity", credentials_file=profiles, profile="key2")
    assert identity["Arn"] == created["Arn"]
    before = time.time()
    expect_error(lambda: client(server, "iam", key2, "us-west-2").list_access_keys(UserName="someone-else"),
                 "AccessDenied", 403)
    used = iam.get_access_key_last_used(AccessKeyId=key2.key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("iam", "us-west-2"), used
    _near_now(used["LastUsedDate"], before, time.time())
    key1_before = iam.get_access_key_last_used(AccessKeyId=key1.key_id)["AccessKeyLastUsed"]

    # Deactivate the first key: every call with it now fails, per service.
    aws_json(server, "iam", "update-access-key", "--user-name", user, "--access-key-id", key1.key_id,
             "--status", "Inactive")
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
    assert statuses == {key1.key_id: "Inactive", key2.key_id: "Active"}
    result = aws(server, "ec2", "describe-key-pairs", credentials_file=profiles, profile="key1")
    assert_cli_error(result, "AuthFailure", "DescribeKeyPairs", EC2_AUTH_FAILURE)
    expect_error(lambda: client(server, "ec2", key1).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
    result = aws(server, "sts", "get-caller-identity", credentials_file=profiles, profile="key1")
    assert_cli_error(result, "InvalidClientTokenId", "GetCallerIdentity", INVALID_TOKEN)
    expect_error(lambda: client(server, "sts", key1).get_caller_identity(), "InvalidClientTokenId", 403, INVALID_TOKEN)
    expect_error(lambda: client(server, "iam", key1).list_access_keys(), "InvalidClientTokenId", 403, INVALID_TOKEN)
    # The key that is still active keeps working.
    assert client(server, "sts", key2).get_caller_identity()["Arn"] == created["Arn"]
    # Refused calls are not uses.
    assert iam.get_access_key_last_used(AccessKeyId=key1.key_id)["AccessKeyLastUsed"] == key1_before

    # The quota counts inactive keys too.
    result = aws(server, "iam", "create-access-key", "--user-name", user)
    assert_cli_error(result, "LimitExceeded", "CreateAccessKey", "Cannot exceed quota for AccessKeysPerUser: 2")
    expect_error(lambda: iam.create_access_key(UserName=user), "LimitExceeded", 409,
                 "Cannot exceed quota for AccessKeysPerUser: 2")

    # A user with keys cannot be deleted.
    result = aws(server, "iam", "delete-user", "--user-name", user)
    assert_cli_error(result, "DeleteConflict", "DeleteUser")
    expect_error(lambda: iam.delete_user(UserName=user), "DeleteConflict", 409)

    # Delete the first key: it is gone from the list and from GetAccessKeyLastUsed, and still refused.
    aws_json(server, "iam", "delete-access-key", "--user-name", user, "--access-key-id", key1.key_id)
    listed = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key2.key_id]
    expect_error(lambda: iam.get_access_key_last_used(AccessKeyId=key1.key_id), "AccessDenied", 403,
                 f"User: arn:aws:iam::{account}:root is not authorized to perform iam:GetAccessKeyLastUsed "
                 f"on resource: access key {key1.key_id}")
    expect_error(lambda: client(server, "sts", key1).get_caller_identity(), "InvalidClientTokenId", 403, INVALID_TOKEN)
    expect_error(lambda: client(server, "ec2", key1).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
    # The last use of the remaining key: the GetCallerIdentity above.
    used = iam.get_access_key_last_used(AccessKeyId=key2.key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", s.REGION), used

    # A third key may be created again now that only one is left.
    key3 = new_access_key(server, iam, user)
    iam.delete_access_key(UserName=user, AccessKeyId=key3.key_id)

    # Done with the user: delete its last key, then the user.
    iam.delete_access_key(UserName=user, AccessKeyId=key2.key_id)
    expect_error(lambda: client(server, "sts", key2).get_caller_identity(), "InvalidClientTokenId", 403, INVALID_TOKEN)
    aws_json(server, "iam", "delete-user", "--user-name", user)
    expect_error(lambda: iam.get_user(UserName=user), "NoSuchEntity", 404, f"The user with name {user} cannot be found.")


def test_last_used_for_unknown_keys_is_access_denied(server, root, iam):
    for key_id in (s.random_creds().key_id, "AKIAIOSFODNN7EXAMPLE", "AKIA_NOT_BASE32_BUT_WORD_CHARACTERS"):
        expect_error(
            lambda: iam.get_access_key_last_used(AccessKeyId=key_id), "AccessDenied", 403,
            f"User: arn:aws:iam::{root.account}:root is not authorized to perform iam:GetAccessKeyLastUsed "
            f"on resource: access key {key_id}",
        )
    # An ID that breaks the model's `accessKeyIdType` ([\w]+, 16 to 128) is refused before anything is looked up.
    expect_error(lambda: iam.get_access_key_last_used(AccessKeyId="not-a-valid-access-key-id"), "ValidationError", 400,
                 "1 validation error detected: Value at 'accessKeyId' failed to satisfy constraint: Member must "
                 "satisfy regular expression pattern: [\\w]+")


def test_root_key_last_used_is_recorded(server, root, iam):
    """A second root key (keyway admin create-root-key, while the server runs) watches the first one's uses."""
    second = s.admin_credentials(s.admin("create-root-key", "--data-dir", server.data_dir, "--account", root.account))
    server.remember(second.secret)
    assert second.account == root.account and second.key_id != root.key_id
    watcher = client(server, "iam", second, "ca-central-1")
    assert client(server, "sts", second).get_caller_identity()["Arn"] == f"arn:aws:iam::{root.account}:root"
    client(server, "sts", root, "sa-east-1").get_caller_identity()
    used = watcher.get_access_key_last_used(AccessKeyId=root.key_id)
    assert not used.get("UserName"), "a root key has no user"
    last = used["AccessKeyLastUsed"]
    assert (last["ServiceName"], last["Region"]) == ("sts", "sa-east-1"), last
    client(server, "ec2", root, "eu-north-1").describe_key_pairs()
    last = watcher.get_access_key_last_used(AccessKeyId=root.key_id)["AccessKeyLastUsed"]
    assert (last["ServiceName"], last["Region"]) == ("ec2", "eu-north-1"), last
    # Both root keys are listed as the root's keys.
    keys = {k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]}
    assert {root.key_id, second.key_id} <= keys


def test_update_and_delete_of_unknown_keys(server, root, iam):
    user = unique("nokeys")
    iam.create_user(UserName=user)
    other = s.random_creds().key_id
    expect_error(lambda: iam.update_access_key(UserName=user, AccessKeyId=other, Status="Inactive"),
                 "NoSuchEntity", 404, f"The Access Key with id {other} cannot be found.")
    expect_error(lambda: iam.delete_access_key(UserName=user, AccessKeyId=other),
                 "NoSuchEntity", 404, f"The Access Key with id {other} cannot be found.")
    expect_error(lambda: iam.create_access_key(UserName=unique("ghost")), "NoSuchEntity", 404)
    # Without a user name the root acts on its own keys: a user's key is not among them, and stays.
    key = new_access_key(server, iam, user)
    expect_error(lambda: iam.delete_access_key(AccessKeyId=key.key_id), "NoSuchEntity", 404,
                 f"The Access Key with id {key.key_id} cannot be found.")
    expect_error(lambda: iam.update_access_key(AccessKeyId=key.key_id, Status="Inactive"), "NoSuchEntity", 404,
                 f"The Access Key with id {key.key_id} cannot be found.")
    # A key of one user is not found under another user's name.
    user2 = unique("nokeys2")
    iam.create_user(UserName=user2)
    expect_error(lambda: iam.update_access_key(UserName=user2, AccessKeyId=key.key_id, Status="Inactive"),
                 "NoSuchEntity", 404, f"The Access Key with id {key.key_id} cannot be found.")
    expect_error(lambda: iam.delete_access_key(UserName=user2, AccessKeyId=key.key_id), "NoSuchEntity", 404)
    assert client(server, "sts", key).get_caller_identity()["Arn"].endswith(f":user/{user}")
    expect_error(lambda: iam.update_access_key(UserName=user, AccessKeyId=key.key_id, Status="Disabled"),
                 "ValidationError", 400)
    iam.delete_access_key(UserName=user, AccessKeyId=key.key_id)
    iam.delete_user(UserName=user)
    iam.delete_user(UserName=user2)


def test_root_manages_its_own_keys_without_a_user_name(server, tmp_path):
    """Without UserName, IAM acts on the caller (API_CreateAccessKey, API_ListAccessKeys, API_UpdateAccessKey,
    API_DeleteAccessKey): the root creates, lists, deactivates and deletes its own keys, two at most
    (id_root-user_manage_add-key), even the one it signs with. A fresh account, so its key count is known."""
    first = s.new_account(server)
    iam = client(server, "iam", first)
    second = new_access_key(server, iam)
    assert second.user is None
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert {k["AccessKeyId"] for k in listed} == {first.key_id, second.key_id}
    assert all(k["Status"] == "Active" for k in listed), listed
    expect_error(iam.create_access_key, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")

    # The CLI, as a person types it: no --user-name.
    second = Creds(second.key_id, second.secret, account=first.account)
    profiles = s.write_profiles(tmp_path / "root-profiles", {"first": first, "second": second})
    result = aws_json(server, "iam", "list-access-keys", credentials_file=profiles, profile="first")
    assert {k["AccessKeyId"] for k in result["AccessKeyMetadata"]} == {first.key_id, second.key_id}
    aws_json(server, "iam", "update-access-key", "--access-key-id", second.key_id, "--status", "Inactive",
             credentials_file=profiles, profile="first")
    expect_error(lambda: client(server, "sts", second).get_caller_identity(), "InvalidClientTokenId", 403,
                 INVALID_TOKEN)
    assert {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys()["AccessKeyMetadata"]} == {
        first.key_id: "Active", second.key_id: "Inactive"}
    aws_json(server, "iam", "delete-access-key", "--access-key-id", second.key_id,
             credentials_file=profiles, profile="first")
    assert [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]] == [first.key_id]

    # A new key deletes the one that made it; the old one stops at once.
    third = new_access_key(server, iam)
    third = Creds(third.key_id, third.secret, account=first.account)
    client(server, "iam", third).delete_access_key(AccessKeyId=first.key_id)
    expect_error(lambda: client(server, "sts", first).get_caller_identity(), "InvalidClientTokenId", 403,
                 INVALID_TOKEN)
    assert client(server, "sts", third).get_caller_identity()["Arn"] == f"arn:aws:iam::{first.account}:root"
    assert [k["AccessKeyId"] for k in client(server, "iam", third).list_access_keys()["AccessKeyMetadata"]] == [
        third.key_id]


def test_reactivated_key_works_again(server, iam):
    user = unique("react")
    iam.create_user(UserName=user)
    key = new_access_key(server, iam, user)
    sts = client(server, "sts", key)
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user}")
    iam.update_access_key(UserName=user, AccessKeyId=key.key_id, Status="Inactive")
    expect_error(sts.get_caller_identity, "InvalidClientTokenId", 403, INVALID_TOKEN)
    iam.update_access_key(UserName=user, AccessKeyId=key.key_id, Status="Active")
    assert sts.get_caller_identity()["Arn"].endswith(f":user/{user}")


# ==================================================================================================
# 2. Users


def test_create_get_user_with_path(server, root, iam):
    name = unique("alice")
    before = time.time()
    result = aws_json(server, "iam", "create-user", "--user-name", name, "--path", "/division_abc/subdivision_xyz/")
    user = result["User"]
    assert user["UserName"] == name
    assert user["Path"] == "/division_abc/subdivision_xyz/"
    assert user["Arn"] == f"arn:aws:iam::{root.account}:user/division_abc/subdivision_xyz/{name}"
    assert USER_ID.match(user["UserId"]), user["UserId"]
    got = iam.get_user(UserName=name)["User"]
    assert {k: got[k] for k in ("UserName", "Path", "Arn", "UserId")} == {
        k: user[k] for k in ("UserName", "Path", "Arn", "UserId")}
    _near_now(got["CreateDate"], before, time.time())

    plain = iam.create_user(UserName=unique("bob"))["User"]
    assert plain["Path"] == "/"
    assert plain["Arn"] == f"arn:aws:iam::{root.account}:user/{plain['UserName']}"
    assert USER_ID.match(plain["UserId"]) and plain["UserId"] != user["UserId"]


def test_get_user_not_found(server, iam):
    name = unique("nobody")
    expect_error(lambda: iam.get_user(UserName=name), "NoSuchEntity", 404, f"The user with name {name} cannot be found.")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user(UserName=name)
    result = aws(server, "iam", "get-user", "--user-name", name)
    assert_cli_error(result, "NoSuchEntity", "GetUser", f"The user with name {name} cannot be found.")
    expect_error(lambda: iam.delete_user(UserName=name), "NoSuchEntity", 404, f"The user with name {name} cannot be found.")


def test_duplicate_user_names_are_case_insensitive(server, iam):
    name = unique("Carol")
    iam.create_user(UserName=name)
    for duplicate in (name, name.lower(), name.upper()):
        response = expect_error(lambda: iam.create_user(UserName=duplicate), "EntityAlreadyExists", 409)
        assert response["Error"]["Message"].lower() == f"user with name {name.lower()} already exists.", response
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_user(UserName=name.swapcase())
    # Lookups are case-insensitive too, and show the name as created.
    assert iam.get_user(UserName=name.upper())["User"]["UserName"] == name


def test_invalid_user_names_and_paths(server, iam):
    """The texts are AWS's (test_iam_validation.py checks them all)."""
    expect_error(lambda: iam.create_user(UserName="bad name!"), "ValidationError", 400,
                 "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy "
                 "regular expression pattern: [\\w+=,.@-]+")
    expect_error(lambda: iam.create_user(UserName="x" * 65), "ValidationError", 400,
                 "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have "
                 "length less than or equal to 64")
    expect_error(lambda: iam.create_user(UserName=unique("p"), Path="no-slashes"), "ValidationError", 400,
                 "The specified value for path is invalid. It must begin and end with / and contain only "
                 "alphanumeric characters and/or / characters.")


def test_list_users_path_prefix_and_pagination(server, iam):
    prefix = f"/{unique('team')}/"
    names_a = sorted(unique(f"a{i}") for i in range(3))
    names_b = sorted(unique(f"b{i}") for i in range(2))
    for name in names_a:
        iam.create_user(UserName=name, Path=prefix + "a/")
    for name in names_b:
        iam.create_user(UserName=name, Path=prefix + "b/")

    listed = iam.list_users(PathPrefix=prefix + "a/")
    assert sorted(u["UserName"] for u in listed["Users"]) == names_a
    assert listed["IsTruncated"] is False and "Marker" not in listed
    assert all(u["Path"] == prefix + "a/" for u in listed["Users"])
    assert iam.list_users(PathPrefix=prefix + "c/")["Users"] == []

    # MaxItems/Marker through boto3's paginator: 5 users, pages of 2.
    paginator = iam.get_paginator("list_users")
    pages = list(paginator.paginate(PathPrefix=prefix, PaginationConfig={"PageSize": 2}))
    assert [len(p["Users"]) for p in pages] == [2, 2, 1]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert all(p.get("Marker") for p in pages[:2]) and "Marker" not in pages[2]
    seen = [u["UserName"] for p in pages for u in p["Users"]]
    assert sorted(seen) == sorted(names_a + names_b) and len(set(seen)) == len(seen)

    # By hand: MaxItems=1 and the Marker given back.
    first = iam.list_users(PathPrefix=prefix, MaxItems=1)
    assert first["IsTruncated"] is True and len(first["Users"]) == 1
    second = iam.list_users(PathPrefix=prefix, MaxItems=1, Marker=first["Marker"])
    assert second["Users"][0]["UserName"] != first["Users"][0]["UserName"]

    # The CLI paginates on its own (--page-size), and prints every user once.
    result = aws_json(server, "iam", "list-users", "--path-prefix", prefix, "--page-size", "2")
    assert sorted(u["UserName"] for u in result["Users"]) == sorted(names_a + names_b)
    result = aws_json(server, "iam", "list-users", "--path-prefix", prefix, "--max-items", "3")
    assert len(result["Users"]) == 3 and result.get("NextToken")

    expect_error(lambda: iam.list_users(MaxItems=1001), "ValidationError", 400)


# ==================================================================================================
# 3. What a user may do without policies


@pytest.fixture(scope="module")
def two_users(server, iam):
    """Two users, each with one key; alice's on a path."""
    alice = unique("alice")
    bob = unique("bob")
    iam.create_user(UserName=alice, Path="/staff/")
    iam.create_user(UserName=bob)
    return {"alice": (alice, new_access_key(server, iam, alice)), "bob": (bob, new_access_key(server, iam, bob))}


def test_user_manages_its_own_keys(server, root, iam, two_users):
    alice, alice_key = two_users["alice"]
    own = client(server, "iam", alice_key)

    listed = own.list_access_keys()["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["UserName"]) for k in listed] == [(alice_key.key_id, alice)]
    assert own.list_access_keys(UserName=alice)["AccessKeyMetadata"] == listed

    second = new_access_key(server, own)  # without UserName: the caller's own
    assert second.user == alice
    assert {k["AccessKeyId"] for k in iam.list_access_keys(UserName=alice)["AccessKeyMetadata"]} == {
        alice_key.key_id, second.key_id}
    expect_error(own.create_access_key, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")

    # Its own last use.
    used = own.get_access_key_last_used(AccessKeyId=alice_key.key_id)
    assert used["UserName"] == alice and used["AccessKeyLastUsed"]["ServiceName"] == "iam"

    own.update_access_key(AccessKeyId=second.key_id, Status="Inactive")
    expect_error(lambda: client(server, "sts", second).get_caller_identity(), "InvalidClientTokenId", 403)
    own.update_access_key(AccessKeyId=second.key_id, Status="Active")
    assert client(server, "sts", second).get_caller_identity()["Arn"] == f"arn:aws:iam::{root.account}:user/staff/{alice}"
    own.delete_access_key(AccessKeyId=second.key_id)
    assert [k["AccessKeyId"] for k in own.list_access_keys()["AccessKeyMetadata"]] == [alice_key.key_id]

    # The same with the CLI and a profile.
    profiles = s.write_profiles(server.data_dir.parent / "alice-profile", {"alice": alice_key})
    result = aws_json(server, "iam", "list-access-keys", credentials_file=profiles, profile="alice")
    assert [k["AccessKeyId"] for k in result["AccessKeyMetadata"]] == [alice_key.key_id]


def test_user_cannot_touch_other_users_or_list_users(server, root, iam, two_users):
    alice, alice_key = two_users["alice"]
    bob, bob_key = two_users["bob"]
    own = client(server, "iam", alice_key)
    account = root.account
    alice_arn = f"arn:aws:iam::{account}:user/staff/{alice}"

    def denied(action: str, resource: str) -> str:
        return f"User: {alice_arn} is not authorized to perform: iam:{action} on resource: {resource}"

    bob_arn = f"arn:aws:iam::{account}:user/{bob}"
    expect_error(lambda: own.list_users(), "AccessDenied", 403,
                 message_re=re.escape(f"User: {alice_arn} is not authorized to perform: iam:ListUsers on resource: ")
                 + rf"arn:aws:iam::{account}:.*")
    result = aws(server, "iam", "list-users", credentials_file=s.write_profiles(
        server.data_dir.parent / "alice-profile2", {"alice": alice_key}), profile="alice")
    message = assert_cli_error(result, "AccessDenied", "ListUsers")
    assert message.startswith(f"User: {alice_arn} is not authorized to perform: iam:ListUsers on resource: "), message

    expect_error(lambda: own.create_access_key(UserName=bob), "AccessDenied", 403, denied("CreateAccessKey", bob_arn))
    expect_error(lambda: own.list_access_keys(UserName=bob), "AccessDenied", 403, denied("ListAccessKeys", bob_arn))
    expect_error(lambda: own.update_access_key(UserName=bob, AccessKeyId=bob_key.key_id, Status="Inactive"),
                 "AccessDenied", 403, denied("UpdateAccessKey", bob_arn))
    expect_error(lambda: own.delete_access_key(UserName=bob, AccessKeyId=bob_key.key_id),
                 "AccessDenied", 403, denied("DeleteAccessKey", bob_arn))
    # Bob's key given without a user name is looked for among alice's keys: not found, and untouched.
    expect_error(lambda: own.update_access_key(AccessKeyId=bob_key.key_id, Status="Inactive"), "NoSuchEntity", 404)
    expect_error(lambda: own.delete_access_key(AccessKeyId=bob_key.key_id), "NoSuchEntity", 404)
    expect_error(lambda: own.get_access_key_last_used(AccessKeyId=bob_key.key_id), "AccessDenied", 403,
                 f"User: {alice_arn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: "
                 f"access key {bob_key.key_id}")
    expect_error(lambda: own.get_access_key_last_used(AccessKeyId=root.key_id), "AccessDenied", 403)
    # The same refusal for a user that does not exist: nothing to infer.
    ghost = unique("ghost")
    expect_error(lambda: own.create_access_key(UserName=ghost), "AccessDenied", 403,
                 denied("CreateAccessKey", f"arn:aws:iam::{account}:user/{ghost}"))
    # Users and the root's keys are beyond it too.
    expect_error(lambda: own.create_user(UserName=unique("mallory")), "AccessDenied", 403)
    expect_error(lambda: own.delete_user(UserName=bob), "AccessDenied", 403)
    expect_error(lambda: own.get_user(UserName=bob), "AccessDenied", 403)
    expect_error(lambda: own.delete_user(UserName=alice), "AccessDenied", 403)
    # Bob's key still works and is still Active.
    assert client(server, "sts", bob_key).get_caller_identity()["Arn"] == bob_arn
    assert iam.list_access_keys(UserName=bob)["AccessKeyMetadata"][0]["Status"] == "Active"
    # EC2 is closed to users without policies, for every action.
    ec2 = client(server, "ec2", alice_key)
    key_name = unique("k")
    for call in (ec2.describe_key_pairs, lambda: ec2.create_key_pair(KeyName=key_name),
                 lambda: ec2.import_key_pair(KeyName=key_name, PublicKeyMaterial=s.ed25519_public_line().encode()),
                 lambda: ec2.delete_key_pair(KeyName=key_name), ec2.describe_tags):
        expect_error(call, "UnauthorizedOperation", 403, UNAUTHORIZED_OPERATION)
    assert key_name not in {p["KeyName"] for p in client(server, "ec2", root).describe_key_pairs()["KeyPairs"]}


# ==================================================================================================
# 4. Identities and formats


def test_get_caller_identity_root_cli_and_boto3(server, root):
    assert ACCOUNT_ID.match(root.account)
    assert ACCESS_KEY_ID.match(root.key_id) and SECRET.match(root.secret)
    expected = {"UserId": root.account, "Account": root.account, "Arn": f"arn:aws:iam::{root.account}:root"}
    assert aws_json(server, "sts", "get-caller-identity") == expected
    session = s.session_from_credentials_file(server.credentials_file)
    sts = session.client("sts", endpoint_url=server.endpoint, config=s.client_config())
    identity = sts.get_caller_identity()
    assert {k: identity[k] for k in expected} == expected
    # The root's access keys: ListAccessKeys without a user name.
    iam = session.client("iam", endpoint_url=server.endpoint, config=s.client_config())
    assert root.key_id in {k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]}


def test_get_caller_identity_user(server, root, iam, two_users):
    bob, bob_key = two_users["bob"]
    user = iam.get_user(UserName=bob)["User"]
    identity = client(server, "sts", bob_key, "us-east-1").get_caller_identity()
    assert {k: identity[k] for k in ("UserId", "Account", "Arn")} == {
        "UserId": user["UserId"], "Account": root.account, "Arn": user["Arn"]}


def test_credentials_file_shape(server, root):
    text = server.credentials_file.read_text()
    assert "[default]" in text
    assert s.read_credentials_file(server.credentials_file) == Creds(root.key_id, root.secret)
    assert oct(server.credentials_file.stat().st_mode & 0o777) == oct(0o600)
