# %% [markdown]
# # 最小権限と信頼
#
# Amazon Elastic Container Service (Amazon ECS) には、なぜロールが 2 つあるのでしょうか。記事の最初の答えは**最小権限**です。1 つのロールにすべての権限を集めると、「本来ECS側だけが使うべき権限をアプリが持ってしまう」「アプリに不要な強い権限を与えてしまう可能性がある」と記事は書いています。
#
# ところが記事の Terraform は、タスク実行ロールに `CloudWatchLogsFullAccess` をアタッチしています。筆者自身のコメントつきです:「本来はカスタムに権限を絞る方が良いです」。このノートブックでは、この絞り込みをアクションとリソースの両方で行い、タスクが変わらず動くことで確かめます。そのあと、ロールのもう一つの面を見ます。誰がロールを引き受けられるか (信頼ポリシー) と、誰がロールを ECS に渡せるか (`iam:PassRole`) です。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - AWS 管理ポリシー、カスタマー管理ポリシー、インラインポリシーの違い。記事のポリシーがどれだけの権限を与えているか。
# - タスクが実際に行った呼び出しから最小権限のポリシーを作り、適用し、タスクをもう一度実行して確かめる方法。
# - 最小権限ではリソースも絞る理由。`AmazonECSTaskExecutionRolePolicy` は、そのアクションをすべてのロググループとすべてのリポジトリに許可しています (`"Resource": "*"`)。
# - ロググループの Amazon リソースネーム (ARN) に `:*` が必要な理由と、`*` だけでは広すぎる理由。
# - `ecs-tasks.amazonaws.com` に対する信頼ポリシーの意味。`aws:SourceAccount` と `aws:SourceArn` が、ロールを*混乱した代理*からどう守るか。
# - タスクを実行する人に `iam:PassRole` が必要な理由と、それがないときに ECS が返すエラー。
#
# ## 始める前に
#
# 2 つのロールにはノートブック 01〜03 で出会い、失敗したタスクの読み方はノートブック 05 で学びました。AWS Identity and Access Management (IAM) のポリシーは JSON のドキュメントです。ここではいくつかを読み、小さなものを書きます。所要時間は約 55 分です。

# %% [markdown]
# ## 3 種類のポリシー
#
# ロールの権限は、次の 3 種類のポリシーから来ます。
#
# - **AWS 管理ポリシー**: AWS が作成・更新し、どのアカウントでも同じです。多くの用途に向けたものなので、たいてい範囲が広くなっています (`"Resource": "*"`)。ARN は `arn:aws:iam::aws:policy/` で始まります。
# - **カスタマー管理ポリシー**: 自分のアカウント向けに自分で書くポリシーです。複数のロールで共有でき、バージョンが管理されます。
# - **インラインポリシー**: 1 つのロールの一部で、ロールと一緒に削除されます。
#
# 次のセルは新しいシミュレーションのアカウントを作り (最初からやり直すときはもう一度実行します)、タスク実行ロールのカードを表示します。カードには、ポリシーごとにその種類と、許可する IAM アクションの数が出ます (ワイルドカードは展開して数え、リソースは数えません)。後のセルで使うヘルパーも 2 つ定義します。`use_the_article_policies()` はタスク実行ロールに記事のポリシーをつけます。`user_session(user, policy)` は、`policy` だけを持つ IAM ユーザー `user` としてサインインします。

# %%
import json

import boto3

from ecslab import Lab, diagnose, evaluate, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しいシミュレーションのアカウント: もう一度実行すると最初からやり直せます


def use_the_article_policies():
    """タスク実行ロールに記事の AWS 管理ポリシーをつけます (コースのシークレット用のポリシーは残ります)。"""
    lab.reset_roles()
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
    lab.execution_role.attach("CloudWatchLogsFullAccess")


def user_session(user, policy):
    """IAM ユーザー `user` (ポリシーは `policy` だけ) の新しいアクセスキーで作る boto3 のセッション。"""
    iam = lab.client("iam")
    if user not in [found["UserName"] for found in iam.list_users()["Users"]]:
        iam.create_user(UserName=user)
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    iam.put_user_policy(UserName=user, PolicyName=f"{user}-policy",
                        PolicyDocument=json.dumps(policy))
    for old in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:  # キーは 2 つまで
        iam.delete_access_key(UserName=user, AccessKeyId=old["AccessKeyId"])
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.Session(key["AccessKeyId"], key["SecretAccessKey"], region_name=lab.region)


