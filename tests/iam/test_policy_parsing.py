"""Parsing and validating policy documents: IAM's MalformedPolicyDocument rules, in IAM's words.

References (see docs/research/facts.md §2):

- moto's validator (moto/iam/policy_validation.py) and its table of documents that IAM's
  CreatePolicy rejects or accepts, recorded against AWS by moto's authors
  (https://github.com/getmoto/moto/blob/master/tests/test_iam/test_iam_policies.py);
- real AWS error texts quoted in public issues (URLs next to each test);
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

Where the judge once disagreed with AWS, the test states AWS's behaviour (``aws_differs`` marks any
such test as a strict xfail until the judge is fixed).
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from ecslab.iam import MalformedPolicyDocument, Policy, evaluate, parse_policy

V2012 = "2012-10-17"
V2008 = "2008-10-17"
TASK_ROLE = "arn:aws:iam::123456789012:role/ecs-task-role"


def aws_differs(reason: str) -> pytest.MarkDecorator:
    """The judge disagrees with what AWS does; the test asserts AWS's behaviour."""
    return pytest.mark.xfail(strict=True, reason=reason)


def stmt(**fields: Any) -> dict[str, Any]:
    """An identity-policy statement; a field given as None is left out."""
    out: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def trust_stmt(**fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def resource_stmt(**fields: Any) -> dict[str, Any]:
    fields.setdefault("Principal", {"AWS": TASK_ROLE})
    return stmt(**fields)


def doc(*statements: Any, version: str | None = V2012, **top: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if version is not None:
        out["Version"] = version
    out["Statement"] = list(statements)
    out.update(top)
    return out


def rejected(document: Any, kind: str = "identity") -> MalformedPolicyDocument:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(document, kind)
    return info.value


def where(error: MalformedPolicyDocument) -> tuple[Any, Any, Any]:
    return error.statement_index, error.sid, error.field


# -- the exception itself -----------------------------------------------------------------------


def _an_error() -> MalformedPolicyDocument:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(doc(stmt(Sid="ReadConfig", Effect="allow")), "identity", "app-policy")
    return info.value


def test_malformed_policy_document_is_a_value_error_named_like_the_iam_error_code():
    error = _an_error()
    assert isinstance(error, ValueError)
    assert str(error).startswith("MalformedPolicyDocument: The policy failed legacy parsing")
    assert error.reason == "The policy failed legacy parsing"
    assert (error.statement_index, error.sid, error.field) == (0, "ReadConfig", "Effect")
    assert error.policy_name == "app-policy"
    assert error.location == "policy 'app-policy', Statement[0] (Sid \"ReadConfig\"), field Effect"
    assert "'allow'" in error.expected


def test_malformed_policy_document_survives_pickling_with_its_attributes():
    error = _an_error()
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is MalformedPolicyDocument
    assert str(copy) == str(error)
    for attribute in ("reason", "statement_index", "sid", "field", "expected", "policy_name"):
        assert getattr(copy, attribute) == getattr(error, attribute)


def test_an_error_without_location_is_just_the_reason_and_what_was_expected():
    error = rejected("[]")
    assert error.location == ""
    assert str(error) == (
        "MalformedPolicyDocument: Syntax errors in policy. "
        "[a JSON object with Version and Statement, not a list]"
    )


# -- JSON text ------------------------------------------------------------------------------------


def test_invalid_json_in_a_permissions_policy_is_a_syntax_error():
    # CreatePolicy: https://github.com/aws-samples/amazon-ecs-firelens-examples/pull/50
    error = rejected('{"Version": "2012-10-17", "Statement": [')
    assert error.reason == "Syntax errors in policy."
    assert where(error) == (None, None, None)
    assert error.expected.startswith("valid JSON: ")


def test_invalid_json_in_a_trust_policy_says_invalid_json():
    # CreateRole: https://github.com/AWSCookbook/Security/issues/2
    assert rejected("{not json", "trust").reason == "This policy contains invalid Json"
    assert rejected("", "trust").reason == "This policy contains invalid Json"


@pytest.mark.parametrize("text", ["", "   ", b"\xff\xfe"])
def test_empty_or_undecodable_text_is_a_syntax_error(text):
    assert rejected(text).reason == "Syntax errors in policy."


def test_a_key_given_twice_is_refused_rather_than_silently_dropped():
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "s3:GetObject", "Action": "s3:PutObject", "Resource": "*"}}'
    )
    error = rejected(text)
    assert error.reason == "Syntax errors in policy."
    assert "'Action' appears twice" in error.expected


