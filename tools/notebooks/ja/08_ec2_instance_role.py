# %% [markdown]
# # EC2 とインスタンスロール: フォールバックとその塞ぎ方
#
# AWS Fargate では、Amazon Elastic Container Service (Amazon ECS) のタスクが使う AWS Identity and Access Management (IAM) ロールは 2 つでした。起動時に ECS エージェントが使う**タスク実行ロール**と、実行中にアプリが使う**タスクロール**です。同じタスクを自分の Amazon Elastic Compute Cloud (Amazon EC2) インスタンスで動かす (EC2 起動タイプ) と、3 つ目のロールが加わります。EC2 インスタンス自身のロール、**コンテナインスタンスの IAM ロール** (以下、インスタンスロール) です。
#
# このロールは、タスクにタスクロールがないときに表に出てきます。アプリが使う AWS SDK (ソフトウェア開発キット) は、代わりにインスタンスロールの認証情報を見つけます。こうしてアプリは、インスタンスロールとして AWS を呼び出します。このノートブックでは、タスクロールの代わりにインスタンスロールが使われるしくみ (フォールバック)、「インスタンスロールに権限を足せばいい」という対処が危ない理由、そしてフォールバックの塞ぎ方を見ていきます。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - インスタンスロール (`ecsInstanceRole`) の役割と、誰が使うのか。
# - タスクロールの**ない**タスクのアプリが、インスタンスメタデータサービス (IMDS) を通じてインスタンスロールの認証情報を得るしくみ。それをエラーメッセージから読み取る方法。
# - インスタンスロールを広げると、インスタンス上のすべてのコンテナが同じ権限を持ってしまう理由。
# - 正しい直し方: タスクに専用のタスクロールを与えること。
# - フォールバックの塞ぎ方: `awsvpc` ネットワークモードのタスクには `ECS_AWSVPC_BLOCK_IMDS`、IMDS バージョン 2 (IMDSv2) の必須化とホップ制限 1。`bridge` モードと `host` モードについて AWS が述べていること。

# %% [markdown]
# ## 始める前に
#
# タスクの 2 つのロール (ノートブック 01〜03) と、誰が拒否されたかの読み方 (ノートブック 05) を知っていることを前提にします。所要時間は約 50 分です。
#
# 次のセルは、新しい模擬アカウントを作ります (もう一度実行すると最初からやり直せます)。また、タスク定義を 2 つ登録します。コースの `orders` タスクからタスクロールを**除いた** EC2 用のもので、`awsvpc` ネットワークモードの `orders-ec2` と、`bridge` ネットワークモードの `orders-bridge` です。さらに、コンテナインスタンスとそのロールを初期状態に戻す `fresh_instance(lab)` を読み込みます。以下の実験はどれもこの関数から始まります。`ask_the_instance()` は後で使うプログラムです。そのときに読んでください。

# %%
import os

import boto3
import botocore.session
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab import Lab, diagnose, set_language
from ecslab.coach.lessons.nb08 import fresh_instance, register_without_task_role

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: このセルをもう一度実行すると最初からやり直せる
register_without_task_role(lab, "orders-ec2", "awsvpc")  # taskRoleArn なし
register_without_task_role(lab, "orders-bridge", "bridge")  # こちらも taskRoleArn なし


def ask_the_instance():
    """IMDS からインスタンスロールの認証情報を直接取得し、決済 API キーを読む。"""
    provider = botocore.session.get_session().get_component(
        "credential_provider").get_provider("iam-role")  # チェーンの最後のステップだけを使う
    found = provider.load()
    if found is None:
        print("インスタンスメタデータサービスから認証情報は得られませんでした")
        return
    instance = boto3.Session(aws_access_key_id=found.access_key,
                             aws_secret_access_key=found.secret_key,
                             aws_session_token=found.token)
    value = instance.client("secretsmanager").get_secret_value(
        SecretId=os.environ["PAYMENTS_API_KEY_SECRET"])["SecretString"]
    print(f"インスタンスロールとして決済 API キーを読みました ({len(value)} 文字)")


lab.container_instance

# %% [markdown]
# `lab.container_instance` は、クラスターにある 1 台の EC2 インスタンスです。Amazon Linux 2023 ベースの Amazon ECS 最適化 AMI (Amazon マシンイメージ) から起動したインスタンスと同じ状態で始まります。IMDSv2 が必須 (`http_tokens='required'`)、ホップ制限は 2、`agent_config` には ECS エージェントの設定が入っています (実際のインスタンスでは `/etc/ecs/ecs.config` ファイルです)。

