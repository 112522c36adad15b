"""End-to-end tests of `keyway serve` as a process: the 5,000 key pair limit, a `kill -9` in the middle of
concurrent writes, raw HTTP that no SDK would send, and the server's life cycle (loopback, SIGTERM, restart).

The API itself (every action, format and error) is tested in test_ec2_server.py.
"""

from __future__ import annotations

import base64
import re
import sqlite3
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import (
    EC2_VERSION,
    KEYWAY_BIN,
    SHARED_REGIONS,
    assert_cli_error,
    assert_key_absent,
    aws,
    ec2_client,
    ed25519_line_random,
    expect_client_error,
    form,
    key_names_in,
    parse_ec2_error,
    raw_request,
    run,
    unique_name,
)

LIMIT = 5000
LIMIT_MESSAGE = "You have reached the maximum number of key pairs (5000) allowed in this Region."


def integrity_check(database: Path) -> str:
    connection = sqlite3.connect(database)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def all_key_pairs(client) -> dict[str, dict]:
    return {pair["KeyName"]: pair for pair in client.describe_key_pairs()["KeyPairs"]}


# ==================================================================================================
# The 5,000 key pairs quota


def test_five_thousand_key_pairs_per_region(start_server):
    server = start_server(regions=["us-east-1", "eu-west-1"])
    client = ec2_client(server, "us-east-1", pool=8)
    lines = [ed25519_line_random().encode() for _ in range(LIMIT)]

    def import_one(index: int) -> str:
        return client.import_key_pair(KeyName=f"quota-{index:04d}", PublicKeyMaterial=lines[index])["KeyPairId"]

    start = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(import_one, range(LIMIT)))
    elapsed = time.monotonic() - start
    assert len(set(ids)) == LIMIT, "every key pair gets its own ID"
    assert elapsed < 90, f"importing {LIMIT} key pairs took {elapsed:.1f}s"

    pairs = all_key_pairs(client)
    assert len(pairs) == LIMIT and {p["KeyPairId"] for p in pairs.values()} == set(ids)

    over = unique_name("over")
    expect_client_error(
        lambda: client.import_key_pair(KeyName=over, PublicKeyMaterial=ed25519_line_random().encode()),
        "ResourceLimitExceeded", message=LIMIT_MESSAGE,
    )
    result = aws(server, "ec2", "create-key-pair", "--key-name", over)
    assert_cli_error(result, "ResourceLimitExceeded", "CreateKeyPair", LIMIT_MESSAGE)
    expect_client_error(lambda: client.create_key_pair(KeyName=over, KeyType="ed25519"), "ResourceLimitExceeded")
    assert_key_absent(client, over)

    # Another region of the same account is not affected.
    eu = ec2_client(server, "eu-west-1")
    eu.import_key_pair(KeyName=over, PublicKeyMaterial=ed25519_line_random().encode())
    eu.create_key_pair(KeyName="quota-0000", KeyType="ed25519")
    assert key_names_in(eu) == {over, "quota-0000"}

    # Deleting makes room again, exactly as much as was deleted, even under concurrency.
    for index in range(3):
        client.delete_key_pair(KeyName=f"quota-{index:04d}")
    outcomes = []

    def try_import(index: int) -> str:
        try:
            client.import_key_pair(KeyName=f"race-{index}", PublicKeyMaterial=ed25519_line_random().encode())
            return "ok"
        except Exception as error:  # noqa: BLE001 - classified below
            return getattr(error, "response", {}).get("Error", {}).get("Code", repr(error))

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(try_import, range(12)))
    assert sorted(outcomes) == ["ResourceLimitExceeded"] * 9 + ["ok"] * 3, outcomes
    assert len(all_key_pairs(client)) == LIMIT

    # At the limit, a name that exists is still a duplicate, for CreateKeyPair and ImportKeyPair alike.
    taken = "quota-0100"
    expect_client_error(lambda: client.create_key_pair(KeyName=taken, KeyType="ed25519"), "InvalidKeyPair.Duplicate",
                        message=f"The keypair '{taken}' already exists.")
    expect_client_error(
        lambda: client.import_key_pair(KeyName=taken, PublicKeyMaterial=ed25519_line_random().encode()),
        "InvalidKeyPair.Duplicate", message=f"The keypair '{taken}' already exists.",
    )


# ==================================================================================================
# kill -9 while importing; restart on the same data folder


