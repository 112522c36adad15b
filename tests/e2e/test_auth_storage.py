"""Secrets at rest and in logs, file modes, and what survives a restart of `keyway serve`.

One server (log level trace, stdout and stderr in one log file) gets a workload that issues secrets every way there
is: the root key of the first start, CreateAccessKey through boto3 and the CLI, `keyway admin create-account` and
`create-root-key` while it runs; the keys are used for EC2, IAM, STS and a presigned URL, refused with wrong
secrets, deactivated and deleted. Then the database files (keyway.sqlite, -wal, -shm) are searched for every
secret while the server runs and after it stops, and the log for every secret outside the one first-start block
that shows the root credentials by design. Finally the server is restarted on the same data folder: users, keys,
statuses, last uses and key pairs are all there, and no new credentials are printed.
"""

from __future__ import annotations

import os
import stat
import time

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import Creds, aws_json, client, expect_error, new_access_key, unique


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The server after the workload, and what the workload made."""
    root_dir = tmp_path_factory.mktemp("auth-storage")
    data, log = root_dir / "data", root_dir / "server.log"
    server = s.start_server(data, log, log_level="trace")
    state = {"server": server, "servers": [server], "data": data, "log": log, "tmp": root_dir}
    try:
        root = s.first_start_credentials(server)
        server.root = root
        server.remember(root.secret)
        iam = client(server, "iam", root)

        # Users and keys, through boto3 and the CLI.
        user = unique("keeper")
        iam.create_user(UserName=user, Path="/ops/")
        boto_key = new_access_key(server, iam, user)
        cli_key = aws_json(server, "iam", "create-access-key", "--user-name", user)["AccessKey"]
        server.remember(cli_key["SecretAccessKey"])
        cli_key = Creds(cli_key["AccessKeyId"], cli_key["SecretAccessKey"], user=user)
        temp = unique("temp")
        iam.create_user(UserName=temp)
        temp_key = new_access_key(server, iam, temp)
        own_key = new_access_key(server, client(server, "iam", temp_key))  # a user makes its own second key

        # Other accounts and root keys, made by keyway admin while the server runs.
        other = s.admin_credentials(s.admin("create-account", "--data-dir", data))
        server.remember(other.secret)
        extra_root = s.admin_credentials(s.admin("create-root-key", "--data-dir", data, "--account", root.account))
        server.remember(extra_root.secret)

        # Use everything: EC2, IAM, STS, presigned, with right and wrong secrets.
        for creds in (root, boto_key, cli_key, temp_key, own_key, other, extra_root):
            client(server, "sts", creds, "us-west-1").get_caller_identity()
            wrong = Creds(creds.key_id, s.random_creds().secret)
            expect_error(lambda: client(server, "ec2", wrong).describe_key_pairs(), "AuthFailure", 401)
            expect_error(lambda: client(server, "sts", wrong).get_caller_identity(), "SignatureDoesNotMatch", 403)
        ec2 = client(server, "ec2", root, "eu-central-1")
        pair = ec2.create_key_pair(KeyName=unique("kept"),
                                   TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "k", "Value": "v"}]}])
        client(server, "ec2", other).create_key_pair(KeyName=unique("other"))
        expect_error(lambda: client(server, "ec2", boto_key).describe_key_pairs(), "UnauthorizedOperation", 403)
        url = client(server, "sts", cli_key).generate_presigned_url("get_caller_identity", HttpMethod="GET")
        s.success_xml(s.get(server, url))
        aws_json(server, "sts", "get-caller-identity")

        # Deactivate and delete some.
        iam.update_access_key(UserName=user, AccessKeyId=cli_key.key_id, Status="Inactive")
        iam.delete_access_key(UserName=temp, AccessKeyId=temp_key.key_id)
        client(server, "iam", own_key).delete_access_key(AccessKeyId=own_key.key_id)
        iam.delete_user(UserName=temp)
        # GetAccessKeyLastUsed writes pending uses: afterwards they are on disk.
        last_used = iam.get_access_key_last_used(AccessKeyId=boto_key.key_id)["AccessKeyLastUsed"]
        assert (last_used["ServiceName"], last_used["Region"]) == ("ec2", s.REGION), last_used

        state.update(root=root, user=user, boto_key=boto_key, cli_key=cli_key, temp=temp, temp_key=temp_key,
                     own_key=own_key, other=other, extra_root=extra_root, pair=pair, last_used=last_used)
        yield state
    finally:
        for each in state["servers"]:
            each.stop()
    found = s.leaks(state["servers"][-1])
    assert not found, f"secrets leaked: {found}"


def _all_secrets(world) -> list[str]:
    return list(dict.fromkeys(world["server"].secrets))


def test_workload_issued_distinct_wellformed_secrets(world):
    secrets = _all_secrets(world)
    assert len(secrets) == 7, secrets  # root, 2 + 1 + 1 user keys, another account's root, a second root key
    assert all(s.SECRET.match(x) for x in secrets)


def test_master_key_and_credentials_are_private(world):
    data = world["data"]
    master = data / "master.key"
    assert master.is_file(), "the master key file exists in the data folder"
    assert _mode(master) == 0o600, oct(_mode(master))
    assert _mode(data / "credentials") == 0o600, oct(_mode(data / "credentials"))
    assert s.read_credentials_file(data / "credentials") == Creds(world["root"].key_id, world["root"].secret)
    for secret in _all_secrets(world):
        assert secret.encode() not in master.read_bytes()


def test_database_files_hold_no_secret_while_running(world):
    server = world["server"]
    assert server.alive()
    files = {p.name: p.read_bytes() for p in world["data"].glob("keyway.sqlite*") if p.is_file()}
    assert "keyway.sqlite" in files, sorted(files)
    blob = b"".join(files.values())
    # Sanity: the key IDs are stored, so this is the store that holds the keys.
    for creds in (world["boto_key"], world["cli_key"], world["other"], world["extra_root"]):
        assert creds.key_id.encode() in blob, f"{creds.key_id} is not in {sorted(files)}: the wrong files?"
    found = s.leaks(server, include_log=False)
    assert not found, f"secrets in clear in the database files: {found}"


def test_log_holds_no_secret(world):
    server = world["server"]
    text = server.log_path.read_text(errors="replace")
    assert "CreateAccessKey" in text and "trace" in text, "the log should hold the trace-level request log"
    root_secret = world["root"].secret
    assert text.count(root_secret) == 1, "the root secret is printed once, in the first-start block"
    found = [f for f in s.leaks(server) if "server log" in f]
    assert not found, f"secrets in the log: {found}"


def test_restart_keeps_everything_and_prints_no_credentials(world):
    first = world["server"]
    data = world["data"]
    credentials_before = (data / "credentials").read_bytes()
    mtime_before = (data / "credentials").stat().st_mtime_ns
    assert first.stop() == 0, first.output()[-2000:]
    # At rest after a clean stop too.
    found = s.leaks(first, include_log=False)
    assert not found, f"secrets in the database files after stop: {found}"

    second = s.start_server(data, world["log"], log_level="trace")
    second.secrets = first.secrets
    second.root = first.root
    world["servers"].append(second)
    output = second.output()
    assert "Created account" not in output and "aws_secret_access_key" not in output, output[:2000]
    assert "Saved to" not in output, output[:2000]
    assert (data / "credentials").read_bytes() == credentials_before
    assert (data / "credentials").stat().st_mtime_ns == mtime_before
    assert _mode(data / "master.key") == 0o600
    listed = s.admin("list-accounts", "--data-dir", data)
    assert set(listed.out.split()) == {world["root"].account, world["other"].account}, listed.describe()

    root = world["root"]
    iam = client(second, "iam", root)
    # Users, paths, keys and their statuses.
    users = {u["UserName"]: u for u in iam.list_users()["Users"]}
    assert set(users) == {world["user"]}, users
    assert users[world["user"]]["Path"] == "/ops/"
    assert users[world["user"]]["Arn"] == f"arn:aws:iam::{root.account}:user/ops/{world['user']}"
    keys = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=world["user"])["AccessKeyMetadata"]}
    assert keys == {world["boto_key"].key_id: "Active", world["cli_key"].key_id: "Inactive"}
    root_keys = {k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]}
    assert root_keys == {root.key_id, world["extra_root"].key_id}
    expect_error(lambda: iam.get_user(UserName=world["temp"]), "NoSuchEntity", 404)

    # The last use recorded before the restart is still there.
    used = iam.get_access_key_last_used(AccessKeyId=world["boto_key"].key_id)["AccessKeyLastUsed"]
    assert used == world["last_used"], (used, world["last_used"])

    # Every key that was active still authenticates, with the same secret; the others are still refused.
    for creds, arn in ((root, f"arn:aws:iam::{root.account}:root"),
                       (world["extra_root"], f"arn:aws:iam::{root.account}:root"),
                       (world["other"], f"arn:aws:iam::{world['other'].account}:root"),
                       (world["boto_key"], users[world["user"]]["Arn"])):
        assert client(second, "sts", creds).get_caller_identity()["Arn"] == arn
    for creds in (world["cli_key"], world["temp_key"], world["own_key"]):
        expect_error(lambda: client(second, "sts", creds).get_caller_identity(), "InvalidClientTokenId", 403)
        expect_error(lambda: client(second, "ec2", creds).describe_key_pairs(), "AuthFailure", 401)
    # The CLI with the same credentials file.
    assert aws_json(second, "sts", "get-caller-identity")["Account"] == root.account

    # Key pairs and tags, per account.
    pair = world["pair"]
    described = client(second, "ec2", root, "eu-central-1").describe_key_pairs(KeyPairIds=[pair["KeyPairId"]])
    assert described["KeyPairs"][0]["KeyName"] == pair["KeyName"]
    assert described["KeyPairs"][0]["Tags"] == [{"Key": "k", "Value": "v"}]
    expect_error(lambda: client(second, "ec2", world["other"], "eu-central-1").describe_key_pairs(
        KeyPairIds=[pair["KeyPairId"]]), "InvalidKeyPair.NotFound", 400)

    # Still working after the restart: rotation goes on.
    expect_error(lambda: iam.create_access_key(UserName=world["user"]), "LimitExceeded", 409)
    iam.delete_access_key(UserName=world["user"], AccessKeyId=world["cli_key"].key_id)
    newer = new_access_key(second, iam, world["user"])
    assert client(second, "sts", newer).get_caller_identity()["Arn"] == users[world["user"]]["Arn"]
    world["server"] = second


def test_use_just_before_shutdown_is_kept(tmp_path):
    """A use recorded in memory (uses are written every few seconds) is written when the server stops on SIGTERM."""
    data, log = tmp_path / "data", tmp_path / "server.log"
    server = s.start_server(data, log, log_level="info")
    try:
        root = s.first_start_credentials(server)
        server.remember(root.secret)
        iam = client(server, "iam", root)
        user = unique("late")
        iam.create_user(UserName=user)
        key = new_access_key(server, iam, user)
        assert iam.get_access_key_last_used(AccessKeyId=key.key_id)["AccessKeyLastUsed"]["ServiceName"] == "N/A"
        before = time.time()
        client(server, "sts", key, "me-south-1").get_caller_identity()
        assert server.stop() == 0
        stopped = server.output()
        server = s.start_server(data, log, log_level="info")
        used = client(server, "iam", root).get_access_key_last_used(AccessKeyId=key.key_id)["AccessKeyLastUsed"]
        assert (used.get("ServiceName"), used.get("Region")) == ("sts", "me-south-1"), (
            f"the use made just before SIGTERM was lost: {used}\nserver output at shutdown:\n{stopped[-1500:]}")
        assert used["LastUsedDate"].timestamp() >= before - 2
    finally:
        server.stop()
    assert not s.leaks(server)