# %% [markdown]
# ## 3 つ目のロール: インスタンスロール
#
# ECS デベロッパーガイドによると、インスタンスロールは、ECS コンテナエージェントと Docker デーモンがあなたに代わって AWS の API を呼び出すのに必要な権限を与えるロールです ([Amazon ECS コンテナインスタンスの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/instance_IAM_role.html))。ECS コンソールが作るときの名前は `ecsInstanceRole` です。信頼ポリシーで `ec2.amazonaws.com` (EC2 サービス) を信頼し、**インスタンスプロファイル** (IAM ロールを EC2 インスタンスに渡すための入れ物) を通じてインスタンスに渡され、AWS 管理ポリシー `AmazonEC2ContainerServiceforEC2Role` を持ちます。

# %%
fresh_instance(lab)
lab.instance_role

# %% [markdown]
# 誰がこのロールを使うのでしょうか。コースのタスク (2 つのロールがそろっています) を EC2 で実行し、ラボのトレースを見ます。まず EC2 がロールの認証情報をインスタンスに渡し、次に ECS エージェントがその認証情報でインスタンスをクラスターに登録します。セルは、アプリが使ったロールも表示します。

# %%
fresh_instance(lab)
lab.reset_roles()
task = lab.run_task(launch_type="EC2")  # コースのタスクを、コンテナインスタンス上で

agent_at_work = lab.trace.filter(
    where=lambda e: e.principal == "Amazon EC2" or e.action in (
        "ecs:RegisterContainerInstance", "ecs:DiscoverPollEndpoint"))
for event in agent_at_work:
    print(event)
print()
print("アプリの最後のログ行:", task.logs[-1])
print("アプリが使ったロール:", {e.role for e in task.trace.filter(phase="run")
                              if e.principal == "orders app"})

# %% [markdown]
# エージェントは `ecsInstanceRole` のセッションとして動きます。セッション名は**インスタンス ID** です (`assumed-role/ecsInstanceRole/i-0...`)。タスクロールがある限り、それ以外は Fargate と変わりません。アプリは `ecs-task-role` として AWS を呼び出し、イメージのプルとログの送信はタスク実行ロールが行います。
#
# インスタンスロールには、もう 1 つ仕事があります。EC2 では、シークレットを注入しないタスクならタスク実行ロールなしでも動きます。そのときエージェントは Amazon Elastic Container Registry (Amazon ECR) からのイメージのプルにインスタンスロールを使い、Docker も `awslogs` のログをこのロールで送ります。管理ポリシーが `ecr:` の読み取りと `logs:` の書き込みを許可しているのはそのためです ([Amazon ECS で Amazon ECR を使う](https://docs.aws.amazon.com/ja_jp/AmazonECR/latest/userguide/ECR_on_ECS.html))。

# %% [markdown]
# ## ミステリー 1: AWS を呼び出したのは誰か
#
# 同僚が orders サービスを EC2 に移し、タスク定義 `orders-ec2` を書きました。タスク実行ロールはありますが、**タスクロールがありません** (`taskRoleArn` が抜けています)。タスクは起動しますが、アプリは途中でエラーになって止まります。実行して、最後のログ行を読んでください。**先を読む前に**考えましょう。Amazon リソースネーム (ARN) に出ているのはどのロールで、最後の部分は何でしょうか。

# %%
fresh_instance(lab)
lab.reset_roles()
mystery = lab.run_task("orders-ec2", launch_type="EC2")
print(mystery.stop_code, "| 終了コード", mystery.exit_code)
print(mystery.logs[-1])

# %% [markdown]
# `assumed-role/ecsInstanceRole/i-0...` は、タスクのどちらのロールでもありません。呼び出し元は**インスタンスロール**のセッションで、名前は**インスタンス ID** です。タスクロールのセッションなら、名前はタスク ID になります。
#
# アプリはこの認証情報をどこで得たのでしょうか。SDK は決まった順番で認証情報を探します。これを「デフォルトの認証情報チェーン」と呼びます。タスクロールのあるタスクでは、ECS がコンテナに認証情報の取得先を渡します (コンテナ認証情報プロバイダー)。タスクロールがなければ取得先もないので、チェーンは先へ進みます。最後のステップで `169.254.169.254` の**インスタンスメタデータサービス**に問い合わせると、インスタンスのロールの認証情報が返ってきます。AWS も、タスクがタスクロールを見つけられないとインスタンスロールが使われる、とはっきり書いています ([AWS re:Post](https://repost.aws/ja/knowledge-center/ecs-iam-task-roles-config-errors))。

