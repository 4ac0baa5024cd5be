# %% [markdown]
# # タスクロールのほかの仕事: ECS Exec、FireLens、EFS
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
# - 記事の判断基準の例外。起動時の失敗なのに、直すのはタスクロールです。

# %% [markdown]
# ## 始める前に
#
# 2 つのロールの違い (ノートブック 01〜03) と、失敗したタスクの読み方 (ノートブック 05) を知っていることを前提にします。すべてはあなたのコンピューター上の模擬 AWS アカウントで動き、AWS Identity and Access Management (IAM) がすべての呼び出しを判定します。所要時間は約 60 分です。
#
# 次のセルは新しいラボを作ります (もう一度実行すると最初からやり直せます)。また、次の節の実験で使うものを 2 つ定義します。AWS のドキュメントが求めるポリシー `ECS_EXEC` と、`open_shell(task)` です。`open_shell` は `aws ecs execute-command` と同じように、タスクのコンテナでシェルを開くよう ECS に要求し、そのタスクの ECS Exec 関連の呼び出し (`ssmmessages`) をトレースから表示します。

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
        print("ExecuteCommand: セッションが開きました。セッション ID:", answer["session"]["sessionId"])
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
# タスクはいつもどおり最後まで動きました。アプリは何も気づいていません。拒否は実行フェーズで起きました。新しい呼び出し元 `SSM agent (ECS Exec)` が、`ecs-task-role` を使っています。コントロールチャネルがないので、ECS にはセッションをつなぐ相手のエージェントがいません。そこで `TargetNotConnectedException` を返しますが、メッセージは権限に触れず、`internal error. Try again later.` とあるだけです。
#
# このメッセージのせいで、あちこち探し回ることになりがちです。インフラの機能に見えるので、まず疑われがちなのはタスク実行ロールです。試してみましょう。`ECS_EXEC` ポリシーをまるごとタスク実行ロールに付け、タスクロールには何も付けません。

# %%
lab.reset_roles()
lab.execution_role.put_inline("ecs-exec", ECS_EXEC)  # よくある間違った修正
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# 何も変わりません。拒否されたセッションは、やはり `assumed-role/ecs-task-role/<タスク ID>` です。タスク実行ロールを使うのは ECS エージェントだけです (イメージのプル、シークレットの注入、`awslogs` によるログ送信)。SSM エージェントがこのロールを使うことはありません。では、同じポリシーをタスクロールに付けます。

# %%
lab.reset_roles()
lab.task_role.put_inline("ecs-exec", ECS_EXEC)
task = lab.run_task(enable_execute_command=True)
open_shell(task)

# %% [markdown]
# 呼び出しは 4 つで、すべてタスクロールです。コンテナの起動時にコントロールチャネル、セッションを求めたときにデータチャネルを開いています。`ssmmessages` にはリソースタイプがないので、ステートメントの `Resource` は `"*"` です ([メッセージゲートウェイサービスのアクション](https://docs.aws.amazon.com/ja_jp/service-authorization/latest/reference/list_amazonmessagegatewayservice.html))。
#
# シェルが開くには、ロール以外にも条件が 2 つあります。タスクを `enableExecuteCommand` 付きで*実行*すること (付けないと ECS は `InvalidParameterException` を返し、メッセージは `execute command was not enabled when the task was run` です)。そして、あなた自身に `ecs:ExecuteCommand` の権限があることです。
#
# <details><summary>シミュレーションがしないこと (ECS Exec)</summary>
#
# - タスクのライフサイクル全体が `RunTask` の呼び出しの中で完結するので、`execute_command` を呼ぶときには、どのタスクもすでに STOPPED です。ラボは、タスクが動いていたときに ECS が返すはずの応答を返します。AWS では停止したタスクは拒否されます。
# - シェルはありません。セッション ID、ストリーム URL、トークンは AWS と同じ形ですが、その先で待ち受けるものはありません。
# - AWS では、*データ*チャネルが拒否されてもセッションは作られ、そのあと Session Manager プラグインが接続に失敗します。ラボでは、その拒否はトレースにだけ現れます。
# - Exec セッションのログ記録と暗号化 (クラスターの `executeCommandConfiguration`: AWS Key Management Service、S3、CloudWatch Logs) もタスクロールを使いますが、模擬していません。
#
# </details>

