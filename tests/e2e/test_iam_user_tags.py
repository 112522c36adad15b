"""IAM user tags on `keyway serve`, end to end with the AWS CLI v1 and boto3 (strict mode, the root's credentials).

What AWS documents and what was recorded against it (README, "IAM user tags"):
* CreateUser takes `Tags`; CreateUser's and GetUser's `User` carry `Tags` when there are any; ListUsers never does.
* TagUser adds or replaces; user tag keys compare regardless of case and keep the case last given (IAM User Guide,
  id_tags: "If you have tagged a user with the Department=finance tag and you add the department=hr tag, it replaces
  the first tag"). UntagUser ignores keys the user does not have. ListUserTags is ordered by key, `Marker`/`MaxItems`.
* 50 tags a user: a request with more is `ValidationError` (`Value at 'tags' …`), a TagUser that would pass 50 is
  `LimitExceeded` 409 `The number of tags has reached the maximum limit.`
* Keys 1–128 and values 0–256 of `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`; `aws:` begins neither; one request may not name a
  key twice in any case (`InvalidInput` `Duplicate tag keys found. Please note that Tag keys are case insensitive.`).
* Unknown users: `NoSuchEntity` 404 `The user with name NAME cannot be found.` for all three actions.
* Tags survive a restart (SQLite migration 0006).
"""

from __future__ import annotations

import pytest

import auth_support as s
from auth_support import aws_environment_isolated  # noqa: F401  (autouse fixture)
from auth_support import aws, aws_json, assert_cli_error, client, expect_error, new_access_key, unique

server = s.server_fixture("iam-user-tags")

TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"
DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
LIMIT = "The number of tags has reached the maximum limit."


@pytest.fixture(scope="module")
def iam(server):
    return client(server, "iam", server.root)


def not_found(name: str) -> str:
    return f"The user with name {name} cannot be found."


def validation(*violations: str) -> str:
    n = len(violations)
    return f"{n} validation error{'' if n == 1 else 's'} detected: " + "; ".join(violations)


def tags_of(iam, user: str, **params) -> list[dict]:
    return iam.list_user_tags(UserName=user, **params)["Tags"]


def test_create_user_with_tags_cli_and_boto3(server, iam):
    name = unique("tagged")
    created = aws_json(server, "iam", "create-user", "--user-name", name,
                       "--tags", "Key=team,Value=Platform", "Key=Cost Center,Value=41200")["User"]
    expected = [{"Key": "Cost Center", "Value": "41200"}, {"Key": "team", "Value": "Platform"}]
    assert created["Tags"] == expected, created
    assert iam.get_user(UserName=name)["User"]["Tags"] == expected
    listed = iam.list_user_tags(UserName=name)
    assert listed["Tags"] == expected and listed["IsTruncated"] is False and "Marker" not in listed
    assert aws_json(server, "iam", "list-user-tags", "--user-name", name)["Tags"] == expected
    # ListUsers never shows tags.
    users = {u["UserName"]: u for u in iam.list_users()["Users"]}
    assert "Tags" not in users[name]

    plain = unique("untagged")
    response = iam.create_user(UserName=plain)["User"]
    assert "Tags" not in response
    assert "Tags" not in iam.get_user(UserName=plain)["User"]
    assert iam.list_user_tags(UserName=plain) | {"ResponseMetadata": None} == {
        "Tags": [], "IsTruncated": False, "ResponseMetadata": None}


def test_tag_replaces_regardless_of_case_and_untag_ignores_missing_keys(server, iam):
    name = unique("zhang")
    iam.create_user(UserName=name, Tags=[{"Key": "Department", "Value": "finance"}])
    iam.tag_user(UserName=name, Tags=[{"Key": "department", "Value": "hr"}, {"Key": "team", "Value": "Engineering"}])
    assert tags_of(iam, name) == [{"Key": "department", "Value": "hr"}, {"Key": "team", "Value": "Engineering"}]
    # The documented way to hold two values: one tag, a custom separator.
    aws_json(server, "iam", "tag-user", "--user-name", name, "--tags", "Key=team,Value=Engineering:QA")
    assert tags_of(iam, name)[1] == {"Key": "team", "Value": "Engineering:QA"}
    # An empty value is a value.
    iam.tag_user(UserName=name, Tags=[{"Key": "phoneNumber", "Value": ""}])
    assert {"Key": "phoneNumber", "Value": ""} in tags_of(iam, name)
    # Untag: keys match regardless of case; keys the user does not have are ignored.
    iam.untag_user(UserName=name, TagKeys=["DEPARTMENT", "not-there"])
    aws_json(server, "iam", "untag-user", "--user-name", name, "--tag-keys", "PhoneNumber")
    assert tags_of(iam, name) == [{"Key": "team", "Value": "Engineering:QA"}]
    iam.untag_user(UserName=name, TagKeys=["team"])
    assert tags_of(iam, name) == []
    # The user name is matched regardless of case too.
    iam.tag_user(UserName=name.upper(), Tags=[{"Key": "k", "Value": "v"}])
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "k", "Value": "v"}]