# %% [markdown]
# トレースも同じことを示します。実行フェーズ (`[run]`) の呼び出し元は、`ecsInstanceRole` を使う orders アプリです。ノートブック 05 のコーチ `diagnose` も、メッセージを同じように読みます。

# %%
fresh_instance(lab)
lab.reset_roles()
mystery = lab.run_task("orders-ec2", launch_type="EC2")
for event in mystery.trace.filter(phase="run"):
    print(event)
diagnose(mystery.logs[-1])

# %% [markdown]
# <details><summary>SDK の認証情報チェーンと、ラボが提供するもの</summary>
#
# botocore (boto3 の下にある SDK) は、コードで明示したキー、環境変数、共有ファイル (`~/.aws/credentials` と `~/.aws/config`)、…、コンテナ認証情報プロバイダー (`AWS_CONTAINER_CREDENTIALS_*`) の順に試し、最後にインスタンスメタデータサービスに問い合わせます ([IMDS 認証情報プロバイダー](https://docs.aws.amazon.com/ja_jp/sdkref/latest/guide/feature-imds-credentials.html))。IMDSv2 では、まずトークンを要求し (`PUT /latest/api/token`)、そのトークンで `/latest/meta-data/iam/security-credentials/<role>` を読みます ([インスタンスメタデータからセキュリティ認証情報を取得する](https://docs.aws.amazon.com/ja_jp/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html))。
#
# ラボは、インスタンス上のコンテナごとに、このメタデータサービスを `127.0.0.1` で提供します (botocore の `AWS_EC2_METADATA_SERVICE_ENDPOINT`)。取得するのは EC2 と同じく botocore 自身のコードです。
#
# </details>

# %% [markdown]
# ### ミステリー 2: 同じタスクを Fargate で
#
# まったく同じ `orders-ec2` を Fargate で実行します (両方の起動タイプ用に登録してあります)。セルを実行する前に、最後のログ行を予想してください。

# %%
lab.reset_roles()
on_fargate = lab.run_task("orders-ec2")  # 起動タイプは FARGATE (ラボの既定)
print(on_fargate.stop_code, "| 終了コード", on_fargate.exit_code)
print(on_fargate.logs[-1])


# %% [markdown]
# `Unable to locate credentials` は botocore の `NoCredentialsError` です。チェーンは**何も**見つけられませんでした。Fargate のタスクは、自分で管理する EC2 インスタンスの上では動きません。コンテナから使えるインスタンスロールがないため、タスクロールのないタスクは AWS の認証情報をまったく持ちません。
#
# これは EC2 から Fargate への移行でよくある落とし穴です。EC2 でタスクロールなしに「何年も動いていた」サービスは、ずっとインスタンスロールの権限で動いていたのです。Fargate ではその権限がなくなります。どちらの場合も、直し方は同じです。タスクロールを与えます。

# %% [markdown]
# ## やりたくなる対処: インスタンスロールを広げる
#
# アプリには S3、DynamoDB、SQS、SNS、Secrets Manager が必要で、エラーには `ecsInstanceRole` と出ています。それなら、`ecsInstanceRole` に orders アプリのポリシーを付ければよいのでは? セルはそれを実行して `orders-ec2` をもう一度動かし、続いて同じインスタンスで**別の**タスクを動かします。タスクロールがなく、決済 API キーを読む理由もないプログラムです。両方の結果を**予想して**から実行してください。

# %%
# 同じインスタンス上の 2 つ目のタスクで動かす、別のプログラム
def curious():
    """同じインスタンス上の、タスクロールのない別のプログラム: 決済 API キーを読めるか。"""
    secret = os.environ["PAYMENTS_API_KEY_SECRET"]
    try:
        value = boto3.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
        print(f"{secret} を読みました ({len(value)} 文字)")
    except (ClientError, NoCredentialsError) as error:
        print(f"拒否されました: {error}")


