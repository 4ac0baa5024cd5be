# %% [markdown]
# # タスク実行ロール: ECS がタスクを起動するために必要なもの
#
# **タスク実行ロール**は、Amazon Elastic Container Service (Amazon ECS) がタスクを「起動する」ときに、ECS エージェントが使う AWS Identity and Access Management (IAM) ロールです。Amazon Elastic Container Registry (Amazon ECR) からイメージをプルし、Amazon CloudWatch Logs にタスクのログストリームを作成し、コンテナに注入するシークレットを取得します。このロールに権限が 1 つでも足りないと、タスクは**アプリケーションが動き出す前に**停止し、CloudWatch Logs には何も出ません。
#
# このコースのもとになった記事も、ここから始まります。タスクが起動しない、ログが 1 行も出ない、そして権限を足した先は**タスクロール**でした。このノートブックでは、タスク実行ロールの仕事を 1 つずつ壊し、記事と同じ修正を試して何も変わらないことを確かめます。そのうえで、正しいロールを最小限の変更で直します。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - タスク実行ロールは何のためのロールで、ECS が**いつ**使うのか。
# - AWS 管理ポリシー `AmazonECSTaskExecutionRolePolicy` が許可するもの、許可しないもの。
# - イメージのプル、ログストリームの作成、シークレットの注入が拒否されたときの見え方: `stopCode`、`stoppedReason`、空のログ、トレースに残る拒否された呼び出し。
# - 起動しないタスクが、タスクロールに権限を足しても直らない理由。
# - タスク実行ロールを最小の変更で直す方法。

# %% [markdown]
# ## 始める前に
#
# - 先に [01_two_principals.ipynb](01_two_principals.ipynb) を終えておいてください。2 つのプリンシパル、トレース、図、プランはそこで紹介しています。
# - 所要時間は約 50 分です。
#
# 次のセルは、新しい模擬 AWS アカウントを作り、`report(task)` を定義します。`report(task)` は、タスクが停止したときに最初に読むべきものを表示します。`stopCode`、`stoppedReason`、CloudWatch Logs に届いたログの行数、拒否された呼び出しです。このセルをもう一度実行すると、最初からやり直せます。ほかのセルは、このセルの後ならどれでも単独で実行できます。

# %%
from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: このセルをもう一度実行すると最初からやり直せる


def report(task):
    """タスクが停止したときに最初に読むもの。"""
    print("stopCode:     ", task.stop_code)
    print("stoppedReason:", task.stopped_reason)
    print("ログの行数:   ", len(task.logs))
    for event in task.trace.denied():
        print("拒否:         ", event)


lab

# %% [markdown]
# ## タスク実行ロールの役割と、使われるタイミング
#
# Amazon ECS 開発者ガイドには、こう書かれています。
#
# > タスク実行ロールは、ユーザーに代わって AWS API コールを実行するためのアクセス許可を Amazon ECS コンテナと Fargate エージェントに付与します。
#
# さらに、これらのアクセス許可にタスク内のコンテナから直接アクセスすることはできない、と補足しています ([Amazon ECS タスク実行 IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task_execution_IAM_role.html))。
#
# このロールの仕事は、どれもタスク定義の記述から生まれます。イメージ、注入するシークレット、ログの設定です。

# %%
container = lab.task_definition()["containerDefinitions"][0]
print("image:  ", container["image"])
for secret in container["secrets"]:
    print("secret: ", secret["name"], "from", secret["valueFrom"])
logging = container["logConfiguration"]
print("logging:", logging["logDriver"], logging["options"])

# %% [markdown]
# 正常なタスクを実行し、タスク実行ロールによる呼び出しを、時刻とフェーズ付きで一覧にします。途中の 1 行は、コンテナが起動した時刻を示します。ECS の `DescribeTasks` API が返す時刻で、協定世界時 (UTC) で表示します (ラボの模擬時計の時刻です)。最後の行は、アプリケーションがタスク実行ロールで行った呼び出しの数です。

# %%
from datetime import timezone

