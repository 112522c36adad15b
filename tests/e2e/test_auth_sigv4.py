"""SigV4 as `keyway serve` verifies it, attacked on the wire.

Requests are signed by botocore's own SigV4Auth exactly as boto3 signs them, sent over raw HTTP, and altered
after signing: one byte of a signed header (content-type, host, x-amz-date), of the body or of the signature; the
region or the service of the credential scope; the signed-header list; the time (outside ±15 minutes). Each must
be refused with the code of the service: EC2 AuthFailure 401 (RequestExpired 400 for the time), IAM and STS
SignatureDoesNotMatch 403. Also: presigned URLs (valid, expired, altered), replays, no Authorization at all, and
malformed ones.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import (
    EC2_AUTH_FAILURE,
    INVALID_TOKEN,
    SIGNATURE_MISMATCH,
    Creds,
    Raw,
    client,
    expect_error,
    expect_raw_error,
    find_text,
    query_body,
    send,
    signed,
    success_xml,
    unique,
)

server = s.server_fixture("auth-sigv4")

SERVICES = ["ec2", "iam", "sts"]
# A harmless read per service.
READS = {
    "ec2": ("DescribeKeyPairs", {}),
    "iam": ("ListUsers", {}),
    "sts": ("GetCallerIdentity", {}),
}


def read_body(service: str) -> bytes:
    action, params = READS[service]
    return query_body(service, action, **params)


def expect_refused(response, service: str) -> None:
    """The answer to a request whose signature does not hold, per service (AWS API spec §7.8)."""
    if service == "ec2":
        expect_raw_error(response, "ec2", "AuthFailure", 401, EC2_AUTH_FAILURE)
    else:
        expect_raw_error(response, service, "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)


def flip(text: str, index: int) -> str:
    """`text` with the character at `index` replaced by a different one of the same kind."""
    char = text[index]
    if char.isdigit():
        new = str((int(char) + 1) % 10)
    elif char.isalpha():
        new = "b" if char.lower() == "a" else "a"
        new = new.upper() if char.isupper() else new
    else:
        new = "_" if char != "_" else "-"
    return text[:index] + new + text[index + 1:]


def header(raw: Raw, name: str) -> str:
    for key, value in raw.headers.items():
        if key.lower() == name:
            return value
    raise KeyError(name)


def set_header(raw: Raw, name: str, value: str | None) -> Raw:
    raw = raw.copy()
    for key in [k for k in raw.headers if k.lower() == name.lower()]:
        del raw.headers[key]
    if value is not None:
        raw.headers[name] = value
    return raw


def tamper_content_type(raw: Raw) -> Raw:
    value = header(raw, "content-type")
    return set_header(raw, "Content-Type", flip(value, value.index("urlencoded") + 3))


def tamper_host(raw: Raw) -> Raw:
    value = header(raw, "host")  # 127.0.0.1:PORT
    return set_header(raw, "Host", flip(value, value.index(":") - 1))


def tamper_date(raw: Raw) -> Raw:
    value = header(raw, "x-amz-date")  # YYYYMMDDTHHMMSSZ: change the last digit of the seconds (still valid)
    return set_header(raw, "X-Amz-Date", flip(value, 14))


def tamper_body(raw: Raw) -> Raw:
    raw = raw.copy()
    text = raw.body.decode()
    raw.body = flip(text, len(text) - 1).encode()
    return raw


def tamper_signature(raw: Raw) -> Raw:
    value = header(raw, "authorization")
    index = value.index("Signature=") + len("Signature=") + 17
    return set_header(raw, "Authorization", flip(value, index))


def tamper_region(raw: Raw) -> Raw:
    value = header(raw, "authorization")
    assert f"/{s.REGION}/" in value
    return set_header(raw, "Authorization", value.replace(f"/{s.REGION}/", "/eu-west-2/"))


def tamper_signed_headers(raw: Raw) -> Raw:
    value = header(raw, "authorization")
    assert "SignedHeaders=content-type;host;x-amz-date" in value, value
    return set_header(raw, "Authorization", value.replace("SignedHeaders=content-type;host;", "SignedHeaders=host;"))


def tamper_appended_body(raw: Raw) -> Raw:
    raw = raw.copy()
    raw.body += b"&MaxItems=1"
    return raw


TAMPERINGS = {
    "content-type": tamper_content_type,
    "host": tamper_host,
    "x-amz-date": tamper_date,
    "body": tamper_body,
    "body-appended": tamper_appended_body,
    "signature": tamper_signature,
    "scope-region": tamper_region,
    "signed-headers": tamper_signed_headers,
}


@pytest.mark.parametrize("service", SERVICES)
def test_untampered_request_is_accepted(server, service):
    raw = signed(server, server.root, service, read_body(service))
    assert header(raw, "authorization").startswith(
        f"AWS4-HMAC-SHA256 Credential={server.root.key_id}/"), raw.headers
    response = send(server, raw)
    success_xml(response)
    # Headers that are not signed may change (botocore does not sign User-Agent).
    response = send(server, set_header(raw, "User-Agent", "something/else"))
    success_xml(response)


@pytest.mark.parametrize("what", list(TAMPERINGS))
@pytest.mark.parametrize("service", SERVICES)
def test_tampered_request_is_refused(server, service, what):
    raw = signed(server, server.root, service, read_body(service))
    altered = TAMPERINGS[what](raw)
    assert altered.headers != raw.headers or altered.body != raw.body
    expect_refused(send(server, altered), service)


@pytest.mark.parametrize(
    "service, signed_for, refused_as",
    [("ec2", "iam", "iam"), ("ec2", "sts", "sts"), ("iam", "ec2", "ec2"), ("sts", "iam", "iam"), ("iam", "sts", "sts")],
)
def test_service_in_scope_changed_after_signing(server, service, signed_for, refused_as):
    """The scope names the service; a request signed for one and relabelled as another fails that one's check."""
    raw = signed(server, server.root, service, read_body(service))
    value = header(raw, "authorization")
    altered = set_header(raw, "Authorization", value.replace(f"/{service}/aws4_request", f"/{signed_for}/aws4_request"))
    expect_refused(send(server, altered), refused_as)