fresh_instance(lab)
lab.reset_roles()
lab.instance_role.put_inline("orders-app", lab.task_role.inline_policy("orders-app"))  # 「対処」
orders = lab.run_task("orders-ec2", launch_type="EC2")
other = lab.run_task("orders-ec2", app=curious, launch_type="EC2")
print("orders アプリ:    ", orders.logs[-1])
print("別のプログラム:   ", other.logs[-1])
print("インスタンスロールのポリシー:", lab.instance_role.policies)

# %% [markdown]
# orders アプリは動きました。そして別のプログラムも、決済 API キーを読めてしまいました。インスタンスロールのセッションはインスタンス全体で**1 つ**で、メタデータサービスに届くコンテナはすべてそれを受け取ります。ホスト上のすべてのプロセスと ECS エージェントも同じです。
#
# これは 2 つの点で最小権限の原則に反します。どのサービスもほかのサービスの権限をすべて持ち、しかもすべて `assumed-role/ecsInstanceRole/i-0...` なので、AWS CloudTrail でも見分けがつきません。AWS の推奨はその逆で、インスタンスロールは `AmazonEC2ContainerServiceforEC2Role` が許可する範囲にとどめます ([Amazon ECS タスクの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task-iam-roles.html))。

# %% [markdown]
# ### タスクロールがあってもメタデータサービスには届く
#
# タスクにタスクロールを与えれば、SDK はタスクロールだけを使います。それでも、コンテナからメタデータサービスには今までどおりアクセスできます。最初のセルの `ask_the_instance()` はチェーンを使わず、メタデータサービスに直接問い合わせます。コンテナ内のコードなら、どれでも同じことができます。コードを読んでから、インスタンスロールを同じように広げたうえで、タスクロールの**ある**コースのタスクとして実行してみましょう。

# %%
fresh_instance(lab)
lab.reset_roles()
lab.instance_role.put_inline("orders-app", lab.task_role.inline_policy("orders-app"))
with_role = lab.run_task(app=ask_the_instance, launch_type="EC2")  # このタスクにはタスクロールがある
print(with_role.logs[-1])
for event in with_role.trace.filter(phase="run", where=lambda e: e.principal != "ECS agent"):
    print(event)

# %% [markdown]
# タスクロールがあるのに、シークレットを **`ecsInstanceRole` として**読めました。インスタンスロールに付けたものは、どのコンテナでも取り出せます。ここから 2 つの原則が導けます。インスタンスロールの権限は最小限にとどめること、そしてコンテナからメタデータサービスへの経路を塞ぐことです。

# %% [markdown]
# ## 正しい直し方: 専用のタスクロール
#
# orders アプリの権限は、タスクロールに置くものです。コースの `ecs-task-role` はアプリが呼び出すものを過不足なく許可しているので、これを付けて `orders-ec2` を実行します (`overrides` はこの実行だけ `taskRoleArn` を設定します。恒久的に直すには、`taskRoleArn` を設定したタスク定義の新しいリビジョンを登録します)。インスタンスロールには手を加えません。

# %%
fresh_instance(lab)
lab.reset_roles()
fixed = lab.run_task("orders-ec2", launch_type="EC2",
                     overrides={"taskRoleArn": lab.task_role.arn})
print(fixed.logs[-1])
print("アプリが使ったロール:", {e.role for e in fixed.trace.filter(phase="run")
                              if e.principal == "orders app"})
print("インスタンスロール:", lab.instance_role.policies)

# %% [markdown]
# ## フォールバックを塞ぐ
#
# タスクロールで直るのは、そのタスクだけです。どのコンテナもインスタンスロールに届かないようにするには、メタデータサービスへの経路を塞ぎます。方法はタスクのネットワークモードによって違います。
#
# ### `awsvpc` モード: `ECS_AWSVPC_BLOCK_IMDS`
#
# `awsvpc` ネットワークモード (タスクごとに専用のネットワークインターフェイスを持つ) のタスクには、ECS エージェントの設定があります。`/etc/ecs/ecs.config` の `ECS_AWSVPC_BLOCK_IMDS=true` です。セルはこれを設定し、3 つのタスクを実行します。タスクロールなしの `orders-ec2`、タスクロール付きの同じタスク、そしてメタデータサービスに直接問い合わせるプログラムです。

# %%
fresh_instance(lab)
lab.reset_roles()
lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"

