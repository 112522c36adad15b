"""Two accounts on one `keyway serve`: neither can see, change or infer the other's resources.

Account A is the one the server made on first start (DATA/credentials); account B is made with
`keyway admin create-account` on the same data folder while the server runs, and is picked up on first use.
Every action that exists so far is tried across the boundary: EC2 CreateKeyPair, ImportKeyPair, DescribeKeyPairs,
DeleteKeyPair, CreateTags, DeleteTags, DescribeTags; IAM users and access keys; GetAccessKeyLastUsed.
"""

from __future__ import annotations

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import aws_json, client, expect_error, new_access_key, unique

server = s.server_fixture("auth-isolation")


@pytest.fixture(scope="module")
def accounts(server):
    """(A, B) root credentials; B made by `keyway admin create-account` after the server started."""
    a = server.root
    result = s.admin("create-account", "--data-dir", server.data_dir)
    b = s.admin_credentials(result)
    server.remember(b.secret)
    assert b.account != a.account and s.ACCOUNT_ID.match(b.account)
    assert s.ACCESS_KEY_ID.match(b.key_id) and s.SECRET.match(b.secret)
    listed = s.admin("list-accounts", "--data-dir", server.data_dir)
    assert listed.rc == 0 and set(listed.out.split()) == {a.account, b.account}, listed.describe()
    return a, b


def test_second_account_is_picked_up_on_first_use(server, accounts, tmp_path):
    a, b = accounts
    # The [account-ID] profile printed by keyway admin works as is, appended to a credentials file.
    result = s.admin("create-root-key", "--data-dir", server.data_dir, "--account", b.account)
    b2 = s.admin_credentials(result)
    server.remember(b2.secret)
    assert b2.account == b.account
    profiles = tmp_path / "credentials"
    profiles.write_text(server.credentials_file.read_text() + "\n" + result.out)
    identity = aws_json(server, "sts", "get-caller-identity", credentials_file=profiles, profile=f"account-{b.account}")
    assert identity == {"UserId": b.account, "Account": b.account, "Arn": f"arn:aws:iam::{b.account}:root"}
    identity = aws_json(server, "sts", "get-caller-identity", credentials_file=profiles)
    assert identity["Account"] == a.account
    assert client(server, "sts", b2).get_caller_identity()["Account"] == b.account