@pytest.mark.parametrize(
    ("document", "word"),
    [
        ("[]", "a list"),
        ("42", "a number"),
        ('"text"', "a string"),
        ("null", "null"),
        ([1], "a list"),
    ],
)
def test_a_document_that_is_not_an_object_is_a_syntax_error(document, word):
    error = rejected(document)
    assert error.reason == "Syntax errors in policy."
    assert error.expected.endswith(f"not {word}")


def test_json_text_and_bytes_parse_like_the_dict():
    document = doc(stmt())
    from_text = parse_policy(json.dumps(document))
    from_bytes = parse_policy(json.dumps(document).encode())
    assert from_text.document == from_bytes.document == document


def test_json_text_is_parsed_once_and_cached():
    text = json.dumps(doc(stmt(Sid="Cached")))
    first = parse_policy(text, "identity", "cached")
    assert parse_policy(text, "identity", "cached") is first
    assert parse_policy(text, "identity", "other-name") is not first
    assert parse_policy(text, "boundary", "cached").kind == "boundary"


def test_an_equal_dict_is_parsed_once_and_cached_on_what_it_says():
    document = doc(stmt(Sid="CachedDict"))
    first = parse_policy(document, "identity", "cached")
    assert parse_policy(json.loads(json.dumps(document)), "identity", "cached") is first
    assert parse_policy(document, "identity", "other-name") is not first
    assert parse_policy(document, "boundary", "cached").kind == "boundary"


def test_a_dict_changed_after_it_was_parsed_is_parsed_again():
    document = doc(stmt(Sid="Changing"))
    request = ("arn:aws:sts::123456789012:assumed-role/r/s", "s3:GetObject", "arn:aws:s3:::b/k")
    assert evaluate(*request, identity_policies=[("p", document)]).decision == "Allowed"
    document["Statement"][0]["Effect"] = "Deny"
    assert evaluate(*request, identity_policies=[("p", document)]).decision == "ExplicitlyDenied"
    document["Statement"][0]["Action"] = ["s3:PutObject"]
    assert evaluate(*request, identity_policies=[("p", document)]).decision == "ImplicitlyDenied"


def test_the_cache_keeps_its_own_copy_and_hands_out_copies():
    document = doc(stmt(Sid="Mine"))
    policy = parse_policy(document)
    document["Statement"][0]["Sid"] = "Changed"
    assert policy.document["Statement"][0]["Sid"] == "Mine"
    policy.document["Statement"][0]["Sid"] = "Also changed"
    assert parse_policy(doc(stmt(Sid="Mine"))).document["Statement"][0]["Sid"] == "Mine"


def test_dicts_that_json_writes_alike_but_python_tells_apart_are_not_mixed_up():
    # A tuple and a list: the same JSON text, different dicts.
    as_list = doc(stmt(Sid="Blur", Action=["s3:GetObject"]))
    as_tuple = doc(stmt(Sid="Blur", Action=("s3:GetObject",)))
    assert parse_policy(as_list).document == as_list
    assert parse_policy(as_tuple).document == as_tuple  # its own, not the list's


def test_a_policy_object_is_accepted_as_it_is():
    policy = parse_policy(doc(stmt()), "identity", "mine")
    assert isinstance(policy, Policy)
    assert parse_policy(policy) is policy
    assert parse_policy(policy, "identity", "mine") is policy
    renamed = parse_policy(policy, "identity", "renamed")
    assert renamed.name == "renamed" and renamed.statements is policy.statements
    # a different kind is parsed again from the document, with that kind's rules
    assert parse_policy(policy, "boundary").kind == "boundary"
    assert rejected(policy, "trust").reason == (
        "AssumeRole policy may only specify STS AssumeRole actions."
    )


def test_an_unknown_kind_is_a_programming_error_not_a_malformed_policy():
    with pytest.raises(ValueError, match="kind must be one of") as info:
        parse_policy(doc(stmt()), "bucket")
    assert not isinstance(info.value, MalformedPolicyDocument)


# -- top level ------------------------------------------------------------------------------------


def test_an_unknown_top_level_key_is_a_syntax_error_naming_it():
    error = rejected(doc(stmt(), Extra="value"))
    assert error.reason == "Syntax errors in policy."
    assert where(error) == (None, None, "Extra")


def test_id_must_be_a_string():
    assert parse_policy(doc(stmt(), Id="orders-policy")).document["Id"] == "orders-policy"
    error = rejected(doc(stmt(), Id=["x"]))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Id")


@pytest.mark.parametrize("kind", ["identity", "boundary", "session"])
def test_identity_policies_must_say_version_2012_10_17(kind):
    # https://github.com/Meteor-Community-Packages/Meteor-CollectionFS/issues/630
    for version in (None, V2008):
        error = rejected(doc(stmt(), version=version), kind)
        assert error.reason == "Policy document must be version 2012-10-17 or greater."
        assert error.field == "Version"