# %% [markdown]
# ## FireLens: アプリのログを送るログルーター
#
# これまでのコースのタスクは `awslogs` ログドライバーを使っていました。このときアプリの出力を CloudWatch Logs に送るのは ECS エージェントで、使うのはタスク実行ロールです。FireLens では、代わりに*ログルーター*が送ります。ログルーターは 2 つ目のコンテナで、AWS の `aws-for-fluent-bit` イメージに入った Fluent Bit です。アプリの出力を受け取り、設定された送り先へ送ります。アプリの `logConfiguration` には、`awslogs` ではなく `awsfirelens` ログドライバーを指定します。
#
# ルーターはタスクの中のプロセスなので、タスクロールで送ります。AWS のタスク定義の例でも、ログをルーティングするのに必要な権限を持つタスクの IAM ロールの Amazon リソースネーム (ARN) を指定するよう求めています ([FireLens へのログのルーティング](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/firelens-taskdef.html))。タスク実行ロールの仕事はこれまでどおりで、ルーターのイメージもこのロールでプルします。
#
# `with_log_router(definition)` は、タスク定義にルーターを加え、アプリのログがルーターを通るようにしたコピーを返します。**予想してください**: タスクは起動するでしょうか。ログは届くでしょうか。

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
task = lab.run_task(with_log_router(lab.task_definition()))
print(task.summary())
print("CloudWatch Logs に届いたアプリのログの行数:", len(task.logs))
print("ルーター自身の出力:")
for line in task.container_logs("log_router"):
    print("  ", line)

# %% [markdown]
# タスクは起動して最後まで動き、2 つのコンテナはどちらも終了コード 0 で終わりました。`stoppedReason` にもエラーはありません。それなのに、アプリのログは 1 行も届いていません。失敗の手がかりは、ルーター自身の出力にしかありません。Fluent Bit の `cloudwatch_logs` プラグインが、`assumed-role/ecs-task-role/<タスク ID>` として `logs:CreateLogStream` を拒否されています。
#
# 誰が何をしたかを見てみましょう。次のセルは、ルーターに関わる呼び出し (イメージとログ) を表示します。

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
task = lab.run_task(with_log_router(lab.task_definition()))
for call in task.trace:
    if "fluent-bit" in call.resource or "firelens" in call.resource:
        print(call)

# %% [markdown]
# 2 つのロールが、それぞれ別の仕事をしています。
#
# - 起動フェーズでは、**ECS エージェント**がタスク実行ロールで `aws-for-fluent-bit` を (AWS が管理するレジストリのアカウント 906394416424 から) プルし、ルーター*自身*の出力用のログストリームを作りました。ルーター自身の出力は、今も `awslogs` を通ります。
# - 実行フェーズでは、**ログルーター**がタスクロールで、*アプリ*のログ用のログストリームを作成しようとして拒否されました。
#
# タスク実行ロールには、すでにすべてのロググループに対する `logs:CreateLogStream` と `logs:PutLogEvents` が許可されています (`AmazonECSTaskExecutionRolePolicy` による許可です)。それでも役に立ちませんでした。ルーターはこのロールを使わないからです。直すのはタスクロールで、アプリのロググループだけに絞ります。

# %%
from ecslab.ecs.firelens import with_log_router

lab.reset_roles()
r = lab.resources
lab.task_role.put_inline("ship-logs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{r.log_group}:log-stream:*"}]})
task = lab.run_task(with_log_router(lab.task_definition()))
print("CloudWatch Logs に届いたアプリのログの行数:", len(task.logs))
for line in task.logs[:3]:
    print("  ", line)

# %% [markdown]
# <details><summary>シミュレーションがしないこと (FireLens)</summary>
#
# - ルーターは、コンテナが動き終わったあとで、各コンテナのログを一度だけ送ります。本物の Fluent Bit は数秒ごとに送り、送信に失敗したチャンクは再送します。
# - 模擬しているのは Fluent Bit の `cloudwatch_logs` 出力だけです。ほかの出力 (Amazon Data Firehose、Amazon S3 など) では、ルーターは何も送らず、そう表示します。
# - `auto_create_group` を `true` にすると、ルーターはタスクロールで `logs:CreateLogGroup` も呼び出します。S3 に置いたカスタム設定ファイル (Fargate では使えません) は、エージェントがタスク実行ロールで取得します ([FireLens](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/using_firelens.html))。ラボは前者を模擬し、後者は模擬していません。
#
# </details>

