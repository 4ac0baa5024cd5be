# %% [markdown]
# # Terraform: `execution_role_arn` と `task_role_arn`
#
# このコースのもとになった記事は、2 つのロールを Terraform で作成しています。Amazon Elastic Container Service (Amazon ECS) のタスク定義を Terraform で書くと、2 つのロールは別々の引数になります。権限を間違ったロールにつけてしまうのは、ノートブック 02 で見た、まさにあの間違いです。
#
# このノートブックでは、記事の Terraform そのものをラボに読み込み、コースのタスクを実行します。記事の設定で足りているところと、このアプリにはまだ足りないところを確かめます。そのあと、記事が求めている絞り込み (「本来はカスタムに権限を絞る方が良いです」) を、自分で Terraform として書きます。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - Terraform のどの引数がどちらのロールを指定し、それぞれのロールを誰が使うか。
# - 記事のロールをラボで読み、AWS がそれで何をするかを確かめる方法。
# - ロール専用のポリシーを HashiCorp Configuration Language (HCL、Terraform ファイルの言語) で書く方法。`aws_iam_role_policy`、`data` ソースから組み立てる Amazon リソースネーム (ARN)、シークレットの `-??????`、エイリアスで指定するキー、ロググループの `:*` を扱います。
# - `lab.to_terraform()` で、ラボのロールを Terraform として書き出す方法。
#
# ## 始める前に
#
# ノートブック 02 (タスク実行ロール)、03 (タスクロール)、06 (最小権限) を先に終えておいてください。06 で Python を使って行ったことを、このノートブックでは Terraform で書きます。Terraform をインストールする必要はありません。ecslab が `.tf` のテキストを自分で読みます。所要時間は約 25 分です。
#
# <details><summary>シミュレーションしているもの</summary>
#
# ecslab は、Terraform ファイルのうち AWS Identity and Access Management (IAM) と ECS タスク定義のリソースを読み、`terraform apply` が AWS API を通して行うのと同じように、IAM を通してラボに適用します。Terraform そのものは実行しません。ステートもプランもありません。それ以外のリソース (クラスター、ネットワーク、プロバイダー) は、無視したものとして一覧に表示されます。`data "aws_caller_identity"` と `data "aws_region"` は、ラボのアカウントとリージョンを返します。
#
# </details>

# %% [markdown]
# ## ラボ
#
# 次のセルは新しいシミュレーションのアカウントを作ります (最初からやり直すときはもう一度実行します)。このノートブックで使うものもインポートします。記事の Terraform をテキストで返す `article_terraform()` と、Terraform をラボに適用する `load_terraform(lab, text)` です。

# %%
from ecslab import Lab, diagnose, set_language
from ecslab.coach.lessons.nb07 import article_terraform
from ecslab.coach.terraform import load_terraform

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しいシミュレーションのアカウント: もう一度実行すると最初からやり直せます
lab

# %% [markdown]
# ## 2 つの引数、2 つのロール
#
# `lab.to_terraform()` は、ラボのロールとコースのタスク定義を Terraform として書き出します。ここではタスク定義の部分を表示します。`execution_role_arn` は**タスク実行ロール**で、ECS エージェントがタスクを起動する間に使います。`task_role_arn` は**タスクロール**で、コンテナ内のアプリケーションが使います。

# %%
text = lab.to_terraform()
print(text[text.index('resource "aws_ecs_task_definition"') :])

# %% [markdown]
# ## 記事の Terraform
#
# 記事の Terraform です。コメントも記事のままです。ただし、記事の本文ではインデントが失われているので、`terraform fmt` が書く形にインデントしています。2 つのロールは、どちらも `assume_role_policy` (信頼ポリシー) で `ecs-tasks.amazonaws.com` を信頼していて、AWS 管理ポリシーが 4 つアタッチされています。タスク実行ロールには、Amazon Elastic Container Registry (Amazon ECR) の読み取り権限と、記事自身が絞るべきだと書いている `CloudWatchLogsFullAccess`。タスクロールには、Amazon S3 と Amazon DynamoDB の読み取り専用の権限です。

# %%
print(article_terraform())

# %% [markdown]
# `load_terraform(lab, text)` は、`terraform apply` と同じように、これをラボに適用します。記事のロール名はコースのロール名と同じなので、記事のロールがコースのロールを*置き換え*ます。名前は同じで、ポリシーが記事のものになります。(`Lab.from_terraform(text)` は、同じことを新しいラボで一度に行います。)
#
# 実行する前に**予想してください**: orders タスク定義は、AWS Secrets Manager からデータベースのパスワードを、AWS Systems Manager (SSM) パラメータストアから機能フラグを注入します。どちらも AWS Key Management Service (AWS KMS) のカスタマーマネージドキーで暗号化されています。最初に拒否されるのはどちらのロールで、どのフェーズでしょうか。

