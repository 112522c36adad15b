"""End-to-end: the hardening of issue 13, through real clients and raw HTTP.

Requests that once killed the server (an RFC 4716 header line `:`, an OpenSSH private key with 256+ padding bytes,
`advance=nan` on the dev clock) are refused and the server lives on; requests are bounded before they are read
(body by Content-Length, parameter count, in-flight requests with AWS's throttling answers); malformed IDs get
EC2's `…Malformed` codes; DescribeInstances pages for boto3's paginator; the instance quota answers
`InstanceLimitExceeded`; the metadata service has `mac`, `security-groups` and the `network/interfaces/macs/` tree;
first-start credentials are shown even when the file cannot be written; request strings cannot forge log lines.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import (
    AWS_ENVIRONMENT,
    KEYWAY_BIN,
    ec2_client,
    expect_client_error,
    form,
    parse_ec2_error,
    raw_request,
    start_keyway_server,
    unique_name,
)
from test_instances import LINUX_IMAGE, free_port, imds, launch, start_instance_server

# --------------------------------------------------------------------------------------------------
# Inputs that crashed the server


def rfc4716_with_colon_header() -> bytes:
    return b"---- BEGIN SSH2 PUBLIC KEY ----\n:\n---- END SSH2 PUBLIC KEY ----\n"


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def openssh_private_key_with_long_padding(padding: int = 300) -> bytes:
    """An unencrypted `openssh-key-v1` Ed25519 key that is well-formed but for `padding` bytes of padding (OpenSSH
    writes fewer than 8); 256 and more once made a parser trap."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    blob = ssh_string(b"ssh-ed25519") + ssh_string(public)
    secret = struct.pack(">II", 7, 7) + ssh_string(b"ssh-ed25519") + ssh_string(public) + ssh_string(seed + public)
    secret += ssh_string(b"padded")
    padding += (8 - (len(secret) + padding) % 8) % 8
    secret += bytes((i + 1) & 0xFF for i in range(padding))
    body = b"openssh-key-v1\0" + ssh_string(b"none") + ssh_string(b"none") + ssh_string(b"") + struct.pack(">I", 1)
    body += ssh_string(blob) + ssh_string(secret)
    encoded = base64.b64encode(body).decode()
    lines = [encoded[i:i + 70] for i in range(0, len(encoded), 70)]
    return ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END OPENSSH PRIVATE KEY-----\n").encode()


def self_signed_certificate() -> str:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hardening.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


CRASHERS = {
    "rfc4716-colon-header": rfc4716_with_colon_header,
    "openssh-private-long-padding": openssh_private_key_with_long_padding,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_isolation):
    root = tmp_path_factory.mktemp("hardening")
    server = start_keyway_server(root / "data", log_path=root / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server):
    return ec2_client(server)