def test_key_pairs_are_per_account(server, accounts):
    a, b = accounts
    ec2_a, ec2_b = client(server, "ec2", a), client(server, "ec2", b)
    name = unique("shared")
    pair_a = ec2_a.create_key_pair(KeyName=name)
    line = s.ed25519_public_line()
    pair_b = ec2_b.import_key_pair(KeyName=name, PublicKeyMaterial=line.encode())  # the same name in B: fine
    assert pair_a["KeyPairId"] != pair_b["KeyPairId"]
    only_a = unique("only-a")
    only_a_id = ec2_a.import_key_pair(KeyName=only_a, PublicKeyMaterial=s.ed25519_public_line().encode())["KeyPairId"]

    # Each sees its own only.
    names_a = {p["KeyName"]: p["KeyPairId"] for p in ec2_a.describe_key_pairs()["KeyPairs"]}
    names_b = {p["KeyName"]: p["KeyPairId"] for p in ec2_b.describe_key_pairs()["KeyPairs"]}
    assert names_a[name] == pair_a["KeyPairId"] and names_b[name] == pair_b["KeyPairId"]
    assert only_a in names_a and only_a not in names_b
    assert pair_a["KeyPairId"] not in names_b.values() and pair_b["KeyPairId"] not in names_a.values()
    described = ec2_b.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"]
    assert [(p["KeyPairId"], p["PublicKey"].split()[:2]) for p in described] == [(pair_b["KeyPairId"], line.split()[:2])]

    # By the other's ID or name: not found, and filters find nothing.
    expect_error(lambda: ec2_b.describe_key_pairs(KeyPairIds=[pair_a["KeyPairId"]]), "InvalidKeyPair.NotFound", 400,
                 f"The key pair ID '{pair_a['KeyPairId']}' does not exist")
    expect_error(lambda: ec2_b.describe_key_pairs(KeyPairIds=[only_a_id]), "InvalidKeyPair.NotFound", 400,
                 f"The key pair ID '{only_a_id}' does not exist")
    expect_error(lambda: ec2_b.describe_key_pairs(KeyNames=[only_a]), "InvalidKeyPair.NotFound", 400,
                 f"The key pair '{only_a}' does not exist")
    for filters in ([{"Name": "key-pair-id", "Values": [pair_a["KeyPairId"], only_a_id]}],
                    [{"Name": "key-name", "Values": [only_a]}],
                    [{"Name": "fingerprint", "Values": [pair_a["KeyFingerprint"]]}]):
        assert ec2_b.describe_key_pairs(Filters=filters)["KeyPairs"] == [], filters

    # Creating the other's names is unaffected by them; a duplicate is only a duplicate within an account.
    expect_error(lambda: ec2_b.create_key_pair(KeyName=name), "InvalidKeyPair.Duplicate", 400)
    b_only_a = ec2_b.create_key_pair(KeyName=only_a)
    assert b_only_a["KeyPairId"] != only_a_id
    ec2_b.delete_key_pair(KeyName=only_a)

    # Deleting by the other's ID is a no-op that reveals nothing (the same answer as for an unknown ID).
    unknown = "key-0123456789abcdef0"
    deleted = ec2_b.delete_key_pair(KeyPairId=only_a_id)
    assert deleted.get("Return") is True and "KeyPairId" not in deleted, deleted
    assert {k: v for k, v in ec2_b.delete_key_pair(KeyPairId=unknown).items() if k != "ResponseMetadata"} == {
        k: v for k, v in deleted.items() if k != "ResponseMetadata"}
    assert only_a in {p["KeyName"] for p in ec2_a.describe_key_pairs(KeyPairIds=[only_a_id])["KeyPairs"]}
    # Deleting a name both have deletes the caller's own only.
    deleted = ec2_b.delete_key_pair(KeyName=name)
    assert deleted.get("KeyPairId") == pair_b["KeyPairId"], deleted
    assert ec2_a.describe_key_pairs(KeyNames=[name])["KeyPairs"][0]["KeyPairId"] == pair_a["KeyPairId"]
    deleted = ec2_b.delete_key_pair(KeyName=only_a)
    assert "KeyPairId" not in deleted
    assert ec2_a.describe_key_pairs(KeyNames=[only_a])["KeyPairs"][0]["KeyPairId"] == only_a_id


def test_tags_are_per_account(server, accounts):
    a, b = accounts
    ec2_a, ec2_b = client(server, "ec2", a), client(server, "ec2", b)
    name = unique("tagged")
    id_a = ec2_a.create_key_pair(
        KeyName=name, TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "owner", "Value": "a"}]}]
    )["KeyPairId"]
    id_b = ec2_b.import_key_pair(
        KeyName=name, PublicKeyMaterial=s.ed25519_public_line().encode(),
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "owner", "Value": "b"}]}],
    )["KeyPairId"]

    # B cannot tag or untag A's key pair: not found, as for any unknown ID.
    for call in (lambda: ec2_b.create_tags(Resources=[id_a], Tags=[{"Key": "owner", "Value": "mallory"}]),
                 lambda: ec2_b.delete_tags(Resources=[id_a], Tags=[{"Key": "owner"}]),
                 lambda: ec2_b.delete_tags(Resources=[id_a]),
                 lambda: ec2_b.create_tags(Resources=[id_b, id_a], Tags=[{"Key": "x", "Value": "y"}])):
        expect_error(call, "InvalidKeyPair.NotFound", 400, f"The key pair ID '{id_a}' does not exist")
    expect_error(lambda: ec2_b.create_tags(Resources=["key-0123456789abcdef0"], Tags=[{"Key": "x", "Value": "y"}]),
                 "InvalidKeyPair.NotFound", 400, "The key pair ID 'key-0123456789abcdef0' does not exist")

    # Nothing changed on either side (the mixed call was all or nothing).
    def tags(ec2, key_id):
        return {t["Key"]: t["Value"] for t in ec2.describe_key_pairs(KeyPairIds=[key_id])["KeyPairs"][0].get("Tags", [])}

    assert tags(ec2_a, id_a) == {"owner": "a"}
    assert tags(ec2_b, id_b) == {"owner": "b"}

    # DescribeTags shows one's own tags only, whatever the filter.
    seen_b = ec2_b.describe_tags()["Tags"]
    assert id_a not in {t["ResourceId"] for t in seen_b}
    assert {(t["ResourceId"], t["Key"], t["Value"]) for t in seen_b if t["ResourceId"] == id_b} == {(id_b, "owner", "b")}
    assert ec2_b.describe_tags(Filters=[{"Name": "resource-id", "Values": [id_a]}])["Tags"] == []
    assert ec2_b.describe_tags(Filters=[{"Name": "value", "Values": ["a"]}, {"Name": "key", "Values": ["owner"]}])[
        "Tags"] == []
    assert {t["Value"] for t in ec2_a.describe_tags(Filters=[{"Name": "key", "Values": ["owner"]}])["Tags"]} == {"a"}
    assert ec2_b.describe_key_pairs(Filters=[{"Name": "tag:owner", "Values": ["a"]}])["KeyPairs"] == []