lab.execution_role.card()

# %% [markdown]
# コースのタスク実行ロールには、AWS 管理ポリシー `AmazonECSTaskExecutionRolePolicy` と、起動時に注入する 2 つのシークレットのためのインラインポリシーがついています。記事が「このマネージドポリシーと起動時に必要なシークレット取得権限、という構成にしておくと安全であると言えます」と書いている構成です。アクションは全部で 9 個です。
#
# ## CloudWatchLogsFullAccess が本当に許可しているもの
#
# では、タスク実行ロールに記事の Terraform と同じポリシーをつけます。`AmazonECSTaskExecutionRolePolicy` の代わりに、AWS 管理ポリシー `AmazonEC2ContainerRegistryReadOnly` と `CloudWatchLogsFullAccess` です。**予想してください**: このロールが許可するアクションはいくつになるでしょうか。

# %%
use_the_article_policies()
lab.execution_role.card()

# %% [markdown]
# AWS が公開しているとおりの、この AWS 管理ポリシーのドキュメントです。最初のアクションは `logs:*` です。Amazon CloudWatch Logs のすべてのアクションを、すべてのリソースに対して許可しています。

# %%
from ecslab.iam.managed import managed_policy

print(json.dumps(managed_policy("CloudWatchLogsFullAccess").document, indent=2))

# %% [markdown]
# `expand_action` は、AWS のアクション一覧から、パターンに一致する具体的なアクションを取り出します。ECS エージェントに必要なのはそのうちの 2 つです。ところが `logs:*` はずっと多くのアクションに一致し、削除のアクションもすべて含みます。

# %%
from ecslab.iam.analyzer import expand_action

every_logs_action = expand_action("logs:*")
deletes = [action for action in every_logs_action if action.startswith("logs:Delete")]
print(len(every_logs_action), "個のアクションが logs:* に一致し、そのうち", len(deletes), "個が削除のアクションです:")
print(", ".join(deletes))

# %% [markdown]
# IAM の判定 (`evaluate`) に聞いてみます。記事のポリシーをつけたタスク実行ロールのセッションは、ロググループそのものを削除できるでしょうか。続けてタスクを実行します。

# %%
use_the_article_policies()
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
log_group = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:/ecs/orders"
decision = evaluate(session, "logs:DeleteLogGroup", log_group,
                    identity_policies=lab.execution_role.documents())
print("logs:DeleteLogGroup:", decision.decision, "by", decision.deciding_statements[0].policy_name)
task = lab.run_task()
print("タスク:", task.stop_code, "終了コード", task.exit_code)

# %% [markdown]
# タスクは問題なく動きます。これが落とし穴です。ロールが*動く*からといって、そのロールにほかに何が*できてしまう*かはわかりません。このロールの認証情報を手に入れた人は、アカウントのすべてのロググループを削除できます。
#
# ## トレースから最小権限のポリシーを作る
#
# トレースには、タスク実行ロールがタスクのために行った呼び出しがすべて記録されます (途中で止まったタスクでは、その先に必要だった呼び出しをタスクの*プラン*から補います)。`least_privilege` は、それらの呼び出しを許可する最小のポリシーを作ります。リソースは、それぞれのサービスが名前をつける形で書かれます。
#
# - ログストリームの名前にはタスク ID が入るので、ポリシーはロググループのストリームを `log-group:/ecs/orders:*` と書きます。
# - AWS Secrets Manager のシークレットの ARN は、末尾にランダムな 6 文字がつくので、`-??????` で一致させます。
# - `ecr:GetAuthorizationToken` は `"*"` しか受け付けないので、`"*"` のままです。

# %%
use_the_article_policies()
task = lab.run_task()
suggestion = task.trace.least_privilege("ecs-execution-role")
suggestion