def test_an_unknown_version_is_a_syntax_error_for_every_kind():
    for kind, statement in (
        ("identity", stmt()),
        ("resource", resource_stmt()),
        ("trust", trust_stmt()),
    ):
        error = rejected(doc(statement, version="2012-10-18"), kind)
        assert (error.reason, error.field) == ("Syntax errors in policy.", "Version")


@pytest.mark.parametrize("version", [None, V2008, V2012])
def test_resource_policies_accept_the_legacy_version_and_no_version(version):
    policy = parse_policy(doc(resource_stmt(), version=version), "resource")
    assert policy.version == version
    assert policy.variables_enabled is (version == V2012)


def test_trust_policies_accept_version_2008_10_17():
    policy = parse_policy(doc(trust_stmt(), version=V2008), "trust")
    assert policy.version == V2008


def test_trust_policies_accept_a_missing_version():
    assert parse_policy(doc(trust_stmt(), version=None), "trust").version is None


def test_statement_missing_is_a_syntax_error():
    error = rejected({"Version": V2012})
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Statement")


def test_statement_empty_list_is_a_syntax_error():
    error = rejected(doc())
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Statement")
    assert error.expected == "at least one statement"


@pytest.mark.parametrize("value", ["Allow", 3, None])
def test_statement_of_the_wrong_type_is_a_syntax_error(value):
    error = rejected({"Version": V2012, "Statement": value})
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Statement")


def test_a_single_statement_object_is_accepted():
    policy = parse_policy({"Version": V2012, "Statement": stmt(Sid="Only")})
    assert policy.sids == ("Only",)
    assert policy.statements[0].index == 0


def test_a_statement_that_is_not_an_object_is_a_syntax_error_at_its_index():
    error = rejected(doc(stmt(), "afd"))
    assert error.reason == "Syntax errors in policy."
    assert (error.statement_index, error.sid) == (1, None)


# -- statement fields -----------------------------------------------------------------------------


def test_an_unknown_statement_field_is_a_syntax_error():
    error = rejected(doc(stmt(Sid="S1", Extra="value")))
    assert error.reason == "Syntax errors in policy."
    assert where(error) == (0, "S1", "Extra")
    assert "did you mean" not in error.expected