def test_iam_users_and_keys_are_per_account(server, accounts):
    a, b = accounts
    iam_a, iam_b = client(server, "iam", a), client(server, "iam", b)
    same = unique("dana")
    user_a = iam_a.create_user(UserName=same)["User"]
    user_b = iam_b.create_user(UserName=same.upper())["User"]  # the same name, in another account: fine
    assert user_a["Arn"] == f"arn:aws:iam::{a.account}:user/{same}"
    assert user_b["Arn"] == f"arn:aws:iam::{b.account}:user/{same.upper()}"
    assert user_a["UserId"] != user_b["UserId"]
    only_b = unique("erin")
    iam_b.create_user(UserName=only_b)
    key_b = new_access_key(server, iam_b, only_b)
    key_same_b = new_access_key(server, iam_b, same)
    key_same_a = new_access_key(server, iam_a, same)

    # Lists show one's own only.
    assert only_b not in {u["UserName"] for u in iam_a.list_users()["Users"]}
    assert same.upper() not in {u["UserName"] for u in iam_a.list_users()["Users"]}
    assert {u["UserName"] for u in iam_b.list_users()["Users"]} >= {only_b, same.upper()}
    assert a.key_id not in {k["AccessKeyId"] for k in iam_b.list_access_keys()["AccessKeyMetadata"]}
    assert b.key_id not in {k["AccessKeyId"] for k in iam_a.list_access_keys()["AccessKeyMetadata"]}
    assert [k["AccessKeyId"] for k in iam_a.list_access_keys(UserName=same)["AccessKeyMetadata"]] == [key_same_a.key_id]

    # B's user does not exist for A: the same answer as for a user that exists nowhere.
    not_found = f"The user with name {only_b} cannot be found."
    expect_error(lambda: iam_a.get_user(UserName=only_b), "NoSuchEntity", 404, not_found)
    expect_error(lambda: iam_a.delete_user(UserName=only_b), "NoSuchEntity", 404, not_found)
    expect_error(lambda: iam_a.create_access_key(UserName=only_b), "NoSuchEntity", 404, not_found)
    expect_error(lambda: iam_a.list_access_keys(UserName=only_b), "NoSuchEntity", 404, not_found)
    expect_error(lambda: iam_a.update_access_key(UserName=only_b, AccessKeyId=key_b.key_id, Status="Inactive"),
                 "NoSuchEntity", 404)
    # B's key under A's same-named user: not found; B's root key likewise.
    for key_id in (key_same_b.key_id, key_b.key_id, b.key_id):
        message = f"The Access Key with id {key_id} cannot be found."
        expect_error(lambda: iam_a.update_access_key(UserName=same, AccessKeyId=key_id, Status="Inactive"),
                     "NoSuchEntity", 404, message)
        expect_error(lambda: iam_a.delete_access_key(UserName=same, AccessKeyId=key_id), "NoSuchEntity", 404, message)
        expect_error(lambda: iam_a.update_access_key(AccessKeyId=key_id, Status="Inactive"), "NoSuchEntity", 404, message)
        # GetAccessKeyLastUsed on B's keys: AccessDenied, worded exactly as for a key that does not exist.
        expect_error(lambda: iam_a.get_access_key_last_used(AccessKeyId=key_id), "AccessDenied", 403,
                     f"User: arn:aws:iam::{a.account}:root is not authorized to perform iam:GetAccessKeyLastUsed "
                     f"on resource: access key {key_id}")
    # And A's same-named user cannot be deleted by B (B's own user of that name is a different one).
    expect_error(lambda: iam_b.delete_user(UserName=same), "DeleteConflict", 409)

    # All of B's keys still work, as B's identities.
    for key, arn in ((key_b, f"arn:aws:iam::{b.account}:user/{only_b}"),
                     (key_same_b, f"arn:aws:iam::{b.account}:user/{same.upper()}"),
                     (b, f"arn:aws:iam::{b.account}:root")):
        identity = client(server, "sts", key).get_caller_identity()
        assert (identity["Account"], identity["Arn"]) == (b.account, arn)
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam_b.list_access_keys(UserName=only_b)["AccessKeyMetadata"]}
    assert statuses == {key_b.key_id: "Active"}

    # A user of A is just as confined: B's user with its own name is not its own.
    own_a = client(server, "iam", key_same_a)
    assert [k["AccessKeyId"] for k in own_a.list_access_keys()["AccessKeyMetadata"]] == [key_same_a.key_id]
    expect_error(lambda: own_a.update_access_key(AccessKeyId=key_same_b.key_id, Status="Inactive"), "NoSuchEntity", 404)
    expect_error(lambda: own_a.get_access_key_last_used(AccessKeyId=key_same_b.key_id), "AccessDenied", 403)


