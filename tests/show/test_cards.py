"""Role cards: who may assume a role, its policies and how many actions they grant."""

from __future__ import annotations

import json
import re

import pytest

from ecslab.iam.analyzer import expand_action, granted_actions
from ecslab.iam.managed import managed_policy
from ecslab.show.cards import PolicyRow, RoleCard, trusted_principals

EXECUTION_POLICY = "AmazonECSTaskExecutionRolePolicy"


def test_the_execution_policy_grants_exactly_six_actions():
    granted = granted_actions(managed_policy(EXECUTION_POLICY).document)
    assert sorted(granted) == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_execution_role_card(lab):
    card = RoleCard(lab.execution_role)
    assert card.name == "ecs-execution-role"
    assert card.arn == "arn:aws:iam::123456789012:role/ecs-execution-role"
    assert card.trusted == ["service ecs-tasks.amazonaws.com"]
    assert card.policies == [
        PolicyRow(EXECUTION_POLICY, "AWS managed", 1, 6),
        PolicyRow("orders-launch-secrets", "inline", 3, 3),
    ]
    assert card.total_actions == 9
    assert card.policy_arns == [
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        None,
    ]
    assert card.documents[0] == managed_policy(EXECUTION_POLICY).document
    assert card.documents[1] == lab.execution_role.inline_policy("orders-launch-secrets")


def test_task_role_card_and_a_missing_statement(lab):
    assert RoleCard(lab.task_role).policies == [("orders-app", "inline", 5, 6)]
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "OrderEvents"]
    lab.task_role.put_inline("orders-app", document)
    card = RoleCard(lab.task_role)
    assert card.policies == [("orders-app", "inline", 4, 5)]
    assert card.total_actions == 5


def test_a_customer_managed_policy_attached_by_arn(lab):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
                "Resource": "*",
            }
        ],
    }
    created = lab.client("iam").create_policy(
        PolicyName="orders-queue", Path="/team/", PolicyDocument=json.dumps(document)
    )
    arn = created["Policy"]["Arn"]
    assert arn == "arn:aws:iam::123456789012:policy/team/orders-queue"
    lab.task_role.attach(arn)
    card = RoleCard(lab.task_role)
    assert card.policies == [
        ("orders-queue", "customer managed", 1, 2),
        ("orders-app", "inline", 5, 6),
    ]
    # sqs:SendMessage is in both: counted once.
    assert card.total_actions == 7
    assert card.policy_arns == [arn, None]
    assert card.documents[0] == document


def test_a_new_version_of_a_customer_managed_policy_is_what_the_card_shows(lab):
    iam = lab.client("iam")
    first = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:Publish"}]}
    first["Statement"][0]["Resource"] = "*"
    arn = iam.create_policy(PolicyName="notify", PolicyDocument=json.dumps(first))["Policy"]["Arn"]
    second = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}],
    }
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(second), SetAsDefault=True)
    lab.task_role.attach(arn)
    card = RoleCard(lab.task_role)
    assert card.policies[0] == ("notify", "customer managed", 1, len(expand_action("sns:*")))
    assert card.documents[0] == second


def test_administrator_access_counts_every_action(lab):
    lab.task_role.attach("AdministratorAccess")
    card = RoleCard(lab.task_role)
    everything = len(expand_action("*"))
    assert everything > 20_000
    assert card.policies[0] == ("AdministratorAccess", "AWS managed", 1, everything)
    assert card.total_actions == everything


def test_the_card_is_what_the_role_was_when_it_was_made(lab):
    card = RoleCard(lab.execution_role)
    before = (card.describe(), card._repr_html_())
    lab.execution_role.detach(EXECUTION_POLICY)
    assert (card.describe(), card._repr_html_()) == before
    assert RoleCard(lab.execution_role).policies == [("orders-launch-secrets", "inline", 3, 3)]


def test_describe_in_plain_sentences(lab):
    card = RoleCard(lab.execution_role)
    assert card.describe() == (
        "Role ecs-execution-role (arn:aws:iam::123456789012:role/ecs-execution-role).\n"
        "Who can assume it: service ecs-tasks.amazonaws.com.\n"
        "It has 2 permissions policies:\n"
        "- AmazonECSTaskExecutionRolePolicy (AWS managed): 1 statement, grants 6 actions.\n"
        "- orders-launch-secrets (inline): 3 statements, grants 3 actions.\n"
        "Together they grant 9 distinct actions."
    )
    assert repr(card) == card.describe()
    bare = lab.create_role("bare")
    assert (
        RoleCard(bare)
        .describe()
        .endswith("It has no permissions policies, so it grants no actions.")
    )


def test_html_card_is_accessible_and_shows_the_documents(lab):
    page = RoleCard(lab.execution_role)._repr_html_()
    assert page.startswith(
        '<section class="ecslab-role-card" aria-label="Role ecs-execution-role">'
    )
    assert "<h3>Role <code>ecs-execution-role</code></h3>" in page
    assert re.findall(r'<th scope="col">([^<]*)</th>', page) == [
        "Policy",
        "Kind",
        "Statements",
        "Actions granted",
    ]
    assert re.findall(r'<th scope="row">([^<]*)</th>', page) == [
        EXECUTION_POLICY,
        "orders-launch-secrets",
    ]
    assert "<caption" in page
    assert "<li>service ecs-tasks.amazonaws.com</li>" in page
    summaries = re.findall(r"<details><summary>([^<]*)</summary>", page)
    assert summaries == [
        "Trust policy (JSON)",
        f"{EXECUTION_POLICY} (AWS managed) — policy document",
        "orders-launch-secrets (inline) — policy document",
    ]
    assert "&quot;Service&quot;" not in page and '"Service": "ecs-tasks.amazonaws.com"' in page
    assert '"Sid": "InjectDatabasePassword"' in page
    assert "<script" not in page.lower()


