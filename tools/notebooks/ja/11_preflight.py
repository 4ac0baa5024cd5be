# %% [markdown]
# # プリフライト: 本物のタスクは起動するか
#
# これまでのノートブックは、どれもコースが用意した orders のアカウントで動かしてきました。自分のデプロイは事情が違います。ロールは Terraform、CloudFormation のテンプレート、AWS Cloud Development Kit (AWS CDK) のどれかで作られます。そして Amazon Elastic Container Service (Amazon ECS) でタスクの起動に失敗すると、数分待たされたうえに、原因は推測するしかありません。`ecslab preflight` (プリフライト: 離陸前の点検) は、こうしたツールがすでに出力しているものを読み、デプロイする前に、ECS が何をするかを答えます。ECS とアプリが行う呼び出しをすべて順に並べ、それぞれをどのロールが行うか、ラボと同じ AWS Identity and Access Management (IAM) 判定エンジンで許可されるか拒否されるかを示します。最初に拒否される呼び出しについては、ECS が表示するはずの文面をそのまま示します。
#
# AWS は一切呼び出しません。読むのはファイルだけで、お使いのコンピューターの外には何も送りません。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - デプロイをプリフライトにかける方法。入力は Terraform、`cdk synth` が書き出したテンプレート、AWS Command Line Interface (AWS CLI) が出力する JSON です。
# - プリフライトの結果の読み方。起動フェーズ (ECS と ECS エージェント、タスク実行ロール)、実行フェーズ (アプリ、タスクロール)、判定、最小の直し方。
# - 予測をラボで確かめる方法。`Lab.from_preflight(...)` が同じロールとタスク定義を作り、`lab.run_task()` で ECS がそれをどう扱うかを見ます。
# - プリフライトにはわからないこと。
#
# ## 始める前に
#
# ノートブック 02、03、07 (Terraform) を先に終えておいてください。AWS アカウントは要りません。Terraform や CDK をインストールする必要もありません。所要時間は約 15 分です。

# %% [markdown]
# ## 記事のデプロイ
#
# 次のセルは、このノートブックで使うものを用意します。
#
# - `preflight`
# - 記事の 2 つのロールを定義した Terraform (`article_terraform()`)
# - コースのタスク定義を Terraform で書いたもの (`ORDERS_TERRAFORM`)
# - `cdk synth` が書き出すのと同じ形のテンプレート (`cdk_template()`)
# - 実際に失敗したデプロイ (`REAL_WORLD`)
# - orders アプリの 2 つの呼び出し (`APP_CALLS`)
# - 記事の Terraform の、アタッチメントを 1 つ間違ったロールに移したもの (`MOVED`)
# - ECS の文面からリクエスト ID とタスク ID を取り除く関数 `same_text()` (2 回の実行を比べるため)
#
# そのあと、記事のデプロイをプリフライトにかけます。Terraform がフォルダーの `.tf` ファイルをまとめて読むのと同じように、2 つの Terraform のテキストを一緒に渡します。

# %%
import json
import re

from ecslab import Lab, preflight, set_language
from ecslab.coach.lessons.nb07 import article_terraform
from ecslab.coach.lessons.nb11 import ORDERS_TERRAFORM, REAL_WORLD, cdk_template

set_language("ja")  # ecslab が表示する文章を日本語にします

APP_CALLS = [
    "s3:GetObject=arn:aws:s3:::orders-config-123456789012/config/app.json",
    "secretsmanager:GetSecretValue="
    "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:orders/payments-api-key-AbCdEf",
]
MOVED = article_terraform().replace(
    'resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {\n'
    "  role       = aws_iam_role.ecs_execution.name",
    'resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {\n'
    "  role       = aws_iam_role.ecs_task.name",
)


def same_text(text):
    """ECS's text with its request id and task id cut, to compare two runs."""
    text = re.sub(r"RequestID: [0-9a-f-]+", "RequestID: …", text or "")
    return re.sub(r"/[0-9a-f]{32}\b", "/…", text)


article = preflight(article_terraform(), ORDERS_TERRAFORM)
print(article.describe())

# %% [markdown]
# 上から読んでいきましょう。**起動フェーズ**では、まず Amazon ECS が 2 つのロールを引き受けます (信頼ポリシーが `ecs-tasks.amazonaws.com` を許可しています)。続いて ECS エージェントが、タスク実行ロール `ecs-execution-role` を使って、レジストリのトークン、イメージ、ログストリームを要求します。すべて許可されているので、タスクは起動します。**実行フェーズ**は空です。アプリが何を呼び出すかは、こちらが伝えない限り、プリフライトにはわかりません。