lab.reset_roles()  # 両方のロールをコース開始時の状態に戻す
healthy = lab.run_task()
started = healthy.describe()["startedAt"].astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:12]
for event in healthy.trace.filter(role="ecs-execution-role"):
    if started and event.time[11:23] > started:
        print(started, "-- コンテナが起動")
        started = None
    print(event.time[11:23], f"[{event.phase}]", event.action)
app_calls = healthy.trace.filter(principal="orders app", role="ecs-execution-role")
print("アプリケーションがタスク実行ロールで行った呼び出し:", len(app_calls))

# %% [markdown]
# 仕事は 3 つ、手順は 4 つです。どれもコンテナの起動前に行われます。
#
# 1. **レジストリのトークン**: `ecr:GetAuthorizationToken`。イメージをプルするための認証です。
# 2. **注入するシークレット**: `FEATURE_FLAGS` には `ssm:GetParameters` (AWS Systems Manager (SSM) パラメータストア)、`DB_PASSWORD` には `secretsmanager:GetSecretValue` (AWS Secrets Manager)。どちらも AWS Key Management Service (AWS KMS) のカスタマーマネージドキーで暗号化されているので、それぞれに `kms:Decrypt` が続きます。
# 3. **イメージ**: `ecr:BatchGetImage` (マニフェスト)、続いてレイヤーごとに `ecr:GetDownloadUrlForLayer`。
# 4. **ログストリーム**: `logs:CreateLogStream`。このタスク専用のストリームを作ります。
#
# その後の**実行**フェーズ (`[run]`) では `logs:PutLogEvents` が呼ばれます。アプリケーションが出力した内容を ECS エージェントが届ける呼び出しで、これもタスク実行ロールで行われます。アプリケーション自身は、タスク実行ロールを一度も使いません (0 件)。

# %% [markdown]
# ## AWS 管理ポリシー AmazonECSTaskExecutionRolePolicy
#
# AWS は、このロールのための管理ポリシーを公開しています。ecslab が保持している、実際のポリシードキュメントを見てみましょう。

# %%
import json

from ecslab.iam.managed import managed_policy

policy = managed_policy("AmazonECSTaskExecutionRolePolicy")
print(policy.arn)
print(json.dumps(policy.document, indent=2))

# %% [markdown]
# 6 つのアクションが、すべてのリソース (`"Resource": "*"`) に対して許可されています。ECR 用が 4 つ、CloudWatch Logs 用が 2 つで、イメージとログストリームの分です。注入するシークレットの分は**含まれていません**。`ssm:GetParameters` も `secretsmanager:GetSecretValue` も `kms:Decrypt` もありません。ECS 開発者ガイドは、タスク定義が参照するシークレットとキーについて、これらの権限を自分で追加するよう求めています (同じページの「Secrets Manager または Systems Manager のアクセス許可」)。
#
# そこで、このコースのタスク実行ロールには、2 つ目のポリシーとしてインラインポリシーが付いています。各ステートメントは、Amazon リソースネーム (ARN) でリソースを 1 つだけ指定しています。シークレット 1 つ、パラメータ 1 つ、キー 1 つです。

# %%
import json

secrets_policy = lab.execution_role.inline_policy("orders-launch-secrets")
print(json.dumps(secrets_policy, indent=2))

# %% [markdown]
# これは、記事が勧めている構成そのものです。
#
# > 基本的には、このマネージドポリシーと起動時に必要なシークレット取得権限、という構成にしておくと安全であると言えます。
#
# <details><summary>ARN のつまずきやすい点が 2 つあります (演習 2 と 3 の前に読んでください)</summary>
#
# - Secrets Manager のシークレットの ARN は、末尾にハイフンとランダムな 6 文字が付きます。Secrets Manager が付け加えるものです (上の例では `orders/db-password-jBCRVP`)。ARN は完全な形で書くか、末尾を `-??????` にします。
# - KMS キーは、**キーの** ARN (`...:key/<key id>`) で指定します。`Resource` にエイリアスの ARN (`...:alias/...`) を書くと、対象はキーではなくエイリアスになるので、`kms:Decrypt` は許可されません。エイリアスでキーを指定したいときは、条件キー `kms:ResourceAliases` を使います。
#
# </details>

