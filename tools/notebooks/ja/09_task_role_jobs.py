# %% [markdown]
# # タスクロールのもう 1 つの仕事: ECS Exec、FireLens、EFS
#
# 記事の判断基準では、Amazon Elastic Container Service (Amazon ECS) のタスクの呼び出しを 2 つに分けました。ECS がタスクを「起動する」ための呼び出しは**タスク実行ロール**、**あなたのアプリ**の呼び出しは**タスクロール**です。ところが、前者に属するように見える機能が 3 つあります。どれもタスク定義で有効にするだけで、コードは 1 行も書きません。それでも、3 つともタスクロールで署名します。
#
# - **ECS Exec**: 実行中のコンテナでシェルを開く機能
# - **FireLens**: アプリのログを送るログルーターコンテナ
# - **IAM 認可を使う Amazon Elastic File System (Amazon EFS) ボリューム**: タスクにマウントする共有ファイルシステム

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - それぞれの機能の呼び出しを、誰が、いつ署名するか。タスクの**中**のプロセスが、タスクロールの認証情報で署名します。
# - それぞれの失敗の見え方。ECS Exec の `TargetNotConnectedException`、届かないログ、ボリュームのマウント中に `ResourceInitializationError` で止まるタスク。
# - 同じ権限をタスク実行ロールに付けても、何も変わらない理由。
# - 記事の判断基準の唯一の例外。起動時の失敗なのに、直すのはタスクロールです。

# %% [markdown]
# ## 始める前に
#
# 2 つのロールの違い (ノートブック 01〜03) と、失敗したタスクの読み方 (ノートブック 05) を知っていることを前提にします。すべてはあなたのコンピューター上の模擬 AWS アカウントで動き、AWS Identity and Access Management (IAM) がすべての呼び出しを判定します。所要時間は約 20 分です。
#
# 次のセルは新しいラボを作ります (もう一度実行すると最初からやり直せます)。また、次の節の実験で使うものを 2 つ定義します。AWS のドキュメントが求めるポリシー `ECS_EXEC` と、`open_shell(task)` です。`open_shell` は `aws ecs execute-command` と同じように、タスクのコンテナでシェルを開くよう ECS に頼み、そのタスクのチャネルの呼び出しをトレースから表示します。

# %%
from botocore.exceptions import ClientError

from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: このセルをもう一度実行すると最初からやり直せる