# %% [markdown]
# ## アプリの呼び出しを伝える
#
# orders アプリは、設定を Amazon S3 から、決済 API のキーを AWS Secrets Manager から読みます。`expect` の 1 項目が 1 つの呼び出しで、`ACTION=RESOURCE` の形で書きます。どれもタスクロールで判定されます。
#
# **予想してください**。記事はタスクロールに `AmazonS3ReadOnlyAccess` と `AmazonDynamoDBReadOnlyAccess` を付けています。2 つの呼び出しのうち、拒否されるのはどちらでしょうか。

# %%
article = preflight(article_terraform(), ORDERS_TERRAFORM, expect=APP_CALLS)
print("exit status:", article.exit_status)
for call in article.calls:
    if call.phase == "run":
        print(call.decision, call.action)
print()
print(article.fixes[0].text)
print(article.fixes[0].terraform)

# %% [markdown]
# タスクは起動します (起動フェーズは変わりません)。しかしアプリは `secretsmanager:GetSecretValue` を拒否されるので、終了コードは 1 です。直し方が指定するのは**タスクロール**で、タスク実行ロールではありません。直し方は最小のステートメントとして示され、そのまま貼り付けられる Terraform の形でも出力されます (CloudFormation の形は `article.fixes[0].cloudformation` で得られます)。

# %% [markdown]
# ## 定番の間違いを、デプロイの前に見つける
#
# 次は、ノートブック 02 で見た間違いです。イメージをプルする権限が、間違ったロールに付いています。`MOVED` は、記事の Terraform で `AmazonEC2ContainerRegistryReadOnly` のアタッチメントを、タスク実行ロールからタスクロールに移したものです。次のセルは、これをプリフライトにかけます。
#
# **予想してください**。タスクは起動するでしょうか。起動しないなら、拒否されるのはどの呼び出しで、どのロールでしょうか。

# %%
broken = preflight(MOVED, ORDERS_TERRAFORM)
print("exit status:", broken.exit_status)
print(broken.stopped_reason)
for lint in broken.lints:
    print(lint.level, lint.rule, "-", lint.message)

# %% [markdown]
# タスクは起動しません。プリフライトが表示する `stoppedReason` は、リクエスト ID とタスク ID を除けば、ECS が表示するものと一字一句同じです。さらにリント (設定の誤りを指摘する警告) が、何をしてしまったかを伝えます。タスクロールで許可している呼び出しは、起動時に ECS エージェントがタスク実行ロールで行うものだ、という指摘です。

# %% [markdown]
# ## 予測は当たるか
#
# `Lab.from_preflight(...)` は同じ入力を受け取り、それを新しいラボの中に作ります。ポリシーの付いたロール、タスク定義、そしてタスクの実行に必要な周りのもの (リポジトリとイメージ、ロググループ) です。そのうえでタスクを実行し、ECS の文面を予測と比べます。

# %%
predicted = preflight(MOVED, ORDERS_TERRAFORM)
lab = Lab.from_preflight(MOVED, ORDERS_TERRAFORM)
task = lab.run_task(lab.preflight.task_definition)
print("lab:      ", task.stop_code)
print("same text:", same_text(task.stopped_reason) == same_text(predicted.stopped_reason))

# %% [markdown]
# 文面は同じです。プリフライトとラボは、呼び出しの計画と IAM 判定エンジンを共有しているので、誰が何を要求するかについて食い違うことはありません。そのうえでラボは、これまでのノートブックと同じように、模擬アカウントの中でタスクを実際に実行します。(確かめているのはプリフライトとシミュレーションの一致で、AWS そのものとの一致ではありません。シミュレーションがどこまで忠実かは `00_start_here` にあります。)

# %% [markdown]
# ## `cdk synth` が書き出したテンプレート
#
# CDK のアプリは、タスク定義をそのままの形では渡してくれません。CDK が合成 (synthesize) するのは CloudFormation のテンプレートです。そこでは、各ロールの Amazon リソースネーム (ARN) は `Fn::GetAtt` で参照され、名前は自動で生成され、イメージの URI は `Fn::Join` で組み立てられます。プリフライトは、これらをデプロイ時の CloudFormation と同じように解決します。デプロイしたスタックでしか決まらない名前は、`STACK-<LogicalId>-RANDOM` と書き表します (`<LogicalId>` は、テンプレートの中でのリソースの名前、つまり論理 ID です)。
#
# このアプリは、バケットの読み取りをタスクロールに許可しています (`bucket.grantRead(taskDefinition.taskRole)`)。ECS エージェントに必要な権限は、CDK が自動でタスク実行ロールに追加しました。

# %%
template = cdk_template()
synthesised = preflight(template, region="ap-northeast-1", expect=APP_CALLS[:1])
print(synthesised.describe())