# %%
print(load_terraform(lab, article_terraform()))
task = lab.run_task()
print()
print(task.stop_code)
print(task.stopped_reason)
print()
diagnose(task.stopped_reason)

# %% [markdown]
# タスク実行ロールを使う ECS エージェントは、レジストリのトークンは取得できました (ECR の読み取り権限)。しかし、イメージのプルが始まる前に、注入する機能フラグの取得を拒否されました。記事のポリシーには、`ssm:GetParameters` を許可するものがありません。記事のサンプルアプリはシークレットを注入しないので、記事の Terraform にはこの権限が必要なかったのです。`diagnose` も、メッセージを同じように読み解いています。
#
# ## ロール専用のポリシーを Terraform で書く
#
# 起動のためには、タスク実行ロールにもっと権限が必要です。一方、ログの権限はもっと少なくて済みます。1 つのロール専用のポリシー (インラインポリシー) は `aws_iam_role_policy` ブロックで書きます。その `policy` は JSON のドキュメントで、`jsonencode` を使って書きます。次のセルは記事の Terraform を適用し、続けて、タスク実行ロールを定義し直すファイルを適用します。`load_terraform` はロールを丸ごと置き換えます。`CloudWatchLogsFullAccess` が外れるのは、そのブロックがこのファイルにないからです。

# %% [markdown]
# ファイルで注目するところ:
#
# - `data "aws_caller_identity"` と `data "aws_region"` でアカウントとリージョンを取得するので、ARN に数字を直接書かずに済みます (`local.where` がこの 2 つをつなぎます)。
# - ログのステートメントは、ロググループのストリームを `log-group:/ecs/orders:*` と書きます (ノートブック 06)。
# - シークレットの ARN は末尾にランダムな 6 文字がつくので、`-??????` で一致させます。
# - IAM では、`Resource` に書く KMS キーはキー ARN で指定し、エイリアスでは指定しません。`alias/orders-config` で指定するには、ステートメントの `Resource` を `"*"` にして、条件キー `kms:ResourceAliases` を使います。

# %%
EXECUTION_ROLE = """
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  where = "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
}

resource "aws_iam_role" "ecs_execution" {
  name = "ecs-execution-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Principal = {
        Service = "ecs-tasks.amazonaws.com"
      }
      Action = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {
  role       = aws_iam_role.ecs_execution.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

resource "aws_iam_role_policy" "ecs_execution_launch" {
  name = "orders-launch"
  role = aws_iam_role.ecs_execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:${local.where}:log-group:/ecs/orders:*"
      },
      {
        Effect   = "Allow"
        Action   = "ssm:GetParameters"
        Resource = "arn:aws:ssm:${local.where}:parameter/orders/feature-flags"
      },
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = "arn:aws:secretsmanager:${local.where}:secret:orders/db-password-??????"
      },
      {
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = "*"
        Condition = {
          "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/orders-config" }
        }
      },
    ]
  })
}
"""
load_terraform(lab, article_terraform())  # 上と同じ、記事のロール
print(load_terraform(lab, EXECUTION_ROLE))
task = lab.run_task()
print()
print(task.stop_code, "- 終了コード", task.exit_code)
for line in task.logs:
    print(line)
print()
diagnose(task.logs[-1])

# %% [markdown]
# 今度はタスクが起動します。`CloudWatchLogsFullAccess` がなくても、起動は最後まで済みました。アプリケーションは先に進み、最初の書き込みで止まります。記事のタスクロールは、DynamoDB に対して読み取り専用だからです。今回エラーに出ている呼び出し元は `assumed-role/ecs-task-role/...`、つまり実行フェーズのタスクロールです。
#
# 残っていることが 2 つあります。これは演習に取っておきます。1 つは、`AmazonEC2ContainerRegistryReadOnly` のせいで、タスク実行ロールがまだすべてのリポジトリのイメージをプルできること (`"Resource": "*"`) です。もう 1 つは、タスクロールには、アプリが呼び出すもののための専用のポリシーが必要なことです。
#
# ## ラボを Terraform として書き出す
#
# `lab.to_terraform(least_privilege=True)` は、ラボのロールを書き出します。各ロールには、トレースに記録された、そのロールが実際に使ったものだけを許可するカスタムポリシーが 1 つずつつきます。手で作ったもの (たとえばワークベンチで作ったもの) を残しておくときや、自分の Terraform と比べるときに使います。次のセルは、コースのロールから始めてそれを書き出し、書き出したものを確かめます。ラボに適用し直しても、タスクは拒否される呼び出しなしで動きます。