def material_fragments(material: str) -> list[str]:
    """The secret parts of a private key file as text: its base64 body lines (PEM) or Private-Lines (PPK)."""
    lines = material.strip().splitlines()
    if lines[0].startswith("PuTTY-User-Key-File-"):
        index = next(i for i, line in enumerate(lines) if line.startswith("Private-Lines:"))
        count = int(lines[index].split(":")[1])
        return lines[index + 1 : index + 1 + count] + [lines[index + 1 + count]]  # and the Private-MAC line
    return [line for line in lines if not line.startswith("-----")]


def secret_bytes(material: str) -> bytes:
    """The decoded private key file body (the bytes a store might hold raw)."""
    fragments = material_fragments(material)
    if material.startswith("PuTTY"):
        fragments = fragments[:-1]
    return base64.b64decode("".join(fragments))


def assert_no_private_material(folder: Path, materials: list[str], public_keys: list[str]) -> None:
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert files, f"no files under {folder}"
    public_blobs = b"".join(base64.b64decode(line.split()[1]) for line in public_keys)
    for path in files:
        data = path.read_bytes()
        for marker in (b"PRIVATE KEY", b"PuTTY-User-Key-File", b"Private-Lines", b"Private-MAC", b"openssh-key-v1"):
            assert marker not in data, f"{path} holds {marker!r}"
        for material in materials:
            for fragment in material_fragments(material):
                if len(fragment) >= 16:
                    assert fragment.encode() not in data, f"{path} holds a line of a private key: {fragment[:20]}..."
            raw = secret_bytes(material)
            windows = [raw[i : i + 24] for i in range(0, len(raw) - 24, 24)]
            for window in windows:
                if window not in public_blobs:
                    assert window not in data, f"{path} holds raw bytes of a private key"


def test_kill_9_loses_no_acknowledged_write(start_server, tmp_path):
    data = tmp_path / "durable-data"
    server = start_server(data_dir=data, regions=["us-east-1"])
    client = ec2_client(server, pool=8)

    # Some created key pairs first: their private halves must not reach the disk.
    materials, created = [], {}
    result = aws(
        server, "ec2", "create-key-pair", "--key-name", "made-cli", "--query", "KeyMaterial", "--output", "text"
    )
    assert result.rc == 0, result.describe()
    materials.append(result.out)
    for key_type in ("rsa", "ed25519"):
        for key_format in ("pem", "ppk"):
            response = client.create_key_pair(
                KeyName=f"made-{key_type}-{key_format}", KeyType=key_type, KeyFormat=key_format
            )
            materials.append(response["KeyMaterial"])
            created[response["KeyName"]] = response["KeyPairId"]
    created["made-cli"] = all_key_pairs(client)["made-cli"]["KeyPairId"]

    acknowledged: dict[str, tuple[str, str]] = {}
    attempted: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    failures: list[str] = []

    def worker(number: int) -> None:
        own = ec2_client(server, pool=2)
        index = 0
        while not stop.is_set():
            name = f"crash-{number}-{index:05d}"
            index += 1
            with lock:
                attempted.add(name)
            try:
                response = own.import_key_pair(KeyName=name, PublicKeyMaterial=ed25519_line_random().encode())
            except Exception as error:  # noqa: BLE001 - the server is being killed
                with lock:
                    failures.append(f"{name}: {type(error).__name__}")
                if not server.alive():
                    return
                continue
            with lock:
                acknowledged[name] = (response["KeyPairId"], response["KeyFingerprint"])

    # 16 writers, as many as the benchmark's ImportKeyPair load: group commit puts up to 16 writes in one
    # transaction, and every one acknowledged must survive.
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(16)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 800 and time.monotonic() < deadline and server.alive():
        time.sleep(0.01)
    assert len(acknowledged) >= 800, f"only {len(acknowledged)} imports acknowledged before the deadline"
    server.kill9()  # SIGKILL in the middle of the writes
    stop.set()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive(), "a client thread hung after the server died"
    with lock:
        acknowledged_now = dict(acknowledged)
        attempted_now = set(attempted)

    # The database as the crash left it (copied, so the restart below recovers the original itself).
    crash_copy = tmp_path / "crash-copy"
    crash_copy.mkdir()
    for path in data.iterdir():
        if path.name.startswith("keyway.sqlite") and not path.name.endswith("-shm"):
            shutil.copy2(path, crash_copy / path.name)
    assert integrity_check(crash_copy / "keyway.sqlite") == "ok"

    restarted = start_server(data_dir=data, regions=["us-east-1"])
    pairs = all_key_pairs(ec2_client(restarted))
    lost = [name for name in acknowledged_now if name not in pairs]
    assert not lost, f"{len(lost)} acknowledged imports are gone after kill -9, e.g. {lost[:5]}"
    for name, (key_pair_id, fingerprint) in acknowledged_now.items():
        assert (pairs[name]["KeyPairId"], pairs[name]["KeyFingerprint"]) == (key_pair_id, fingerprint), name
    for name, key_pair_id in created.items():
        assert pairs[name]["KeyPairId"] == key_pair_id
    crash_names = {name for name in pairs if name.startswith("crash-")}
    assert crash_names <= attempted_now, "nothing is stored that was never sent"
    assert len(crash_names) - len(acknowledged_now) <= len(threads), "at most the in-flight imports are unacknowledged"
    public_keys = [
        pair["PublicKey"]
        for pair in ec2_client(restarted).describe_key_pairs(KeyNames=list(created), IncludePublicKey=True)["KeyPairs"]
    ]
    # The restarted server works, and stops cleanly.
    ec2_client(restarted).import_key_pair(KeyName="after-restart", PublicKeyMaterial=ed25519_line_random().encode())
    status, in_time = restarted.stop()
    assert in_time and status == 0, f"SIGTERM: exit status {status}, in time {in_time}"
    assert integrity_check(data / "keyway.sqlite") == "ok"

    # No private key material in any file under the data folder, nor in the server's log.
    assert_no_private_material(data, materials, public_keys)
    for log in tmp_path.glob("server-*.log"):
        text = log.read_text(errors="replace")
        assert "PRIVATE KEY" not in text and "PuTTY-User-Key-File" not in text, f"{log} holds private key material"
        for material in materials:
            for fragment in material_fragments(material):
                assert fragment not in text, f"{log} holds a line of a private key"