# %% [markdown]
# ## イメージのプルを壊す
#
# 管理ポリシーの代わりに、手書きのポリシーが使われていたとします。レジストリのトークンとログの権限はあるのに、イメージを取得する 2 つのアクションを書き忘れていました。
#
# 実験はどれも、両方のロールをコース開始時の状態に戻してから始めます (`lab.reset_roles()`)。実行する前に**予想してください**。タスクは起動するでしょうか。どの呼び出しが拒否されるでしょうか。ログは何行出るでしょうか。

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.put_inline("registry-token-and-logs", {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "*",
    }],
})
no_pull = lab.run_task()
report(no_pull)

# %% [markdown]
# - `stopCode` は `TaskFailedToStart` です。コンテナは起動しませんでした。
# - `stoppedReason` は Fargate のメッセージ `CannotPullContainerError ... 403 Forbidden` です (文言は、この失敗について公開されている報告に合わせています)。イメージ名とレジストリの応答はありますが、IAM のアクションは**書かれていません**。
# - メッセージにない情報は、トレースにあります。`ecs-execution-role` を使う ECS エージェントが、`orders-app` リポジトリに対する `ecr:BatchGetImage` を拒否されました。
# - ログは 0 行です。ログストリームはイメージのプルの**後**に作られるので、作られないまま終わりました。
#
# レジストリのトークンもない場合は、理由の文言が変わります (`ResourceInitializationError: unable to pull secrets or registry auth: ...`)。演習 1 で確かめてください。

# %% [markdown]
# ## ログストリームを壊す: ログがまったく出ない
#
# 記事の Terraform は、タスク実行ロールに 2 つの AWS 管理ポリシーをアタッチしています。`AmazonEC2ContainerRegistryReadOnly` と `CloudWatchLogsFullAccess` です。2 つ目を付け忘れると、記事の筆者と同じ状況になります。セルは続けて、筆者が探した場所、つまりこのタスクのログストリームを探します。

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
no_logs = lab.run_task()
report(no_logs)

# 筆者が探した場所: CloudWatch Logs にある、このタスクのログストリーム
found = lab.client("logs").describe_log_streams(
    logGroupName=lab.resources.log_group, logStreamNamePrefix=no_logs.log_stream
)
print("log streams named", no_logs.log_stream, "found:", found["logStreams"])

# %% [markdown]
# イメージはプルできましたが、次の呼び出し `logs:CreateLogStream` が拒否されました。ログは 1 行もなく、ログストリームそのものがありません (最後の行の `found: []`)。
#
# これが、記事に書かれている状況です。
#
# > CloudWatch Logsにログが1行も出ておらず、コンテナが起動しなかった
#
# アプリケーションが何を出力しても、ここには届きません。そもそも動いていないからです。答えはタスクの `stoppedReason` にあります (`DescribeTasks` で取得するか、ECS コンソールのタスクの画面で確認できます)。タスク実行ロールを使う ECS エージェントが、コンテナの起動前に拒否されたのです。

# %% [markdown]
# 起動時の失敗は、ログの権限に限らず、**どれも** CloudWatch Logs を空のままにします。上のイメージのプルの失敗もそうでした。ログが空で `TaskFailedToStart` なら、まず `stoppedReason` を読みます。*not authorized* や *AccessDenied* とあれば、タスク実行ロールを疑います。それ以外 (ネットワークのタイムアウト、存在しないロググループやイメージなど) なら、原因はロールではありません。こうしたケースの見分け方はノートブック 05 で扱います。

# %% [markdown]
# ## 筆者の修正を試す: タスクロールに権限を足す
#
# 記事の筆者は、**タスクロール**を確認しては権限を足していました。
#
# > 必死にタスクロールの方にS3権限やLogs権限を確認しては付け足していた。
#
# 次のセルは、同じ壊れた起動を用意し、タスクロールに CloudWatch Logs の全権限と Amazon Simple Storage Service (Amazon S3) の読み取り専用権限を付けてから、タスクをもう一度実行します。`stoppedReason` は変わるでしょうか。**予想してから**実行してください。

# %%
import re


