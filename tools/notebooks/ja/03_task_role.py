# %% [markdown]
# # タスクロール: アプリケーションが使う認証情報
#
# Amazon Elastic Container Service (Amazon ECS) のタスクには、AWS Identity and Access Management (IAM) ロールが 2 つあります。前のノートブックでは**タスク実行ロール**を扱いました。ECS エージェントがタスクを「起動する」間に使うロールです。このノートブックでは、もう一方の**タスクロール**を扱います。タスクが動き出してから、**あなたのアプリケーション**が使うロールです。コンテナ内のコードが Amazon Simple Storage Service (Amazon S3)、Amazon DynamoDB、Amazon Simple Queue Service (Amazon SQS)、Amazon Simple Notification Service (Amazon SNS)、AWS Secrets Manager を呼び出すと、AWS はその呼び出しをタスクロールで判定します。判定に使うのはタスクロールだけです。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - コンテナ内の AWS SDK (ソフトウェア開発キット) が、コードにキーを書かずにタスクロールの一時的な認証情報を得るしくみ。Amazon Elastic Compute Cloud (Amazon EC2) インスタンスの IAM ロールとの比較。
# - タスクロールに権限が足りないときに起きること: タスクは**起動し**、アプリケーションは動き、アプリケーション自身のログにタスクロール、アクション、リソースが出ます。
# - 足りない権限をタスク実行ロールに足しても、何も変わらない理由。
# - 起動時に**注入される**シークレット (タスク実行ロール) と、アプリケーションが**実行中に読む**シークレット (タスクロール) の違い。同じ API 呼び出しを、別々の呼び出し元が行います。
# - 1 つのクラスターで動く 2 つのサービスに、それぞれ必要な権限だけを持つタスクロールを与える方法。

# %% [markdown]
# ## 始める前に
#
# [00_start_here.ipynb](00_start_here.ipynb) を実行済みで、できればノートブック 01 と 02 も終えていることを前提にします。Python を少し読めること、JavaScript Object Notation (JSON) で書かれた IAM ポリシーを読めることも前提です。所要時間は約 50 分です。
#
# 次のセルは、新しい模擬アカウントを作ります。もう一度実行すると、このノートブックを最初からやり直せます。また、`remove_from_task_role(sid)` を定義します。両方のロールをコース開始時の状態に戻してから、タスクロールのポリシーからステートメントを 1 つ取り除く関数です。後の実験で使います。

# %%
import os

import boto3

from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: このセルをもう一度実行すると最初からやり直せる


def remove_from_task_role(sid):
    """コース開始時の正常なロールから、タスクロールの orders-app ポリシーのステートメントを 1 つ除く。"""
    lab.reset_roles()
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != sid]
    lab.task_role.put_inline("orders-app", document)


lab

# %% [markdown]
# ## タスクロールをひとことで
#
# AWS のドキュメントは、タスクロールをこう定義しています ([Amazon ECS の IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/security-ecs-iam-role-overview.html))。
#
# > このロールにより、(コンテナ上の) アプリケーションコードが他の AWS サービスを使用できるようになります。
#
# ラボでは、タスクロールは `ecs-task-role` です。そのカードには、このロールを引き受けられるプリンシパル (ECS タスクのサービス `ecs-tasks.amazonaws.com`) と、唯一のポリシーであるインラインポリシー `orders-app` が表示されます。

# %%
lab.task_role

# %% [markdown]
# `orders-app` には、注文アプリケーション (トレースでは `orders app`) が行う処理ごとに、ステートメントが 1 つずつあります。各ステートメントには `Sid` (ステートメント ID) が付いているので、名前で呼ぶことができます。

# %%
for statement in lab.task_role.inline_policy("orders-app")["Statement"]:
    print(f"{statement['Sid']:15} {statement['Action']}")
    print(f"{'':15} on {statement['Resource']}")

# %% [markdown]
# ## アプリケーションが認証情報を得るしくみ
#
# 注文アプリケーションのコードには、認証情報がまったく出てきません。書いてあるのは `boto3.client("s3")` だけです。では、キーはどこから来るのでしょうか。SDK に 2 回聞いてみます。まずこのノートブックで、次にコンテナの中で。
#
# ノートブックでは、AWS Security Token Service (AWS STS) が、あなたが誰なのかを教えてくれます。

# %%
credentials = boto3.Session().get_credentials()
print("SDK が認証情報を見つけたプロバイダー:", credentials.method)
print("アクセスキー ID の先頭:", credentials.access_key[:4])
print("呼び出し元:", boto3.client("sts").get_caller_identity()["Arn"])