ECS_EXEC = {"Version": "2012-10-17", "Statement": [{
    "Sid": "EcsExecChannels", "Effect": "Allow", "Resource": "*",
    "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
               "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]}]}


def open_shell(task):
    """タスクのコンテナに ECS Exec の ExecuteCommand を送り、タスクの ssmmessages 呼び出しを表示する。"""
    try:
        answer = lab.client("ecs").execute_command(
            cluster=lab.resources.cluster, task=task.arn, interactive=True, command="/bin/sh")
        print("ExecuteCommand: セッションが開きました。", answer["session"]["sessionId"])
    except ClientError as error:
        print("ExecuteCommand:", error.response["Error"]["Code"], "-",
              error.response["Error"]["Message"])
    for call in task.trace:
        if call.service == "ssmmessages":
            print(" ", call)
            if call.error:
                print("   ", call.error)


lab

# %% [markdown]
# ## ECS Exec: コンテナの中でシェルを開く
#
# この機能を使うと、Secure Shell (SSH) を使わずに、実行中のコンテナでシェルを開けます (コマンドを 1 つ実行することもできます)。`enableExecuteCommand` を付けてタスクを実行すると、ECS は各コンテナで AWS Systems Manager (SSM) のエージェントを起動します。コンテナが起動すると、このエージェントは、Systems Manager のメッセージサービス `ssmmessages` への*コントロールチャネル*を開きます。あとで `aws ecs execute-command` がセッションを求めると、エージェントはそのための*データチャネル*を開きます。
#
# エージェントはタスクの中で動くので、アプリと同じ認証情報、つまりタスクロールで署名します。AWS のドキュメントにも、この機能にはタスクの IAM ロールが必要で、マネージド SSM エージェントと SSM サービスの通信に必要な権限をそのロールで与える、と書かれています ([ECS Exec に必要な IAM 権限](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions))。
#
# **予想してください**: コースのタスクロールには `ssmmessages` の権限がありません。タスクは起動するでしょうか。シェルは開くでしょうか。

# %%
lab.reset_roles()  # コース開始時のロールに戻す
task = lab.run_task(enable_execute_command=True)
print(task.summary())
print()
open_shell(task)

# %% [markdown]
# タスクはいつもどおり最後まで動きました。アプリは何も気づいていません。拒否は実行フェーズで起きました。呼び出し元は新顔の `SSM agent (ECS Exec)` で、`ecs-task-role` を使っています。コントロールチャネルがないので、ECS にはセッションをつなぐ相手のエージェントがいません。そこで `TargetNotConnectedException` を返しますが、メッセージは権限に触れず、`internal error. Try again later.` と言うだけです。
#
# このメッセージのせいで、あちこち探し回ることになりがちです。インフラの機能に見えるので、最初に試されやすいのはタスク実行ロールです。試してみましょう。`ECS_EXEC` ポリシーをまるごとタスク実行ロールに付け、タスクロールには何も付けません。

# %%
lab.reset_roles()
lab.execution_role.put_inline("ecs-exec", ECS_EXEC)  # よくある間違った修正
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# 何も変わりません。拒否されたセッションは、やはり `assumed-role/ecs-task-role/<タスク ID>` です。タスク実行ロールは起動時の ECS エージェントのためのロールで、SSM エージェントは一度も使いません。では、同じポリシーをタスクロールに付けます。

# %%
lab.reset_roles()
lab.task_role.put_inline("ecs-exec", ECS_EXEC)
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# 呼び出しは 4 つで、すべてタスクロールです。コンテナの起動時にコントロールチャネル、セッションを求めたときにデータチャネルを開いています。`ssmmessages` にはリソースタイプがないので、ステートメントの `Resource` は `"*"` です ([メッセージゲートウェイサービスのアクション](https://docs.aws.amazon.com/ja_jp/service-authorization/latest/reference/list_amazonmessagegatewayservice.html))。
#
# シェルが開くには、ロール以外にも条件が 2 つあります。タスクを `enableExecuteCommand` 付きで*実行*すること (付けないと ECS は `InvalidParameterException` を返し、`execute command was not enabled when the task was run` と言います)。そして、あなた自身に `ecs:ExecuteCommand` の権限があることです。
#
# <details><summary>シミュレーションがしないこと (ECS Exec)</summary>
#
# - タスクの一生は `RunTask` の中で終わるので、`execute_command` を呼ぶときには、どのタスクもすでに STOPPED です。ラボは、タスクが動いていたときに ECS が返した答えを返します。AWS では停止したタスクは拒否されます。
# - シェルはありません。セッション ID、ストリーム URL、トークンは AWS と同じ形ですが、その先で待ち受けるものはありません。
# - AWS では、*データ*チャネルが拒否されてもセッションは作られ、そのあと Session Manager プラグインが接続に失敗します。ラボでは、その拒否はトレースにだけ現れます。
# - Exec セッションのログ記録と暗号化 (クラスターの `executeCommandConfiguration`: AWS Key Management Service、S3、CloudWatch Logs) もタスクロールを使いますが、模擬していません。
#
# </details>

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルは、その演習の準備をラボに読み込みます (コースのロールを開始時の状態に戻します)。演習は 1 つずつ進めてください。前の演習に戻るときは、その最初のセルをもう一度実行します。`exN.check()` は、最後に実行したタスクで機能が動くか、正しいロールだけを変更したかを判定します。`exN.hint()` は実行するたびに具体的になるヒントを、`exN.solution()` は解答例を表示します。
#
# ### 演習 1: orders コンテナでシェルを開く

# %%
ex1 = lab.exercise("09-ecs-exec")
ex1

# %%
# ここにコードを書きます: ECS Exec 付きでタスクを実行し、誰が拒否されたかを読み、そのロールを直して、もう一度実行します。

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ## まとめ
#
# - ECS Exec のエージェントはタスクの中で動き、**タスクロール**で `ssmmessages` のチャネルを開きます。権限がなくてもタスクは普通に動き、`execute_command` が `TargetNotConnectedException` (「内部エラー」) を返します。
# - 同じ権限をタスク実行ロールに付けても何も変わりません。タスク実行ロールは、起動時の ECS エージェントだけのものです。
# - 「インフラっぽいか」ではなく、「誰が呼び出すか」を考えましょう。タスクの中のプロセスは、タスクロールで署名します。

# %% [markdown]
# ## 次のステップ
#
# ノートブック 10 ([10_not_iam.ipynb](10_not_iam.ipynb)) では、どちらのロールのせいでもない失敗を扱います。AWS への経路がないネットワーク、存在しないイメージ、見つからないリソースなどです。