# ==================================================================================================
# Raw HTTP: what no SDK sends must still be answered as EC2 answers errors (XML, 4xx, never 500).


def assert_alive(server) -> None:
    response = raw_request(server, body=form(Action="DescribeRegions"))
    assert response.status == 200, response.describe()


PUBLIC = base64.b64encode(ed25519_line_random().encode()).decode()


def import_body(name: str, **extra) -> str:
    params = {"Action": "ImportKeyPair", "KeyName": name, "PublicKeyMaterial": PUBLIC}
    params.update(extra)
    return form(**params)


MALFORMED = "MalformedQueryString"
MISSING = "MissingParameter"
INVALID_VALUE = "InvalidParameterValue"

ROBUSTNESS_CASES = {
    # id: (method, path, body made from the unique key name, expected code (None: any), expected status (None: 4xx))
    "bad-percent-escape": ("POST", "/", lambda n: import_body(n) + "&Junk=%ZZ", MALFORMED, 400),
    "bad-percent-in-value": (
        "POST", "/", lambda n: import_body(n).replace("ImportKeyPair", "Import%4KeyPair"), MALFORMED, 400,
    ),
    "truncated-percent": ("POST", "/", lambda n: import_body(n) + "&X=%4", MALFORMED, 400),
    "invalid-utf8-escaped": (
        "POST", "/", lambda n: import_body(n) + "&TagSpecification.1.ResourceType=%FF%FE", MALFORMED, 400,
    ),
    "invalid-utf8-raw": ("POST", "/", lambda n: import_body(n).encode() + b"&X=\xc3\x28\xff", MALFORMED, 400),
    "overlong-utf8": ("POST", "/", lambda n: import_body(n) + "&X=%C0%AF", MALFORMED, 400),
    "nul-character": (
        "POST", "/", lambda n: import_body(n).replace(f"KeyName={n}", f"KeyName={n}%00x"), MALFORMED, 400,
    ),
    "control-character": ("POST", "/", lambda n: import_body(n) + "&X=a%01b", MALFORMED, 400),
    "parameter-twice": ("POST", "/", lambda n: import_body(n) + f"&KeyName={n}", MALFORMED, 400),
    "empty-parameter-name": ("POST", "/", lambda n: import_body(n) + "&=x", MALFORMED, 400),
    "unknown-action": ("POST", "/", lambda n: form(Action="LaunchRockets", KeyName=n), "InvalidAction", 400),
    "iam-action-on-ec2": ("POST", "/", lambda n: form(Action="CreateUser", UserName=n), "InvalidAction", 400),
    "unknown-version": (
        "POST", "/", lambda n: import_body(n).replace(EC2_VERSION, "2099-01-01"), "NoSuchVersion", 400,
    ),
    "old-version": ("POST", "/", lambda n: import_body(n).replace(EC2_VERSION, "2014-10-01"), "NoSuchVersion", 400),
    "missing-version": (
        "POST", "/", lambda n: f"Action=ImportKeyPair&KeyName={n}&PublicKeyMaterial={quote(PUBLIC)}", MISSING, 400,
    ),
    "missing-action": ("POST", "/", lambda n: form(KeyName=n), MISSING, 400),
    "empty-body": ("POST", "/", lambda n: b"", MISSING, 400),
    "not-a-form": ("POST", "/", lambda n: b'{"Action": "CreateKeyPair"}', None, 400),
    "missing-key-name": ("POST", "/", lambda n: form(Action="CreateKeyPair"), MISSING, 400),
    "empty-key-name": ("POST", "/", lambda n: form(Action="CreateKeyPair", KeyName=""), MISSING, 400),
    "missing-material": ("POST", "/", lambda n: form(Action="ImportKeyPair", KeyName=n), MISSING, 400),
    "empty-material": ("POST", "/", lambda n: import_body(n, PublicKeyMaterial=""), MISSING, 400),
    "material-not-base64": (
        "POST", "/", lambda n: import_body(n, PublicKeyMaterial="!!!***"), "InvalidKey.Format", 400,
    ),
    "bad-boolean": ("POST", "/", lambda n: import_body(n, DryRun="maybe"), INVALID_VALUE, 400),
    "bad-integer": ("POST", "/", lambda n: form(Action="DescribeTags", MaxResults="ten"), INVALID_VALUE, 400),
    "filter-without-name": (
        "POST", "/", lambda n: form(**{"Action": "DescribeKeyPairs", "Filter.1.Value.1": n}), MISSING, 400,
    ),
    "tag-without-key": (
        "POST", "/",
        lambda n: import_body(
            n, **{"TagSpecification.1.ResourceType": "key-pair", "TagSpecification.1.Tag.1.Value": "v"}
        ),
        MISSING, 400,
    ),
    "delete-with-nothing": ("POST", "/", lambda n: form(Action="DeleteKeyPair"), MISSING, 400),
    "get-random-path": ("GET", "/no/such/path?x=1", lambda n: b"", None, 400),
    "get-html-page": ("GET", "/index.html", lambda n: b"", None, 400),
    "get-root": ("GET", "/", lambda n: b"", MISSING, 400),
    # AWS's Query endpoints take GET and POST only: a PUT carrying a valid ImportKeyPair must not run it.
    "put": ("PUT", "/", lambda n: import_body(n), "UnsupportedHTTPVerb", 405),
    "delete-method": ("DELETE", "/bucket/key", lambda n: b"", "UnsupportedHTTPVerb", 405),
    "get-unknown-action": ("GET", "/?Action=Nope&Version=2016-11-15", lambda n: b"", "InvalidAction", 400),
    "unserved-region": ("POST", "/", lambda n: import_body(n), "AuthFailure", 401),
    "oversize-body": (
        "POST", "/", lambda n: import_body(n, PublicKeyMaterial="A" * (8 * 1024 * 1024 + 4096)), None, None,
    ),
}