without = lab.run_task("orders-ec2", launch_type="EC2")
print("タスクロールなし:   ", without.logs[-1])
with_task_role = lab.run_task("orders-ec2", launch_type="EC2",
                              overrides={"taskRoleArn": lab.task_role.arn})
print("タスクロールあり:   ", with_task_role.logs[-1])
direct = lab.run_task(app=ask_the_instance, launch_type="EC2")
print("IMDS に直接問い合わせ:", direct.logs[-1])

# %% [markdown]
# タスクロールのないタスクは、Fargate と同じく `NoCredentialsError` ではっきり失敗するようになりました。黙ってインスタンスの権限を借りることはもうありません。タスクロールは今までどおり使えます。タスクロールの認証情報はメタデータサービスではなく、コンテナ認証情報のエンドポイントから来るからです。メタデータサービスに直接問い合わせても、何も得られません。

# %% [markdown]
# ### `bridge` モード: ホップ制限
#
# `ECS_AWSVPC_BLOCK_IMDS` は、コンテナが Docker のブリッジネットワークを共有する `bridge` モードには効きません。代わりにラボで変えられるのは、インスタンスのメタデータオプションです。
#
# - `http_tokens`: `"required"` (IMDSv2 のみ: 先にトークンが要る) か `"optional"` (トークンなしの IMDSv1 にも応答する)。
# - `hop_limit`: IMDSv2 のトークン応答が通れるネットワークホップの数。コンテナまでは 2 ホップかかるので、ホップ制限が 1 ならトークンは届きません。
#
# 次のセルは、タスクロールのない `orders-bridge` を 4 つの設定で実行し、アプリがインスタンスロールの認証情報を得たかどうかを表示します。

# %%
settings = [
    ("初期設定 (ホップ制限 2、IMDSv2 必須)", {}, 2, "required"),
    ("ECS_AWSVPC_BLOCK_IMDS=true", {"ECS_AWSVPC_BLOCK_IMDS": "true"}, 2, "required"),
    ("ホップ制限 1、IMDSv1 も可", {}, 1, "optional"),
    ("ホップ制限 1、IMDSv2 必須", {}, 1, "required"),
]
lab.reset_roles()
for label, agent_config, hop_limit, http_tokens in settings:
    fresh_instance(lab)
    lab.container_instance.agent_config.update(agent_config)
    lab.container_instance.hop_limit = hop_limit
    lab.container_instance.http_tokens = http_tokens
    task = lab.run_task("orders-bridge", launch_type="EC2")
    answer = "インスタンスロール" if "assumed-role/ecsInstanceRole/" in task.logs[-1] else "認証情報なし"
    print(f"{label}: {answer}")

# %% [markdown]
# 塞げたのは最後の行だけです。ホップ制限が 1 だと IMDSv2 のトークンはコンテナに届かず、SDK は IMDSv1 にフォールバックします。IMDSv1 は、トークンが**必須**でない限り応答します。2 つの設定が両方とも必要です。
#
# ただし、この方法には限界があります。塞がれるのは認証情報だけでなく、*すべての*コンテナのメタデータです。インスタンスのネットワークを共有する `host` モードのタスク (余分なホップがない) は塞げません。そして ECS のガイドが `bridge` モード向けに示しているのは、ホップ制限ではなく、インスタンス上のファイアウォールのルールです。次の注記を見てください。