def test_last_used_answers_do_not_reveal_foreign_keys(server, accounts):
    """Asking about B's key, or a key nobody has, gives A the same answer, and leaves B's record as it was."""
    a, b = accounts
    iam_a, iam_b = client(server, "iam", a), client(server, "iam", b)
    user = unique("watched")
    iam_b.create_user(UserName=user)
    key = new_access_key(server, iam_b, user)
    client(server, "sts", key, "us-east-2").get_caller_identity()
    unknown = s.random_creds().key_id
    for _ in range(2):
        foreign = expect_error(lambda: iam_a.get_access_key_last_used(AccessKeyId=key.key_id), "AccessDenied", 403)
        nobody = expect_error(lambda: iam_a.get_access_key_last_used(AccessKeyId=unknown), "AccessDenied", 403)
        assert foreign["Error"]["Message"].replace(key.key_id, "K") == nobody["Error"]["Message"].replace(unknown, "K")
    used = iam_b.get_access_key_last_used(AccessKeyId=key.key_id)
    assert used["UserName"] == user
    assert (used["AccessKeyLastUsed"]["ServiceName"], used["AccessKeyLastUsed"]["Region"]) == ("sts", "us-east-2")


def test_ec2_calls_land_in_the_signers_account(server, accounts):
    """A key pair made with B's user key is impossible (no policies); with B's root it lands in B, not A."""
    a, b = accounts
    name = unique("landing")
    client(server, "ec2", b, "us-east-2").create_key_pair(KeyName=name)
    assert name in {p["KeyName"] for p in client(server, "ec2", b, "us-east-2").describe_key_pairs()["KeyPairs"]}
    assert name not in {p["KeyName"] for p in client(server, "ec2", a, "us-east-2").describe_key_pairs()["KeyPairs"]}
    # The same through the CLI with A's credentials file.
    listed = aws_json(server, "ec2", "describe-key-pairs", region="us-east-2")["KeyPairs"]
    assert name not in {p["KeyName"] for p in listed}