@pytest.mark.parametrize("case", list(ROBUSTNESS_CASES))
def test_raw_http_errors_are_ec2_xml(ec2_server, case):
    method, path, make_body, expected_code, expected_status = ROBUSTNESS_CASES[case]
    name = unique_name(f"raw-{case}")
    # "unserved-region" is signed for a region the server does not serve.
    region = "us-west-2" if case == "unserved-region" else "us-east-1"
    response = raw_request(ec2_server, method, path, body=make_body(name), region=region)
    assert response.status != 500 and response.status < 500, "never a server error\n" + response.describe()
    if expected_status is not None:
        assert response.status == expected_status, response.describe()
    code, message, _ = parse_ec2_error(response)
    if expected_code is not None:
        assert code == expected_code, response.describe()
    assert not re.search(r"[A-Za-z0-9+/=]{100,}", message), "the message must not echo the body"
    assert "<html" not in response.body.decode(errors="replace").lower()
    assert_alive(ec2_server)
    for region in SHARED_REGIONS:
        client = ec2_client(ec2_server, region)
        assert name not in key_names_in(client, Filters=[{"Name": "key-name", "Values": [f"{name}*"]}])


def test_raw_http_messages(ec2_server):
    """The texts of the errors raw requests get."""
    response = raw_request(ec2_server, body=form(Action="LaunchRockets"))
    assert parse_ec2_error(response)[:2] == (
        "InvalidAction", "The action LaunchRockets is not valid for this web service."
    )
    response = raw_request(ec2_server, body=form(Action="DescribeKeyPairs").replace(EC2_VERSION, "2099-01-01"))
    assert parse_ec2_error(response)[:2] == (
        "NoSuchVersion", "The requested version (2099-01-01) of service AmazonEC2 does not exist"
    )