# %% [markdown]
# ここでのあなたは、アカウントの管理者です。環境変数に長期的なキー (`AKIA...`) を持つ IAM ユーザーです。
#
# ### コンテナ内で動く自分のプログラム
#
# `lab.run_task(app=...)` は、コースのタスクを、イメージのプログラムの代わりに自分のプログラムで実行します。下のプログラムは同じことを尋ね、さらに認証情報に関係する環境変数のどれが設定されているかを表示します (値は表示しません。秘密のトークンが含まれるからです)。セルはその後、タスクのトレースを表示します。

# %%
from urllib.parse import urlsplit


def whoami():
    uri = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    where = f"設定あり、ホスト {urlsplit(uri).hostname}" if uri else "未設定"
    print("AWS_CONTAINER_CREDENTIALS_FULL_URI:", where)
    for name in ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        print(f"{name}:", "設定あり(値は表示しない)" if name in os.environ else "未設定")
    credentials = boto3.Session().get_credentials()
    print("SDK が認証情報を見つけたプロバイダー:", credentials.method)
    print("アクセスキー ID の先頭:", credentials.access_key[:4])
    print("呼び出し元:", boto3.client("sts").get_caller_identity()["Arn"])


inside = lab.run_task(app=whoami)
for line in inside.logs:
    print(line)
print()
print(inside.trace)

# %% [markdown]
# ログを 1 行ずつ読んでみましょう。
#
# - コンテナの環境変数に、**アクセスキーはありません** (`AWS_ACCESS_KEY_ID` は未設定)。
# - 代わりに、認証情報を取得できる**アドレス**と、そこで提示するトークンがあります。SDK の**コンテナ認証情報プロバイダー**が、HTTP でそこから認証情報を取得します。botocore はこのプロバイダーを `container-role` と呼びます。
# - アクセスキー ID は `ASIA` で始まります。AWS STS が発行した**一時的な**認証情報です。
# - 呼び出し元は `assumed-role/ecs-task-role/<task id>` です。ECS がこのタスクのためにタスクロールを引き受け、タスクの ID をロールセッション名にしました。アプリケーションの呼び出しにはすべてこの名前が付くので、AWS のエラーメッセージ (と AWS CloudTrail) を見れば、どのタスクの呼び出しかが正確にわかります。
#
# コードは同じなのに、答えが違います。ロールを選ぶのはアプリケーションではなく**タスク定義** (`taskRoleArn`) で、認証情報を渡すのは ECS です。

# %% [markdown]
# トレースには、このタスクで誰が何をしたかが出ています。起動フェーズ (`[launch]`) では、Amazon ECS が**両方の**ロールを引き受けました。実行フェーズ (`[run]`) の呼び出し元は、`ecs-task-role` を使うアプリケーションです。(最後の行は、プログラムの出力を ECS エージェントが CloudWatch Logs に送った呼び出しです。これはタスク実行ロールの仕事です。)
#
# `sts:GetCallerIdentity` には、権限がまったく要りません。AWS STS API リファレンスの [GetCallerIdentity](https://docs.aws.amazon.com/ja_jp/STS/latest/APIReference/API_GetCallerIdentity.html) にも、このオペレーションの実行にアクセス許可は不要だと書かれています。そのため、コンテナの中で「自分は誰か」を確かめたいときに、最初に実行するのに向いています。
#
# AWS Fargate では、SDK は `169.254.170.2` から認証情報を取得します (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`)。ラボは同じプロバイダーを `127.0.0.1` で提供しています。
#
# <details><summary>ラボが Fargate と違うところ</summary>
#
# AWS Fargate では、ECS が **`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`** (`/v2/credentials/...` のようなパス) を設定します。SDK は、`http://169.254.170.2` にそのパスを続けたアドレスから認証情報を取得します。このアドレスは、タスクのネットワークの中にしか存在しません ([コンテナ認証情報プロバイダー (AWS SDK とツールのリファレンスガイド)](https://docs.aws.amazon.com/ja_jp/sdkref/latest/guide/feature-container-credentials.html)、[Amazon ECS タスクの IAM ロール](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/task-iam-roles.html))。
#
# ラボはあなたのコンピューター上でこのアドレスを使えないので、**`127.0.0.1`** の小さなサーバーから認証情報を提供し、代わりに **`AWS_CONTAINER_CREDENTIALS_FULL_URI`** と `AWS_CONTAINER_AUTHORIZATION_TOKEN` を設定します。これは**同じ** SDK プロバイダーの、ドキュメントに記載されたもう 1 つの形式です。そのため、botocore 自身のコードが Fargate 上とまったく同じように認証情報を取得します。違うのはアドレスだけです。また、あなたのプログラムは本物のコンテナではなく、ノートブックの Python プロセスの中で動きます (README の「Tasks」の節を参照してください)。
#
# </details>

