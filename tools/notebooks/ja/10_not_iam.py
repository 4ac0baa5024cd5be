# %% [markdown]
# # 原因が IAM ではないとき: ネットワーク、イメージ、存在しないリソース
#
# Amazon Elastic Container Service (Amazon ECS) のタスクが起動せず、停止理由が `ResourceInitializationError` や `CannotPullContainerError` で始まっています。記事の判断基準では、タスクが起動しないならタスクロールではなくタスク実行ロールを疑います。たいていはそれで正解です。ところが、停止理由の書き出しは同じでも、AWS Identity and Access Management (IAM) をどう変えても直らない失敗があります。外部への経路がないサブネット、存在しないイメージタグ、別の CPU アーキテクチャ向けにビルドしたイメージ、レジストリのレート制限、作成されていないシークレットです。
#
# このノートブックでは、それぞれを実際に壊し、停止理由と、停止までにかかった時間を読みます。そして、記事の判断基準に 1 つ手順を足します。まず、停止理由に IAM の拒否が書かれているかを確かめることです。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - ネットワークの失敗と IAM の拒否を、文言 (`i/o timeout`、`context deadline exceeded`) と時間 (ミリ秒ではなく数分) で見分ける。
# - NAT ゲートウェイのないプライベートサブネットで動くタスクに、どの VPC エンドポイントが必要か。パブリックサブネットでは、なぜパブリック IP アドレスが必要か。
# - イメージの失敗を読む。存在しないタグ、プラットフォームの不一致、Docker Hub のレート制限。
# - 存在しないシークレットと、タスク実行ロールが読めないシークレットを見分ける。
# - それぞれについて `diagnose` が何と言うか。

# %% [markdown]
# ## 始める前に
#
# 先に `02_execution_role.ipynb` と `05_troubleshooting.ipynb` を終えてください。所要時間は約 35 分です。
#
# 次のセルは新しいラボを作り、2 つの補助関数を定義します。`read(task)` は、停止したタスクについて次のことを表示します。停止コード、`createdAt` から起動まで (起動できなかった場合は停止まで) の秒数 (ラボの模擬時計)、停止理由に IAM の拒否が書かれているか、そして停止理由そのもの (リクエスト ID は `…` に省略) です。`editable(reference)` は、登録済みのタスク定義を、変更して登録し直せる形で返します。最初からやり直すときは、このセルをもう一度実行してください。ほかのセルは、このセルのあとならどれでも単独で実行できます。

# %%
import copy
import re
import textwrap

from ecslab import Lab, diagnose, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: このセルをもう一度実行すると最初からやり直せる
REFUSAL_WORDS = ("not authorized", "AccessDenied", "403 Forbidden")


def read(task):
    """停止コード、起動またはあきらめるまでの時間、拒否の言葉、停止理由 (リクエスト ID は省略)。"""
    times = task.describe()
    end = times.get("startedAt") or times["executionStoppedAt"]
    seconds = (end - times["createdAt"]).total_seconds()
    named = [word for word in REFUSAL_WORDS if word in task.stopped_reason]
    print(f"stopCode: {task.stop_code}、createdAt から {seconds:.1f} 秒後")
    print("IAM の拒否を示す語:", "、".join(named) or "なし")
    text = re.sub(r"(?i)(request ?id: )[0-9a-f-]+", r"\1…", task.stopped_reason)
    print(textwrap.fill(text, 100, break_long_words=False, break_on_hyphens=False))


def editable(reference):
    """登録済みのタスク定義を、RegisterTaskDefinition のフィールドとして返します (変更して登録し直す用)。"""
    registered = lab.task_definition(reference)
    fields = ("family", "executionRoleArn", "taskRoleArn", "networkMode",
              "requiresCompatibilities", "cpu", "memory", "containerDefinitions")
    return copy.deepcopy({field: registered[field] for field in fields})


read(lab.run_task())

# %% [markdown]
# ## 同じ書き出し、2 つの原因
#
# 次のセルは、コースのタスクを 2 回実行します。1 回目は、外への経路がないプライベートサブネットで実行します。NAT ゲートウェイも VPC エンドポイントもありません。2 回目はラボのいつものサブネットで、タスク実行ロールから AWS 管理ポリシーを外して実行します。どちらも、実行の前にロールとネットワークを初期状態に戻します。
#
# **予想してください**。停止するのが遅いのはどちらでしょうか。

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)  # NAT ゲートウェイなし、エンドポイントなし
read(lab.run_task())
print()
lab.network.reset()  # ラボ本来のサブネットに戻す (プライベート、NAT ゲートウェイあり)
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
read(lab.run_task())
lab.reset_roles()