# %% [markdown]
# 使ったアクションは 8 個、許可されているのは 153 個です。`apply()` は、この提案をロールのただ 1 つのアクセス許可ポリシー (インラインポリシー) にします。そして証明です。タスクをもう一度実行します。

# %%
use_the_article_policies()  # 上と同じ提案
suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")
suggestion.apply()
print(lab.execution_role.card())
print()
task = lab.run_task()
print(task.stop_code, "終了コード", task.exit_code)

# %% [markdown]
# 同じタスクが同じ結果になりました。アクションは 153 個から 8 個になり、どれもこのタスクが使うリソースだけに限られています。
#
# ただし、トレースにはわからないこともあります。トレースにあるのは、*この*タスク定義が必要としたものと、アプリケーションの*今回の*実行が行ったことだけです。シークレット、コンテナ、ロググループを追加したり、今回は通らなかったコードを実行したりすれば、ポリシーを作り直す必要があります。また、絞り込んだポリシーは自分で保守することになります。AWS 管理ポリシーなら AWS が保守します。

# %% [markdown]
# ### 最小権限ではリソースも絞る
#
# 記事は、`AmazonECSTaskExecutionRolePolicy` と注入するシークレットの取得権限の組み合わせを安全な構成としています。デフォルトとして妥当です。6 個のアクションのうち 5 個をこのタスクが使います。しかし `"Resource": "*"` なので、アカウントの*すべての*ロググループと*すべての*リポジトリに対して、それらのアクションを許可しています。IAM の判定で、コースのタスク実行ロールと最小権限のロールを、別のサービスのロググループとリポジトリについて比べます。

# %%
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
where = f"{lab.region}:{lab.account_id}"
elsewhere = [
    ("logs:PutLogEvents", f"arn:aws:logs:{where}:log-group:/ecs/another-service:log-stream:x"),
    ("ecr:BatchGetImage", f"arn:aws:ecr:{where}:repository/another-app"),
]


def verdicts():
    documents = lab.execution_role.documents()
    return [evaluate(session, action, resource, identity_policies=documents).decision
            for action, resource in elsewhere]


lab.reset_roles()  # AmazonECSTaskExecutionRolePolicy と、シークレット用のインラインポリシー
course = verdicts()
lab.run_task().trace.least_privilege("ecs-execution-role").apply()
narrowed = verdicts()
for (action, resource), before, after in zip(elsewhere, course, narrowed):
    print(action, "on", resource)
    print(f"    コースのロール: {before:<18} 最小権限: {after}")

# %% [markdown]
# AWS 管理ポリシーのままでは、このロールのセッションが漏れると、別のサービスのログに書き込んだり、別のチームのイメージをプルしたりできてしまいます。最小権限のポリシーが名指ししているのは `/ecs/orders` と `orders-app` だけです。
#
# ### 同じポリシーをカスタマー管理ポリシーにする
#
# 提案は、カスタマー管理ポリシーにすることもできます。そうすれば、ほかのタスク実行ロールと共有できます。このセルは 2 回実行しても問題ありません。ポリシーは 1 回だけ作成されます。

# %%
lab.reset_roles()
suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")
iam = lab.client("iam")
try:
    iam.create_policy(PolicyName="orders-execution", PolicyDocument=suggestion.json)
except iam.exceptions.EntityAlreadyExistsException:
    pass  # このセルの前回の実行で作成済み
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.remove_inline("orders-launch-secrets")
lab.execution_role.attach(f"arn:aws:iam::{lab.account_id}:policy/orders-execution")
print(lab.execution_role.card())
print()
print("終了コード", lab.run_task().exit_code)

# %% [markdown]
# ## ロググループの `:*` の落とし穴
#
# 最小権限のポリシーは、ロググループを `log-group:/ecs/orders:*` と書いていました。なぜロググループの ARN そのままではないのでしょうか。ECS エージェントはログ*ストリーム*を作成し、そこに書き込みます。IAM はその呼び出しを、ストリームの ARN と照らし合わせます。ストリームの ARN は、ロググループの ARN の後ろに `:log-stream:<name>` がついたものです。リソースの 3 通りの書き方がそれぞれ何をカバーするか、IAM の判定で見てみます。