# %% [markdown]
# ### EC2 インスタンスのロールに似ているが、タスクごと
#
# このコースのもとになった記事は、タスクロールをこう説明しています。
#
# > アプリ開発者の視点では、「EC2にIAMロールをアタッチする」こととほぼ同じ感覚で扱うことができます。
# > 基本的な考え方としてはEC2での運用と同等ですが、ECSでは「タスク単位」で個別にロールを割り当てることができます。

# %% [markdown]
# | | EC2 インスタンスの IAM ロール | ECS のタスクロール |
# |---|---|---|
# | 認証情報を受け取るもの | インスタンス上のすべてのプロセス | 1 つのタスクのコンテナ |
# | SDK の取得先 | `169.254.169.254` (インスタンスメタデータ) | `169.254.170.2` (ラボでは 127.0.0.1) |
# | ロールセッション名 | インスタンス ID (`i-...`) | タスク ID |
# | ロールを決めるもの | インスタンスプロファイル | タスク定義の `taskRoleArn` |
# | 1 台のホストに 2 つのアプリ | 1 つのロールを共有 | タスクごとに別のロール |
#
# 大事なのは最後の行です。同じクラスターを共有するサービスでも、それぞれ自分の権限だけを持てます。このノートブックの最後で、実際に組み立てます。(EC2 側はノートブック 08 で動かします。[Amazon EC2 の IAM ロール](https://docs.aws.amazon.com/ja_jp/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html) も参照してください。)

# %% [markdown]
# ## タスクロールを、ステートメント 1 つずつ壊す
#
# 注文アプリケーションは 5 つの手順で動きます。どの手順も、`orders-app` のステートメント 1 つで許可されています。
#
# 1. S3 から設定を読む — `ReadConfig`
# 2. DynamoDB に注文を保存し、読み戻す — `Orders`
# 3. SQS キューに「注文作成」イベントを送る — `OrderEvents`
# 4. SNS トピックに通知を発行する — `Notifications`
# 5. 実行中に、Secrets Manager から決済 API キーを読む — `PaymentsApiKey`
#
# アプリケーションは手順ごとに 1 行を出力します。AWS に呼び出しを拒否されると、SDK のエラーを出力して、終了コード 1 で終了します。多くのアプリケーションと同じ振る舞いです。
#
# **まず予想してください。** ステートメントを取り除くと、タスクは起動するでしょうか。ログは出るでしょうか。エラーにはどのロールが出るでしょうか。セルは各ステートメントを順に取り除き (`remove_from_task_role` を使います)、タスクの状態と**最後のログ行**を表示します。

# %%
for sid in ["ReadConfig", "Orders", "OrderEvents", "Notifications", "PaymentsApiKey"]:
    remove_from_task_role(sid)
    task = lab.run_task()
    print(f"除去したステートメント {sid}: {task.stop_code}、終了コード {task.exit_code}、ログ "
          f"{len(task.logs)} 行。最後の行:")
    print(task.logs[-1])
    print()

# %% [markdown]
# 毎回、次のようになりました。
#
# - タスクは**起動しました** (`TaskFailedToStart` ではなく `EssentialContainerExited`)。起動にはタスクロールが使われないので、起動を止めるものはありません。
# - ログは**出ています**。アプリケーションは、拒否された呼び出しまで動きました。
# - エラーには **`assumed-role/ecs-task-role/<task id>`**、アクション、リソースが出ています。
#
# 拒否の書き方はサービスごとに違い、これは実際の AWS でも同じです。S3 は `AccessDenied`、DynamoDB と Secrets Manager は `AccessDeniedException`、SQS は `AccessDenied` でアクション名が小文字 (`sqs:sendmessage`)、SNS は `AuthorizationError` で `SNS:Publish` です。それでも読み方のルールは同じです。**メッセージに出ているロールが、直すべきロールです。**