# %% [markdown]
# どちらの停止理由も、同じ言葉で始まります。`ResourceInitializationError: unable to pull secrets or registry auth` です。最後まで読んでください。
#
# - 拒否のほうは、**誰が**、**何を**拒否されたかが書かれています。`assumed-role/ecs-execution-role/...` が `ecr:GetAuthorizationToken` を拒否されています (`is not authorized to perform: …`)。IAM がすぐに答えています。
# - タイムアウトのほうには、アクションもロールも出てきません。`dial tcp ...:443: i/o timeout`、`retried 3 time(s)`、`Please check your task network configuration` とあるだけです。誰も答えていません。呼び出しは Amazon Elastic Container Registry (Amazon ECR) に届かず、ECS エージェントは待って再試行したあとにあきらめました。
#
# 時間も同じことを示しています。拒否はタスクの作成から数秒で返り、タイムアウトは 1 分半ほどあとでした。実際の AWS でも、ネットワークの失敗ではタスクが数分間 `PENDING` のままになります。どちらのロールに権限を足しても、これは変わりません。

# %% [markdown]
# ## 外への経路がないタスクに必要なもの
#
# Fargate では、ECS エージェントは起動時の呼び出しを、タスク自身のネットワークインターフェイス (タスクのサブネット内) から行います。NAT ゲートウェイがなければ、呼び出すサービスごとに VPC エンドポイントが必要です。
#
# | ECS エージェントの呼び出し | エンドポイント |
# |---|---|
# | レジストリの認証トークン (`ecr:GetAuthorizationToken`) | `ecr.api` (インターフェイス) |
# | イメージのマニフェスト | `ecr.dkr` (インターフェイス) |
# | イメージのレイヤー (保存先は Amazon S3) | `s3` (ゲートウェイ) |
# | 注入するパラメータとシークレット | `ssm`、`secretsmanager` (インターフェイス) |
# | ログストリームとログイベント | `logs` (インターフェイス) |
#
# 次のセルは、`s3` と `logs` 以外のエンドポイントをすべて追加します。今度は何がタスクを止めるか、**予想してください**。
#
# <details><summary>出典</summary>
#
# [Amazon ECR インターフェイス VPC エンドポイント](https://docs.aws.amazon.com/ja_jp/AmazonECR/latest/userguide/vpc-endpoints.html) (Fargate の ECS タスクには `ecr.dkr`、`ecr.api`、S3 のゲートウェイエンドポイントが必要で、awslogs ドライバーには `logs` が必要)、[Amazon ECS インターフェイス VPC エンドポイント](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/vpc-endpoints.html)、[re:Post: ECS タスクがシークレットを取得できない](https://repost.aws/ja/knowledge-center/ecs-unable-to-pull-secrets)。
#
# </details>

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
for endpoint in ("ecr.api", "ecr.dkr", "ssm", "secretsmanager"):
    lab.network.add_endpoint(endpoint)
print(lab.network)
read(lab.run_task())

# %% [markdown]
# マニフェストは `ecr.dkr` を通って届きましたが、レイヤーは届きませんでした。レイヤーの取得先は S3 バケット (`prod-<region>-starport-layer-bucket`) で、`s3` のゲートウェイエンドポイントがないため、リクエストはタイムアウトしました。`dial tcp ...: i/o timeout` とあり、ここでもアクションもロールも出てきません。(注入するパラメータの AWS Key Management Service (AWS KMS) キーはパラメータストア自身が使うので、ECS エージェントに `kms` のエンドポイントは要りません。)
#
# ## パブリックサブネットにはパブリック IP が必要
#
# ルートテーブルにインターネットゲートウェイへのルートがあるサブネットは**パブリック**です。ただし、インターネットゲートウェイを通じてインターネットと通信できるのは、パブリック IP アドレスを持つリソースだけです。そのためタスクにはパブリック IP、つまり RunTask の `assignPublicIp: ENABLED` が必要です。次のセルは、パブリックサブネットで、まずパブリック IP なし、次にパブリック IP ありでタスクを実行します。

