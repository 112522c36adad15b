"""End-to-end tests of instances in `keyway serve`: RunInstances with key pairs, DescribeInstances and its filters, the
life cycle, ClientToken idempotency, GetPasswordData decrypted by the stock AWS CLI, EC2 Instance Connect errors,
DescribeImages, and the instance metadata service (IMDSv1 and IMDSv2) read by botocore's own fetcher.

One server (with its metadata service on a free port P) serves the module; every instance gets its own loopback
address 127.1.x.y, where the metadata service answers for that instance only. Logging in with `sshd` is tested in
test_ssh_login.py, which reuses the server starter of this module.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from auth_support import secret_forms
from conftest import (
    BANNER,
    KEYWAY_BIN,
    SERVER_START_TIMEOUT,
    KeywayServer,
    assert_cli_error,
    aws,
    aws_json,
    ec2_client,
    expect_client_error,
    run,
    run_ok,
    unique_name,
    write_file,
)

LINUX_IMAGE = "ami-0a1b2c3d4e5f60001"
LINUX_IMAGE_2 = "ami-0a1b2c3d4e5f60002"
WINDOWS_IMAGE = "ami-0a1b2c3d4e5f60003"
CATALOGUE = {LINUX_IMAGE, LINUX_IMAGE_2, WINDOWS_IMAGE}

STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
INSTANCE_ID = re.compile(r"^i-[0-9a-f]{17}$")
RESERVATION_ID = re.compile(r"^r-[0-9a-f]{17}$")
LOOPBACK_ADDRESS = re.compile(r"^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")
UNKNOWN_INSTANCE = "i-0123456789abcdef0"
# How many of the first instance addresses (127.1.0.1, 127.1.0.2, ...) a metadata port must be free on.
ADDRESSES_CHECKED = 64


# --------------------------------------------------------------------------------------------------
# A server with its metadata service on a port of our choosing (conftest's starter has no such option)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def instance_address(index: int) -> str:
    """The index-th instance address a fresh data folder hands out: 127.1.0.1, 127.1.0.2, ... (no .0 or .255)."""
    per_block = 254
    block, host = divmod(index, per_block)
    return f"127.1.{block}.{host + 1}"


def free_port(*, metadata: bool = False) -> int:
    """A TCP port free on 127.0.0.1 (and, for a metadata port, on the first instance addresses too)."""
    hosts = ["127.0.0.1"] + ([instance_address(i) for i in range(ADDRESSES_CHECKED)] if metadata else [])
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if all(_port_free(host, port) for host in hosts):
            return port
    pytest.fail("found no free port")


def start_instance_server(data_dir: Path, log_path: Path, *, metadata_port: int,
                          tokens_required: bool = False) -> KeywayServer:
    """`keyway serve --dev --port 0 --metadata-port P` on loopback (stdout and stderr in `log_path`); waits for
    the banner and reads the API port from it. `metadata_port=0` turns the metadata service off."""
    data_dir, log_path = Path(data_dir), Path(log_path)
    argv = [KEYWAY_BIN, "serve", "--dev", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data_dir),
            "--metadata-port", str(metadata_port)]
    if tokens_required:
        argv.append("--metadata-tokens-required")
    start = log_path.stat().st_size if log_path.exists() else 0
    log_file = open(log_path, "ab")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
    server = KeywayServer(proc, 0, data_dir, log_path, None, log_file)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        match = BANNER.search(log_path.read_bytes()[start:])
        if match:
            server.port = int(match.group(1))
            return server
        if proc.poll() is not None:
            server.stop(5)
            pytest.fail(f"keyway serve exited ({proc.returncode}) before listening\n{server.log()[-3000:]}")
        if time.monotonic() > deadline:
            server.stop(5)
            pytest.fail(f"keyway serve printed no banner in {SERVER_START_TIMEOUT}s\n{server.log()[-3000:]}")
        time.sleep(0.02)


def advance_clock(server: KeywayServer, seconds: float) -> None:
    """Moves the --dev server's clock forward (POST /_keyway/clock?advance=SECONDS)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", f"/_keyway/clock?advance={seconds}", body=b"")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, f"clock advance failed: HTTP {response.status} {body!r}"


# --------------------------------------------------------------------------------------------------
# Key pairs and instances


def create_key_pair_file(server: KeywayServer, folder: Path, key_type: str = "rsa", prefix: str = "inst") -> tuple[str, Path]:
    """`aws ec2 create-key-pair --query KeyMaterial --output text > NAME.pem` (mode 0600): (name, file)."""
    name = unique_name(f"{prefix}-{key_type}")
    result = aws(server, "ec2", "create-key-pair", "--key-name", name, "--key-type", key_type,
                 "--query", "KeyMaterial", "--output", "text")
    assert result.rc == 0, "create-key-pair failed\n" + result.describe()
    assert "PRIVATE KEY-----" in result.out, result.describe()
    path = write_file(Path(folder) / f"{name}.pem", result.out, 0o600)
    return name, path