def test_list_user_tags_is_ordered_by_key_and_pages(server, iam):
    name = unique("pager")
    keys = ["b", "A", "c:d", "Z", "a b", "_x", "9"]
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": k.upper()} for k in keys])
    whole = [t["Key"] for t in tags_of(iam, name)]
    assert whole == sorted(keys), whole
    pages = list(iam.get_paginator("list_user_tags").paginate(UserName=name, PaginationConfig={"PageSize": 3}))
    assert [len(p["Tags"]) for p in pages] == [3, 3, 1]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert [t["Key"] for p in pages for t in p["Tags"]] == whole
    first = iam.list_user_tags(UserName=name, MaxItems=2)
    second = iam.list_user_tags(UserName=name, MaxItems=2, Marker=first["Marker"])
    assert [t["Key"] for t in first["Tags"] + second["Tags"]] == whole[:4]
    result = aws_json(server, "iam", "list-user-tags", "--user-name", name, "--page-size", "2")
    assert [t["Key"] for t in result["Tags"]] == whole
    expect_error(lambda: iam.list_user_tags(UserName=name, Marker="not-a-marker"), "ValidationError", 400,
                 "Invalid Marker.")


def test_fifty_tags_a_user(server, iam):
    name = unique("full")
    fifty = [{"Key": f"k{i:02d}", "Value": "v"} for i in range(50)]
    iam.create_user(UserName=name, Tags=fifty)
    assert len(tags_of(iam, name)) == 50
    expect_error(lambda: iam.tag_user(UserName=name, Tags=[{"Key": "one-more", "Value": ""}]), "LimitExceeded", 409,
                 LIMIT)
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.tag_user(UserName=name, Tags=[{"Key": "one-more", "Value": ""}])
    result = aws(server, "iam", "tag-user", "--user-name", name, "--tags", "Key=one-more,Value=")
    assert_cli_error(result, "LimitExceeded", "TagUser", LIMIT)
    # Nothing changed; replacing a held key (in another case) is not a 51st tag.
    assert len(tags_of(iam, name)) == 50
    iam.tag_user(UserName=name, Tags=[{"Key": "K00", "Value": "replaced"}])
    tags = tags_of(iam, name, MaxItems=100)
    assert len(tags) == 50 and {"Key": "K00", "Value": "replaced"} in tags
    # More than 50 in one request is the model's limit, on create and tag alike.
    too_many = [{"Key": f"x{i}", "Value": ""} for i in range(51)]
    message = validation("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
    expect_error(lambda: iam.create_user(UserName=unique("over"), Tags=too_many), "ValidationError", 400, message)
    expect_error(lambda: iam.tag_user(UserName=name, Tags=too_many), "ValidationError", 400, message)
    expect_error(lambda: iam.untag_user(UserName=name, TagKeys=[f"x{i}" for i in range(51)]), "ValidationError", 400,
                 validation("Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or "
                            "equal to 50"))


def test_tag_rules(server, iam):
    name = unique("rules")
    iam.create_user(UserName=name)
    for tags in ([{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}],
                 [{"Key": "dup", "Value": "a"}, {"Key": "dup", "Value": "a"}]):
        expect_error(lambda: iam.tag_user(UserName=name, Tags=tags), "InvalidInput", 400, DUPLICATE)
        expect_error(lambda: iam.create_user(UserName=unique("dup"), Tags=tags), "InvalidInput", 400, DUPLICATE)
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.tag_user(UserName=name, Tags=[{"Key": "aws:team", "Value": "a"}])
    for tags in ([{"Key": "AWS:team", "Value": "a"}], [{"Key": "team", "Value": "aws:a"}]):
        expect_error(lambda: iam.tag_user(UserName=name, Tags=tags), "InvalidInput", 400)
    expect_error(lambda: iam.tag_user(UserName=name, Tags=[{"Key": "k" * 129, "Value": ""}]), "ValidationError", 400,
                 validation("Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less "
                            "than or equal to 128"))
    expect_error(lambda: iam.tag_user(UserName=name, Tags=[{"Key": "ok", "Value": ""}, {"Key": "k", "Value": "v" * 257}]),
                 "ValidationError", 400,
                 validation("Value at 'tags.2.member.value' failed to satisfy constraint: Member must have length less "
                            "than or equal to 256"))
    expect_error(lambda: iam.tag_user(UserName=name, Tags=[{"Key": "invalid!key", "Value": ""}]), "ValidationError", 400,
                 validation(f"Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular "
                            f"expression pattern: {TAG_PATTERN}"))
    expect_error(lambda: iam.untag_user(UserName=name, TagKeys=["invalid!key"]), "ValidationError", 400,
                 validation("Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member "
                            "must have length less than or equal to 128, Member must have length greater than or equal "
                            f"to 1, Member must satisfy regular expression pattern: {TAG_PATTERN}, Member must not be "
                            "null]"))
    # Letters, numbers and spaces of any script are allowed, and the longest key and value.
    allowed = [{"Key": "Städte 東京", "Value": "١٢٣ Ⅻ _.:/=+-@"}, {"Key": "k" * 128, "Value": "v" * 256}]
    iam.tag_user(UserName=name, Tags=allowed)
    assert tags_of(iam, name) == sorted(allowed, key=lambda t: t["Key"])
    # A refused request changes nothing.
    assert len(tags_of(iam, name)) == 2


def test_unknown_users_and_users_without_rights(server, iam):
    ghost = unique("ghost")
    for call in (lambda: iam.tag_user(UserName=ghost, Tags=[{"Key": "k", "Value": "v"}]),
                 lambda: iam.untag_user(UserName=ghost, TagKeys=["k"]),
                 lambda: iam.list_user_tags(UserName=ghost)):
        expect_error(call, "NoSuchEntity", 404, not_found(ghost))
    result = aws(server, "iam", "list-user-tags", "--user-name", ghost)
    assert_cli_error(result, "NoSuchEntity", "ListUserTags", not_found(ghost))

    # An IAM user without policies may not tag, untag or list tags, not even its own.
    name = unique("self")
    iam.create_user(UserName=name, Tags=[{"Key": "k", "Value": "v"}])
    own = client(server, "iam", new_access_key(server, iam, name))
    expect_error(lambda: own.tag_user(UserName=name, Tags=[{"Key": "x", "Value": "y"}]), "AccessDenied", 403)
    expect_error(lambda: own.untag_user(UserName=name, TagKeys=["k"]), "AccessDenied", 403)
    expect_error(lambda: own.list_user_tags(UserName=name), "AccessDenied", 403)
    assert tags_of(iam, name) == [{"Key": "k", "Value": "v"}]


def test_tags_survive_a_restart(tmp_path):
    first = s.start_server(tmp_path / "data", tmp_path / "server.log")
    try:
        root = s.first_start_credentials(first)
        first.remember(root.secret)
        iam = client(first, "iam", root)
        iam.create_user(UserName="kept", Tags=[{"Key": "Team", "Value": "blue"}])
        iam.tag_user(UserName="kept", Tags=[{"Key": "team", "Value": "green"}, {"Key": "x", "Value": ""}])
        iam.create_user(UserName="plain")
    finally:
        assert first.stop() == 0
    second = s.start_server(tmp_path / "data", tmp_path / "server.log")
    try:
        iam = client(second, "iam", root)
        assert iam.get_user(UserName="kept")["User"]["Tags"] == [
            {"Key": "team", "Value": "green"}, {"Key": "x", "Value": ""}]
        assert tags_of(iam, "plain") == []
        iam.untag_user(UserName="KEPT", TagKeys=["TEAM"])
        assert tags_of(iam, "kept") == [{"Key": "x", "Value": ""}]
    finally:
        assert second.stop() == 0