# %%
lab.reset_roles()
lab.network.reset()
lab.network.public_subnet(public_ip=False)
print(lab.network_configuration["awsvpcConfiguration"]["assignPublicIp"])
read(lab.run_task())
print()
lab.network.public_subnet(public_ip=True)
print(lab.network_configuration["awsvpcConfiguration"]["assignPublicIp"])
read(lab.run_task())
lab.network.reset()

# %% [markdown]
# <details><summary>出典と、シミュレーションがしないこと</summary>
#
# パブリックサブネットのタスクがイメージをプルするにはパブリック IP が必要です: [Fargate タスクのネットワーク](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/fargate-task-networking.html)。停止理由の文言は公開されたタスク失敗の報告から取っており、出典は `ecslab/ecs/network.py` にあります。
#
# シミュレーションしないこと: セキュリティグループ、ネットワークアクセスコントロールリスト (ネットワーク ACL)、DNS (ドメインネームシステム) は常に通信を許可する扱いです。インターフェイスエンドポイントのプライベート DNS は常に有効です。待ち時間は公開された報告と同じくらい (数分) にしてあり、測ったものではありません。停止理由の IP アドレスは架空のものです。
#
# </details>
#
# ## アプリにも経路が必要
#
# コンテナが動き出すと、アプリ自身の呼び出しも同じネットワークインターフェイスから出ていきます。設定を読む S3、Amazon DynamoDB、Amazon Simple Queue Service (Amazon SQS)、Amazon Simple Notification Service (Amazon SNS)、Secrets Manager です。次のセルは、起動に必要なエンドポイントだけを用意します。**予想してください**。タスクは起動するでしょうか。アプリは最後まで動くでしょうか。

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
for endpoint in ("ecr.api", "ecr.dkr", "s3", "ssm", "secretsmanager", "logs"):
    lab.network.add_endpoint(endpoint)
task = lab.run_task()
read(task)
print("終了コード:", task.exit_code)
print("最後のログ行:", task.logs[-1])
lab.network.reset()

# %% [markdown]
# タスクは起動し、アプリが失敗しました。記事の判断基準なら、ここでタスクロールを疑うところです。しかしアプリの最後のログ行は、DynamoDB への接続で botocore が出した `ConnectTimeoutError: Connect timeout on endpoint URL` です。拒否もロールも出てきません。S3 への呼び出しは通りました。`s3` のゲートウェイエンドポイントは、イメージのレイヤーだけでなくアプリの呼び出しも通すからです。DynamoDB 用のエンドポイントは用意していません。実行フェーズでも、タスクロールに手を付ける前に、ログに IAM の拒否が書かれているかを確かめましょう。
#
# <details><summary>アプリが待った時間と出典</summary>
#
# botocore は接続を既定で 60 秒待ち、再試行します。ラボはその時間を模擬時計で数えます (`ecslab/ecs/reach.py` を参照)。再試行のランダムな揺らぎは平均値に置き換えています。サービスごとのエンドポイント: [AWS PrivateLink と統合できる AWS のサービス](https://docs.aws.amazon.com/ja_jp/vpc/latest/privatelink/aws-services-privatelink-support.html)。S3 と DynamoDB にはゲートウェイエンドポイントもあります ([ゲートウェイエンドポイント](https://docs.aws.amazon.com/ja_jp/vpc/latest/privatelink/gateway-endpoints.html))。
#
# </details>
#
# ## コーチの見立て
#
# `diagnose` (ノートブック 05) も、2 つの文言を同じように読みます。「どちらのロールでもない: ネットワーク」です。

# %%
lab.reset_roles()
lab.network.reset()
lab.network.private_subnet(nat=False)
launch_timeout = lab.run_task().stopped_reason
for endpoint in ("ecr.api", "ecr.dkr", "s3", "ssm", "secretsmanager", "logs"):
    lab.network.add_endpoint(endpoint)
app_timeout = lab.run_task().logs[-1]
lab.network.reset()
print(diagnose(launch_timeout))
print()
found = diagnose(app_timeout)
print("アプリのログ行:", found.describe().splitlines()[0])

# %% [markdown]
# ## 4 つの停止理由: IAM が原因なのはどれ?
#
# 次のセルは 4 つのタスクを実行します。それぞれ専用のタスク定義を、別のファミリー名で登録して使います (コースの `orders` はそのまま残ります)。それぞれ違うものを壊してあります。停止理由ごとに**判断してください**。IAM が拒否したのでしょうか。何を直せばよいでしょうか。答えはセルのあとにあります。