def test_raw_http_unsigned_requests_work_in_us_east_1(ec2_server):
    """Unsigned requests (no SigV4 scope) land in us-east-1, by POST form or GET query."""
    name = unique_name("raw-ok")
    response = raw_request(ec2_server, body=import_body(name))
    assert response.status == 200, response.describe()
    assert "<keyName>" + name + "</keyName>" in response.body.decode()
    response = raw_request(ec2_server, "GET", f"/?Action=DescribeKeyPairs&Version={EC2_VERSION}&KeyName.1={name}")
    assert response.status == 200 and name in response.body.decode(), response.describe()
    assert name in key_names_in(ec2_client(ec2_server, "us-east-1"), KeyNames=[name])
    eu = ec2_client(ec2_server, "eu-west-1")
    expect_client_error(lambda: eu.describe_key_pairs(KeyNames=[name]), "InvalidKeyPair.NotFound")


def test_presigned_get_lands_in_the_region_of_its_credential(ec2_server):
    """A presigned URL (GET, scope in X-Amz-Credential) is served in the region of that scope."""
    eu = ec2_client(ec2_server, "eu-west-1")
    name = unique_name("presigned")
    eu.import_key_pair(KeyName=name, PublicKeyMaterial=ed25519_line_random().encode())
    url = eu.generate_presigned_url("describe_key_pairs", Params={"KeyNames": [name]})
    assert "X-Amz-Credential" in url and "%2Feu-west-1%2F" in url, url
    response = raw_request(ec2_server, "GET", url.split(f":{ec2_server.port}", 1)[1])
    assert response.status == 200 and f"<keyName>{name}</keyName>" in response.body.decode(), response.describe()
    url = ec2_client(ec2_server, "us-east-1").generate_presigned_url("describe_key_pairs", Params={"KeyNames": [name]})
    response = raw_request(ec2_server, "GET", url.split(f":{ec2_server.port}", 1)[1])
    assert parse_ec2_error(response)[:2] == ("InvalidKeyPair.NotFound", f"The key pair '{name}' does not exist")
    url = ec2_client(ec2_server, "us-west-2").generate_presigned_url("describe_key_pairs", Params={})
    response = raw_request(ec2_server, "GET", url.split(f":{ec2_server.port}", 1)[1])
    assert response.status == 401 and parse_ec2_error(response)[0] == "AuthFailure", response.describe()


def test_unsigned_requests_on_a_server_without_us_east_1(start_server):
    """An unsigned request has no region and no caller: it is refused, and nothing is stored anywhere.

    `--regions eu-west-1` promises that no other region is served (DescribeRegions lists only eu-west-1, and a
    request signed for us-east-1 is AuthFailure), so an unsigned write must be refused like a signed one.
    """
    server = start_server(regions=["eu-west-1"])
    expect_client_error(lambda: ec2_client(server, "us-east-1").describe_key_pairs(), "AuthFailure", status=401)
    name = unique_name("unsigned")
    response = raw_request(server, body=import_body(name), sign=False)
    assert response.status == 403 and b"MissingAuthenticationToken" in response.body, response.describe()
    assert 400 <= response.status < 500, (
        "an unsigned ImportKeyPair on a server that does not serve us-east-1 should be refused\n" + response.describe()
    )
    parse_ec2_error(response)
    listing = raw_request(server, body=form(Action="DescribeKeyPairs"), region="eu-west-1")
    assert name not in listing.body.decode(), (
        "the key pair was stored in a region the server does not serve\n" + listing.describe()
    )