# %%
session = f"arn:aws:sts::{lab.account_id}:assumed-role/ecs-execution-role/0f4e1c9a"
log_group = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:/ecs/orders"
streams = {
    "/ecs/orders のストリーム": f"{log_group}:log-stream:ecs/orders/0f4e1c9a",
    "/ecs/orders-admin のストリーム": f"{log_group}-admin:log-stream:audit",
}
for resource in (log_group, log_group + ":*", log_group + "*"):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": resource}]}
    print("Resource ...:" + resource.split(":", 5)[5])
    for name, stream in streams.items():
        verdict = evaluate(session, "logs:CreateLogStream", stream, identity_policies=[policy])
        print(f"    {name:<30} {verdict.decision}")

# %% [markdown]
# - ロググループの ARN だけでは、そのストリームは 1 つもカバーされません。エージェントは拒否されます。
# - `:*` は、`/ecs/orders` のストリームだけをカバーします。
# - 名前のすぐ後ろに `*` をつけると、`/ecs/orders-admin` や `/ecs/orders-old` など、名前の先頭が同じすべてのロググループもカバーします。広すぎます。
#
# では、タスクで実際に起こるところを見ましょう。シナリオ `log-group-without-star` は、ロールを最初の状態に戻したうえで、`AmazonECSTaskExecutionRolePolicy` を、ロググループを `:*` なしで書いたインラインポリシーに置き換えます。セルは停止の内容と、そのポリシーの `WriteLogs` ステートメントを表示します。

# %%
from ecslab.scenarios import load

print(load(lab, "log-group-without-star").change)
task = lab.run_task()
print()
print(task.stop_code)
print(task.stopped_reason)
print()
print(json.dumps(lab.execution_role.inline_policy("pull-and-logs")["Statement"][1], indent=2))

# %% [markdown]
# 拒否のメッセージにあるリソースと、ステートメントのリソースを比べてください。拒否されたのは `...:log-group:/ecs/orders:log-stream:ecs/orders/<task id>` で、ポリシーにあるのは `...:log-group:/ecs/orders` だけです。`:*` を足して、もう一度実行します。

# %%
from ecslab.scenarios import load

load(lab, "log-group-without-star")  # 上と同じ、壊れたロール
document = lab.execution_role.inline_policy("pull-and-logs")
document["Statement"][1]["Resource"] += ":*"
lab.execution_role.put_inline("pull-and-logs", document)
task = lab.run_task()
print(task.stop_code, "終了コード", task.exit_code)

# %% [markdown]
# ## 信頼ポリシー: 誰がロールを引き受けられるか
#
# アクセス許可ポリシーは、ロールを引き受けた者に何ができるかを決めます。**信頼ポリシー**は、誰がそのロールを引き受けられるかを決めます。コースの開始時の、タスク実行ロールの信頼ポリシーです。記事のものと一字一句同じです。

# %%
lab.reset_roles()
print(json.dumps(lab.execution_role.trust_policy, indent=2))

# %% [markdown]
# このポリシーが許可しているプリンシパルは、サービス `ecs-tasks.amazonaws.com` だけです。許可しているのは、このロールに対する `sts:AssumeRole` です。タスクを実行すると、ECS はまさにこれを、ロールごとに 1 回ずつ行います。AWS Security Token Service (AWS STS) は、タスク ID を名前にしたセッションの一時的な認証情報を ECS に渡します。ECS は、タスク実行ロールのセッションを起動のために ECS エージェントに渡し、タスクロールのセッションをコンテナの認証情報エンドポイントに渡します。アプリケーションの SDK は、そこで認証情報を見つけます。
#
# 次のセルは、タスクの最初の 3 つの呼び出し (2 回のロールの引き受けと、エージェントの最初の呼び出し) を表示し、最初の呼び出しを AWS CloudTrail が記録する形でも表示します。

# %%
lab.reset_roles()
task = lab.run_task()
for call in list(task.trace)[:3]:
    print(call)
print()
record = json.loads(task.trace.cloudtrail(0))
shown = ("userIdentity", "eventSource", "eventName", "requestParameters", "responseElements")
print(json.dumps({field: record[field] for field in shown}, indent=2))