@pytest.mark.parametrize("service", SERVICES)
def test_unknown_service_in_scope_is_refused(server, service):
    raw = signed(server, server.root, service, read_body(service))
    value = header(raw, "authorization")
    altered = set_header(raw, "Authorization", value.replace(f"/{service}/aws4_request", "/ec3/aws4_request"))
    response = send(server, altered)
    assert response.status in (400, 401, 403), response.describe()
    _, code, _ = s.parse_error(response)
    assert code in {"AuthFailure", "SignatureDoesNotMatch", "IncompleteSignature"}, response.describe()


def test_tampered_writes_do_nothing(server):
    iam = client(server, "iam", server.root)
    ec2 = client(server, "ec2", server.root)
    name = unique("tamper")
    raw = signed(server, server.root, "iam", query_body("iam", "CreateUser", UserName=name + "a"))
    altered = tamper_body(raw)  # ...UserName=<name>b
    expect_refused(send(server, altered), "iam")
    for candidate in (name + "a", name + "b"):
        expect_error(lambda: iam.get_user(UserName=candidate), "NoSuchEntity", 404)
    raw = signed(server, server.root, "ec2", query_body("ec2", "CreateKeyPair", KeyName=name + "a"))
    expect_refused(send(server, tamper_body(raw)), "ec2")
    expect_refused(send(server, tamper_signature(raw)), "ec2")
    for candidate in (name + "a", name + "b"):
        expect_error(lambda: ec2.describe_key_pairs(KeyNames=[candidate]), "InvalidKeyPair.NotFound", 400)


# --------------------------------------------------------------------------------------------------
# Time


STAMP = r"(\d{8}T\d{6}Z)"