def without_ids(task):
    """stoppedReason から、タスクの ID とリクエスト ID を除いたもの。"""
    reason = task.stopped_reason.replace(task.id, "<task-id>")
    return re.sub(r"request id: [0-9a-f-]+", "request id: <request-id>", reason)


# 上と同じ壊れた起動: タスク実行ロールはログストリームを作成できない
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
before = lab.run_task()

# 筆者の修正: タスクロールに権限を足す
lab.task_role.attach("CloudWatchLogsFullAccess")
lab.task_role.attach("AmazonS3ReadOnlyAccess")
after = lab.run_task()
report(after)
print("修正前と同じ stopCode:                 ", before.stop_code == after.stop_code)
print("修正前と同じ stoppedReason (ID を除く):", without_ids(before) == without_ids(after))
on_task_role = after.trace.filter(phase="launch", role="ecs-task-role")
print("起動時にタスクロールで行われた呼び出し:", len(on_task_role))
after.diagram()

# %% [markdown]
# 何も変わりませんでした。2 つの理由の違いは、タスクごとに変わる部分だけです。タスクの ID (ECS はこれをロールセッション名に使います) と、リクエスト ID です。起動時の呼び出しで、タスクロールを使ったものは 1 つもありません。
#
# 理由は図を見るとわかります。ECS は起動時にタスクロールを引き受けています (`sts:AssumeRole`)。しかし、それはアプリケーションに渡すためで、そのアプリケーションは起動しませんでした。アプリケーションの呼び出しは、到達しなかったことを表す ○ 付きの点線です。拒否された呼び出し (✗ 付きの破線) は、タスク実行ロールを使う ECS エージェントのものです。
#
# タスクロールにどんな権限を足しても、起動の失敗は直りません。コンテナが動き出すまで、タスクロールは誰にも使われないからです。

# %% [markdown]
# ## 正しく、最小限に直す
#
# 正しい修正は 2 つの部分からなります。
#
# 1. **間違った修正を元に戻す。** タスクロールに持たせるのは、アプリケーションが呼び出すものだけです。
# 2. **拒否された呼び出しに必要なものを、タスク実行ロールに与える**。拒否のメッセージには、アクション `logs:CreateLogStream` と、ロググループ `/ecs/orders` のログストリームが書かれています。プラン (ノートブック 01) を見ると、ECS エージェントにはそのストリームへの `logs:PutLogEvents` も必要です。ログストリームの ARN は、ロググループの ARN の後ろに `:log-stream:<name>` を付けたものです。そのため、ロググループの ARN の後ろに `:*` を付ければ、そのロググループのストリームをすべて指定できます。
#
# セルは、筆者の修正を終えた状態から始めます。

# %%
# 上と同じ壊れた起動に、筆者の修正(タスクロールへの権限追加)を加えた状態
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")
lab.task_role.attach("CloudWatchLogsFullAccess")
lab.task_role.attach("AmazonS3ReadOnlyAccess")

# 1. 間違った修正を元に戻す
lab.task_role.detach("CloudWatchLogsFullAccess")
lab.task_role.detach("AmazonS3ReadOnlyAccess")

# 2. 拒否された呼び出しに必要なものを、1 つのロググループに限ってタスク実行ロールに与える
log_group_arn = f"arn:aws:logs:{lab.region}:{lab.account_id}:log-group:{lab.resources.log_group}"
lab.execution_role.put_inline("orders-logs", {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "WriteOrdersLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:*",
    }],
})
fixed = lab.run_task()
report(fixed)
print(fixed.logs[0])
lab.execution_role

# %% [markdown]
# タスクは最後まで実行され、拒否された呼び出しはなく、ログも戻りました。タスクロールは最初の状態のままです。タスク実行ロールには、1 つのロググループに対する 2 つのアクションが加わっただけです。ただ、ロールのカードの「Actions granted」列を見ると、`AmazonEC2ContainerRegistryReadOnly` は 12 のアクションを許可しています。ECS エージェントが呼んだ ECR のアクションは 3 つだけなので、起動に必要な範囲よりまだ広いのです。トレースで実際に使われたものまでロールを絞り込む方法は、ノートブック 06 で扱います。
#
# ほかにも、よく使われる修正が 2 つあり、どちらでも動きます。
#
# - このロールの AWS 標準である `AmazonECSTaskExecutionRolePolicy` をアタッチする。ログのアクションは、すべてのロググループに対して許可されます。
# - 記事の Terraform と同じく `CloudWatchLogsFullAccess` をアタッチする。記事自身も、Terraform のコメントで「本来はカスタムに権限を絞る方が良いです」と書いています。このポリシーが何を許可するのか、見てみましょう。