# %% [markdown]
# 呼び出し元は `AWSService` で、`ecs-tasks.amazonaws.com` が呼び出しています。あなたのアカウントの人やロールが行った呼び出しではありません。リクエストには、ロールと、タスクにちなんだ名前のセッションが書かれています (`responseElements` は AWS が渡したものを記録する場所ですが、ラボはキーを記録しないので `null` です)。
#
# ### 混乱した代理問題
#
# ECS は、すべての AWS アカウントのタスクのためにロールを引き受けます。`ecs-tasks.amazonaws.com` だけを書いた信頼ポリシーは、「ECS はこのロールを引き受けてよい」と言っているだけで、*誰のために*かは言っていません。*混乱した代理問題* (confused deputy problem) とは、広いアクセス権を持つサービスが、自分ではアクセス権を持たない者のために使われてしまう問題です ([IAM ユーザーガイド: 混乱した代理問題](https://docs.aws.amazon.com/ja_jp/IAM/latest/UserGuide/confused-deputy.html))。

# %% [markdown]
# タスクロールについて、ECS のドキュメントは、2 つの条件キーによる防御を推奨しています。どちらも、ECS がロールを引き受けるときに渡すものです ([Amazon ECS タスクの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task-iam-roles.html))。
#
# - `aws:SourceAccount`: タスクが属するアカウント。
# - `aws:SourceArn`: そのアカウントの ECS の ARN。ドキュメントの例では、`ArnLike` と `arn:aws:ecs:<region>:<account>:*` で一致させています。
#
# まず IAM の判定に聞きます。下の信頼ポリシーは、このアカウントであることを条件にしています。ECS が、このアカウントのタスクのために 1 回、別のアカウント (111122223333) のタスクのために 1 回、ロールを引き受けようとします。

# %%
guarded_trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": lab.account_id},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{lab.region}:{lab.account_id}:*"},
        },
    }],
}
for account in (lab.account_id, "111122223333"):
    context = {"aws:SourceAccount": account,
               "aws:SourceArn": f"arn:aws:ecs:{lab.region}:{account}:task/orders-cluster/abc"}
    decision = evaluate("ecs-tasks.amazonaws.com", "sts:AssumeRole", lab.task_role.arn,
                        resource_policy=guarded_trust, context=context)
    print(f"アカウント {account} のタスク: {decision.decision}")
print()
print(decision.explain())

# %% [markdown]
# 次はラボで試します。ECS が実行するのは、いつも*あなたの*アカウントの*あなたの*タスクです。そこで条件が拒否するところを見るために、タスク実行ロールの信頼ポリシーに間違ったアカウントを書きます。別のプロジェクトからコピー&ペーストすると起こりがちな間違いです。**予想してください**: タスクの起動が失敗するでしょうか。それとも RunTask そのものが拒否されるでしょうか。
#
# 図には、拒否されたロールの引き受け (破線、✗) と、プランにあったのに行われなかったすべての呼び出し (点線、○) が描かれます。図の内容を文章で説明したものが、図の下にあります。

# %%
wrong_account = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}
lab.reset_roles()
lab.execution_role.set_trust_policy(wrong_account)
refused = lab.run_task()
print(refused.failure)
print()
for call in refused.trace:
    print(call)
    print("   ", call.error)
refused.diagram()

# %% [markdown]
# RunTask が拒否され、タスクは作られませんでした。ECS はタスク実行ロールを引き受けられなかったので、起動を始めることすらしませんでした。
#
# 条件に正しいアカウントを書けば、ECS はロールを引き受け、タスクは動きます。ロールのカードには、ECS がどの条件のもとでロールを引き受けられるかが表示されるようになります。(タスクロールは、演習であなたが直します。)

# %%
lab.reset_roles()
trust = lab.execution_role.trust_policy
trust["Statement"][0]["Condition"] = {
    "StringEquals": {"aws:SourceAccount": lab.account_id},
    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{lab.region}:{lab.account_id}:*"},
}
lab.execution_role.set_trust_policy(trust)
print(lab.execution_role.card())
print()
print("終了コード", lab.run_task().exit_code)