# %% [markdown]
# 1 つのケース、`OrderEvents` がない場合を詳しく見ます。図には、起動フェーズ (すべて許可、✓)、アプリケーションの拒否された呼び出し (破線、✗)、アプリケーションが止まったために到達しなかった呼び出し (点線、○) が表示されます。図の下にあるテキストの説明も、同じ内容です。

# %%
remove_from_task_role("OrderEvents")
no_queue = lab.run_task()
no_queue.diagram()

# %% [markdown]
# ## 間違った修正: タスク実行ロールに権限を足す
#
# 記事の間違いを裏返した間違いです。アプリケーションが拒否されたので、**タスク実行**ロールに権限を足してしまいます。たとえば AWS 管理ポリシー `AmazonSQSFullAccess` です。すべてのキューに対して、すべての SQS アクションを許可します。
#
# セルは壊れたタスクを実行し、この修正を加えて、もう一度実行します。2 回の最後のログ行 (タスク ID は `<task id>` に置き換えます) と、修正後に拒否された呼び出しを表示します。**予想してから**実行してください。

# %%
remove_from_task_role("OrderEvents")  # 上と同じ壊れたタスクロール
before = lab.run_task()
lab.execution_role.attach("AmazonSQSFullAccess")  # 間違った修正
after = lab.run_task()

for label, task in (("before", before), ("after", after)):
    print(f"{label}: 終了コード {task.exit_code}")
    print("  ", task.logs[-1].replace(task.id, "<task id>"))
same = before.logs[-1].replace(before.id, "") == after.logs[-1].replace(after.id, "")
print("同じエラーか:", same)
print()
print("間違った修正の後に拒否された呼び出し:")
for event in after.trace.filter(decision="denied"):
    print(event)
print("タスク実行ロールのポリシー:", lab.execution_role.policies)

# %% [markdown]
# 何も変わりませんでした。理由はトレースにあります。拒否された呼び出しは、**タスクロール**を使う注文アプリケーションのものです。タスク実行ロールは `sqs:*` を許可するようになりましたが、アプリケーションがこのロールを使うことはありません。タスク実行ロールの認証情報は、ECS エージェントだけが使います。
#
# では、正しい修正です。同じ壊れたタスクロールから始めます (タスク実行ロールに付けた、役に立たないポリシーはなしです)。タスクロールが失ったステートメント、つまり 1 つのキューに対する `sqs:SendMessage` だけを戻します。

# %%
remove_from_task_role("OrderEvents")  # 上と同じ壊れたタスクロール
document = lab.task_role.inline_policy("orders-app")
document["Statement"].append({"Sid": "OrderEvents", "Effect": "Allow",
                              "Action": "sqs:SendMessage", "Resource": lab.resources.queue_arn})
lab.task_role.put_inline("orders-app", document)

fixed = lab.run_task()
print(fixed.exit_code, "—", fixed.logs[-1])

# %% [markdown]
# ## 注入されるシークレットか、実行中に読むシークレットか
#
# 注文タスクは、Secrets Manager のシークレットを 2 つ、別々のやり方で使います。どちらも同じ API アクション `secretsmanager:GetSecretValue` で取得しますが、呼び出し元も、タイミングも、使うロールも違います。
#
# | | `DB_PASSWORD` (注入) | 決済 API キー (実行時) |
# |---|---|---|
# | 指定する場所 | タスク定義の `secrets` | アプリケーションのコード |
# | 取得するもの | ECS エージェント | アプリケーション (boto3) |
# | タイミング | 起動時、アプリケーションの開始前 | アプリケーションの実行中 |
# | 使うロール | **タスク実行ロール** (`InjectDatabasePassword`) | **タスクロール** (`PaymentsApiKey`) |
# | 拒否されると | `TaskFailedToStart`、ログは 1 行もない | アプリケーションのログに `AccessDeniedException` |
#
# タスク定義には両方が現れます。注入するシークレットと、実行時に読むシークレットの**名前だけ**を渡す普通の環境変数です。

# %%
container = lab.task_definition()["containerDefinitions"][0]
for secret in container["secrets"]:
    print(f"secrets      {secret['name']:24} valueFrom {secret['valueFrom']}")
for variable in container["environment"]:
    print(f"environment  {variable['name']:24} value     {variable['value']}")

# %% [markdown]
# 正常な実行では、トレースに `GetSecretValue` の呼び出しが 2 つあります。それぞれのフェーズ、呼び出し元、ロールを見てください。

# %%
lab.reset_roles()
healthy = lab.run_task()
for event in healthy.trace.filter(where=lambda e: e.action == "secretsmanager:GetSecretValue"):
    print(event)