# %% [markdown]
# **自分でやってみましょう**。この CDK アプリは、決済のシークレットも読みます。`APP_CALLS` の 2 つの呼び出しを両方渡してプリフライトにかけ (上のセルの `expect=APP_CALLS[:1]` を `expect=APP_CALLS` にします)、直し方が指定するロールを出力の中から見つけてください。(ヒント: 直し方が指定するのは、CDK が `TaskDefTaskRole1EDB4A67` と名付けたロールです。)

# %%
# ここにコードを書きます

# %% [markdown]
# ## 実際に失敗したデプロイ
#
# `REAL_WORLD` は公開されているデプロイです。New Relic が公開している Fargate のサイドカー用のタスク定義の例 (New Relic のリポジトリで修正される前のもの) と、New Relic の CloudFormation によるインストールが作成するタスク実行ロールです。ユーザーからは、タスクが起動しないと報告されていました。この例は、ライセンスキーを、Secrets Manager を参照する Systems Manager (SSM) のパラメータを通して読んでいました。
#
# **予想してください**。拒否されるのはどのロールで、どの呼び出しでしょうか。

# %%
real = preflight(*REAL_WORLD)
refused = next(call for call in real.calls if call.decision.endswith("Denied"))
print(refused.principal, "/", refused.role)
print(refused.action, refused.resource)
print()
print(real.stopped_reason)

# %% [markdown]
# タスク実行ロールは、このシークレットに対する `secretsmanager:GetSecretValue` を許可しています。ところが、タスク定義はそのシークレットを SSM 経由で要求しているので、ECS エージェントの `ssm:GetParameters` が拒否されます。これが、ユーザーが報告した文面です。New Relic は、`valueFrom` にシークレット自身の ARN を書くように直しました。プリフライトが提案する権限を追加しても直ります。

# %% [markdown]
# ## 継続的インテグレーション (CI) で使う
#
# シェルからは、同じプリフライトを 1 つのコマンドで実行できます。終了コードは、パイプラインを止める判断にそのまま使えます (0: タスクは起動して最後まで動く、1: 起動しないか、アプリが拒否される、2: 入力が読めない)。コードスキャン用に SARIF 2.1.0 (静的解析の結果を表す標準の形式) も出力できます (GitHub は、それぞれの指摘を原因となったファイルの上に表示します)。
#
# ```
# aws ecs describe-task-definition --task-definition orders > taskdef.json
# aws iam get-account-authorization-details --filter Role LocalManagedPolicy > iam.json
# ecslab preflight taskdef.json iam.json --expect s3:GetObject=arn:aws:s3:::orders-config/app.json
# cdk synth --json > template.json
# ecslab preflight template.json --region ap-northeast-1 --sarif > preflight.sarif
# ```
#
# `--json` を付けると、コマンドは同じ結果の `to_dict()` を出力します。次のセルは、パイプラインと同じようにその中から直し方を読み、終了コードとあわせて表示します。

# %%
result = preflight(MOVED, ORDERS_TERRAFORM).to_dict()
print(json.dumps(result["fixes"][0]["statement"], indent=2))
print("exit status:", result["exitStatus"])

# %% [markdown]
# ## プリフライトにわからないこと
#
# - **アプリの呼び出し**: 一覧にして渡す (`expect`) まではわかりません。
# - **ネットワーク**: Amazon Elastic Container Registry (Amazon ECR) への経路がないサブネットでは、同じ起動がタイムアウトで失敗します (ノートブック 10)。プリフライトが読むのはロールとポリシーで、ルートは読みません。
# - **リソース**: イメージのタグやシークレットが存在するかどうかは、わかりません。渡されなかったポリシー (リポジトリのポリシー、シークレットのポリシー) もわかりません。推測はせず、「判定できないもの」としてそう示します。渡されなかったキーポリシーは AWS の既定のキーポリシーとみなし、そのことも示します。
# - **AWS Organizations のポリシー**: サービスコントロールポリシー (SCP) は入力に含まれません。
#
# その代わり、判定できるものについては正確です。呼び出し、その順序、それぞれの判定、そして ECS の文面です。

# %% [markdown]
# ## まとめ
#
# - `preflight(...)` / `ecslab preflight` は、Terraform、CloudFormation (`cdk synth` の出力も)、AWS CLI の JSON を読み、起動フェーズと、呼び出しを伝えた分の実行フェーズ、そして判定を予測します。
# - 拒否には、ECS 自身の文面と、権限が必要なロールに対する最小の直し方が付きます。
# - `Lab.from_preflight(...)` は同じデプロイをラボで実行するので、予測どおりになることを自分の目で確かめられます。

# %% [markdown]
# ## 次のステップ
#
# 自分のデプロイをプリフライトにかけてみましょう。読める入力は `ecslab preflight --help` に、入力を作るコマンドは README の「プリフライト」の節にあります。それでも本物のタスクが失敗したら、その文面を `diagnose` で読みます (ノートブック 05)。