# %% [markdown]
# <details><summary>これらの条件キーについて、シミュレーションが前提としていること</summary>
#
# ラボは、タスクのロールを引き受けるときに、`aws:SourceAccount` としてタスクのアカウントを、`aws:SourceArn` としてタスクの ARN を渡します。ECS が実際にどの ARN を送るのかは、ECS のドキュメントには明記されていません。ドキュメントには、`aws:SourceArn` で特定のクラスターを指定することは現在サポートされていないとあり、上の例のように、すべてのクラスターを表すワイルドカードを使うよう書かれています。そのように書いた条件は、ラボでも AWS でも同じように動きます。1 つのタスクや 1 つのクラスターを指定した条件は、同じように動くとは限りません。
#
# </details>
#
# ## iam:PassRole: 誰がロールを ECS に渡せるか
#
# 信頼ポリシーは、ECS がロールを引き受けることを許可します。では、ECS に「このロールを使って」と指示できるのは誰でしょうか。どのロールでも指定してタスクを実行できる人がいれば、その人はそのロールの権限を借りることができてしまいます。そのため ECS は、RunTask (または RegisterTaskDefinition) を呼び出す人が、タスク定義に書かれた各ロールに対して `iam:PassRole` の権限を持っているかを確認します ([Amazon ECS タスクの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task-iam-roles.html))。

# %% [markdown]
# ラボの管理者であるあなたはすべての権限を持っているので、この確認が失敗するところはまだ見ていません。次のセルは 2 人目の呼び出し元としてサインインします。タスクの実行と参照だけができ、ほかには何もできない IAM ユーザー `deployer` です (最初のセルの `user_session` が、このユーザーのアクセスキーを作ります。シミュレーションのアカウントは、AWS と同じく、キーから呼び出し元を識別します)。deployer は、`lab.run_task()` があなたの代わりに送るのと同じリクエストで、orders タスクを実行します。**予想してください**: どの呼び出しが拒否されるでしょうか。

# %%
from botocore.exceptions import ClientError

lab.reset_roles()
run_only = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"}]}
deployer = user_session("deployer", run_only).client("ecs")
request = {"cluster": lab.resources.cluster, "taskDefinition": "orders", "launchType": "FARGATE",
           "networkConfiguration": lab.network_configuration}
try:
    deployer.run_task(**request)
except ClientError as error:
    print(error)
    refusal = str(error)
print()
for call in list(lab.trace)[-2:]:
    print(call)
print()
diagnose(refusal)

# %% [markdown]
# ECS は `ecs:RunTask` そのものは許可しました。そのあと、タスク定義のロールに対する `iam:PassRole` を (タスクロールから順に) 確認し、拒否しました。どちらのロールも使われず、タスクも作られていません。ロールには何の問題もありません。権限が足りないのは*呼び出し元*です。コーチ (`diagnose`) も同じことを言っています。
#
# deployer に、2 つのロールに対する `iam:PassRole` を、ECS に渡す場合に限って与えます。条件キー `iam:PassedToService` は、ロールを渡す先のサービスを指定します。

# %%
lab.reset_roles()
run_and_pass = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:RunTask", "ecs:DescribeTasks"], "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:PassRole",
     "Resource": [lab.execution_role.arn, lab.task_role.arn],
     "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}]}
deployer = user_session("deployer", run_and_pass).client("ecs")
started = deployer.run_task(cluster=lab.resources.cluster, taskDefinition="orders",
                            launchType="FARGATE",
                            networkConfiguration=lab.network_configuration)["tasks"][0]
print("RunTask answered:", started["lastStatus"])
described = deployer.describe_tasks(cluster=lab.resources.cluster,
                                    tasks=[started["taskArn"]])["tasks"][0]
print("Later:", described["lastStatus"], described["stopCode"],
      "exit code", described["containers"][0]["exitCode"])