def public_key_of(client, name: str) -> str:
    """DescribeKeyPairs' PublicKey for the key pair (IncludePublicKey=True)."""
    pairs = client.describe_key_pairs(KeyNames=[name], IncludePublicKey=True)["KeyPairs"]
    assert len(pairs) == 1 and pairs[0].get("PublicKey"), pairs
    return pairs[0]["PublicKey"]


def launch(client, *, image: str = LINUX_IMAGE, key: str | None = None, count: int = 1, **extra) -> list[dict]:
    params = {"ImageId": image, "MinCount": count, "MaxCount": count, **extra}
    if key is not None:
        params["KeyName"] = key
    instances = client.run_instances(**params)["Instances"]
    assert len(instances) == count, instances
    return instances


def describe(client, **params) -> dict[str, dict]:
    """DescribeInstances flattened: {instance id: instance}."""
    found = {}
    for reservation in client.describe_instances(**params)["Reservations"]:
        for instance in reservation["Instances"]:
            found[instance["InstanceId"]] = instance
    return found


def ids_matching(client, *filters: tuple[str, list[str]], ids: list[str] | None = None) -> set[str]:
    params = {"Filters": [{"Name": name, "Values": values} for name, values in filters]}
    if ids:
        params["InstanceIds"] = ids
    return set(describe(client, **params))


def state_of(client, instance_id: str) -> dict:
    return describe(client, InstanceIds=[instance_id])[instance_id]["State"]


def state(name: str) -> dict:
    return {"Code": STATE_CODES[name], "Name": name}


# --------------------------------------------------------------------------------------------------
# The instance metadata service


def imds(ip: str, port: int, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, str]:
    """One raw HTTP request to an instance's metadata address: (status, body)."""
    connection = http.client.HTTPConnection(ip, port, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def imds_token(ip: str, port: int, ttl: str = "21600") -> str:
    status, body = imds(ip, port, "/latest/api/token", "PUT", {"X-aws-ec2-metadata-token-ttl-seconds": ttl})
    assert status == 200 and body, f"PUT /latest/api/token: HTTP {status} {body!r}"
    return body


def botocore_fetcher(monkeypatch, ip: str, port: int, fetcher_class=None):
    """botocore's own IMDS client, pointed at the instance the way a user would: AWS_EC2_METADATA_SERVICE_ENDPOINT,
    read through the session's configuration chain (as botocore's credential resolver does)."""
    import botocore.session
    from botocore.utils import InstanceMetadataFetcher

    endpoint = f"http://{ip}:{port}/"
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")  # conftest disables IMDS for the API clients
    session = botocore.session.Session()
    config = {
        "ec2_metadata_service_endpoint": session.get_config_variable("ec2_metadata_service_endpoint"),
        "ec2_metadata_v1_disabled": session.get_config_variable("ec2_metadata_v1_disabled"),
    }
    fetcher = (fetcher_class or InstanceMetadataFetcher)(timeout=2, num_attempts=1, config=config)
    assert fetcher.get_base_url() == endpoint
    return fetcher


def fetch(fetcher, path: str, token: str | None) -> str:
    """A GET through botocore's fetcher (path relative to the endpoint); raises when it gets no 200."""
    response = fetcher._get_request(path, None, token)
    assert response.status_code == 200, (response.status_code, response.text)
    return response.text


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_isolation):
    root = tmp_path_factory.mktemp("instances")
    port = free_port(metadata=True)
    server = start_instance_server(root / "data", root / "server.log", metadata_port=port)
    server.metadata_port = port
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server):
    return ec2_client(server)


# ==================================================================================================
# DescribeImages


def test_describe_images_lists_the_catalogue(server, client):
    images = {image["ImageId"]: image for image in client.describe_images()["Images"]}
    assert set(images) == CATALOGUE
    for image_id, image in images.items():
        assert image["State"] == "available" and image["Name"], image
        assert image.get("Platform") == ("windows" if image_id == WINDOWS_IMAGE else None), image
    assert images[WINDOWS_IMAGE]["PlatformDetails"] == "Windows"
    assert images[LINUX_IMAGE]["PlatformDetails"] == "Linux/UNIX"

    via_cli = aws_json(server, "ec2", "describe-images")
    assert {image["ImageId"] for image in via_cli["Images"]} == CATALOGUE
    windows = client.describe_images(Filters=[{"Name": "platform", "Values": ["windows"]}])["Images"]
    assert [image["ImageId"] for image in windows] == [WINDOWS_IMAGE]
    assert [i["ImageId"] for i in client.describe_images(ImageIds=[LINUX_IMAGE_2])["Images"]] == [LINUX_IMAGE_2]
    assert_cli_error(
        aws(server, "ec2", "describe-images", "--image-ids", "ami-0123456789abcdef0"),
        "InvalidAMIID.NotFound", "DescribeImages",
    )