def test_a_field_in_the_wrong_case_gets_a_did_you_mean():
    statement = {"effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    error = rejected(doc(stmt(), statement))
    assert error.reason == "Syntax errors in policy."
    assert where(error) == (1, None, "effect")
    assert error.expected.endswith("; did you mean Effect?")


def test_sid_must_be_alphanumeric_in_identity_and_trust_policies():
    for kind, statement in (("identity", stmt), ("trust", trust_stmt)):
        error = rejected(doc(statement(Sid="allow-logs")), kind)
        assert error.reason == (
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*"
        )
        assert where(error) == (0, "allow-logs", "Sid")


def test_sid_with_spaces_and_dashes_is_fine_in_resource_policies():
    policy = parse_policy(doc(resource_stmt(Sid="Allow task role - read")), "resource")
    assert policy.sids == ("Allow task role - read",)


@pytest.mark.parametrize("sid", [{}, [], 7])
def test_sid_must_be_a_string(sid):
    error = rejected(doc(stmt(Sid=sid)))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Sid")


def test_duplicate_sids_are_refused_at_the_second_one():
    error = rejected(doc(stmt(Sid="Read"), stmt(Sid="Write"), stmt(Sid="Read")))
    assert error.reason == "Statement IDs (SID) in a single policy must be unique."
    assert where(error) == (2, "Read", "Sid")
    assert "Statement[0]" in error.expected


def test_empty_sids_may_repeat():
    assert parse_policy(doc(stmt(Sid=""), stmt(Sid=""))).sids == ("", "")


def test_effect_missing_is_a_syntax_error():
    error = rejected(doc(stmt(Effect=None)))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Effect")


@pytest.mark.parametrize("effect", ["allow", "DENY", "aLLow"])
def test_effect_in_the_wrong_case_failed_legacy_parsing(effect):
    # https://github.com/99designs/iamy/issues/65 ; moto's AWS-checked case "denY"
    error = rejected(doc(stmt(Effect=effect)))
    assert error.reason == "The policy failed legacy parsing"
    assert error.field == "Effect"


@pytest.mark.parametrize("effect", ["Permit", "invalid", "", True])
def test_effect_that_is_not_allow_or_deny_is_a_syntax_error(effect):
    error = rejected(doc(stmt(Effect=effect)))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Effect")


def test_action_and_notaction_together_is_a_syntax_error():
    error = rejected(doc(stmt(NotAction="s3:PutObject")))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Action")


def test_resource_and_notresource_together_is_a_syntax_error():
    error = rejected(doc(stmt(NotResource="arn:aws:s3:::b/*")))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Resource")


@pytest.mark.parametrize("action", [None, []])
def test_a_statement_without_actions(action):
    # https://github.com/aws/aws-cdk/issues/7615
    error = rejected(doc(stmt(Sid="NoActions", Action=action)))
    assert error.reason == "Policy statement must contain actions."
    assert where(error) == (0, "NoActions", "Action")


def test_an_empty_notaction_list_also_has_no_actions():
    error = rejected(doc(stmt(Action=None, NotAction=[])))
    assert (error.reason, error.field) == ("Policy statement must contain actions.", "NotAction")


@pytest.mark.parametrize("action", [{}, [[]], ["s3:GetObject", 5], 5])
def test_actions_must_be_strings(action):
    error = rejected(doc(stmt(Action=action)))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Action")


@pytest.mark.parametrize("action", ["GetObject", "", "invalid"])
def test_an_action_without_a_vendor(action):
    # https://github.com/garnaat/kappa/issues/111
    error = rejected(doc(stmt(Action=["s3:GetObject", action])))
    assert error.reason == (
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    )
    assert error.field == "Action"


def test_an_action_with_two_colons():
    error = rejected(doc(stmt(NotAction="s3:List:Bucket", Action=None)))
    assert error.reason == "Actions/Condition can contain only one colon."
    assert error.field == "NotAction"


@pytest.mark.parametrize(("action", "vendor"), [("a a:ListBucket", "a a"), ("s3_x:Get", "s3_x")])
def test_an_action_whose_vendor_has_bad_characters(action, vendor):
    error = rejected(doc(stmt(Action=action)))
    assert error.reason == f"Vendor {vendor} is not valid"


@pytest.mark.parametrize(
    "action", ["*", "s3:*", "*:Get*", "s3-s:ListBucket", "s3.s:ListBucket", "iam: asdf safdsf af "]
)
def test_action_shapes_iam_accepts(action):
    parse_policy(doc(stmt(Action=action)))


# -- resources ------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", [None, []])
def test_an_identity_statement_without_resources(resource):
    # https://github.com/trussworks/terraform-aws-s3-anti-virus/issues/28
    error = rejected(doc(stmt(Sid="NoResource", Resource=resource)))
    assert error.reason == "Policy statement must contain resources."
    assert where(error) == (0, "NoResource", "Resource")


def test_a_trust_policy_has_no_resource():
    # https://github.com/kubernetes-sigs/external-dns/issues/3085 (no trailing period)
    for key in ("Resource", "NotResource"):
        error = rejected(doc(trust_stmt(**{key: "*"})), "trust")
        assert error.reason == "Has prohibited field Resource"
        assert error.field == key


def test_a_trust_policy_resource_is_reported_before_its_missing_principal():
    # In external-dns#3085 the document had a Resource and no Principal; the Resource error won.
    error = rejected(doc(trust_stmt(Principal=None, Resource="*")), "trust")
    assert error.reason == "Has prohibited field Resource"


@pytest.mark.parametrize("resource", ["bucket", "", "invalid resource"])
def test_a_resource_that_is_not_an_arn(resource):
    # https://github.com/cattle-ops/terraform-aws-gitlab-runner/issues/1257 ("Resource  must ...")
    error = rejected(doc(stmt(Resource=[resource])))
    assert error.reason == f'Resource {resource} must be in ARN format or "*".'
    assert error.field == "Resource"


def test_a_resource_with_an_unknown_partition():
    error = rejected(doc(stmt(Resource=["arn:error:s3:::example_bucket", "arn:error:s3::x"])))
    assert error.reason == (
        'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'
    )


def test_a_resource_without_a_service():
    error = rejected(doc(stmt(Resource="arn:aws")))
    assert error.reason == "Resource vendor must be fully qualified and cannot contain regexes."


def test_an_iam_resource_with_a_region():
    resource = "arn:aws:iam:us-east-1:123456789012:role/ecs-task-role"
    error = rejected(doc(stmt(Resource=resource)))
    assert error.reason == f"IAM resource {resource} cannot contain region information."


def test_an_s3_bucket_or_object_with_a_region():
    resource = "arn:aws:s3:us-east-1::example_bucket"
    error = rejected(doc(stmt(Resource=resource)))
    assert error.reason == f"Resource {resource} can not contain region information."


def test_an_s3_access_point_has_a_region():
    parse_policy(
        doc(stmt(Resource="arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/*"))
    )


def test_an_iam_resource_path_must_name_a_known_iam_type():
    error = rejected(doc(stmt(Resource="arn:aws:iam::123456789012:roles/ecs-task-role")))
    assert error.reason == (
        'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
        "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
        "oidc-provider/, report/, access-report/."
    )


@pytest.mark.parametrize("resource", ["arn:aws:s3::example_bucket", "arn:aws:ec2::instance/i-1"])
def test_a_short_arn_with_an_empty_part_failed_legacy_parsing(resource):
    error = rejected(doc(stmt(Resource=resource)))
    assert error.reason == "The policy failed legacy parsing"


def test_the_iam_root_resource_is_accepted():
    parse_policy(doc(stmt(Effect="Deny", Resource=None, NotResource="arn:aws:iam::*:root")))


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:us-east-1:123456789012:job/*",
        "arn:aws:s3:*:*:access-grants/default/*",
    ],
)
def test_regional_s3_resource_types_are_accepted(resource):
    parse_policy(doc(stmt(Resource=resource)))


@pytest.mark.parametrize("resource", [{"a": "arn:aws:s3:::b"}, ["arn:aws:s3:::b", {}], 5])
def test_resources_must_be_strings(resource):
    error = rejected(doc(stmt(Resource=resource)))
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Resource")


# -- principals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["identity", "boundary", "session"])
@pytest.mark.parametrize("key", ["Principal", "NotPrincipal"])
def test_identity_policies_name_no_principal(kind, key):
    # https://github.com/hashicorp/terraform-provider-aws/issues/10419
    error = rejected(doc(stmt(**{key: {"AWS": TASK_ROLE}})), kind)
    assert error.reason == "Policy document should not specify a principal."
    assert error.field == key


def test_a_trust_policy_statement_without_principal():
    # https://github.com/terraform-aws-modules/terraform-aws-iam/issues/47
    error = rejected(doc(trust_stmt(Principal=None, Sid="Trust")), "trust")
    assert error.reason == (
        "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
        "The passed in policy has a statement with no principals!"
    )
    assert where(error) == (0, "Trust", "Principal")


def test_a_resource_policy_statement_without_principal():
    # S3's wording: https://github.com/humanmade/S3-Uploads/issues/191
    error = rejected(doc(stmt(Sid="NoOne")), "resource")
    assert error.reason == "Missing required field Principal"
    assert where(error) == (0, "NoOne", "Principal")


def test_principal_and_notprincipal_together_is_a_syntax_error():
    error = rejected(doc(resource_stmt(NotPrincipal={"AWS": TASK_ROLE})), "resource")
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Principal")


@pytest.mark.parametrize(
    "value",
    [
        "not-an-arn",
        "arn:aws:iam::123456789012:group/admins",  # groups cannot be principals
        "arn:aws:iam::1234:root",
        "arn:aws:s3:::bucket",
    ],
)
def test_an_aws_principal_that_is_no_principal(value):
    # https://github.com/opstrace/opstrace/issues/88 : Invalid principal in policy: "AWS":"<arn>"
    error = rejected(doc(trust_stmt(Principal={"AWS": ["123456789012", value]})), "trust")
    assert error.reason == f'Invalid principal in policy: "AWS":"{value}"'
    assert error.field == "Principal.AWS"


def test_an_unknown_principal_key():
    error = rejected(doc(trust_stmt(Principal={"Foo": "bar"})), "trust")
    assert error.reason.startswith('Invalid principal in policy: "Foo"')
    assert error.field == "Principal"


@pytest.mark.parametrize("value", [{}, "ecs-tasks.amazonaws.com", ["*"], 5])
def test_a_principal_that_is_neither_star_nor_an_object(value):
    error = rejected(doc(trust_stmt(Principal=value)), "trust")
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Principal")


def test_principal_values_must_be_strings():
    error = rejected(doc(trust_stmt(Principal={"AWS": [TASK_ROLE, 3]})), "trust")
    assert (error.reason, error.field) == ("Syntax errors in policy.", "Principal.AWS")


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": "123456789012"},
        {"AWS": "arn:aws:iam::123456789012:root"},
        {"AWS": TASK_ROLE},
        {"AWS": "arn:aws:iam::123456789012:user/alice"},
        {"AWS": "arn:aws:sts::123456789012:assumed-role/ecs-task-role/abc"},
        {"Service": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    ],
)
def test_principal_shapes_iam_accepts(principal):
    parse_policy(doc(resource_stmt(Principal=principal)), "resource")


def test_a_trust_policy_may_name_everyone_as_aws_star():
    parse_policy(doc(trust_stmt(Principal={"AWS": "*"})), "trust")


def test_a_trust_policy_rejects_the_bare_star_principal():
    rejected(doc(trust_stmt(Principal="*")), "trust")


def test_trust_policies_only_allow_role_assumption_actions():
    error = rejected(doc(trust_stmt(Action=["sts:AssumeRole", "s3:GetObject"])), "trust")
    assert error.reason == "AssumeRole policy may only specify STS AssumeRole actions."
    assert error.field == "Action"


@pytest.mark.parametrize(
    ("action", "principal"),
    [
        ("sts:AssumeRole", {"Service": "ecs-tasks.amazonaws.com"}),
        (["sts:AssumeRole", "sts:TagSession"], {"AWS": TASK_ROLE}),
        ("sts:AssumeRoleWithWebIdentity", {"Federated": "cognito-identity.amazonaws.com"}),
        ("sts:AssumeRoleWithSAML", {"Federated": "arn:aws:iam::123456789012:saml-provider/idp"}),
    ],
)
def test_trust_policy_shapes_iam_accepts(action, principal):
    parse_policy(doc(trust_stmt(Action=action, Principal=principal)), "trust")


# -- conditions ----------------------------------------------------------------------------------


def cond(condition: Any, **fields: Any) -> dict[str, Any]:
    return doc(stmt(Sid="C", Condition=condition, **fields))


@pytest.mark.parametrize("condition", [[], "a", [{"StringEquals": {"aws:TagKeys": "x"}}]])
def test_a_condition_that_is_not_an_object(condition):
    error = rejected(cond(condition))
    assert error.reason == "Syntax errors in policy."
    assert where(error) == (0, "C", "Condition")


@pytest.mark.parametrize(
    "operator", ["x", "StringEqual", "ForAnyValue::StringEqualsIfExists", "IfExists"]
)
def test_an_unknown_operator_is_a_syntax_error(operator):
    # https://github.com/aws-cloudformation/cfn-lint/issues/3751 ; moto's AWS-checked cases
    error = rejected(cond({operator: {"aws:SourceAccount": "123456789012"}}))
    assert error.reason == "Syntax errors in policy."
    assert error.field == f"Condition.{operator}"


@pytest.mark.parametrize("operator", ["NullIfExists", "ForAnyValue:Null"])
def test_null_takes_neither_ifexists_nor_a_set_qualifier(operator):
    # Access Analyzer: NULL_WITH_IF_EXISTS is an ERROR. (IAM's own API answer is not verified.)
    error = rejected(cond({operator: {"aws:TokenIssueTime": "true"}}))
    assert error.reason == "Syntax errors in policy."
    assert error.field == f"Condition.{operator}"


@pytest.mark.parametrize("operator", ["DateGreaterThan", "StringEquals"])
def test_an_operator_whose_keys_are_not_an_object(operator):
    error = rejected(cond({operator: "b"}))
    assert (error.reason, error.field) == ("Syntax errors in policy.", f"Condition.{operator}")


def test_an_empty_condition_block_is_accepted():
    assert parse_policy(cond({})).statements[0].conditions == ()


def test_an_operator_with_no_keys_is_accepted():
    parse_policy(cond({"DateGreaterThan": {}}))


def test_an_unknown_operator_with_no_keys_is_accepted():
    parse_policy(cond({"x": {}, "y": {}}))


def test_a_key_with_an_empty_list_of_values_is_accepted():
    parse_policy(cond({"DateGreaterThan": {"aws:CurrentTime": []}}))


@pytest.mark.parametrize("operator", ["StringEqualsIfExists", "ForAnyValue:StringEqualsIfExists"])
def test_a_condition_key_without_a_prefix_is_accepted(operator):
    parse_policy(cond({operator: {"a": "asf"}}))


@pytest.mark.parametrize("value", [{}, {"a": 1}, [{"a": 1}], [None], None, float("nan")])
def test_condition_values_must_be_scalars(value):
    # grammar: a value or a list of values, each "string" | "number" | "Boolean"
    error = rejected(cond({"StringEquals": {"aws:PrincipalTag/team": value}}))
    assert error.reason == "Syntax errors in policy."
    assert error.field == "Condition.StringEquals.aws:PrincipalTag/team"


@pytest.mark.parametrize(
    "value",
    [
        "sdfdsf",
        "234-13",
        "2024-13-01",
        "2016-12-13t2:00:00.593194+1",
        "2016-12-13t2:00:00.1999999999+10:59",
    ],
)
def test_a_date_that_is_no_date_failed_legacy_parsing(value):
    # moto's AWS-checked cases (there with key "a"; here with a real key)
    error = rejected(cond({"DateLessThanEquals": {"aws:CurrentTime": value}}))
    assert error.reason == "The policy failed legacy parsing"
    assert where(error) == (0, "C", "Condition.DateLessThanEquals.aws:CurrentTime")


@pytest.mark.parametrize(
    "value",
    [
        "2019-07-01T13:20:15Z",
        "2016-12-13T21:20:37.593194+00:00",
        "2024-01-01",
        "1700000000",
        "-292275054",
    ],
)
def test_dates_iam_accepts(value):
    parse_policy(cond({"DateLessThan": {"aws:CurrentTime": value}}))


@pytest.mark.parametrize("value", ["01T", "2016-12-13t2:00:00.593194+23"])
def test_odd_iso_dates_iam_accepts(value):
    parse_policy(cond({"DateGreaterThan": {"aws:CurrentTime": value}}))


def test_an_epoch_past_the_long_range_failed_legacy_parsing():
    error = rejected(cond({"DateLessThan": {"aws:CurrentTime": "9223372036854775808"}}))
    assert error.reason == "The policy failed legacy parsing"


def test_date_values_cannot_be_policy_variables():
    # Variables work with the string, ARN and Bool operators only (condition operators page), and
    # IAM's legacy date grammar refuses "${...}" (moto's policy validator).
    error = rejected(cond({"DateLessThan": {"aws:CurrentTime": "${aws:TokenIssueTime}"}}))
    assert error.reason == "The policy failed legacy parsing"
    assert error.field == "Condition.DateLessThan.aws:CurrentTime"


def test_condition_values_may_be_strings_numbers_booleans_and_lists():
    # grammar: <condition_value> = ("string" | "number" | "Boolean")
    policy = parse_policy(
        cond(
            {
                "Bool": {"aws:SecureTransport": True},
                "NumericLessThan": {"s3:max-keys": 10},
                "StringEquals": {"aws:PrincipalTag/team": ["orders", "billing"]},
                "ForAllValues:StringEquals": {"aws:TagKeys": "Department"},
                "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
            }
        )
    )
    values = {c.key: c.values for c in policy.statements[0].conditions}
    assert values == {
        "aws:SecureTransport": ("true",),
        "s3:max-keys": ("10",),
        "aws:PrincipalTag/team": ("orders", "billing"),
        "aws:TagKeys": ("Department",),
        "aws:MultiFactorAuthPresent": ("false",),
    }


# -- IAM's answers, as recorded against AWS ----------------------------------------------------
# Documents and messages from moto's tests/test_iam/test_iam_policies.py (CreatePolicy), whose
# cases were checked against IAM.

ORDER = (
    "IAM checks in this order: syntax, version, legacy parsing, Sid uniqueness, actions present, "
    "resource format, action prefixes, resources present (moto; facts §2)"
)

IAM_REJECTS = [
    pytest.param("This is not a json document", "Syntax errors in policy.", id="not-json"),
    pytest.param(
        {"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}},
        "Policy document must be version 2012-10-17 or greater.",
        id="no-version",
    ),
    pytest.param(
        {"Version": "2013-10-17", "Statement": stmt()}, "Syntax errors in policy.", id="version"
    ),
    pytest.param(
        {"Statement": [stmt(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}]},
        "Policy document must be version 2012-10-17 or greater.",
        id="version-before-sids",
    ),
    pytest.param(
        {"Statement": stmt(Effect="denY")},
        "Policy document must be version 2012-10-17 or greater.",
        id="version-before-legacy",
    ),
    pytest.param(
        doc(stmt(Action="s3:ListBucket", Resource=["adf"])),
        'Resource adf must be in ARN format or "*".',
        id="resource-list",
    ),
    pytest.param(
        doc(stmt(Action=None, NotAction="")),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        id="empty-notaction",
    ),
    pytest.param(
        doc(stmt(Action="s3s:ListBucket"), stmt(Action="s:3s:ListBucket")),
        "Actions/Condition can contain only one colon.",
        id="colon-in-second",
    ),
    pytest.param(
        doc({"Effect": "Allow", "Action": "invalid"}),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        id="prefix-before-missing-resources",
    ),
    pytest.param(
        doc({"Effect": "Allow"}), "Policy statement must contain actions.", id="effect-only"
    ),
    pytest.param(
        doc({"Effect": "Deny"}, stmt()),
        "Policy statement must contain actions.",
        id="first-has-no-actions",
    ),
    pytest.param(
        doc({"Action": "s3:ListBucket", "Resource": "*"}),
        "Syntax errors in policy.",
        id="no-effect",
    ),
    pytest.param(
        doc(stmt(Resource="arn:aws:iam:::example_bucket")),
        'IAM resource path must either be "*" or start with user/, federated-user/, role/, '
        "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
        "oidc-provider/, report/, access-report/.",
        id="iam-path",
    ),
    pytest.param(
        doc(stmt(Resource="arn:aws:iam:us-east-1::example_bucket")),
        "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.",
        id="iam-region-before-path",
    ),
    pytest.param(
        doc({"Effect": "allow", "Resource": "arn:aws:s3:us-east-1::example_bucket"}),
        "The policy failed legacy parsing",
        id="legacy-before-actions",
    ),
    pytest.param(
        doc(stmt(Sid="sdf", Effect="aLLow"), {"Sid": "sdf", "Effect": "Allow"}),
        "The policy failed legacy parsing",
        id="legacy-before-sids",
    ),
    pytest.param(
        doc(stmt(Resource=None, NotResource="arn:aws:s3::example_bucket")),
        "The policy failed legacy parsing",
        id="short-notresource",
    ),
    pytest.param(
        doc(stmt(Action="s:3:ListBucket", Resource="sdfsadf")),
        'Resource sdfsadf must be in ARN format or "*".',
        id="resource-before-action-prefix",
    ),
    pytest.param(
        doc({"Effect": "Allow", "Resource": "arn:aws:s3::example_bucket"}),
        "The policy failed legacy parsing",
        id="legacy-resource-before-missing-actions",
    ),
    pytest.param(
        doc({"Effect": "Allow", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}}}),
        "The policy failed legacy parsing",
        id="legacy-date-before-missing-actions",
    ),
    pytest.param(
        doc(stmt(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}),
        "Statement IDs (SID) in a single policy must be unique.",
        id="sids-before-missing-actions",
    ),
    pytest.param(
        doc(
            stmt(
                Resource="arn:error:s3:::example_bucket",
                Condition={"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}},
            )
        ),
        "The policy failed legacy parsing",
        id="legacy-date-before-partition",
    ),
    pytest.param(
        doc(stmt(Resource="arn:aws::::example_bucket")),
        "The policy failed legacy parsing",
        id="empty-service-6-parts",
    ),
    pytest.param(
        doc(stmt(Resource="arn:aws::fdsasf")),
        "The policy failed legacy parsing",
        id="empty-service-short",
    ),
    pytest.param(
        doc(stmt(Resource="aws:s3:::example_bucket")),
        'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".',
        id="missing-arn-prefix",
    ),
    pytest.param(
        doc(stmt(Resource="a:b:cadfsdf")),
        'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".',
        id="partition-rebuilt-arn",
    ),
    pytest.param(
        doc(stmt(Resource="a:b:c:d:e:f:g:h")),
        'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".',
        id="partition-long",
    ),
]


@pytest.mark.parametrize(("document", "message"), IAM_REJECTS)
def test_iam_rejects_with_these_words(document, message):
    assert rejected(document).reason == message


IAM_ACCEPTS = [
    doc(stmt(Action="s3:ListBucket", Resource=["arn:aws:s3:::example_bucket", "*"])),
    doc(stmt(Action="fsx:ListBucket", Resource="arn:aws:s3:::example_bucket")),
    doc(stmt(Resource="arn:aws:iam:::user/example_bucket")),
    doc(stmt(Resource="arn:aws:s33:::example_bucket")),
    doc(stmt(Resource="arn:aws:fdsasf")),
    doc(stmt(Resource="arn:aws:cloudwatch:us-east-1::example_bucket")),
    doc(stmt(Resource="arn:aws:invalid-service:us-east-1::example_bucket")),
    doc(stmt(Resource="arn:aws:ec2:region:account-id:instance/*")),
    doc(stmt(Action="rds:*", Resource=["arn:aws:rds:region:*:*"])),
    doc(stmt(Effect="Deny", Action="s3:*", Resource=None, NotResource=["arn:aws:s3:::HR/*"])),
    doc(stmt(Action=None, NotAction="s3:ListBucket", Resource=None, NotResource="*")),
    doc(stmt(Sid="sdf"), stmt()),
    doc(
        stmt(
            Action=["iam:ChangePassword", "iam:GetUser"],
            Resource="arn:aws:iam::*:user/${aws:username}",
        ),
        stmt(
            Sid="DenyAllExceptListedIfNoMFA",
            Effect="Deny",
            Action=None,
            NotAction=["iam:GetUser", "sts:GetSessionToken"],
            Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        ),
    ),
    doc(
        stmt(
            Action="s3:ListBucket",
            Resource="arn:aws:s3:::bucket-name",
            Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:userid}/*"]}},
        ),
        stmt(
            Action="s3:*",
            Resource=[
                "arn:aws:s3:::bucket-name/home/${aws:userid}",
                "arn:aws:s3:::bucket-name/home/${aws:userid}/*",
            ],
        ),
    ),
    doc(
        stmt(
            Action="ec2:AttachVolume",
            Resource=["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:instance/*"],
            Condition={"ArnEquals": {"ec2:SourceInstanceARN": "arn:aws:ec2:*:*:instance/i-1"}},
        )
    ),
]


@pytest.mark.parametrize("document", IAM_ACCEPTS)
def test_iam_accepts(document):
    assert isinstance(parse_policy(document), Policy)