# %% [markdown]
# AWS と同じく、RunTask はすぐに、`PROVISIONING` の状態のタスクを返します (`RunTask answered`)。どう終わったかは `describe_tasks` でわかります (`Later`)。ラボでは、RunTask が返るときにはタスクがもう最後まで実行されています。AWS Fargate では、それなりに時間がかかります。
#
# つまり、タスクがロールを使って動くには、3 つの異なるポリシーがすべて許可する必要があります。**呼び出し元**の `iam:PassRole`、`ecs-tasks.amazonaws.com` に対する**ロールの信頼ポリシー**、そしてそのロールで行う呼び出しに対する**ロールのアクセス許可ポリシー**です。

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルが、その演習のセットアップを読み込みます。コースのロールを最初の状態に戻してから、演習のテーマに関わる部分を変更します。ですから、演習は 1 つずつ進めてください。前の演習に戻るときは、その最初のセルをもう一度実行します。`ex1.check()` が見るのはラボの状態で、あなたのコードではありません。正しいやり方なら、どれでも正解です。`ex1.hint()` は、まず今の状態を伝え、そのあとヒントを 1 つずつ、だんだん具体的に出します。`ex1.solution()` は解答例を表示します。まずは見ないで挑戦してください。
#
# ### 演習 1: ログの権限を絞る
#
# タスク実行ロールには、記事と同じように、いまのポリシーに加えて `CloudWatchLogsFullAccess` がついています。このロールを、起動に必要なものだけに、アクションとリソースの両方で絞ってください。チェックでは orders のロググループと orders のリポジトリが名指しされている必要があるので、`AmazonECSTaskExecutionRolePolicy` の `"*"` では絞り方が足りません。タスクは動き続けるようにしてください。

# %%
ex1 = lab.exercise("06-narrow-the-logs")
ex1

# %%
# ここにコードを書きます

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: 両方のロールを混乱した代理問題から守る
#
# ECS が各ロールを、このアカウントのタスクのためにだけ引き受けられるように、信頼ポリシーを書いてください。タスクは動き続けるようにします。チェックは、別のアカウントのために動く ECS がどちらかのロールをまだ引き受けられるかどうかを、IAM の判定に聞きます。

# %%
ex2 = lab.exercise("06-confused-deputy")
ex2

# %%
# ここにコードを書きます

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### 演習 3: パイプラインがロールを渡せるようにする
#
# ユーザー `ci-pipeline` は RunTask を呼び出せますが、ロールを 1 つも渡せません。必要なものを、必要な分だけ与えてください。そのうえで、タスクを *ci-pipeline として*実行します (上の deployer と同じく `user_session` を使うか、自分でアクセスキーと `boto3` のクライアントを用意します)。

# %%
ex3 = lab.exercise("06-pass-role")
ex3

# %%
# ここにコードを書きます

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ## まとめ
#
# - AWS 管理ポリシーは、もともと範囲が広く作られています。`CloudWatchLogsFullAccess` は 138 個のアクションを許可し、削除のアクションもすべて含みます。ECS エージェントが使うのは 2 個です。
# - タスクが動けば、ロールの権限が*足りている*ことはわかります。*必要なものだけ*であることはわかりません。
# - `task.trace.least_privilege(role)` は、タスクが使ったものを許可する最小のポリシーを、リソースを名指しして書きます。`.apply()` と 2 回目の実行で確かめます。タスクが変わったら作り直します。
# - `AmazonECSTaskExecutionRolePolicy` はデフォルトとして妥当ですが、その `"*"` はすべてのロググループとすべてのリポジトリを対象にします。
# - ロググループの ARN だけでは、そのストリームはカバーされません。ARN そのままでも `<name>*` でもなく、`log-group:<name>:*` と書きます。
# - 信頼ポリシーは、誰がロールを引き受けられるかを決めます。`aws:SourceAccount` と `aws:SourceArn` の条件で、ECS がほかの人のタスクのためにロールを引き受けるのを防げます。ECS を拒否する信頼ポリシーでは、RunTask そのものが失敗します。
# - タスクを実行する人には、そのロールに対する `iam:PassRole` が必要です (`iam:PassedToService` をつけるのが最善です)。これがないと RunTask は拒否されますが、どちらのロールにも問題はありません。

# %% [markdown]
# ## 次のステップ
#
# ノートブック 07 では、記事の Terraform をラボに読み込んで実行し、その絞り込みを自分で Terraform として書きます。