# ==================================================================================================
# RunInstances


def test_run_instances_with_a_missing_key_pair(server, client):
    missing = unique_name("missing")
    result = aws(server, "ec2", "run-instances", "--image-id", LINUX_IMAGE, "--count", "1", "--key-name", missing)
    assert_cli_error(result, "InvalidKeyPair.NotFound", "RunInstances", f"The key pair '{missing}' does not exist")
    expect_client_error(
        lambda: launch(client, key=missing), "InvalidKeyPair.NotFound", message=f"The key pair '{missing}' does not exist"
    )
    assert ids_matching(client, ("key-name", [missing])) == set()


def test_run_instances_refuses_an_ed25519_key_on_windows(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "ed25519")
    result = aws(server, "ec2", "run-instances", "--image-id", WINDOWS_IMAGE, "--count", "1", "--key-name", name)
    message = assert_cli_error(result, "InvalidParameterCombination", "RunInstances")
    assert "ed25519" in message.lower(), result.describe()
    expect_client_error(lambda: launch(client, image=WINDOWS_IMAGE, key=name), "InvalidParameterCombination")
    assert ids_matching(client, ("key-name", [name])) == set(), "a refused launch leaves no instance behind"
    # The same key pair is fine on a Linux image.
    (linux,) = launch(client, key=name)
    assert linux["KeyName"] == name and "Platform" not in linux


def test_run_instances_with_an_unknown_image(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "rsa")
    result = aws(server, "ec2", "run-instances", "--image-id", "ami-0123456789abcdef0", "--count", "1",
                 "--key-name", name)
    assert_cli_error(result, "InvalidAMIID.NotFound", "RunInstances",
                     "The image id '[ami-0123456789abcdef0]' does not exist")
    expect_client_error(lambda: launch(client, image="ami-0fedcba9876543210", key=name), "InvalidAMIID.NotFound")
    assert ids_matching(client, ("key-name", [name])) == set()


def test_run_instances_answers_pending_and_describe_shows_running(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "rsa")
    response = client.run_instances(ImageId=LINUX_IMAGE_2, MinCount=2, MaxCount=2, KeyName=name, InstanceType="t3.micro")
    assert RESERVATION_ID.match(response["ReservationId"]), response
    launched = response["Instances"]
    assert len(launched) == 2
    assert sorted(i["AmiLaunchIndex"] for i in launched) == [0, 1]
    addresses = set()
    for instance in launched:
        assert INSTANCE_ID.match(instance["InstanceId"]), instance
        assert instance["State"] == state("pending"), instance
        assert instance["KeyName"] == name and instance["ImageId"] == LINUX_IMAGE_2
        assert instance["InstanceType"] == "t3.micro"
        match = LOOPBACK_ADDRESS.match(instance["PrivateIpAddress"])
        assert match and match.group(1) == "1", f"each instance gets a 127.1.x.y address: {instance}"
        addresses.add(instance["PrivateIpAddress"])
    assert len(addresses) == 2, "each instance has its own address"

    ids = [i["InstanceId"] for i in launched]
    reservations = client.describe_instances(InstanceIds=ids)["Reservations"]
    assert len(reservations) == 1 and reservations[0]["ReservationId"] == response["ReservationId"]
    for instance in reservations[0]["Instances"]:
        assert instance["State"] == state("running"), instance
        assert instance["KeyName"] == name
        assert instance["PrivateIpAddress"] in addresses

    via_cli = aws_json(server, "ec2", "describe-instances", "--filters", f"Name=key-name,Values={name}")
    assert {i["InstanceId"] for r in via_cli["Reservations"] for i in r["Instances"]} == set(ids)
    assert {i["KeyName"] for r in via_cli["Reservations"] for i in r["Instances"]} == {name}


# ==================================================================================================
# DescribeInstances filters