def _parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("direction", [-1, 1])
def test_time_outside_fifteen_minutes_is_refused(server, service, direction):
    now = dt.datetime.now(dt.timezone.utc)
    when = now + direction * dt.timedelta(minutes=16)
    raw = signed(server, server.root, service, read_body(service), when=when)
    signed_stamp = header(raw, "x-amz-date")
    response = send(server, raw)
    if service == "ec2":
        expect_raw_error(response, "ec2", "RequestExpired", 400, "Request has expired.")
        return
    if direction < 0:
        pattern = rf"Signature expired: {STAMP} is now earlier than {STAMP} \({STAMP} - 15 min\.\)"
    else:
        pattern = rf"Signature not yet current: {STAMP} is still later than {STAMP} \({STAMP} \+ 15 min\.\)"
    message = expect_raw_error(response, service, "SignatureDoesNotMatch", 403, message_re=pattern)
    quoted, limit, server_now = (_parse_stamp(x) for x in re.fullmatch(pattern, message).groups())
    assert quoted == _parse_stamp(signed_stamp), message
    assert limit - server_now == direction * dt.timedelta(minutes=15), message
    assert abs((server_now - now).total_seconds()) < 30, message


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("direction", [-1, 1])
def test_time_inside_fifteen_minutes_is_accepted(server, service, direction):
    when = dt.datetime.now(dt.timezone.utc) + direction * dt.timedelta(minutes=14)
    success_xml(send(server, signed(server, server.root, service, read_body(service), when=when)))


# --------------------------------------------------------------------------------------------------
# Keys and secrets


@pytest.mark.parametrize("service", SERVICES)
def test_wrong_secret_and_unknown_key(server, service):
    root = server.root
    wrong_secret = Creds(root.key_id, s.random_creds().secret)
    expect_refused(send(server, signed(server, wrong_secret, service, read_body(service))), service)
    unknown = s.random_creds()
    response = send(server, signed(server, unknown, service, read_body(service)))
    if service == "ec2":
        expect_raw_error(response, "ec2", "AuthFailure", 401, EC2_AUTH_FAILURE)
    else:
        expect_raw_error(response, service, "InvalidClientTokenId", 403, INVALID_TOKEN)


