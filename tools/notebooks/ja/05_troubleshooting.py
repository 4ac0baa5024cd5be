# %% [markdown]
# # トラブルシューティング: 原因はどちらのロール?
#
# Amazon Elastic Container Service (Amazon ECS) のタスクが失敗し、エラーに "not authorized" とあります。2 つのロールのどちらを直せばよいでしょうか。このコースの元になった記事は、筆者が何度もハマって身につけた判断基準を紹介しています。
#
# > 権限エラーが発生した場合、以下の切り分けが役に立ちます。
# > - タスクが起動しない、またはSTOPPEDになる → タスク実行ロールを疑う
# > - タスクは起動するが、アプリ実行中にAccessDeniedが出る → タスクロールを疑う
# >
# > CloudWatch Logsのエラーメッセージと、「エラーが出たタイミング(起動時なのか、または実行時か)」をセットで確認することで、原因のロールを特定しやすくなります。
#
# このノートブックでは、この判断基準を手順にします。どのロールが壊されたか知らされない「ミステリータスク」で試し、実際のアカウントから貼り付けられたエラーメッセージをコースのコーチに読ませます。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - 失敗したタスクに 3 つの質問をする。RunTask はタスクを作成したか。タスクは起動したか。誰が拒否されたか。
# - `stoppedReason`、CloudWatch Logs のログ行、トレースを、時間の順に突き合わせて読む。
# - 原因のロールを、エラーの中のセッション (`assumed-role/<role>/<session>`) と、呼び出しが*いつ*行われたかから特定する。ロールの名前からは判断しない。
# - `diagnose` と `ecslab explain` を、ラボのエラーにも実際のエラーにも使う。どちらのロールの問題でもない失敗も見分ける。

# %% [markdown]
# ## 始める前に
#
# タスク実行ロールとタスクロールが何のためにあるかは、ノートブック 01〜03 で学びました。ここでもすべては、あなたのコンピューター上のシミュレーションされた AWS アカウントで動き、すべての呼び出しの可否は AWS Identity and Access Management (IAM) が判定します。所要時間は約 50 分です。
#
# 次のセルは新しいラボを作ります (最初からやり直すときは、もう一度実行してください)。あわせて `triage(task)` を定義します。記事の判断基準の質問を、コードにしたものです。ぜひ読んでください。表示するのはタスクから読み取れる事実だけで、判定はあなたに任せます。最後に、正常なタスクで試します。

# %%
import re

from ecslab import Lab, diagnose, set_language
from ecslab.coach.lessons.nb05 import mystery, suspect  # suspect は演習で使います

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しいシミュレーション用 AWS アカウント: やり直すときはこのセルを再実行


def triage(task):
    """記事の判断基準が問う事実を表示します。どちらのロールが原因かは、あなたが判断します。"""
    if task.failure:  # RunTask 自体が拒否した: タスクはそもそも存在しない
        print("RunTask はタスクを作ったか:  no (エラーは次のとおり)")
        print(task.failure)
        print("? タスクなし: 起動も実行も始まっていません。誰が何を拒否されたのか? (task.trace)")
        return
    print("RunTask はタスクを作ったか:  yes")
    print(f"タスクは起動したか:          {'yes' if task.started else 'no'} "
          f"(stopCode {task.stop_code}、ログ {len(task.logs)} 行)")
    if task.started:
        print(f"アプリの終了コード:          {task.exit_code}")
        # AWS は拒否をいくつかの言い方で伝えます: "... is not authorized to perform ..."、
        # S3 の短い "Access Denied"、KMS の "... or you are not allowed to access ..."。
        signs = ("not authorized", "AccessDenied", "Access Denied", "not allowed to access")
        refusals = [line for line in task.logs if any(sign in line for sign in signs)]
        evidence = refusals[-1] if refusals else "(none)"
        print("ログ中の最後の拒否:         ", evidence)
    else:
        evidence = task.stopped_reason
        print("stoppedReason:              ", evidence)
    session = re.search(r"assumed-role/\S+", evidence)
    print("拒否されたセッション:       ", session.group() if session else "(記載なし)")
    if task.exit_code != 0:
        print("? 拒否されたのは起動時 (ECS エージェント) か、実行時 (アプリ) か? 直すのはどちらのロール?")