def test_describe_instances_filters(server, client, tmp_path):
    prefix = f"flt{uuid.uuid4().hex[:8]}"
    key_a, _ = create_key_pair_file(server, tmp_path, "rsa", prefix=prefix)
    key_b, _ = create_key_pair_file(server, tmp_path, "ed25519", prefix=prefix)
    (linux_a,) = launch(client, key=key_a)
    (windows_a,) = launch(client, image=WINDOWS_IMAGE, key=key_a)
    (linux_b,) = launch(client, image=LINUX_IMAGE_2, key=key_b)
    (keyless,) = launch(client)
    la, wa, lb, nk = (i["InstanceId"] for i in (linux_a, windows_a, linux_b, keyless))

    # key-name: exact names, several values (OR), wildcards; instances launched without a key never match.
    assert ids_matching(client, ("key-name", [key_a])) == {la, wa}
    assert ids_matching(client, ("key-name", [key_b])) == {lb}
    assert ids_matching(client, ("key-name", [key_a, key_b])) == {la, wa, lb}
    assert ids_matching(client, ("key-name", [f"{prefix}-*"])) == {la, wa, lb}
    assert ids_matching(client, ("key-name", [f"{prefix}-ed25519-*"])) == {lb}
    assert ids_matching(client, ("key-name", [key_a.upper()])) == set(), "filter values are case-sensitive"
    assert ids_matching(client, ("key-name", [unique_name("nobody")])) == set()
    assert client.describe_instances(Filters=[{"Name": "key-name", "Values": [unique_name("x")]}])["Reservations"] == []
    described = describe(client, InstanceIds=[nk])
    assert "KeyName" not in described[nk], "an instance launched without a key pair shows no KeyName"

    # Several filters: AND; platform only knows windows.
    assert ids_matching(client, ("key-name", [key_a]), ("platform", ["windows"])) == {wa}
    assert ids_matching(client, ("key-name", [key_b]), ("platform", ["windows"])) == set()
    assert ids_matching(client, ("key-name", [key_a, key_b]), ("instance-id", [la, lb, nk])) == {la, lb}
    assert ids_matching(client, ("instance-id", [nk])) == {nk}
    assert ids_matching(client, ("key-name", [key_b]), ids=[la]) == set(), "InstanceIds and filters both apply"
    assert ids_matching(client, ("key-name", [key_a]), ids=[la, lb]) == {la}

    # instance-state-name follows the life cycle.
    client.stop_instances(InstanceIds=[la])
    assert ids_matching(client, ("key-name", [key_a]), ("instance-state-name", ["stopped"])) == {la}
    assert ids_matching(client, ("key-name", [key_a]), ("instance-state-name", ["running"])) == {wa}
    assert ids_matching(client, ("key-name", [key_a, key_b]), ("instance-state-name", ["running", "stopped"])) == {
        la, wa, lb}
    client.terminate_instances(InstanceIds=[lb])
    assert ids_matching(client, ("key-name", [key_b]), ("instance-state-name", ["terminated"])) == {lb}
    assert ids_matching(client, ("key-name", [key_b]), ("instance-state-name", ["running"])) == set()

    # The CLI's shorthand works the same way.
    via_cli = aws_json(server, "ec2", "describe-instances", "--filters", f"Name=key-name,Values={key_a}",
                       "Name=platform,Values=windows", "--query", "Reservations[].Instances[].InstanceId")
    assert via_cli == [wa]

    expect_client_error(
        lambda: client.describe_instances(Filters=[{"Name": "key-nme", "Values": [key_a]}]), "InvalidParameterValue",
        message="The filter 'key-nme' is invalid",
    )


# ==================================================================================================
# Life cycle


def test_start_stop_terminate_transitions(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "rsa")
    (instance,) = launch(client, key=name)
    iid = instance["InstanceId"]
    assert instance["State"] == state("pending")
    assert state_of(client, iid) == state("running")

    def only(response, key):
        (item,) = response[key]
        assert item["InstanceId"] == iid
        return item["PreviousState"], item["CurrentState"]

    assert only(client.stop_instances(InstanceIds=[iid]), "StoppingInstances") == (state("running"), state("stopping"))
    assert state_of(client, iid) == state("stopped")
    assert only(client.stop_instances(InstanceIds=[iid]), "StoppingInstances") == (state("stopped"), state("stopped"))

    assert only(client.start_instances(InstanceIds=[iid]), "StartingInstances") == (state("stopped"), state("pending"))
    assert state_of(client, iid) == state("running")
    assert only(client.start_instances(InstanceIds=[iid]), "StartingInstances") == (state("running"), state("running"))

    # The AWS CLI prints the same transitions.
    stopped = aws_json(server, "ec2", "stop-instances", "--instance-ids", iid)
    assert stopped["StoppingInstances"] == [
        {"InstanceId": iid, "CurrentState": state("stopping"), "PreviousState": state("running")}
    ]
    started = aws_json(server, "ec2", "start-instances", "--instance-ids", iid)
    assert started["StartingInstances"] == [
        {"InstanceId": iid, "CurrentState": state("pending"), "PreviousState": state("stopped")}
    ]

    terminated = only(client.terminate_instances(InstanceIds=[iid]), "TerminatingInstances")
    assert terminated == (state("running"), state("shutting-down"))
    assert state_of(client, iid) == state("terminated")
    again = only(client.terminate_instances(InstanceIds=[iid]), "TerminatingInstances")
    assert again == (state("terminated"), state("terminated"))
    expect_client_error(lambda: client.start_instances(InstanceIds=[iid]), "IncorrectInstanceState")
    expect_client_error(lambda: client.stop_instances(InstanceIds=[iid]), "IncorrectInstanceState")
    assert state_of(client, iid) == state("terminated")
    described = describe(client, InstanceIds=[iid])[iid]
    assert described["KeyName"] == name, "the launch key name stays on a terminated instance"

    # Terminating a stopped instance goes through shutting-down as well.
    (other,) = launch(client, key=name)
    client.stop_instances(InstanceIds=[other["InstanceId"]])
    (item,) = client.terminate_instances(InstanceIds=[other["InstanceId"]])["TerminatingInstances"]
    assert (item["PreviousState"], item["CurrentState"]) == (state("stopped"), state("shutting-down"))