# %%
lab.reset_roles()
lab.network.reset()
lab.ecs.docker_hub.anonymous_quota_used_up = False
registry = lab.resources.repository_uri

print("ミステリー 1")
definition = editable("orders:1")
definition["family"] = "orders-mystery-1"
definition["containerDefinitions"][0]["image"] = registry + ":1.5.0"
read(lab.run_task(definition))

print("\nミステリー 2")
arm = registry + ":2.0-arm"
try:  # ARM プロセッサー専用にビルドしたイメージ (Apple シリコンの Mac でよく起きる)
    lab.build_image("2.0-arm", lambda: print("orders 2.0"), platform="linux/arm64")
except lab.client("ecr").exceptions.ImageAlreadyExistsException:
    pass  # このセルの前回の実行でプッシュ済み
definition = editable("orders:1")
definition["family"] = "orders-mystery-2"
definition["containerDefinitions"][0]["image"] = arm
read(lab.run_task(definition))

print("\nミステリー 3")
lab.ecs.docker_hub.anonymous_quota_used_up = True  # Docker Hub の上限 (シミュレーション)
definition = editable("orders:1")
definition["family"] = "orders-mystery-3"
definition["containerDefinitions"][0]["image"] = "nginx:1.27"
read(lab.run_task(definition, app=lambda: None))
lab.ecs.docker_hub.anonymous_quota_used_up = False

print("\nミステリー 4")
lab.execution_role.put_inline("no-pull", {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}]})
read(lab.run_task())
lab.reset_roles()

# %% [markdown]
# IAM だったのはミステリー 4 だけで、その停止理由にはアクションさえ書かれていません。マニフェストのプル中の `403 Forbidden` です。直すのはタスク実行ロールです。残りは次のとおりです。
#
# 1. `failed to resolve ref ...:1.5.0: not found`: そのタグはリポジトリにありません (ECR は 404 を返しました)。タスク定義のイメージを直すか、そのタグをプッシュします。
# 2. `image Manifest does not contain descriptor matching platform 'linux/amd64'`: イメージが ARM プロセッサー向けにしかビルドされていません。たとえば Apple シリコンの Mac で `docker buildx build --platform linux/arm64` を使った場合です。`linux/amd64` 向けにビルドし直すか、タスク定義の `runtimePlatform` の `cpuArchitecture` を `ARM64` にします。
# 3. `429 Too Many Requests ... toomanyrequests`: Docker Hub の匿名プルのレート制限です。認証情報付きでプルする (`repositoryCredentials`) か、イメージを ECR にコピーします。
#
# <details><summary>出典と、シミュレーションがしないこと</summary>
#
# これらの原因は [CannotPullContainer タスクエラー](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task_cannot_pull_image.html) に挙げられています。[Docker Hub の使用量と上限](https://docs.docker.com/docker-hub/usage/)、[プライベートレジストリの認証](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/private-auth.html) も参照してください。ラボは Docker Hub に接続しません。上限に達するのは、`lab.ecs.docker_hub.anonymous_quota_used_up = True` を設定したときだけです。単一プラットフォームの、アーキテクチャが違うイメージは、プルには成功して起動時に `exec format error` で失敗しますが、ラボはこれを再現しません。
#
# </details>

# %% [markdown]
# ## シークレット: 存在しないのか、拒否されたのか
#
# シークレットは、停止理由に IAM の拒否が**書かれている**のに、直すべきものが権限とは限らない例です。次のセルは、誰も作っていない 2 つ目のシークレット `orders/smtp-password` を注入します。まずコースのタスク実行ロール (読めるのはデータベースのパスワードだけ) で実行し、次に `orders/` の下のすべてのシークレットを許可するように広げたロールで実行します。

# %%
lab.reset_roles()
lab.network.reset()
r = lab.resources
smtp = f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:orders/smtp-password-Xy12Ab"
definition = editable("orders:1")
definition["family"] = "orders-smtp"
definition["containerDefinitions"][0]["secrets"].append(
    {"name": "SMTP_PASSWORD", "valueFrom": smtp})