# %% [markdown]
# ## IAM 認可を使う EFS: タスクロールで直す起動時の失敗
#
# タスク定義の Amazon EFS ボリュームは、タスクの起動中、アプリが動き出す前にマウントされます。判断基準でいえば起動フェーズで、タスク実行ロールの担当です。ところが `authorizationConfig.iam` を `ENABLED` にすると、EFS マウントヘルパー (amazon-efs-utils) は、**タスクロール**の認証情報を使って EFS に接続します。なお、IAM 認可を使うには転送中の暗号化 (`transitEncryption`) も `ENABLED` にする必要があります (`with_efs_volume` は両方を設定します)。ECS のドキュメントにも、この設定は EFS ファイルシステムをマウントするときにタスク定義のタスクロールを使うかどうかを決める、と書かれています ([タスク定義内での Amazon EFS ファイルシステムの指定](https://docs.aws.amazon.com/ja_jp/AmazonECS/latest/developerguide/specify-efs-config.html))。EFS は、マウントに `elasticfilesystem:ClientMount`、書き込みに `elasticfilesystem:ClientWrite` を求めます ([NFS クライアントの IAM によるアクセス制御](https://docs.aws.amazon.com/ja_jp/efs/latest/ug/iam-access-control-nfs-efs.html))。
#
# `lab.file_system` は、ファイルシステムポリシーで誰にも何も許可していない EFS ファイルシステムです。そのため、タスクロールに付けたポリシーで結果が決まります。**予想してください**: コースのタスクロールには `elasticfilesystem` の権限がありません。タスクはいつ失敗し、`stoppedReason` には何が出るでしょうか。

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.summary())
print("ログの行数:", len(task.logs))
for call in task.trace:
    if call.action.startswith("elasticfilesystem:"):
        print(call)
        print("   ", call.error)

# %% [markdown]
# どれも*起動時*の失敗を示しています。`TaskFailedToStart`、`ResourceInitializationError`、ログは 0 行です。判断基準に従えばタスク実行ロールを疑うところですし、メッセージもそれを否定しません。メッセージにはロールがまったく出てこず、`mount.nfs4: access denied by server` とあるだけです。ロールを教えてくれるのはトレースです。マウントヘルパー `EFS mount (efs-utils)` が、`ecs-task-role` として `ClientMount` を拒否されています。
#
# それでも判断基準どおりに直してみましょう。タスク実行ロールに 2 つの権限を付けます。

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
lab.execution_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": fs.arn,
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}]})
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.stop_code)
print(task.stopped_reason)

# %% [markdown]
# 同じ失敗です。では、同じポリシーをタスクロールに付けます。

# %%
from ecslab.ecs.efs import with_efs_volume

lab.reset_roles()
fs = lab.file_system
lab.task_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": fs.arn,
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]}]})
task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id, iam=True, read_only=False))
print(task.summary())
for call in task.trace:
    if call.action.startswith("elasticfilesystem:"):
        print(call)

# %% [markdown]
# つまり、ここでは記事の判断基準が当てはまりません。大事なことなので、はっきり書いておきます。**起動時の失敗が、いつもタスク実行ロールのせいとは限りません。** より確かなのは、このノートブックで繰り返してきた問いです。*拒否された呼び出しを、誰が、どのロールで行ったか。* `diagnose` もこの `stoppedReason` を同じように読み、タスクロールを挙げます。
#
# マウントの可否を決めるものは、ほかに 2 つあります。EFS は**ファイルシステムポリシー**も読みます。同じアカウントなら、ファイルシステムポリシーでタスクロールを許可するだけでもマウントできます。逆に、そこに明示的な拒否があれば、それが優先されます。また、読み取り専用でマウントするボリュームに必要なのは `ClientMount` だけです。
#
# <details><summary>シミュレーションがしないこと (EFS)</summary>
#
# - アプリからファイルは見えません。模擬しているのは、マウントとその権限だけです。
# - アクセスポイント、`rootDirectory`、`elasticfilesystem:ClientRootAccess` は模擬していません。
# - ポリシーが*ない*ファイルシステムには EFS のデフォルトポリシーが適用され、マウントターゲットに届くすべてのクライアントにフルアクセスを許可します。これではタスクロールが意味を持ちません。そのため、ラボのファイルシステムにはファイルシステムポリシーがあります。中身は、Transport Layer Security (TLS) による転送中の暗号化を使わないクライアントを拒否するだけです。`fs.delete_policy()` で削除できます。
# - AWS では、書き込み可能なボリュームでも `ClientWrite` がなければ読み取り専用でマウントされ、タスクは起動します。ラボでは、拒否された `ClientWrite` はトレースにだけ現れます。
#
# </details>