def test_a_call_naming_an_unknown_instance_changes_nothing(server, client):
    (instance,) = launch(client)
    iid = instance["InstanceId"]
    expect_client_error(
        lambda: client.stop_instances(InstanceIds=[iid, UNKNOWN_INSTANCE]), "InvalidInstanceID.NotFound",
        message=f"The instance ID '{UNKNOWN_INSTANCE}' does not exist",
    )
    assert state_of(client, iid) == state("running"), "the known instance was not stopped either"


def test_unknown_instance_id(server, client):
    message = f"The instance ID '{UNKNOWN_INSTANCE}' does not exist"
    for call in (
        lambda: client.describe_instances(InstanceIds=[UNKNOWN_INSTANCE]),
        lambda: client.start_instances(InstanceIds=[UNKNOWN_INSTANCE]),
        lambda: client.stop_instances(InstanceIds=[UNKNOWN_INSTANCE]),
        lambda: client.terminate_instances(InstanceIds=[UNKNOWN_INSTANCE]),
        lambda: client.get_password_data(InstanceId=UNKNOWN_INSTANCE),
    ):
        expect_client_error(call, "InvalidInstanceID.NotFound", message=message)
    assert_cli_error(aws(server, "ec2", "describe-instances", "--instance-ids", UNKNOWN_INSTANCE),
                     "InvalidInstanceID.NotFound", "DescribeInstances", message)
    assert_cli_error(aws(server, "ec2", "get-password-data", "--instance-id", UNKNOWN_INSTANCE),
                     "InvalidInstanceID.NotFound", "GetPasswordData", message)


# ==================================================================================================
# ClientToken


def test_client_token_idempotency(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "rsa")
    token = f"token-{uuid.uuid4().hex}"
    first = client.run_instances(ImageId=LINUX_IMAGE, MinCount=2, MaxCount=2, KeyName=name, ClientToken=token)
    second = client.run_instances(ImageId=LINUX_IMAGE, MinCount=2, MaxCount=2, KeyName=name, ClientToken=token)
    first_ids = sorted(i["InstanceId"] for i in first["Instances"])
    assert sorted(i["InstanceId"] for i in second["Instances"]) == first_ids
    assert second["ReservationId"] == first["ReservationId"]
    via_cli = aws_json(server, "ec2", "run-instances", "--image-id", LINUX_IMAGE, "--count", "2", "--key-name", name,
                       "--client-token", token)
    assert sorted(i["InstanceId"] for i in via_cli["Instances"]) == first_ids
    assert ids_matching(client, ("key-name", [name])) == set(first_ids), "the repeats launched nothing"
    assert {i["ClientToken"] for i in describe(client, InstanceIds=first_ids).values()} == {token}

    other = client.run_instances(ImageId=LINUX_IMAGE, MinCount=1, MaxCount=1, KeyName=name,
                                 ClientToken=f"token-{uuid.uuid4().hex}")
    assert other["Instances"][0]["InstanceId"] not in first_ids
    without = [launch(client, key=name)[0]["InstanceId"] for _ in range(2)]
    assert len(set(without)) == 2, "without a token every call launches"
    assert len(ids_matching(client, ("key-name", [name]))) == 5


# ==================================================================================================
# GetPasswordData