triage(lab.run_task())

# %% [markdown]
# ## 判断基準をもっと正確に
#
# 判断基準の「STOPPEDになる」という部分には注意が必要です。このラボのタスクは、正常なものも含めて*すべて* STOPPED で終わります。orders アプリは仕事を終えると終了するからです。起動時の失敗と実行時の失敗を見分ける手がかりは、停止コード (stopCode) と、コンテナが起動したかどうかです。また、記事が触れていないケースとして、RunTask 自体が拒否されることもあります。そのときは、タスクがそもそも存在しません。

# %% [markdown]
# | 見えること | いつ | 呼び出し元 | 疑う対象 |
# |---|---|---|---|
# | RunTask が失敗し、タスクが存在しない | 起動前 | ECS、またはあなた | 信頼ポリシー、またはあなたの `iam:PassRole` |
# | TaskFailedToStart、ログ行なし | 起動時 | ECS エージェント | タスク実行ロール |
# | 起動済み、アプリのログに "not authorized"、終了コード 1 | 実行時 | アプリケーション | タスクロール |
# | 起動済み、終了コードが 0 以外、"not authorized" なし | 実行時 | アプリケーション | どちらでもない: アプリのバグ |
#
# <details><summary>トレースと <code>diagnose</code> での「起動前」</summary>
#
# 「起動前」とは、RunTask の呼び出しの中で、ECS エージェントがまだ何も呼び出していない時点のことです。トレースには、この名前のフェーズはありません。ECS がロールを引き受ける呼び出しは `launch` (起動で最初に行うこと) に、あなた自身の `iam:PassRole` のチェックは `admin` に分類されます。`diagnose` は、この時点全体を *deploy* フェーズと呼びます。
#
# </details>

# %% [markdown]
# ## ミステリー A
#
# `mystery(lab, "A")` は、コースのロールを初期状態に戻してから、どこかを黙って変更します。次のセルはこのミステリーを読み込み、タスクを実行し、`triage` にかけて、トレースを表示します。
#
# まず**予想**してください。タスクが起動しなかったとしたら、ログは何行あるでしょうか。そして出力を見て、先を読む前に、どちらのロールを直すか決めてください。

# %%
case = mystery(lab, "A")
task_a = lab.run_task()
triage(task_a)
task_a.trace.to_frame()[["time", "phase", "principal", "role", "action", "decision"]]

# %% [markdown]
# `stoppedReason` を、外側の文言から順に読み解きます。
#
# - `ResourceInitializationError: unable to pull secrets or registry auth`: AWS Fargate が、タスクの準備中 (どのコンテナも起動する前) の失敗を伝えるときの言い方です。
# - `failed to fetch secret ... from secrets manager`: ECS エージェントは、データベースのパスワードを取得しようとしていました。タスク定義が環境変数として注入するシークレットです。
# - `User: ...:assumed-role/ecs-execution-role/<task id>`: **誰が**拒否されたか。タスク ID を名前に持つ `ecs-execution-role` のセッションです。つまり、このタスクのために働く ECS エージェントです。
#
# トレースも同じことを示しています。Amazon ECS が 2 つのロールを引き受けたあと、ECS エージェントがタスク実行ロールで起動の呼び出しを続け、その 1 つが拒否されました。アプリケーションは 1 回も呼び出していません。したがって、直すべきは**タスク実行ロール**です。

# %% [markdown]
# タスク実行ロールに、このシークレット 1 つの読み取りを許可します。シークレットの Amazon リソースネーム (ARN) は `lab.resources.db_secret_arn` です。タスクをもう一度実行し、そのあとで初めて、ミステリーの正体を見てみましょう。

# %%
case = mystery(lab, "A")  # 上と同じミステリー
document = lab.execution_role.inline_policy("orders-launch-secrets")
document["Statement"].append({"Sid": "InjectDatabasePassword", "Effect": "Allow",
                              "Action": "secretsmanager:GetSecretValue",
                              "Resource": lab.resources.db_secret_arn})