read(lab.run_task(definition))
print()
lab.execution_role.put_inline("all-orders-secrets", {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
     "Resource": f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:orders/*"}]})
read(lab.run_task(definition))
lab.reset_roles()

# %% [markdown]
# 権限の確認は、シークレットを探すより先に行われます。そのため 1 回目は、どこにも存在しない Amazon リソースネーム (ARN) に対する拒否 (`AccessDeniedException ... is not authorized to perform: secretsmanager:GetSecretValue`) として返ります。ロールが呼び出しを許可して初めて、Secrets Manager は `ResourceNotFoundException: Secrets Manager can't find the specified secret` と答えました。
#
# ですから、拒否の中のリソースも読みましょう。ロールのポリシーが意図したシークレットを指していて、拒否が別の ARN を指しているなら、直すのはロールではなくタスク定義の ARN です。ロールを広げても、拒否が「見つからない」に変わるだけです ([ResourceNotFoundException エラー](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/resource-not-found-error.html))。

# %% [markdown]
# ## 判断基準を広げる
#
# 記事の判断基準「タスクが起動しない → タスクロールではなくタスク実行ロールを見る」は、このノートブックのどの拒否にも当てはまります。その前に、停止理由を読みましょう。
#
# 1. 拒否の言葉 (`not authorized`、`AccessDenied`、`403 Forbidden`) はありますか。なければ (タイムアウト、`not found`、プラットフォームの不一致、`429`)、ロールをどう変えても直りません。ネットワーク、イメージ、レジストリを直します。
# 2. あれば、タスク実行ロールが拒否されています。判断基準どおりです。拒否されたリソースも読みましょう。意図したものですか。
# 3. 時間が裏付けになります。拒否はすぐに返り、タイムアウトは数分かかります。

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルが、その演習の壊れた設定を読み込みます (ロールとネットワークを初期状態に戻してから、1 か所を壊します)。前の演習に戻るときは、その演習の最初のセルをもう一度実行してください。間違っていると思うところを変更し、タスクを実行して、`ex1.check()` を実行します。チェックはラボを読み、まだ何が間違っているかを伝えますが、直し方は教えません。`ex1.hint()` は、呼ぶたびにより具体的なヒントを出し、`ex1.solution()` は解答例を表示します (まずは自分で挑戦してください)。
#
# ### 演習 1: プライベートサブネット、パブリック IP なし
#
# NAT ゲートウェイもパブリック IP もないプライベートサブネットのまま、タスクを起動させ、最後まで実行させてください。`print(lab.network)` で、タスクがどこで動くかがわかります。

# %%
ex1 = lab.exercise("10-private-subnet")
ex1

# %%
# ここにコードを書きます

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: 夜間ジョブのシークレット
#
# 夜間ジョブ (タスク定義のファミリー `orders-nightly`) が起動しません。`lab.run_task("orders-nightly")` で実行して停止理由を読み、直すべきものを直してください。

# %%
ex2 = lab.exercise("10-nightly-secret")
ex2

# %%
# ここにコードを書きます

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ## まとめ
#
# - `ResourceInitializationError` と `CannotPullContainerError` が伝えるのは**いつ** (起動時) で、**なぜ**ではありません。停止理由は最後まで読みます。
# - 拒否には、誰が何を拒否されたか (または `403 Forbidden`) が書かれ、すぐに返ります。タイムアウトにはどちらも書かれず、数分かかります。原因は IAM ではなくネットワークです。タスクの起動後にアプリが出す `ConnectTimeoutError` も同じです。
# - NAT ゲートウェイがなければ、起動には `ecr.api`、`ecr.dkr`、`s3`、`logs` と、注入する値のための `secretsmanager` や `ssm` のエンドポイントが必要です。アプリには、呼び出すサービスごとにエンドポイントが必要です。パブリックサブネットでは、タスクにパブリック IP が必要です。
# - `not found`、プラットフォームの不一致、`429 Too Many Requests` はイメージやレジストリの問題です。タスク定義、ビルド、認証情報を直します。
# - 意図しない ARN に対する拒否は参照の誤りです。`ResourceNotFoundException` はリソースが存在しないことを示します。ロールではなく参照を直します。

# %% [markdown]
# ## 次のステップ
#
# これで、停止理由やエラーメッセージを読み解く方法がひととおりそろいました。新しい目で [05_troubleshooting.ipynb](05_troubleshooting.ipynb) に戻ってみてください。そして `diagnose(message)` と `ecslab explain "<message>"` を手元に置いておきましょう。実際のアカウントから貼り付けた文言を、このノートブックで学んだのと同じやり方で読んでくれます。
#
# そのあとは [11_preflight.ipynb](11_preflight.ipynb) へ。自分のデプロイのロールを、デプロイする前に判定します。