# %% [markdown]
# ## 判断基準をもう一度
#
# 呼び出しを*誰が行うか*で分けると、ロールは自然に決まります。
#
# | 仕事 | いつ | 呼び出し元 | ロール | 拒否されたときの見え方 |
# |---|---|---|---|---|
# | イメージのプル、`awslogs` のログストリーム、シークレットの注入 | 起動フェーズ | ECS エージェント | タスク実行ロール | `TaskFailedToStart`。エラーにタスク実行ロールが出る |
# | FireLens ルーターのイメージ | 起動フェーズ | ECS エージェント | タスク実行ロール | `TaskFailedToStart` |
# | IAM 認可を使う EFS のマウント | 起動フェーズ | マウントヘルパー | **タスクロール** | `TaskFailedToStart`。エラーにロールが出ない |
# | FireLens によるアプリのログ送信 | 実行フェーズ | ログルーター | **タスクロール** | タスクは動く。ログが届かず、理由はルーターの出力にある |
# | ECS Exec のチャネル | 実行フェーズ | SSM エージェント | **タスクロール** | タスクは動く。`TargetNotConnectedException` |
# | アプリの呼び出し | 実行フェーズ | アプリ | **タスクロール** | アプリのログに AccessDenied |
#
# `diagnose` もこれらの失敗を見分けられます (ロールとフェーズは、ノートブック 05 と同じく `task`・`run` のようなコードで返します)。次のセルは、このノートブックで見た 3 つの失敗を、上に表示されたとおりの文面で渡します。

# %%
from ecslab import diagnose

failures = {
    "ECS Exec": "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand "
                "operation: The execute command failed due to an internal error. Try again later.",
    "FireLens": "[error] [output:cloudwatch_logs:cloudwatch_logs.0] CreateLogStream API responded "
                "with error='AccessDeniedException', message='User: arn:aws:sts::123456789012:"
                "assumed-role/ecs-task-role/0123456789abcdef0123456789abcdef is not authorized to "
                "perform: logs:CreateLogStream on resource: arn:aws:logs:ap-northeast-1:"
                "123456789012:log-group:/ecs/orders:log-stream:firelens-orders'",
    "EFS": "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS "
           "volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' "
           ": unsuccessful EFS utils command execution; code: 32",
}
for job, message in failures.items():
    found = diagnose(message)
    print(f"{job:<10} 疑うべきロール: {found.role:<10} フェーズ: {found.phase:<7} 分類: {found.category}")

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
# ここにコードを書きます: ECS Exec を有効にしてタスクを実行し、誰が拒否されたかを確かめ、そのロールを直して、もう一度実行します。

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: 届かないログ

# %%
ex2 = lab.exercise("09-firelens")
ex2

# %%
# ここにコードを書きます: with_log_router を import して (from ecslab.ecs.firelens import with_log_router)
# ルーター付きのタスクを実行し、
# ルーターの出力を読み、ルーターが使うロールを直して、もう一度実行します。

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### 演習 3: マウントできないボリューム

# %%
ex3 = lab.exercise("09-efs")
ex3

# %%
# ここにコードを書きます: with_efs_volume を import して (from ecslab.ecs.efs import with_efs_volume)
# ボリューム付きのタスクを実行し、
# 誰が拒否されたかを調べ、そのロール (またはファイルシステムポリシー) を直して、もう一度実行します。

# %%
ex3.check()

# %%
# ex3.hint()
# ex3.solution()

# %% [markdown]
# ### 演習 4 (ミステリー): 3 つの機能をまとめて

# %%
ex4 = lab.exercise("09-mystery")
ex4

# %%
# ここにコードを書きます: 3 つの機能をすべて有効にしてタスクを実行し、原因の機能とロールを突き止めて直します。

# %%
ex4.check()

# %%
# ex4.hint()
# ex4.solution()

# %% [markdown]
# ## まとめ
#
# - ECS Exec のエージェントはタスクの中で動き、**タスクロール**で `ssmmessages` のチャネルを開きます。権限がなくてもタスクは普通に動き、`execute_command` が `TargetNotConnectedException` (「内部エラー」) を返します。
# - 同じ権限をタスク実行ロールに付けても何も変わりません。タスク実行ロールを使うのは ECS エージェントだけです (イメージのプル、シークレットの注入、`awslogs` によるログ送信)。
# - FireLens のログルーターは、アプリのログを**タスクロール**で送ります。タスク実行ロールが担うのは、ルーターのイメージのプル (と、`awslogs` で送るルーター自身のログ) だけです。拒否されてもタスクは普通に動き、ログだけが届きません。理由はルーター自身の出力にしか出ません。
# - IAM 認可を使う EFS ボリュームは起動時にマウントされますが、使うのは**タスクロール**です (`ClientMount`、`ClientWrite`)。このノートブックで見た起動時の失敗のうち、タスク実行ロールでは直せないのはこれです。`stoppedReason` にロールは出ず、トレースに出ます。
# - 「インフラっぽいか」ではなく、「誰が呼び出すか」を考えましょう。タスクの中のプロセスは、タスクロールで署名します。

# %% [markdown]
# ## 次のステップ
#
# ノートブック 10 ([10_not_iam.ipynb](10_not_iam.ipynb)) では、どちらのロールのせいでもない失敗を扱います。AWS への経路がないネットワーク、存在しないイメージ、見つからないリソースなどです。