def test_wrong_secret_with_boto3_and_the_cli(server, tmp_path):
    wrong = Creds(server.root.key_id, s.random_creds().secret)
    expect_error(lambda: client(server, "ec2", wrong).describe_key_pairs(), "AuthFailure", 401, EC2_AUTH_FAILURE)
    expect_error(lambda: client(server, "iam", wrong).list_users(), "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)
    expect_error(lambda: client(server, "sts", wrong).get_caller_identity(), "SignatureDoesNotMatch", 403,
                 SIGNATURE_MISMATCH)
    profiles = s.write_profiles(tmp_path / "wrong", {"default": wrong})
    result = s.aws(server, "ec2", "describe-key-pairs", credentials_file=profiles)
    s.assert_cli_error(result, "AuthFailure", "DescribeKeyPairs", EC2_AUTH_FAILURE)
    result = s.aws(server, "sts", "get-caller-identity", credentials_file=profiles)
    s.assert_cli_error(result, "SignatureDoesNotMatch", "GetCallerIdentity", SIGNATURE_MISMATCH)


# --------------------------------------------------------------------------------------------------
# Replays, missing and malformed signatures


@pytest.mark.parametrize("service", SERVICES)
def test_replay_inside_the_window_is_accepted(server, service):
    raw = signed(server, server.root, service, read_body(service))
    first = send(server, raw)
    second = send(server, raw)
    success_xml(first)
    success_xml(second)


def test_replayed_write_is_authenticated_again(server):
    """A replayed CreateKeyPair passes authentication and meets the duplicate rule, as on AWS."""
    name = unique("replay")
    raw = signed(server, server.root, "ec2", query_body("ec2", "CreateKeyPair", KeyName=name))
    success_xml(send(server, raw))
    expect_raw_error(send(server, raw), "ec2", "InvalidKeyPair.Duplicate", 400)


@pytest.mark.parametrize("service", SERVICES)
def test_no_authorization_is_missing_authentication_token(server, service):
    raw = Raw("POST", "/", {"Host": f"127.0.0.1:{server.port}",
                            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, read_body(service))
    expect_raw_error(send(server, raw), service, "MissingAuthenticationToken", 403)
    # A plain GET with the parameters in the query string, too.
    response = s.get(server, "/?" + read_body(service).decode())
    expect_raw_error(response, service, "MissingAuthenticationToken", 403)


def _strip(value: str, part: str) -> str:
    return re.sub(rf",\s*{part}=[^,]*", "", value)


MALFORMED = {
    "no-signature": lambda v: _strip(v, "Signature"),
    "no-signed-headers": lambda v: _strip(v, "SignedHeaders"),
    "short-credential": lambda v: re.sub(r"Credential=([^/]+)/(\d{8})/[^,]*", r"Credential=\1/\2/aws4_request", v),
    "no-host-signed": lambda v: v.replace("SignedHeaders=content-type;host;x-amz-date",
                                          "SignedHeaders=content-type;x-amz-date"),
    "algorithm-only": lambda v: "AWS4-HMAC-SHA256",
}


@pytest.mark.parametrize("what", list(MALFORMED))
@pytest.mark.parametrize("service", SERVICES)
def test_malformed_authorization_is_incomplete_signature(server, service, what):
    raw = signed(server, server.root, service, read_body(service))
    altered = set_header(raw, "Authorization", MALFORMED[what](header(raw, "authorization")))
    response = send(server, altered)
    # Without a readable scope the server can only go by Version, which names the same service here.
    expect_raw_error(response, service, "IncompleteSignature", 400)


@pytest.mark.parametrize("service", SERVICES)
def test_missing_x_amz_date_is_incomplete_signature(server, service):
    raw = signed(server, server.root, service, read_body(service))
    expect_raw_error(send(server, set_header(raw, "X-Amz-Date", None)), service, "IncompleteSignature", 400)


# --------------------------------------------------------------------------------------------------
# Presigned URLs


def test_presigned_get_caller_identity_works(server):
    sts = client(server, "sts", server.root)
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url, url
    root = success_xml(s.get(server, url))
    assert find_text(root, "Arn") == f"arn:aws:iam::{server.root.account}:root"
    assert find_text(root, "Account") == server.root.account
    # The same URL works again inside its validity.
    success_xml(s.get(server, url))


def test_presigned_ec2_and_iam_work(server):
    url = client(server, "ec2", server.root).generate_presigned_url("describe_key_pairs", ExpiresIn=120, HttpMethod="GET")
    assert b"<DescribeKeyPairsResponse" in success_xml_bytes(s.get(server, url))
    url = client(server, "iam", server.root).generate_presigned_url("list_users", ExpiresIn=120, HttpMethod="GET")
    success_xml(s.get(server, url))


def success_xml_bytes(response) -> bytes:
    success_xml(response)
    return response.body


def test_presigned_url_altered_is_refused(server):
    sts = client(server, "sts", server.root)
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    index = url.index("X-Amz-Signature=") + len("X-Amz-Signature=") + 5
    expect_raw_error(s.get(server, flip(url, index)), "sts", "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)
    longer = url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")
    expect_raw_error(s.get(server, longer), "sts", "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)
    other = url.replace("Action=GetCallerIdentity", "Action=GetCallerIdentitx")
    expect_raw_error(s.get(server, other), "sts", "SignatureDoesNotMatch", 403, SIGNATURE_MISMATCH)


def test_presigned_url_expired_is_refused(server):
    sts = client(server, "sts", server.root)
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=1, HttpMethod="GET")
    time.sleep(2.2)
    response = s.get(server, url)
    assert response.status == 403, "an expired presigned URL must be refused\n" + response.describe()
    envelope, code, message = s.parse_error(response)
    assert envelope == "sts", response.describe()
    # Server's choice (AWS API spec §7.6 says refuse, not with which code): AccessDenied "Request has expired".
    assert (code, message) == ("AccessDenied", "Request has expired"), response.describe()