# %%
lab.reset_roles()
lab.run_task()
narrowed = lab.to_terraform(least_privilege=True)
print(narrowed[: narrowed.index('resource "aws_ecs_task_definition"')])
load_terraform(lab, narrowed)
task = lab.run_task()
print(task.stop_code, "- 終了コード", task.exit_code, "- 拒否された呼び出し:", len(task.trace.denied()))

# %% [markdown]
# ## Terraform に間違いがあるとき
#
# AWS 管理ポリシーの ARN のタイプミスは、はっきりしたエラーになります。エラーはブロックと、その開始行を示します。何も適用されません。(このセルはわざと失敗させています。) この点では、ラボは Terraform より厳格です。`terraform plan` は AWS 管理ポリシーが存在するかどうかを確認しません。`terraform apply` はロールとほかのアタッチメントを作成し、そのアタッチメント 1 つだけで失敗して、何もロールバックしません。ラボは最初にすべてを確認するので、間違いがあっても、ラボが中途半端に作られたまま残ることはありません。

# %% tags=["raises-exception"]
load_terraform(
    lab, article_terraform().replace("AmazonDynamoDBReadOnlyAccess", "AmazonDynamoDBReadOnlyAcess")
)

# %% [markdown]
# ## 演習
#
# 演習の最初のセルが、セットアップを読み込みます。記事の Terraform に書かれたとおりの、記事の 2 つのロールです。最初からやり直すときや、あとで演習に戻るときは、このセルをもう一度実行します。`ex1.check()` はラボの状態を見ます。`ex1.hint()` は、まず今の状態を伝え、そのあとヒントを 1 つずつ、だんだん具体的に出します。`ex1.solution()` は解答例を 1 つ表示します。まずは見ないで挑戦してください。
#
# ### 演習 1: 記事の Terraform を直す
#
# 絞り込みを Terraform で書きます。記事のテキストを文字列としてセルにコピーし (`text = """..."""`)、アタッチメントを自分で書いた `aws_iam_role_policy` ブロックに置き換えます。それを `load_terraform(lab, text)` で適用し、タスクを実行します。タスクは最後まで動く必要があります。また、各ロールが扱えるのは orders タスク自身のリソースだけにします。タスク実行ロールは、ほかのロググループ、リポジトリ、シークレット、パラメータを扱えてはいけません。タスクロールは、ほかのバケット、テーブル、キュー、トピック、シークレットを扱えてはいけません。`lab.to_terraform(least_privilege=True)` の出力は解答になりません。自分で書いてください。

# %%
ex1 = lab.exercise("07-fix-the-article")
ex1

# %%
# ここにコードを書きます

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ## まとめ
#
# - `aws_ecs_task_definition` では、`execution_role_arn` がタスク実行ロール (ECS エージェント、起動フェーズ)、`task_role_arn` がタスクロール (アプリケーション、実行フェーズ) です。
# - どちらのロールも、`assume_role_policy` で `ecs-tasks.amazonaws.com` を信頼します。ノートブック 06 の、`aws:SourceAccount` と `aws:SourceArn` による防御もここに書きます。タスク定義を適用する人には、両方のロールに対する `iam:PassRole` が必要です。
# - 記事のロールは、出発点として良いものです。シークレットを注入するアプリでは、タスク実行ロールにもっと権限が必要です。データを書き込むアプリでは、タスクロールに読み取り専用より多くの権限が必要です。`CloudWatchLogsFullAccess` は、記事の言うとおり絞る方が良いでしょう。
# - ロール専用のポリシーは `aws_iam_role_policy` です。ARN は `data` ソースから組み立てます。シークレットの ARN の末尾には `-??????`、ロググループの ARN の末尾には `:*` をつけます。KMS キーをエイリアスで指定するには `kms:ResourceAliases` を使います。
# - `lab.to_terraform(least_privilege=True)` は、各ロールを実際に使ったものだけに絞って書き出します。

# %% [markdown]
# ## 次のステップ
#
# 2 つのロールはここまでです。続く 3 つのノートブックでは、ほかの登場人物に会います。EC2 のインスタンスロール ([08_ec2_instance_role.ipynb](08_ec2_instance_role.ipynb))、タスクロールのほかの仕事 (09)、そして IAM とは関係のない失敗 (10) です。ワークベンチ (ノートブック 04) に戻って、自分で壊した設定を試すのもよいでしょう。`ecslab explain "<message>"` は、実際の AWS アカウントで出たエラーも読み解きます。