# %% [markdown]
# <details><summary>ネットワークモードごとに AWS のドキュメントが述べていること</summary>
#
# - **`awsvpc`**: `/etc/ecs/ecs.config` に `ECS_AWSVPC_BLOCK_IMDS=true` を設定します ([Amazon ECS でコンテナが Amazon EC2 インスタンスメタデータにアクセスできないようにする方法](https://repost.aws/ja/knowledge-center/ecs-container-ec2-metadata)、[Amazon ECS タスクの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task-iam-roles.html))。
# - **`bridge`**: Docker のブリッジから `169.254.169.254` への通信を落とす `iptables` のルール (`DOCKER-USER` チェーン) を、Docker が起動する前に設定します (同じページ)。
# - **`host`**: ECS エージェントはホストのネットワーク名前空間で動き、メタデータサービスを必要とするため、`host` モードではアクセスを防げません (上の re:Post)。
# - **ホップ制限**: コンテナ環境では、ホップ制限が 1 だと、コンテナへの移動が余分なネットワークホップとみなされ、IMDSv2 の応答が返りません。コンテナが IMDS に届く*べき*場合、EC2 のガイドはホップ制限 2 を推奨しています ([インスタンスメタデータのオプション](https://docs.aws.amazon.com/ja_jp/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html))。
#
# タスクにタスクロールがあれば、その SDK はタスクロールの認証情報*だけ*を使い、インスタンスの IAM 権限はもう引き継ぎません (上の ECS タスクの IAM ロールのページ)。ただし、コードがデフォルトのチェーンを使う限りです。
#
# </details>
#
# <details><summary>このシミュレーションがしないこと</summary>
#
# - `bridge` モード向けの `iptables` のルールはシミュレートしません。ラボではホップ制限を使ってください。
# - AWS がパケットを落とす場面 (ホップ制限を超えた応答、塞がれた経路) では、SDK は 1 回ごとに約 1 秒待ちます。ラボはすぐに断ります。結果は同じで、速いだけです。
# - メタデータサービスが返すのは認証情報とインスタンス ID だけです。ほかのパスは 404 を返します。
# - 1 台のインスタンスがすべてのタスクを受け持ちます。インスタンスタイプ、リソース、配置はありません。`ECS_ENABLE_TASK_IAM_ROLE` を無効にしようとするとエラーになります。
# - エージェント自身のロングポーリング (`ecs:Poll`) とテレメトリのセッションはトレースに出ません。
#
# </details>

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルが、その演習の設定をこのラボに読み込みます。コースのロール、コンテナインスタンスとそのロールを初期状態に戻し (演習 3 ではそのあと IMDSv1 も応答するようにします)、対象のタスク定義を登録します。演習に戻るときは、その演習の最初のセルをもう一度実行してください。ラボを変更し、タスクを EC2 で実行してから (実行するコードは、各演習のコード用セルのコメントにあります)、チェックを実行します。`ex1.hint()` は、呼ぶたびにより具体的なヒントを出し、`ex1.solution()` は解答例を表示します。
#
# ### 演習 1: アプリがインスタンスロールとして AWS を呼び出している

# %%
ex1 = lab.exercise("08-own-task-role")
ex1

# %%
# ここにコードを書きます (そのあと lab.run_task("orders-ec2", launch_type="EC2") で実行します)

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: `awsvpc` モードでフォールバックを塞ぐ

# %%
ex2 = lab.exercise("08-block-awsvpc")
ex2

# %%
# ここにコードを書きます (そのあと lab.run_task("orders-ec2", launch_type="EC2") で実行します)

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### 演習 3: `bridge` モードでフォールバックを塞ぐ

# %%
ex3 = lab.exercise("08-block-bridge")
ex3

# %%
# ここにコードを書きます (そのあと lab.run_task("orders-bridge", launch_type="EC2") で実行します)

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ## まとめ
#
# - EC2 では 3 つ目のロールが働きます。**インスタンスロール** (`ecsInstanceRole`、`AmazonEC2ContainerServiceforEC2Role` 付き) です。ECS エージェントはこれでインスタンスを登録し、タスク実行ロールがなければイメージもプルします。
# - **タスクロールのない**タスクのアプリは、SDK の認証情報チェーンをたどってインスタンスメタデータサービスに行き着き、`assumed-role/ecsInstanceRole/i-0...` として AWS を呼び出します。セッション名はタスク ID ではなく**インスタンス ID** です。Fargate では同じタスクが `NoCredentialsError` になります。
# - これをインスタンスロールを広げて直してはいけません。インスタンス上のすべてのコンテナ (とホスト上のすべてのプロセス) が同じ権限を持ちます。
# - タスクには、アプリが呼び出すものだけを許可した専用の**タスクロール**を与えます。
# - フォールバックを塞ぎます。`awsvpc` のタスクには `ECS_AWSVPC_BLOCK_IMDS=true`。`bridge` のタスクには ECS のガイドの `iptables` のルール、または IMDSv2 必須とホップ制限 1。`host` モードは塞げません。

# %% [markdown]
# ## 次のステップ
#
# [09_task_role_jobs.ipynb](09_task_role_jobs.ipynb) では、ECS Exec、FireLens、Amazon Elastic File System (Amazon EFS) のボリュームを扱います。タスクロールがアプリ自身の呼び出し以外にも働く場面です。