def test_get_password_data_windows_decrypts_with_the_cli(server, client, tmp_path):
    name, pem = create_key_pair_file(server, tmp_path, "rsa")
    assert "BEGIN RSA PRIVATE KEY" in pem.read_text(), "the CLI decrypts with PKCS#1 PEM files only"
    instances = launch(client, image=WINDOWS_IMAGE, key=name, count=2)
    iid, second = instances[0]["InstanceId"], instances[1]["InstanceId"]
    assert instances[0]["Platform"] == "windows"

    decrypted = aws_json(server, "ec2", "get-password-data", "--instance-id", iid, "--priv-launch-key", str(pem))
    assert decrypted["InstanceId"] == iid
    password = decrypted["PasswordData"]
    assert password and password.strip() == password and len(password) >= 8, decrypted

    # Without the key the CLI shows the ciphertext: base64 of one RSA block that openssl decrypts the same way.
    raw = aws_json(server, "ec2", "get-password-data", "--instance-id", iid)
    ciphertext = base64.b64decode(raw["PasswordData"])
    assert len(ciphertext) == 256, "RSA-2048 PKCS#1 v1.5 ciphertext"
    blob = write_file(tmp_path / "password.bin", ciphertext)
    plain = run_ok(["openssl", "pkeyutl", "-decrypt", "-inkey", pem, "-in", blob,
                    "-pkeyopt", "rsa_padding_mode:pkcs1"]).stdout_bytes
    assert plain.decode() == password
    assert client.get_password_data(InstanceId=iid)["PasswordData"].strip() == raw["PasswordData"].strip()

    other = aws_json(server, "ec2", "get-password-data", "--instance-id", second, "--priv-launch-key", str(pem))
    assert other["PasswordData"] and other["PasswordData"] != password, "each instance has its own password"

    # Another RSA key cannot decrypt it.
    _, wrong = create_key_pair_file(server, tmp_path, "rsa")
    refused = aws(server, "ec2", "get-password-data", "--instance-id", iid, "--priv-launch-key", wrong)
    assert refused.rc != 0 and "Unable to decrypt password data using provided private key file." in refused.err, (
        refused.describe())

    # The plaintext password is stored nowhere: not in any file of the data folder, nor in the server's output.
    files = sorted(p for p in server.data_dir.rglob("*") if p.is_file()) + [server.log_path]
    assert any(p.name.startswith("keyway.sqlite") for p in files), files
    for secret in (password, other["PasswordData"]):
        for path in files:
            data = path.read_bytes()
            for form in secret_forms(secret):
                assert form not in data, f"the plaintext password shows in {path} (as {form[:6]!r}...)"


def test_get_password_data_linux_is_empty(server, client, tmp_path):
    name, pem = create_key_pair_file(server, tmp_path, "rsa")
    (instance,) = launch(client, key=name)
    iid = instance["InstanceId"]
    plain = aws_json(server, "ec2", "get-password-data", "--instance-id", iid)
    assert plain["InstanceId"] == iid and plain["PasswordData"] == ""
    with_key = aws_json(server, "ec2", "get-password-data", "--instance-id", iid, "--priv-launch-key", str(pem))
    assert with_key["PasswordData"] == ""
    assert client.get_password_data(InstanceId=iid)["PasswordData"] == ""


# ==================================================================================================
# EC2 Instance Connect errors