# %% [markdown]
# 次に、それぞれを壊します。まず注入されるシークレットです。タスク実行ロールの `orders-launch-secrets` ポリシーから `InjectDatabasePassword` を取り除きます。次に実行中に読むシークレットです。タスクロールから `PaymentsApiKey` を取り除きます。2 回の実行のうち、ログが残るのはどちらでしょうか。予想してください。

# %%
lab.reset_roles()
launch_secrets = lab.execution_role.inline_policy("orders-launch-secrets")
launch_secrets["Statement"] = [s for s in launch_secrets["Statement"]
                               if s["Sid"] != "InjectDatabasePassword"]
lab.execution_role.put_inline("orders-launch-secrets", launch_secrets)
injected = lab.run_task()
print("注入するシークレットを拒否:", injected.stop_code, "| ログの行数:", len(injected.logs))
print(injected.stopped_reason)
print()

remove_from_task_role("PaymentsApiKey")  # この関数は先にロールをリセットする
runtime = lab.run_task()
print("実行中に読むシークレットを拒否:", runtime.stop_code, "| 終了コード", runtime.exit_code,
      "| ログの行数:", len(runtime.logs))
print(runtime.logs[-1])

# %% [markdown]
# 同じアクションが 2 回拒否されましたが、症状はまったく違います。
#
# - **注入**: ECS エージェントが `ecs-execution-role` として、起動中に拒否されました。タスクは起動せず、`stoppedReason` には Fargate の `ResourceInitializationError` が入り、CloudWatch Logs には何もありません。記事の「CloudWatch Logsにログが1行も出ておらず」という状況です。
# - **実行時**: アプリケーションが `ecs-task-role` として、実行中に拒否されました。それまでの 6 行は CloudWatch Logs に届いていて、最後の 7 行目にタスクロールが出ています。
#
# つまり「シークレットが取れない」だけでは、どちらのロールを直すべきかはわかりません。**誰が**、**いつ**取得するのかを確かめます。

# %% [markdown]
# ## 1 つのクラスターに 2 つのサービス、それぞれに専用のタスクロール
#
# `orders-cluster` に 2 つ目のサービスが加わるとします。注文の設定と注文を読むだけで、何も書き込まない**レポート**サービスです。`ecs-task-role` をそのまま使い回すこともできます。しかしそうすると、レポートのコードにバグ (や攻撃者) がいれば、注文を書き込んだり、イベントを送ったり、決済キーを読んだりできてしまいます。記事が指摘するとおり、ECS ではタスクごとにロールを持たせられるので、マイクロサービスごとに必要な権限だけを与えられます。
#
# > マイクロサービスごとにIAM権限を最小化できる

# %% [markdown]
# 下のセルは、レポートサービスを 3 つの部分で組み立てます。
#
# 1. プログラム: S3 から設定を、DynamoDB から order-1001 を読みます。その後、本来送るはずのない注文イベントを送ろうと**試みます**。
# 2. 専用のロール `reports-task-role`: ステートメントはちょうど 2 つです。`lab.create_role` は、信頼ポリシーで `ecs-tasks.amazonaws.com` を信頼するロールを作り、インラインポリシーを付けます (`exist_ok=True` を指定すると既存のロールのポリシーを設定し直すので、セルを再実行できます)。
# 3. タスク定義: タスク実行ロールは同じもの (ECS エージェントの起動の仕事は同じです)、**タスクロールは専用のもの**です。
#
# その後、両方のサービスを同じクラスターで実行し (注文サービスが先で、order-1001 を保存します)、両方のタスクの実行フェーズを並べて表示します。

# %%
import json

from botocore.exceptions import ClientError


def reports_app():
    bucket, key = os.environ["CONFIG_BUCKET"], os.environ["CONFIG_KEY"]
    config = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    order = boto3.client("dynamodb").get_item(
        TableName=config["table"], Key={"order_id": {"S": "order-1001"}})["Item"]
    print(f"レポート: order-1001 は {order['status']['S']}、"
          f"{order['total']['N']} {order['currency']['S']}")
    try:  # レポートサービスの仕事ではない: そのロールが拒否するはず
        boto3.client("sqs").send_message(QueueUrl=config["queue_url"], MessageBody="{}")
        print("注文イベントを送信しました(送れてはいけないはず!)")
    except ClientError as error:
        print(f"想定どおり拒否されました: {error}")