def iam_raw(server, body: str, method: str = "POST") -> tuple[int, bytes]:
    """An IAM Query request signed for `iam` with the dummy credentials (the --dev server's root)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"{server.endpoint}/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"], AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"]), "iam",
              "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, "/", body=body.encode(), headers=dict(request.headers.items()))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def iam_error(body: bytes) -> tuple[str, str]:
    root = ET.fromstring(body)
    ns = {"i": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
    prefix = "i:" if ns else ""
    code = root.find(f"{prefix}Error/{prefix}Code", ns)
    message = root.find(f"{prefix}Error/{prefix}Message", ns)
    assert root.tag.endswith("ErrorResponse") and code is not None and message is not None, body
    return code.text, message.text


@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_inputs_that_crashed_the_server_are_refused(server, client, case):
    material = CRASHERS[case]()
    name = unique_name(case)
    expect_client_error(lambda: client.import_key_pair(KeyName=name, PublicKeyMaterial=material), "InvalidKey.Format")
    assert server.alive(), server.log()[-3000:]

    iam_raw(server, form(Action="CreateUser", Version="2010-05-08", UserName=name))
    status, body = iam_raw(server, form(Action="UploadSSHPublicKey", Version="2010-05-08", UserName=name,
                                        SSHPublicKeyBody=material.decode()))
    assert 400 <= status < 500, body
    assert iam_error(body)[0] in ("UnrecognizedPublicKeyEncoding", "InvalidPublicKey"), body
    assert server.alive(), server.log()[-3000:]

    # As the certificate, and as the private key of a valid certificate.
    for certificate in [material.decode(), self_signed_certificate()]:
        status, body = iam_raw(server, form(Action="UploadServerCertificate", Version="2010-05-08",
                                            ServerCertificateName=name, CertificateBody=certificate,
                                            PrivateKey=material.decode()))
        assert 400 <= status < 500, body
        assert iam_error(body)[0] in ("MalformedCertificate", "KeyPairMismatch"), body
    assert server.alive(), server.log()[-3000:]
    client.describe_key_pairs()


@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_key_tools_exit_2_on_inputs_that_crashed(case, tmp_path):
    path = tmp_path / case
    path.write_bytes(CRASHERS[case]())
    result = subprocess.run([KEYWAY_BIN, "key", "fingerprint", str(path)], capture_output=True, timeout=60)
    assert result.returncode == 2, result
    assert len(result.stderr.decode().strip().splitlines()) == 1, result.stderr
    assert result.stderr.decode().startswith("keyway: "), result.stderr


# --------------------------------------------------------------------------------------------------
# The dev clock


def clock(server, advance: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", f"/_keyway/clock?advance={advance}")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_dev_clock_refuses_steps_that_are_not_finite_or_too_large(server, client):
    for advance in ["nan", "NaN", "inf", "-inf", "1e300", "400000000", "", "abc"]:
        status, body = clock(server, advance)
        assert status == 400, (advance, body)
        assert json.loads(body)["error"]
    # RunInstances stores the launch time: it crashed after advance=nan.
    (instance,) = launch(client)
    assert client.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"]
    assert clock(server, "0.5")[0] == 200
    assert server.alive()


# --------------------------------------------------------------------------------------------------
# Bounds before reading


def test_a_body_over_the_cap_is_refused_by_its_content_length_before_it_is_read(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 104857600\r\n\r\nAction=DescribeKeyPairs")
        started = time.monotonic()
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        elapsed = time.monotonic() - started
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), data[:500]
    assert elapsed < 5, f"answered and closed in {elapsed:.2f}s without the 100 MB being sent"
    root = ET.fromstring(body)
    assert root.find("Errors/Error/Code").text == "RequestEntityTooLarge"
    assert server.alive()


def test_more_than_10000_parameters_are_refused(server):
    body = "Action=DescribeKeyPairs&Version=2016-11-15&" + "&".join(f"KeyName.{i}=k{i}" for i in range(1, 10_001))
    response = raw_request(server, body=body)
    assert response.status == 400, response.describe()
    assert parse_ec2_error(response)[0] == "MalformedQueryString"
    assert server.alive()


def test_other_http_methods_never_run_an_action(server, client):
    name = unique_name("put")
    body = form(Action="CreateKeyPair", Version="2016-11-15", KeyName=name, KeyType="ed25519")
    for method in ["PUT", "DELETE", "PATCH"]:
        response = raw_request(server, method=method, body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status == 405, response.describe()
        assert parse_ec2_error(response)[0] == "UnsupportedHTTPVerb"
    # A CONNECT is answered and closed at once, not parked until a timeout.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        assert time.monotonic() - started < 2, "the connection closes right after the answer"
    assert data.startswith(b"HTTP/1.1 405"), data
    status, answer = iam_raw(server, form(Action="CreateUser", Version="2010-05-08", UserName=name), method="PUT")
    assert status == 405 and iam_error(answer)[0] == "UnsupportedHTTPVerb", answer
    expect_client_error(lambda: client.describe_key_pairs(KeyNames=[name]), "InvalidKeyPair.NotFound")


def test_requests_past_the_in_flight_limit_get_aws_throttling_answers(tmp_path, aws_isolation):
    server = start_keyway_server(tmp_path / "data", log_path=tmp_path / "server.log",
                                 extra_args=["--max-requests-in-flight", "1"])
    try:
        barrier = threading.Barrier(48)
        results: list[tuple[int, bytes]] = []
        lock = threading.Lock()

        def one(index: int) -> None:
            barrier.wait()
            if index % 2:
                response = raw_request(server, body=form(Action="CreateKeyPair", Version="2016-11-15",
                                                         KeyName=f"t{index}", KeyType="ed25519"))
                outcome = (response.status, response.body)
            else:
                outcome = iam_raw(server, form(Action="ListUsers", Version="2010-05-08"))
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(48)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        throttled = [(status, body) for status, body in results if status not in (200,)]
        assert throttled, "48 simultaneous requests with one allowed in flight: some must be throttled"
        for status, body in throttled:
            if b"<ErrorResponse" in body:
                assert status == 400 and iam_error(body) == ("Throttling", "Rate exceeded"), body
            else:
                assert status == 503, body
                root = ET.fromstring(body)
                assert root.find("Errors/Error/Code").text == "RequestLimitExceeded", body
        assert any(status == 200 for status, _ in results)
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# Instances


def test_malformed_ids_get_ec2s_malformed_codes(server, client):
    for bad in ["i-xyz", "i-0123456789abcdef", "instance"]:
        expect_client_error(lambda: client.describe_instances(InstanceIds=[bad]), "InvalidInstanceID.Malformed",
                            message=f'Invalid id: "{bad}" (expecting "i-...")')
        expect_client_error(lambda: client.stop_instances(InstanceIds=[bad]), "InvalidInstanceID.Malformed")
    expect_client_error(lambda: client.describe_instances(InstanceIds=["i-0123456789abcdef0"]),
                        "InvalidInstanceID.NotFound")
    expect_client_error(lambda: client.run_instances(ImageId="ami-nope", MinCount=1, MaxCount=1),
                        "InvalidAMIID.Malformed", message='Invalid id: "ami-nope" (expecting "ami-...")')
    expect_client_error(lambda: client.describe_key_pairs(KeyPairIds=["bogus"]), "InvalidKeyPair.NotFound")


def test_describe_instances_pages_for_boto3s_paginator(tmp_path, aws_isolation):
    server = start_keyway_server(tmp_path / "data", log_path=tmp_path / "server.log")
    try:
        client = ec2_client(server)
        launched = {i["InstanceId"] for i in launch(client, count=12)}
        pages = list(client.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5}))
        assert [sum(len(r["Instances"]) for r in page["Reservations"]) for page in pages] == [5, 5, 2]
        seen = [i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]]
        assert sorted(seen) == sorted(launched) and len(seen) == len(set(seen))
        assert "NextToken" not in pages[-1]
        expect_client_error(lambda: client.describe_instances(InstanceIds=sorted(launched)[:1], MaxResults=5),
                            "InvalidParameterCombination",
                            message="The parameter instancesSet cannot be used with the parameter maxResults")
        expect_client_error(lambda: client.describe_instances(MaxResults=4), "InvalidParameterValue")
        expect_client_error(lambda: client.describe_instances(MaxResults=5, NextToken="garbage"),
                            "InvalidParameterValue")
    finally:
        server.stop()


def test_the_instance_quota_answers_instance_limit_exceeded(tmp_path, aws_isolation):
    server = start_keyway_server(tmp_path / "data", log_path=tmp_path / "server.log",
                                 extra_args=["--instance-limit", "3"])
    try:
        client = ec2_client(server)
        first = launch(client, count=2)
        expect_client_error(
            lambda: client.run_instances(ImageId=LINUX_IMAGE, MinCount=2, MaxCount=2), "InstanceLimitExceeded",
            message="Your quota allows for 1 more running instance(s). You requested at least 2")
        client.terminate_instances(InstanceIds=[first[0]["InstanceId"]])
        assert len(launch(client, count=2)) == 2
    finally:
        server.stop()


def test_the_metadata_service_has_the_network_tree(tmp_path, aws_isolation):
    port = free_port(metadata=True)
    server = start_instance_server(tmp_path / "data", tmp_path / "server.log", metadata_port=port)
    try:
        client = ec2_client(server)
        (instance,) = launch(client)
        ip = instance["PrivateIpAddress"]
        status, listing = imds(ip, port, "/latest/meta-data/")
        assert status == 200
        for entry in ["mac", "security-groups", "network/", "services/", "placement/", "instance-id"]:
            assert entry in listing.splitlines(), listing
        mac = imds(ip, port, "/latest/meta-data/mac")[1]
        assert re.fullmatch(r"0e(:[0-9a-f]{2}){5}", mac), mac
        assert imds(ip, port, "/latest/meta-data/security-groups") == (200, "default")
        assert imds(ip, port, "/latest/meta-data/network/interfaces/macs/") == (200, f"{mac}/")
        base = f"/latest/meta-data/network/interfaces/macs/{mac}/"
        entries = imds(ip, port, base)[1].splitlines()
        for entry in ["device-number", "interface-id", "local-hostname", "local-ipv4s", "mac", "owner-id",
                      "security-group-ids", "security-groups", "subnet-id", "subnet-ipv4-cidr-block", "vpc-id",
                      "vpc-ipv4-cidr-block", "vpc-ipv4-cidr-blocks"]:
            assert entry in entries, entries
        assert imds(ip, port, base + "local-ipv4s") == (200, ip)
        assert imds(ip, port, base + "mac") == (200, mac)
        assert imds(ip, port, base + "owner-id") == (200, "000000000000")
        assert re.fullmatch(r"eni-[0-9a-f]{17}", imds(ip, port, base + "interface-id")[1])
        assert re.fullmatch(r"vpc-[0-9a-f]{17}", imds(ip, port, base + "vpc-id")[1])
        assert imds(ip, port, "/latest/meta-data/services/domain") == (200, "amazonaws.com")

        # A client that closes its sending side after the request still gets the answer (HTTP/1.0, `nc -N`).
        with socket.create_connection((ip, port), timeout=10) as sock:
            sock.sendall(b"GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n")
            sock.shutdown(socket.SHUT_WR)
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        assert data.startswith(b"HTTP/1.0 200") and data.endswith(instance["InstanceId"].encode()), data
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# Operators


def test_first_start_credentials_are_shown_when_the_file_cannot_be_written(tmp_path):
    data = tmp_path / "data"
    # A mount point where the file should go: it can be neither removed nor replaced, so the write fails.
    blocker = data / "credentials"
    blocker.mkdir(parents=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(blocker)]).returncode != 0:
        pytest.skip("mount is not permitted here; it is how this test makes the credentials file unwritable")
    proc = subprocess.Popen([KEYWAY_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data),
                             "--metadata-port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"Keyway is listening" not in seen and time.monotonic() < deadline and proc.poll() is None:
            seen += os.read(proc.stdout.fileno(), 4096)
        text = seen.decode()
        assert "Keyway is listening" in text, text
        key_id = re.search(r"aws_access_key_id\s+=\s+(AKIA[0-9A-Z]{16})", text)
        secret = re.search(r"aws_secret_access_key\s+=\s+(\S{40})", text)
        assert key_id and secret, text
        assert "NOT saved" in text, text
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", text).group(1))
        import boto3
        sts = boto3.client("sts", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                           aws_access_key_id=key_id.group(1), aws_secret_access_key=secret.group(1))
        assert sts.get_caller_identity()["Arn"].endswith(":root")
    finally:
        proc.terminate()
        proc.wait(20)
        subprocess.run(["umount", str(blocker)])


def test_request_strings_cannot_forge_log_lines(server):
    forged = "X\n2030-01-01T00:00:00+0000 info keyway: forged=1 [KeywayServer] request"
    raw_request(server, body=form(Action=forged, Version="2016-11-15"))
    time.sleep(0.3)
    lines = server.log().splitlines()
    assert not any(line.startswith("2030-01-01") for line in lines), "a request string started a log line"
    assert any("forged=1" in line and "\\n" in line for line in lines), "the action is logged, escaped"