def test_html_escapes_names_and_documents(lab):
    lab.task_role.put_inline(
        "tags<b>",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "X",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/<script>",
                }
            ],
        },
    )
    page = RoleCard(lab.task_role)._repr_html_()
    assert "<b>" not in page and "tags&lt;b&gt;" in page
    assert "<script>" not in page and "arn:aws:s3:::b/&lt;script&gt;" in page


def test_cards_are_the_same_bytes_for_the_same_state_in_two_labs():
    from ecslab import Lab

    pages = []
    for _ in range(2):
        with Lab() as lab:
            lab.task_role.attach("AmazonS3ReadOnlyAccess")
            for role in (lab.execution_role, lab.task_role):
                # Twice in one lab (the second time from the cache), then in a second lab.
                pages.append(RoleCard(role)._repr_html_() + RoleCard(role).describe())
                pages.append(RoleCard(role)._repr_html_() + RoleCard(role).describe())
    assert pages[0] == pages[1] == pages[4] == pages[5]
    assert pages[2] == pages[3] == pages[6] == pages[7]
    assert "AmazonS3ReadOnlyAccess (AWS managed)" in pages[2]


def test_trust_with_a_condition(lab):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:ecs:ap-northeast-1:123456789012:*"},
                },
            }
        ],
    }
    card = RoleCard(lab.create_role("guarded", trust=trust))
    assert card.trusted == [
        "service ecs-tasks.amazonaws.com, if StringEquals aws:SourceAccount is 123456789012 "
        "and ArnLike aws:SourceArn is arn:aws:ecs:ap-northeast-1:123456789012:*"
    ]
    assert card.trust_policy == trust
    assert card.policies == [] and card.total_actions == 0


def test_trusted_principals_in_words():
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        "arn:aws:iam::111122223333:root",
                        "444455556666",
                        "arn:aws:iam::111122223333:role/path/deployer",
                    ],
                    "Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"],
                },
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            },
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/example.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
            },
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
        ],
    }
    both = " (sts:AssumeRole, sts:TagSession)"
    assert trusted_principals(trust) == [
        "account 111122223333" + both,
        "account 444455556666" + both,
        "role deployer in account 111122223333" + both,
        "service ecs-tasks.amazonaws.com" + both,
        "service lambda.amazonaws.com" + both,
        "federated identity provider arn:aws:iam::111122223333:oidc-provider/example.com"
        " (sts:AssumeRoleWithWebIdentity)",
        "denied: anyone (*)",
    ]


def test_a_card_needs_a_role(lab):
    with pytest.raises(TypeError, match=r"needs a Role .* not str \(get one with lab.role"):
        RoleCard("ecs-task-role")
    with pytest.raises(TypeError, match="not dict"):
        RoleCard(lab.task_role.trust_policy)
    with pytest.raises(TypeError, match="a trust policy is a dict"):
        trusted_principals("ecs-tasks.amazonaws.com")


# -- in Japanese ---------------------------------------------------------------------------------


def test_in_japanese_a_card_speaks_japanese_then_english_again(lab):
    from ecslab.i18n import set_language

    card = RoleCard(lab.execution_role)
    english, english_html = card.describe(), card._repr_html_()
    set_language("ja")
    assert card.describe() == (
        "ロール ecs-execution-role (arn:aws:iam::123456789012:role/ecs-execution-role)。\n"
        "引き受けられるプリンシパル: サービス ecs-tasks.amazonaws.com。\n"
        "許可ポリシーは 2 個です:\n"
        "- AmazonECSTaskExecutionRolePolicy (AWS 管理): ステートメント 1 個、"
        "アクション 6 個を許可。\n"
        "- orders-launch-secrets (インライン): ステートメント 3 個、アクション 3 個を許可。\n"
        "合わせて重複を除いたアクション 9 個を許可します。"
    )
    page = RoleCard(lab.execution_role)._repr_html_()
    assert page.startswith(
        '<section class="ecslab-role-card" aria-label="ロール ecs-execution-role">'
    )
    assert "<h3>ロール <code>ecs-execution-role</code></h3>" in page
    assert "<h4>引き受けられるプリンシパル</h4>" in page and "<h4>許可ポリシー</h4>" in page
    assert re.findall(r'<th scope="col">([^<]*)</th>', page) == [
        "ポリシー",
        "種類",
        "ステートメント数",
        "許可するアクション数",
    ]
    assert "<caption" in page and "ecs-execution-role の許可ポリシーと" in page
    summaries = re.findall(r"<details><summary>([^<]*)</summary>", page)
    assert summaries == [
        "信頼ポリシー (JSON)",
        f"{EXECUTION_POLICY} (AWS 管理) — ポリシードキュメント",
        "orders-launch-secrets (インライン) — ポリシードキュメント",
    ]
    # the values a program reads stay as they are
    assert [row.kind for row in card.policies] == ["AWS managed", "inline"]
    assert trusted_principals(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:role/deployer"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                }
            ]
        }
    ) == [
        "アカウント 111122223333 のロール deployer"
        " (条件: StringEquals で aws:SourceAccount が 123456789012)"
    ]
    bare = lab.create_role("bare")
    assert (
        RoleCard(bare)
        .describe()
        .endswith("許可ポリシーがないため、許可するアクションはありません。")
    )
    with pytest.raises(TypeError, match=r"lab.role\(name\) で取得できます"):
        RoleCard("ecs-task-role")
    set_language("en")
    assert card.describe() == english
    assert RoleCard(lab.execution_role)._repr_html_() == english_html