lab.execution_role.put_inline("orders-launch-secrets", document)
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## ミステリー B
#
# 同じ手順で、別のミステリーに取り組みます。**予想**してください。起動が成功し、アプリケーションが拒否された場合、`stoppedReason` には何と書かれるでしょうか。このセルは、アプリのログもすべて表示します。先を読む前に、どちらのロールを直すか決めてください。

# %%
case = mystery(lab, "B")
task_b = lab.run_task()
triage(task_b)
print()
print("stoppedReason:", task_b.stopped_reason)
print("アプリのログ (全行):")
for line in task_b.logs:
    print("  ", line)

# %% [markdown]
# `stoppedReason` が伝えるのは、必須コンテナが終了したことだけです。アプリケーションが*なぜ*止まったのかを、ECS は知りません。理由はアプリケーション自身の出力にあり、それを awslogs ドライバーが CloudWatch Logs に送っています。アプリは設定を読み、Amazon DynamoDB に書き込み、Amazon Simple Queue Service (Amazon SQS) にイベントを送ろうとしたところで拒否されました。実行中に、`ecs-task-role` として、です。
#
# アプリの呼び出しは**タスクロール**の担当なので、修正もタスクロールに入れます。orders-events キューへの `sqs:SendMessage` を許可し、それ以外は何も足しません。

# %%
case = mystery(lab, "B")  # 上と同じミステリー
document = lab.task_role.inline_policy("orders-app")
document["Statement"].append({"Sid": "OrderEvents", "Effect": "Allow",
                              "Action": "sqs:SendMessage", "Resource": lab.resources.queue_arn})
lab.task_role.put_inline("orders-app", document)
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## いつ起きたのか
#
# 2 つのタスクはどちらも STOPPED で終わりましたが、一方は起動時に、もう一方は実行時に失敗しています。記事の助言は、エラーメッセージを「エラーが出たタイミング」とセットで確認することでした。次の関数 `timeline(task)` は、1 つのタスクの一生を時間順に並べます。ECS が `describe_tasks` で返すタイムスタンプ (`createdAt`、`pullStartedAt`、`startedAt`、`stoppedAt` など)、トレースのすべての呼び出し、`get_log_events` で読んだ CloudWatch Logs のすべてのイベントです。時刻はラボのシミュレーション上の時計で、UTC です。セルはミステリー A と B をもう一度実行し、2 つのタイムラインを表示します。

# %%
import textwrap
from datetime import datetime, timezone