# %%
import json

from ecslab.iam.managed import managed_policy

print(json.dumps(managed_policy("CloudWatchLogsFullAccess").document, indent=2))

# %% [markdown]
# すべてのリソースに対する `logs:*` です。ロググループの作成や**削除**、保持期間の変更、アカウント内のすべてのログの読み取りまでできます。ECS エージェントに必要なのは、1 つのロググループに対する 2 つのアクションだけです。
#
# ## シークレットの注入を壊す
#
# タスク定義は、2 つのシークレットを注入するよう ECS に指示しています (冒頭で見たとおりです)。
#
# - `DB_PASSWORD`: Secrets Manager にある JavaScript Object Notation (JSON) 形式のシークレットの、`password` キー。
# - `FEATURE_FLAGS`: パラメータストアの `SecureString` パラメータ。
#
# どちらも KMS キー `alias/orders-config` で暗号化されています。ECS エージェントは、コンテナの起動前に、タスク実行ロールでこれらを取得して復号します。アプリケーションは環境変数を読むだけです。

# %% [markdown]
# `ecslab.scenarios` の `load(lab, key)` は、両方のロールをリセットし、コースが用意した壊れた設定を 1 つ適用して、その設定を返します。返された設定の `change` には、何を変更したかが書かれています (何が起きるかは書かれていません)。
#
# ### Secrets Manager

# %%
from ecslab.scenarios import load

print(load(lab, "execution-role-without-secret").change)
no_secret = lab.run_task()
report(no_secret)

# %% [markdown]
# `ResourceInitializationError: unable to pull secrets or registry auth` は、レジストリのトークンやシークレットの取得中に失敗したとき、Fargate が返すメッセージです。`unable to retrieve secret from asm` の「asm」は AWS Secrets Manager のことです。その後ろに、ECS エージェントが受け取ったエラーが続きます。ロールセッション (`assumed-role/ecs-execution-role/<task id>`)、アクション、シークレットが書かれています。
#
# ### パラメータストア
#
# パラメータのステートメントを外すシナリオは用意されていないので、ポリシーを直接編集します。`orders-launch-secrets` から、ステートメント `InjectFeatureFlags` を取り除きます。

# %%
lab.reset_roles()
document = lab.execution_role.inline_policy("orders-launch-secrets")
document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "InjectFeatureFlags"]
lab.execution_role.put_inline("orders-launch-secrets", document)
no_parameter = lab.run_task()
report(no_parameter)

# %% [markdown]
# 始まりは同じですが、今度は `unable to retrieve secrets from ssm` です。ECS エージェントの `ssm:GetParameters` が拒否されています。
#
# ### KMS キー
#
# 最後の行は、拒否された呼び出しが、どの呼び出しの中で (`via`) 行われたかを示します。

# %%
from ecslab.scenarios import load

print(load(lab, "execution-role-without-decrypt").change)
no_decrypt = lab.run_task()
report(no_decrypt)
refused = no_decrypt.trace.denied()[0]
print(refused.principal, "as", refused.role, "—", refused.action, "through", refused.via)