r = lab.resources
reports_role = lab.create_role("reports-task-role", exist_ok=True, inline={
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadConfig", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{r.bucket}/config/*"},
        {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem",
         "Resource": r.table_arn},
    ],
})
reports_definition = {
    "family": "reports",
    "executionRoleArn": lab.execution_role.arn,  # 起動の仕事は同じ: イメージ、ログ
    "taskRoleArn": reports_role.arn,  # 専用のタスクロール
    "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
    "containerDefinitions": [{
        "name": "reports", "image": r.image, "essential": True,
        "environment": [{"name": "CONFIG_BUCKET", "value": r.bucket},
                        {"name": "CONFIG_KEY", "value": r.config_key}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": r.log_group, "awslogs-region": lab.region,
            "awslogs-stream-prefix": "ecs"}},
    }],
}

lab.reset_roles()
orders = lab.run_task()
reports = lab.run_task(reports_definition, app=reports_app)  # 登録してから実行する
print("orders: ", orders.logs[-1])
for line in reports.logs:
    print("reports:", line)
both = lab.trace.filter(phase="run", where=lambda e: e.task in (orders.id, reports.id)
                        and e.principal != "ECS agent")
both.to_frame()[["principal", "role", "action", "decision"]]

# %% [markdown]
# レポートサービスは必要なものを読めましたが、注文イベントを送ろうとすると拒否されました。一方、少し前に同じクラスターで動いた注文サービスは、自分のロールでイベントを送れています。
#
# 同じクラスター、同じタスク実行ロール、同じ SQS アクションなのに、答えは 2 つに分かれます。それぞれのアプリケーションは、**自分の**タスクロールだけで判定されるからです。これが、マイクロサービスごとの最小権限です。

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルが、その演習の設定をこのラボに読み込みます (コースの 2 つのロールを先にリセットします)。前の演習に戻るときは、その演習の最初のセルをもう一度実行してください。`# ここにコードを書きます` と書かれたセルでラボを変更し、タスクを実行してから、チェックを実行します (演習 1 なら `ex1.check()`)。チェックはコードではなくラボの状態を見るので、正しければどんな方法でもかまいません。
#
# `ex1.hint()` は、まず今の状況 (変更の範囲が広すぎる、違うロールを変えた、など) を伝え、呼ぶたびに具体的なヒントを出します。`ex1.solution()` は解答例を表示します。まずは自分で挑戦してください。
#
# ### 演習 1: アプリケーションがイベントを送れない

# %%
ex1 = lab.exercise("03-fix-the-app")
ex1

# %%
# ここにコードを書きます(その後、タスクを実行: lab.run_task())

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: 実行中に読むシークレット

# %%
ex2 = lab.exercise("03-runtime-secret")
ex2

# %%
# ここにコードを書きます

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### 演習 3: 専用のタスクロール
#
# この演習は、3 つ目のサービス **billing** (請求) を `orders-cluster` に登録します。タスクロールは注文サービスのものを使っています。`lab.run_task("billing")` で実行し、トレースを読んで、何をするサービスなのか確かめてください。

# %%
ex3 = lab.exercise("03-own-task-role")
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
# - タスクロールは**アプリケーション**のためのロールです。コンテナ内の SDK は、コンテナ認証情報のエンドポイントから一時的な認証情報を取得します (Fargate では `169.254.170.2` の `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`、このラボでは `127.0.0.1` の `..._FULL_URI`)。コードにもイメージにもキーはありません。
# - 呼び出し元は `assumed-role/<task role>/<task id>` です。EC2 インスタンスのロールに似ていますが、タスクごとです。
# - タスクロールに権限が足りないと、タスクは**起動し**、アプリケーションは拒否された呼び出しまで動きます。そのログ行に、タスクロール、アクション、リソースが出ます。直すのはタスクロールです。
# - タスク実行ロールの権限は、アプリケーションには届きません。
# - 同じ `GetSecretValue` でも、ECS が起動時にシークレットを**注入する**ならタスク実行ロールの仕事、アプリケーションが実行中に**読む**ならタスクロールの仕事です。
# - サービスごとに、使うものだけを許可したタスクロールを与えます。同じクラスターのサービスどうしでも、あえて共有しない限り、権限は共有されません。

# %% [markdown]
# ## 次のステップ
#
# [04_workbench.ipynb](04_workbench.ipynb) では、2 つのロールを並べて扱います。プランでタスクが何を必要とするかを予想し、ポリシーを切り替え、実行して比べます。