def test_instance_connect_errors(server, client, tmp_path):
    import boto3
    from botocore.config import Config

    key = tmp_path / "pushed"
    run_ok(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pushed@e2e", "-f", key])
    pub = key.with_suffix(".pub")

    def send(instance_id: str):
        return aws(server, "ec2-instance-connect", "send-ssh-public-key", "--instance-id", instance_id,
                   "--instance-os-user", "root", "--ssh-public-key", f"file://{pub}")

    assert_cli_error(send(UNKNOWN_INSTANCE), "EC2InstanceNotFoundException", "SendSSHPublicKey")

    (instance,) = launch(client)
    iid = instance["InstanceId"]
    ok = send(iid)
    assert ok.rc == 0, ok.describe()
    answer = json.loads(ok.out)
    assert answer["Success"] is True and answer["RequestId"], answer

    connect = boto3.session.Session(region_name="us-east-1").client(
        "ec2-instance-connect", endpoint_url=server.endpoint, config=Config(retries={"max_attempts": 1}))
    response = connect.send_ssh_public_key(InstanceId=iid, InstanceOSUser="root", SSHPublicKey=pub.read_text())
    assert response["Success"] is True
    expect_client_error(
        lambda: connect.send_ssh_public_key(InstanceId=UNKNOWN_INSTANCE, InstanceOSUser="root",
                                            SSHPublicKey=pub.read_text()),
        "EC2InstanceNotFoundException",
    )

    client.stop_instances(InstanceIds=[iid])
    assert_cli_error(send(iid), "EC2InstanceStateInvalidException", "SendSSHPublicKey")
    client.terminate_instances(InstanceIds=[iid])
    assert_cli_error(send(iid), "EC2InstanceNotFoundException", "SendSSHPublicKey")


# ==================================================================================================
# Instance metadata service


def test_metadata_serves_each_instance_its_own_launch_key(server, client, tmp_path, monkeypatch):
    rsa_name, _ = create_key_pair_file(server, tmp_path, "rsa")
    ed_name, _ = create_key_pair_file(server, tmp_path, "ed25519")
    (rsa_instance,) = launch(client, key=rsa_name)
    (ed_instance,) = launch(client, image=LINUX_IMAGE_2, key=ed_name)
    port = server.metadata_port
    expected = {rsa_name: public_key_of(client, rsa_name).strip(), ed_name: public_key_of(client, ed_name).strip()}
    assert expected[rsa_name].startswith("ssh-rsa ") and expected[ed_name].startswith("ssh-ed25519 ")

    for instance, name in ((rsa_instance, rsa_name), (ed_instance, ed_name)):
        ip = instance["PrivateIpAddress"]
        fetcher = botocore_fetcher(monkeypatch, ip, port)
        token = fetcher._fetch_metadata_token()
        assert token, "botocore got an IMDSv2 token"
        for used in (None, token):  # IMDSv1 and IMDSv2
            line = fetch(fetcher, "latest/meta-data/public-keys/0/openssh-key", used)
            assert line.rstrip("\n") == expected[name], f"{ip} should serve the key of {name}"
            assert fetch(fetcher, "latest/meta-data/public-keys/", used).strip() == f"0={name}"
            assert fetch(fetcher, "latest/meta-data/public-keys/0/", used).strip() == "openssh-key"
            assert fetch(fetcher, "latest/meta-data/instance-id", used) == instance["InstanceId"]
            assert fetch(fetcher, "latest/meta-data/local-ipv4", used) == ip
        listing = fetch(fetcher, "latest/meta-data/", token).split("\n")
        assert "public-keys/" in listing and "instance-id" in listing

    # The same through plain HTTP, and a token is good only at the address that issued it.
    rsa_ip, ed_ip = rsa_instance["PrivateIpAddress"], ed_instance["PrivateIpAddress"]
    assert rsa_ip != ed_ip
    assert imds(ed_ip, port, "/latest/meta-data/public-keys/0/openssh-key")[1].rstrip("\n") == expected[ed_name]
    rsa_token = imds_token(rsa_ip, port)
    assert imds(ed_ip, port, "/latest/meta-data/instance-id", headers={"X-aws-ec2-metadata-token": rsa_token})[0] == 401


def test_botocore_region_fetcher_reads_the_instance_placement(server, client, monkeypatch):
    from botocore.utils import InstanceMetadataRegionFetcher

    (instance,) = launch(client)
    ip, port = instance["PrivateIpAddress"], server.metadata_port
    assert imds(ip, port, "/latest/meta-data/placement/availability-zone") == (200, "us-east-1a")
    # botocore asks for the item with a trailing slash (latest/meta-data/placement/availability-zone/), which EC2's
    # metadata service answers like the item itself; None here means the server answered that path with no 200.
    fetcher = botocore_fetcher(monkeypatch, ip, port, InstanceMetadataRegionFetcher)
    assert fetcher.retrieve_region() == "us-east-1", (
        "GET /latest/meta-data/placement/availability-zone/ answered "
        f"{imds(ip, port, '/latest/meta-data/placement/availability-zone/')}")


def test_imdsv2_token_errors(server, client):
    (instance,) = launch(client)
    ip, port = instance["PrivateIpAddress"], server.metadata_port
    ttl = "X-aws-ec2-metadata-token-ttl-seconds"
    key_path = "/latest/meta-data/instance-id"

    assert imds(ip, port, "/latest/api/token", "PUT")[0] == 400, "PUT without a TTL"
    for bad in ("0", "21601", "-1", "abc", ""):
        assert imds(ip, port, "/latest/api/token", "PUT", {ttl: bad})[0] == 400, f"TTL {bad!r}"
    assert imds(ip, port, "/latest/api/token", "PUT", {ttl: "1"})[0] == 200
    assert imds(ip, port, "/latest/api/token", "PUT", {ttl: "21600"})[0] == 200
    assert imds(ip, port, "/latest/api/token", "PUT", {ttl: "60", "X-Forwarded-For": "203.0.113.7"})[0] == 403
    assert imds(ip, port, "/2021-03-23/api/token", "PUT", {ttl: "60"})[0] == 403

    token = imds_token(ip, port)
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": token}) == (200, instance["InstanceId"])
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": token + "0"})[0] == 401
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": "not-a-token"})[0] == 401
    assert imds(ip, port, key_path) == (200, instance["InstanceId"]), "tokens are optional by default"
    assert imds(ip, port, "/latest/meta-data/no-such-item")[0] == 404
    assert imds(ip, port, "/latest/meta-data/no-such-item", headers={"X-aws-ec2-metadata-token": token})[0] == 404
    assert imds(ip, port, "/latest/meta-data/public-keys/1/openssh-key")[0] == 404

    # A token expires after its TTL (the dev clock is moved instead of waiting).
    short = imds_token(ip, port, "5")
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": short})[0] == 200
    advance_clock(server, 6)
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": short})[0] == 401
    assert imds(ip, port, key_path, headers={"X-aws-ec2-metadata-token": token})[0] == 200


def test_metadata_of_an_instance_without_a_key_pair(server, client):
    (instance,) = launch(client)
    ip, port = instance["PrivateIpAddress"], server.metadata_port
    assert imds(ip, port, "/latest/meta-data/instance-id") == (200, instance["InstanceId"])
    assert imds(ip, port, "/latest/meta-data/public-keys/")[0] == 404
    assert imds(ip, port, "/latest/meta-data/public-keys/0/openssh-key")[0] == 404
    assert "public-keys/" not in imds(ip, port, "/latest/meta-data/")[1].split("\n")


def test_metadata_keeps_the_launch_key_after_delete_and_recovery(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "ed25519")
    launch_line = public_key_of(client, name).strip()
    (instance,) = launch(client, key=name)
    ip, port, iid = instance["PrivateIpAddress"], server.metadata_port, instance["InstanceId"]
    path = "/latest/meta-data/public-keys/0/openssh-key"
    assert imds(ip, port, path)[1].rstrip("\n") == launch_line

    client.delete_key_pair(KeyName=name)
    assert imds(ip, port, path)[0] == 200
    assert imds(ip, port, path)[1].rstrip("\n") == launch_line, "deleting the key pair does not change the metadata"
    assert imds(ip, port, "/latest/meta-data/public-keys/")[1].strip() == f"0={name}"
    assert describe(client, InstanceIds=[iid])[iid]["KeyName"] == name
    assert ids_matching(client, ("key-name", [name])) == {iid}

    new_key = tmp_path / "recovery"
    run_ok(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "recovery@e2e", "-f", new_key])
    recovered = run([KEYWAY_BIN, "admin", "replace-authorized-keys", "--data-dir", server.data_dir,
                     "--instance-id", iid, "--public-key", new_key.with_suffix(".pub")])
    assert recovered.rc == 0, recovered.describe()
    token = imds_token(ip, port)
    assert imds(ip, port, path, headers={"X-aws-ec2-metadata-token": token})[1].rstrip("\n") == launch_line, (
        "the recovery does not change the launch key the metadata shows")
    assert describe(client, InstanceIds=[iid])[iid]["KeyName"] == name

    # The keys an SSH server is told to let in did change.
    allowed = run([KEYWAY_BIN, "authorized-keys", "--endpoint", server.endpoint, "--instance-id", iid, "ec2-user"])
    assert allowed.rc == 0, allowed.describe()
    new_fields = new_key.with_suffix(".pub").read_text().split()[:2]
    assert [line.split()[:2] for line in allowed.out.splitlines()] == [new_fields]