# %% [markdown]
# ECS エージェントはパラメータストアに問い合わせ、パラメータストアは `SecureString` の復号を KMS に依頼しました。このときパラメータストアは、**エージェントに代わって**、エージェントとして KMS を呼び出します。そのため理由のメッセージでは、KMS の拒否 (`Service: AWSKMS`) が SSM のエラーの中に入れ子になっています。拒否された `kms:Decrypt` は、あくまでタスク実行ロールを使う ECS エージェントのものです。
#
# ### 最初の拒否で、その後はすべて止まる
#
# ECS エージェントは、決まった順序で起動の処理を進めます。ecslab では、レジストリのトークン → パラメータストア (と KMS) → Secrets Manager (と KMS) → イメージ → ログストリーム → コンテナの起動、の順です。最初の拒否でタスクは停止します。次のセルは、エージェントが予定していたのに行わなかった呼び出しを一覧にします。
#
# <details><summary>この順序は AWS のものですか?</summary>
#
# ラボの取り決めです。ただし、Fargate の報告に近い形にしています。Fargate の `stoppedReason` は、レジストリのトークンとシークレットをまとめて「unable to pull secrets or registry auth」と報告します。正確な順序は、AWS のドキュメントには書かれていません。
#
# </details>

# %%
from ecslab.scenarios import load

# 上と同じ壊れた起動: タスク実行ロールに kms:Decrypt がない
load(lab, "execution-role-without-decrypt")
no_decrypt = lab.run_task()
made = {(e.phase, e.principal, e.action, e.resource, e.via) for e in no_decrypt.trace}
for call in no_decrypt.plan():
    if call.principal == "ECS agent" and call.key() not in made:
        print(f"未到達: [{call.phase}] {call.action} — 目的: {call.why}")

# %% [markdown]
# ロールは許可しているのに、イメージはプルされず、ログストリームも作られませんでした。つまり CloudWatch Logs から見ると、シークレットの設定ミスは、ログの権限の不足とまったく同じに見えます。何も出ないのです。
#
# ## 演習
#
# 各演習の最初のセルが、その演習の壊れた設定を読み込みます。前の演習に戻るときは、その演習の最初のセルをもう一度実行してください。間違っていると思うところを変更し、タスクを実行して (`lab.run_task()`)、チェック (`ex1.check()`) を実行します。チェックはロールと最後に実行したタスクを見るので、正しければどんな直し方でもかまいません。まだ何が間違っているかは教えてくれますが、直し方は教えません。`ex1.hint()` は、まず今の状況 (修正の範囲が広すぎる、違うロールを変えた、など) を伝え、呼ぶたびに具体的なヒントを出します。`ex1.solution()` は解答例を表示します (まずは自分で挑戦してください)。
#
# ### 演習 1: 記事の状況

# %%
ex1 = lab.exercise("02-fix-the-launch")
ex1

# %%
# ここにコードを書きます: まず stoppedReason を読み(report(lab.run_task()))、それから直します

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: データベースのパスワードを注入する

# %%
ex2 = lab.exercise("02-inject-the-password")
ex2

# %%
# ここにコードを書きます

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### 演習 3: 機能フラグを復号する

# %%
ex3 = lab.exercise("02-decrypt-the-flags")
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
# - タスク実行ロールは ECS エージェントのロールです。起動時 (レジストリのトークン、イメージ、注入するシークレットとその復号に使う KMS、ログストリーム) に使われ、その後はログを届けるときだけ使われます。アプリケーションは使いません。
# - `AmazonECSTaskExecutionRolePolicy` は、イメージとログをすべてのリソースに対して許可します。注入するシークレットには、リソースごとに自分でステートメントを書きます。
# - 起動に必要な権限がタスク実行ロールに足りないと、何が拒否されたかにかかわらず、タスクは `TaskFailedToStart` で停止し、CloudWatch Logs は空のままです。(`logs:PutLogEvents` だけが足りない場合は、タスクは動きますが、ストリームには 1 行も届きません。) 何が起きたかは `stoppedReason` に、誰がどのロールで拒否されたかはトレースに出ます。イメージのプルの拒否では、IAM のアクションさえメッセージに出ません。
# - タスクロールに権限を足しても、起動時には何も変わりません。`stoppedReason` も同じままです。
# - タスク実行ロールには、拒否された呼び出しに必要なものを与えます。違うロールに加えた変更は元に戻します。

# %% [markdown]
# ## 次のステップ
#
# [03_task_role.ipynb](03_task_role.ipynb) では、タスクは起動し、**アプリケーション**が拒否されます。記事の切り分けのもう半分で、直すべきはタスクロールのほうです。
#
# > タスクは起動するが、アプリ実行中にAccessDeniedが出る → タスクロールを疑う