def timeline(task):
    """ECS のタイムスタンプ、タスクの呼び出し、ログイベントを時間順に表示します (UTC)。"""
    rows = []  # (時刻, 同時刻での順序: 呼び出し→ECS→ログ, 出どころ, 内容)

    def add(when, order, source, what):  # トレースとログに合わせて、ミリ秒単位で
        when = when.astimezone(timezone.utc)
        rows.append((when.replace(microsecond=when.microsecond // 1000 * 1000), order, source, what))

    for call in task.trace:
        mark = "✓" if call.allowed else "✗ 拒否"
        add(datetime.strptime(call.time, "%Y-%m-%dT%H:%M:%S.%f%z"), 0, call.phase,
            f"{call.principal}: {call.action} {mark}")
    for field, value in task.describe().items():
        if field.endswith("At"):
            add(value, 1, "ECS", field)
    if task.logs:  # ログストリームは、エージェントが作成したときだけ存在する
        answer = lab.client("logs").get_log_events(
            logGroupName=lab.resources.log_group, logStreamName=task.log_stream)
        for event in answer["events"]:
            add(datetime.fromtimestamp(event["timestamp"] / 1000, timezone.utc), 2, "log",
                event["message"])
    for when, _, source, what in sorted(rows, key=lambda row: row[:2]):
        head = f"{when:%H:%M:%S}.{when.microsecond // 1000:03d}  {source:<6}  "
        # 長い行は本文の列で折り返し、単語は切らない: 行末に拒否された相手の名前があるため
        print(textwrap.fill(what, 100, initial_indent=head, subsequent_indent=" " * len(head),
                            break_on_hyphens=False, break_long_words=False))


for letter in ("A", "B"):  # 上と同じ 2 つのミステリー
    mystery(lab, letter)
    print(f"ミステリー {letter}:")
    timeline(lab.run_task())
    print()

# %% [markdown]
# **ミステリー A**: ECS がタスクを作成し、2 つのロールを引き受け、エージェントが起動の呼び出しを始めました。拒否はイメージのプルが始まる前に起きています (`pullStartedAt` がありません)。`startedAt` もまったくありません。コンテナは一度も動かず、ログストリームも作成されていません。この区間の失敗は必ず ECS エージェントのもので、Fargate のエージェントが使うのはタスク実行ロールだけです。
#
# **ミステリー B** は起動をすべて終えています。イメージをプルし (`pullStartedAt` から `pullStoppedAt` まで)、ログストリームを作成し、拒否より*前に* `startedAt` があります。ログ行と呼び出しは交互に並んでいます。アプリが 1 行ログを書き、呼び出しを行い、次の行を書く、という具合です。拒否された呼び出しは `startedAt` の後、実行フェーズで、orders アプリが行ったものです。つまり、タスクロールの問題です。
#
# <details><summary>エージェントの <code>logs:PutLogEvents</code> が最後に来る理由</summary>
#
# このシミュレーションでは、アプリを最後まで動かしてから、エージェントがその出力を送ります。そのため、エージェントの `logs:PutLogEvents` は 1 回だけで、最後に来ます。実際の Fargate では、awslogs ドライバーが出力された行を順次送ります。
#
# </details>

# %% [markdown]
# ## ミステリー C: RunTask 自体が拒否するとき
#
# もう 1 つ、表の 1 行目にあたるミステリーです。セルはタスクを `triage` にかけ、トレースを表示します。拒否された呼び出しには、そのエラーも添えます。先を読む前に、何を直すか決めてください。

# %%
case = mystery(lab, "C")
task_c = lab.run_task()
triage(task_c)
print()
for call in task_c.trace:
    print(call)
    if call.error:
        print("   ", call.error)

# %% [markdown]
# 調べるタスクも、`stoppedReason` も、ログもありません。エラーは RunTask の呼び出しそのものから返ってきました。理由はトレースにあります。Amazon ECS がサービスプリンシパル `ecs-tasks.amazonaws.com` として、タスク実行ロールの `sts:AssumeRole` を拒否されています。ロールの**信頼ポリシー**が ECS をプリンシパルに指定していないためです。
#
# ロールの*信頼ポリシー*は、誰がそのロールを引き受けられるかを決めます。*アクセス許可ポリシー*は、引き受けた側が何をできるかを決めます。ロールにいくら権限を足しても、信頼の問題は直りません。信頼ポリシーはノートブック 06 で詳しく扱います。ここでは `lab.reset_roles()` で、2 つのロールを初期状態に戻します。

# %%
case = mystery(lab, "C")  # 上と同じミステリー
lab.reset_roles()
triage(lab.run_task())
case.reveal()

# %% [markdown]
# ## コーチにエラーを読ませる
#
# `diagnose(message)` は、いまあなたがしたのと同じようにエラーメッセージを読みます。外側の文言、拒否されたアクション、呼び出したセッションを読み取り、直すべきロール (`execution`、`task`、`neither`、`unknown`、またはノートブック 08〜10 のほかの登場人物)、フェーズ、その理由と直し方を答えます。読むのは、渡されたテキストだけです。
#
# ### ラボ自身のメッセージで
#
# セルはミステリー A と B をもう一度実行し、`diagnose` に 3 つのテキストを渡します。A の `stoppedReason`、B の `stoppedReason`、B の最後のログ行です。それぞれ何と答えるか**予想**してください。

# %%
mystery(lab, "A")  # 上と同じ 2 つのミステリー
task_a = lab.run_task()
mystery(lab, "B")
task_b = lab.run_task()
print(diagnose(task_a.stopped_reason))
print()
print(diagnose(task_b.stopped_reason))
print()
print(diagnose(task_b.logs[-1]))

# %% [markdown]
# ミステリー A の `stoppedReason` は、タスク実行ロールを指しています。ミステリー B の `stoppedReason` はどちらのロールも指していませんが、それで正しいのです。このテキストだけでは、コンテナが終了したことしかわかりません。B のログ行は、タスクロールを名指ししています。
#
# ### 実際のアカウントのメッセージで
#
# 以下のメッセージは、公開の issue やガイドに人々が貼り付けたものを、そのまま使っています (アカウント番号や名前は投稿者のもの、またはその伏せ字です)。どれもコースが集めた実際のメッセージ集 (`tests/coach/corpus/messages.json`) に入っており、出典も記録されています。
#
# セルを実行する前に、メッセージごとに疑うべきロール (表の suspect 列) を**予想**してください。
#
# <details><summary>各メッセージの出典</summary>
#
# 1. 記事と同じ状況を Fargate で。タスク実行ロールがログストリームを作成できなかった。ブートキャンプの学習記録から: [seekatekode/aws-bootcamp-cruddur-2024](https://github.com/seekatekode/aws-bootcamp-cruddur-2024/blob/main/journal/week6.md)。
# 2. 起動時に注入する AWS Systems Manager (SSM) パラメータストアのパラメータ。コンソール特有の妙な大文字・小文字 ("Resourceinitializationerror") のまま: [aws/copilot-cli#4504](https://github.com/aws/copilot-cli/issues/4504)。
# 3. SDK 経由で SQS に拒否されたアプリケーション: [aws/copilot-cli#4965](https://github.com/aws/copilot-cli/issues/4965)。
# 4. タスクロールのような*名前*のロールが、起動時のログストリーム作成で拒否された: [doctorray117/minecraft-ondemand#12](https://github.com/doctorray117/minecraft-ondemand/issues/12)。
# 5. 権限の問題に見える、ネットワークの問題: [aws-samples/aws-fargate-pipeline-lambda-autoscaling#3](https://github.com/aws-samples/aws-fargate-pipeline-lambda-autoscaling/issues/3)。
# 6. タスクを実行した人が、そのロールを渡せない: [LBHackney-IT/Data-Platform#1992](https://github.com/LBHackney-IT/Data-Platform/pull/1992)。
# 7. タスクロールのないコンテナに、Amazon Elastic Compute Cloud (Amazon EC2) インスタンスのロールが代わりに応えた: [xtdb/xtdb#2949](https://github.com/xtdb/xtdb/pull/2949)。
#
# </details>

# %%
real_messages = {
    "1 logs at launch": (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
        "arn:aws:sts::1819......:assumed-role/CruddurServiceExecutionRole/"
        "3caf853ecb00491db67740079d4a02a7 is not authorized to perform: logs:CreateLogStream on "
        "resource: arn:aws:logs:us-east-1:123456789012:log-group:cruddur:log-stream:backend-flask/"
        "backend-flask/3caf853ecb00491db67740079d4a02a7 because no identity-based policy allows "
        "the logs:CreateLogStream action status code: 400, request id: "
        "061e0f7c-b758-4b95-8fab-c791d3f8665e : exit status 1"
    ),
    "2 SSM at launch": (
        "Stopped reason\nResourceinitializationerror: unable to pull secrets or registry auth: "
        "execution resource retrieval failed: unable to retrieve secrets from ssm: service call "
        "has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::<account id>:"
        "assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJL3T0YT/"
        "f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to perform: ssm:GetParameters on "
        "resource: arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID because no "
        "identity-based policy allows the ssm:GetParameters action status code: 400, request id: "
        "1adcb55f-f798-4503-b8a3-cd1533290001"
    ),
    "3 SQS from the app": (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
        "GetQueueAttributes operation: User: arn:aws:sts::[ACCOUNT-ID]:assumed-role/"
        "my_app-dev-my_service-TaskRole-156CD4K40PPZT/b757b335a0074434834c664052d5db09 is not "
        "authorized to perform: sqs:getqueueattributes on resource: "
        "arn:aws:sqs:eu-north-1:[ACCOUNT-ID]:my_queue-dev because no identity-based policy "
        "allows the sqs:getqueueattributes action"
    ),
    "4 a name that misleads": (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
        "arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919..."
    ),
    "5 the network": (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve ecr registry auth: service call has been "
        "retried 1 time(s): RequestError: send request failed caused by: "
        "Post https://api.ecr...."
    ),
    "6 iam:PassRole": (
        "botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) "
        "when calling the RunTask operation: User: arn:aws:iam::123456789012:user/"
        "parking-airflow-user is not authorized to perform: iam:PassRole on resource: "
        "arn:aws:iam::123456789012:role/dataplatform-stg-ecs-parking because no identity-based "
        "policy allows the iam:PassRole action"
    ),
    "7 an instance role": (
        '"User: arn:aws:sts::<accountid>:assumed-role/xtdb-stack-ecs-EC2InstanceRole-'
        'cq4KLVh142Ez/i-0221dfee3da46d752 is not authorized to perform: sqs:createqueue on '
        "resource: arn:aws:sqs:eu-west-1:<account-id>:xtdb-object-store-notifs-queue-"
        "7de3c104-82b7-4463-a224-d93f831776d7 because no identity-based policy allows the "
        "sqs:createqueue action (Service: Sqs, Status Code: 403, Request ID: "
        'fa4ced72-32cf-51b5-9c7f-b0923e8b76df, Extended Request ID: null)"}}'
    ),
}
print(f"{'message':<24}{'suspect':<11}{'phase':<8}category")
for name, message in real_messages.items():
    found = diagnose(message)
    print(f"{name:<24}{found.role:<11}{found.phase:<8}{found.category}")

# %% [markdown]
# この表から、4 つのことがわかります。
#
# - **セッションは「誰が」を、外側の文言は「いつ」を教えてくれます。** メッセージ 4 のロール名は `ecs.task.minecraft-server` ですが、拒否されたのはログストリームの作成で、`ResourceInitializationError` の中です。つまり起動時に、エージェントが拒否されています。名前がどうであれ、このロールはタスク実行ロールとして使われていました。名前ではなく、フェーズを信じましょう。
# - **起動時の失敗が、すべて権限の問題とは限りません。** メッセージ 5 は応答すら受け取っていません (`send request failed`)。Amazon Elastic Container Registry (Amazon ECR) へのネットワーク経路がないのです。IAM をどう変えても直りません。

# %% [markdown]
# - **呼び出し元が、あなた自身のこともあります。** メッセージ 6 で拒否されたのは、*タスクを実行したユーザー*です。ECS は、ロールを渡してくる相手が、そのロールを渡してよいか (`iam:PassRole`) を確かめます。ノートブック 06 で、実際に起こしてみます。
# - **Amazon Elastic Compute Cloud (Amazon EC2) では、別のロールが応えることがあります。** メッセージ 7 のセッションは EC2 のインスタンス ID です。コンテナにタスクロールがなかったため、AWS SDK がインスタンスのロールを代わりに使いました。
#
# メッセージ 4 の診断結果を、全文で見てみましょう。

# %%
diagnose(  # もう一度メッセージ 4: タスクロールのような名前のロールが、起動時に拒否された
    "ResourceInitializationError: failed to validate logger args: create stream has been "
    "retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: "
    "arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/123456a999ee4b919..."
)

# %% [markdown]
# ## コマンドラインから: `ecslab explain`
#
# 同じコーチは、ターミナルでも使えます。エラーを貼り付けることが一番多いのは、ターミナルでしょう。コースの環境を有効にした状態で `ecslab explain "<message>"` と入力するか、メッセージをパイプで渡します (`pbpaste | ecslab explain`)。`--lang ja` を付けると日本語で説明します (付けなければ `ECSLAB_LANG` の言語で。このノートブックから実行するコマンドには、最初のセルの `set_language("ja")` が引き継がれます)。`--json` を付けると、スクリプト向けに診断結果を JSON で出力します。読むのはメッセージだけで、AWS アカウントもネットワークも認証情報も使いません。
#
# ノートブックでは、`!` でシェルコマンドを実行できます。このセルは、カーネル自身のインタープリター (`sys.executable`) で `python -m ecslab.cli` として実行するので、このノートブックと同じ環境が使われます。`{message}` は Python の変数をコマンドに埋め込み、`explained = !...` は出力の各行を受け取ります。メッセージは [aws/aws-cdk#29876](https://github.com/aws/aws-cdk/issues/29876) に載っている実際のものです。

# %% active="ipynb"
# import sys
#
# message = ("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to "
#            "resolve ref 123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:latest: "
#            "pulling from host 123456789123.dkr.ecr.us-east-1.amazonaws.com failed with status "
#            "code [manifests latest]: 403 Forbidden")
# explained = !"{sys.executable}" -m ecslab.cli explain "{message}"
# print("\n".join(explained))

# %% [markdown]
# このメッセージには、ロールがまったく出てきません。あるのは、イメージマニフェストのプル中に返った `403 Forbidden` だけです。それでもコーチはタスク実行ロールを挙げます。Fargate では、イメージのプルは起動時に、タスク実行ロールの認証情報で行われるからです。

# %% [markdown]
# ## 演習: 3 つのミステリータスク
#
# 各演習の最初のセルは、そのミステリーをラボに読み込みます (その前にロールを初期状態に戻します)。ですから、演習は 1 つずつ進めてください。前の演習に戻るときは、その最初のセルをもう一度実行します。各ミステリーで、次の手順を踏みます。
#
# 1. タスクを実行し (`task = lab.run_task()`)、読み解きます。`triage(task)`、`timeline(task)`、`diagnose(...)` を使います。
# 2. 直すべきロールを宣言します。`suspect(ex1, "execution")` または `suspect(ex1, "task")` です (ミステリー 2 では `ex2`、…)。正しいロールを宣言するまで、チェックは通りません。
# 3. **そのロールだけ**を、できるだけ小さく変更し、タスクをもう一度実行します。
# 4. `ex1.check()` が、タスクが最後まで動くようになったか、正しいロールだけを変更したかを判定します。

# %% [markdown]
# `ex1.hint()` を呼ぶと、最初は今の状況が、呼ぶたびにより具体的なヒントが出ます。`ex1.solution()` は解答例を示しますが、まずは見ずに試してください。
#
# ### ミステリー 1

# %%
ex1 = lab.exercise("05-mystery-1")
ex1

# %%
# ここにコードを書きます: タスクを実行し、読み解き、ロールを宣言し、直して、もう一度実行します。

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### ミステリー 2

# %%
ex2 = lab.exercise("05-mystery-2")
ex2

# %%
# ここにコードを書きます

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ### ミステリー 3

# %%
ex3 = lab.exercise("05-mystery-3")
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
# - 3 つの質問を、この順にします。RunTask はタスクを作成したか。タスクは起動したか。誰が拒否されたか。
# - RunTask が拒否され、タスクがない: 信頼ポリシー (ECS がロールを引き受けられない) か、呼び出した人自身の `iam:PassRole` の問題です。ロールの権限の問題ではありません。
# - `TaskFailedToStart`、`startedAt` なし、ログ行なし: 起動時に、**タスク実行ロール**を使う ECS エージェントが拒否されています。
# - 起動したあと、アプリのログに "not authorized": 実行時に、**タスクロール**を使うアプリケーションが拒否されています。`stoppedReason` はコンテナが終了したとしか言いません。理由は CloudWatch Logs にあります。
# - エラーの中のセッション (`assumed-role/<role>/<session>`) は、実際に使われたロールを示します。外側の文言とタイムスタンプは「いつ」を示します。ロールの名前は当てになりません。

# %% [markdown]
# - どちらのロールの問題でもない失敗もあります。ネットワーク経路がない、イメージがない、アプリ自身のバグ、タスクロールの代わりに EC2 インスタンスのロールが応えた、などです。
# - `diagnose(message)` と `ecslab explain "<message>"` は、貼り付けたエラーを同じ方法で読みます。

# %% [markdown]
# ## 次のステップ
#
# ノートブック 06 では、2 つのロールを最小権限まで絞り込み、絞ったロールでもタスクが動くことを確かめます。さらに、ロールをそもそも使えるかどうかを決める 2 つのもの、信頼ポリシーと `iam:PassRole` を見ていきます。