def test_concurrent_creates_of_one_name(ec2_server):
    """Many clients racing for one name: exactly one wins, the others get InvalidKeyPair.Duplicate."""
    client = ec2_client(ec2_server, pool=10)
    for operation in ("import", "create"):
        name = unique_name(f"race-{operation}")

        def attempt(_: int) -> str:
            try:
                if operation == "import":
                    client.import_key_pair(KeyName=name, PublicKeyMaterial=ed25519_line_random().encode())
                else:
                    client.create_key_pair(KeyName=name, KeyType="rsa")
                return "ok"
            except Exception as error:  # noqa: BLE001 - classified below
                return getattr(error, "response", {}).get("Error", {}).get("Code", repr(error))

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(attempt, range(8)))
        assert sorted(outcomes) == ["InvalidKeyPair.Duplicate"] * 7 + ["ok"], (operation, outcomes)
        assert len(client.describe_key_pairs(KeyNames=[name])["KeyPairs"]) == 1


def test_raw_http_just_under_the_body_limit_is_read(ec2_server):
    """A large body under 8 MiB is read in full and judged on its content (bad key material here)."""
    name = unique_name("raw-big")
    response = raw_request(ec2_server, body=import_body(name, PublicKeyMaterial="A" * (7 * 1024 * 1024)))
    assert parse_ec2_error(response)[0] == "InvalidKey.Format", response.describe()
    assert_alive(ec2_server)


# ==================================================================================================
# Life cycle


def test_listens_on_loopback_only(ec2_server):
    port_hex = f"{ec2_server.port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "0A" and local.endswith(":" + port_hex):  # 0A: LISTEN
                listening.append((table, local))
    assert listening, "the server's port is not listening"
    for table, local in listening:
        assert local == f"0100007F:{port_hex}", f"listening on {local} ({table}), not only 127.0.0.1"


def test_sigterm_stops_cleanly_and_restart_keeps_everything(start_server, tmp_path):
    data = tmp_path / "restart-data"
    server = start_server(data_dir=data, regions=["us-east-1", "eu-west-1"])
    client = ec2_client(server)
    made = client.create_key_pair(
        KeyName="kept", KeyType="ed25519",
        TagSpecifications=[{"ResourceType": "key-pair", "Tags": [{"Key": "a", "Value": "1"}]}],
    )
    ec2_client(server, "eu-west-1").import_key_pair(KeyName="kept", PublicKeyMaterial=ed25519_line_random().encode())
    before = client.describe_key_pairs(IncludePublicKey=True)["KeyPairs"]
    status, in_time = server.stop()
    assert in_time, "the server did not exit within the SIGTERM grace period"
    assert status == 0, f"exit status after SIGTERM: {status}\n{server.log()[-2000:]}"

    again = start_server(data_dir=data, regions=["us-east-1", "eu-west-1"])
    assert again.port > 0
    client = ec2_client(again)
    assert client.describe_key_pairs(IncludePublicKey=True)["KeyPairs"] == before
    assert client.describe_key_pairs()["KeyPairs"][0]["KeyPairId"] == made["KeyPairId"]
    assert len(ec2_client(again, "eu-west-1").describe_key_pairs()["KeyPairs"]) == 1
    expect_client_error(lambda: client.create_key_pair(KeyName="kept"), "InvalidKeyPair.Duplicate")
    assert (data / "keyway.sqlite").is_file()


def test_data_folder_is_private(start_server, tmp_path):
    data = tmp_path / "new" / "nested" / "data"
    server = start_server(data_dir=data)
    ec2_client(server).import_key_pair(KeyName="x", PublicKeyMaterial=ed25519_line_random().encode())
    assert (data.stat().st_mode & 0o077) == 0, f"data folder mode {oct(data.stat().st_mode)}"


@pytest.mark.parametrize("regions", ["bogus", "US-EAST-1", "us-east-1,eu_west_1", ""])
def test_bad_regions_flag_refuses_to_start(tmp_path, regions):
    result = run([KEYWAY_BIN, "serve", "--port", "0", "--data-dir", tmp_path / "d", "--regions", regions], timeout=15)
    assert result.rc != 0, result.describe()
    assert "Keyway is listening" not in result.out, result.describe()