def test_metadata_follows_the_instance_state(server, client, tmp_path):
    name, _ = create_key_pair_file(server, tmp_path, "rsa")
    (instance,) = launch(client, key=name)
    ip, port, iid = instance["PrivateIpAddress"], server.metadata_port, instance["InstanceId"]
    assert imds(ip, port, "/latest/meta-data/instance-id") == (200, iid)
    client.stop_instances(InstanceIds=[iid])
    with pytest.raises(OSError):
        imds(ip, port, "/latest/meta-data/instance-id")
    client.start_instances(InstanceIds=[iid])
    assert imds(ip, port, "/latest/meta-data/instance-id") == (200, iid)
    assert imds(ip, port, "/latest/meta-data/public-keys/0/openssh-key")[1].rstrip("\n") == public_key_of(
        client, name).strip()
    client.terminate_instances(InstanceIds=[iid])
    with pytest.raises(OSError):
        imds(ip, port, "/latest/meta-data/instance-id")


def test_metadata_tokens_required(tmp_path, aws_isolation, monkeypatch):
    from botocore.utils import _RetriesExceededError

    port = free_port(metadata=True)
    strict = start_instance_server(tmp_path / "data", tmp_path / "server.log", metadata_port=port,
                                   tokens_required=True)
    try:
        client = ec2_client(strict)
        name, _ = create_key_pair_file(strict, tmp_path, "rsa")
        (instance,) = launch(client, key=name)
        ip = instance["PrivateIpAddress"]
        path = "/latest/meta-data/public-keys/0/openssh-key"
        expected = public_key_of(client, name).strip()

        assert imds(ip, port, path)[0] == 401, "a token-less GET is refused when tokens are required"
        assert imds(ip, port, "/latest/meta-data/")[0] == 401
        token = imds_token(ip, port)
        status, body = imds(ip, port, path, headers={"X-aws-ec2-metadata-token": token})
        assert status == 200 and body.rstrip("\n") == expected
        assert imds(ip, port, path, headers={"X-aws-ec2-metadata-token": "bogus"})[0] == 401

        fetcher = botocore_fetcher(monkeypatch, ip, port)
        botocore_token = fetcher._fetch_metadata_token()
        assert botocore_token
        assert fetch(fetcher, path.lstrip("/"), botocore_token).rstrip("\n") == expected
        with pytest.raises(_RetriesExceededError):
            fetcher._get_request(path.lstrip("/"), None, None)
    finally:
        strict.stop()
