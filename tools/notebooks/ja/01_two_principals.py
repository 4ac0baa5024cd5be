# %% [markdown]
# # 2 つのプリンシパル: ECS タスクの実行中に AWS を呼び出すのは誰か
#
# Amazon Elastic Container Service (Amazon ECS) のタスクが起動して動く間、AWS は 2 つの呼び出し元から API (Application Programming Interface) の呼び出しを受けます。タスクを**起動する** ECS 自身と、タスクの中で**動く**アプリケーションです。それぞれの呼び出し元が、自分の AWS Identity and Access Management (IAM) ロールを使います。このノートブックでは正常なタスクを 1 つ実行し、誰が、どのロールで、いつ、AWS に何を求めたのかを、呼び出しを 1 つずつ追って読みます。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - ECS タスクにロールが 2 つある理由: 呼び出し元が 2 つあること、そして最小権限の原則。
# - タスクの呼び出しを、読む前にプランで予想する方法。
# - タスクのトレースをフェーズとプリンシパルごとに読む方法と、絞り込む方法。
# - タスクの図と、そのテキストの説明の読み方。
# - すべての呼び出しを時系列に並べる方法: 誰が、いつ、何を呼び出したか。

# %% [markdown]
# ## 始める前に
#
# - `00_start_here.ipynb` を一度実行しておいてください。環境を確認できます。
# - Python が少し読めることと、IAM のおおまかな知識が必要です。「ロール」は、人や AWS のサービスが引き受けられる (assume できる) ID です。ロールにアタッチされた「ポリシー」が、そのロールで何ができるかを決めます。
# - 所要時間は約 40 分です。
#
# 次のセルは、新しい模擬 AWS アカウント `lab` を作り、その中で `task` を実行します。このノートブック全体で調べる、正常なタスクです。やり直すときは、このセルをもう一度実行してください。ほかのセルは、このセルの後なら単独で実行できます。

# %%
from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: 最初からやり直すときは、このセルをもう一度実行します
task = lab.run_task()  # このノートブックで調べる正常なタスク
task

# %% [markdown]
# タスクは最後まで動きました (`EssentialContainerExited`、終了コード 0)。何を呼び出したのかを読む前に、呼び出し元を紹介します。
#
# ## 2 つの呼び出し元、2 つのロール
#
# コース全体の土台になる考え方は、記事のこの一文です。
#
# > ECS における最大の前提として、「ECSサービス自身」と「コンテナ内アプリケーション」は別の存在であるという点です。
#
# - ECS (記事の言葉では「ECSサービス(正確にはECSエージェントやAWSマネージドコンポーネント)」) は、タスクの準備をします。用意するのは、レジストリの認証情報、イメージ、ログストリーム、そしてコンテナの環境変数に注入するシークレットです。使うのは**タスク実行ロール**で、ここでは `ecs-execution-role` です。
# - アプリケーションは、動いている間に SDK (Software Development Kit、ここでは `boto3`) を通じて AWS を呼び出します。呼び出し先は Amazon Simple Storage Service (Amazon S3)、Amazon DynamoDB、Amazon Simple Queue Service (Amazon SQS)、Amazon Simple Notification Service (Amazon SNS) などです。使うのは**タスクロール**で、ここでは `ecs-task-role` です。

# %% [markdown]
# なぜ 1 つのロールにまとめないのでしょうか。まとめると、本来 ECS だけが使うべき権限 (イメージのプル、ログストリームへの書き込み、注入するシークレットの読み取り) をアプリケーションが持ち、アプリケーションの権限を ECS が持つことになります。ロールを 2 つに分ければ、それぞれの呼び出し元に必要な権限だけを渡せます。これが「最小権限」です。
#
# タスク定義は、2 つのロールをそれぞれ Amazon リソースネーム (ARN) で指定します。

# %%
definition = lab.task_definition()
print("executionRoleArn:", definition["executionRoleArn"])
print("taskRoleArn:     ", definition["taskRoleArn"])

# %% [markdown]
# ロールの「カード」には、誰がそのロールを引き受けられるか、そして各ポリシーが何を許可するかが表示されます。まずタスク実行ロールです。

# %%
lab.execution_role

# %% [markdown]
# 次にタスクロールです。

# %%
lab.task_role

# %% [markdown]
# どちらのロールも、信頼ポリシーで同じサービスプリンシパル `ecs-tasks.amazonaws.com` を信頼しています。つまり、どちらのロールも引き受けるのは ECS です。違うのは、**ECS が認証情報を誰に渡すか**です。タスク実行ロールの認証情報は ECS エージェントに、タスクロールの認証情報はコンテナに渡ります。ポリシーもそれに合わせてあります。タスク実行ロールに許可されているのは、イメージのプル、ログの書き込み、注入する 2 つのシークレットの読み取りです。タスクロールに許可されているのは、注文処理のアプリケーション (orders) が呼び出すものだけで、それ以外は何もできません。

# %% [markdown]
# ## 見る前に予想する: プラン
#
# タスクはもう動きましたが、その呼び出しはまだ読んでいません。先に予想しましょう。`lab.plan()` は、タスク定義 (と、orders アプリケーションが呼び出すと宣言している内容) を読み、タスクが行うはずの呼び出しをすべて並べます。誰が、どのロールで、何のために呼び出すかがわかります。何も実行しません。
#
# 実行する前に、3 つ予想してください。
#
# 1. Amazon Elastic Container Registry (Amazon ECR) にイメージを求めるのは、ECS でしょうか、アプリケーションでしょうか。
# 2. アプリケーションが S3 から読み取るときは、どちらのロールを使うでしょうか。
# 3. アプリケーションが起動した後も、タスク実行ロールは使われるでしょうか。

# %%
lab.plan()

# %% [markdown]
# 矢印 (→) 1 本が、求められる IAM アクション 1 つです。図の下にテキストの説明があります。予想と比べてみましょう。ECS エージェントはタスク実行ロールでイメージを取得し、orders アプリケーションはタスクロールで S3 を読みます。最後の矢印には、驚く人が多いでしょう。アプリケーションが動いている間、その出力を Amazon CloudWatch Logs に届けるのは ECS エージェントで、使うのは**タスク実行**ロールです (ラボでは、アプリケーションの終了時に 1 回の呼び出しでまとめて送ります)。
#
# ## タスクが実際にしたこと
#
# では、プランを実際のタスクと照らし合わせます。まず、タスクが CloudWatch Logs に出力した内容です。

# %%
for line in task.logs:
    print(line)

# %% [markdown]
# 1 行目を見てください。アプリケーションが**起動した**時点で、データベースのパスワードと機能フラグは、すでに環境変数に入っていました。起動時に ECS エージェントが、タスク実行ロールで取得したものです。2 行目以降は、どれもアプリケーション自身がタスクロールで行った呼び出しです。
#
# ### フェーズとプリンシパルで分けたトレース
#
# ラボは、アカウントで行われたすべての呼び出しを記録しています。そのうち、このタスクの分が `task.trace` です。`summary()` は呼び出しを、フェーズ (phase: 起動 launch か実行 run か)、プリンシパル (principal: 呼び出し元)、ロール (role: 呼び出し元が使ったロール)、アクション (action) ごとに数えます。

# %%
task.trace.summary()

# %% [markdown]
# 上から順に読みます。
#
# - **launch** (起動)、*Amazon ECS*、ロールなし: サービス自身が 2 つのロールを引き受けます (`sts:AssumeRole`。AWS Security Token Service (AWS STS) の API です)。
# - **launch**、*ECS agent* (ECS エージェント)、`ecs-execution-role`: レジストリのトークン、注入するシークレット (AWS Systems Manager パラメータストア、AWS Secrets Manager、それらを復号する AWS Key Management Service (AWS KMS))、イメージ、ログストリーム。
# - **run** (実行)、*orders app*、`ecs-task-role`: S3、DynamoDB、SQS、SNS と、実行中に読むシークレット 1 つ。
# - **run**、*ECS agent*、`ecs-execution-role`: ログの送信。
#
# トレースをそのまま表示すると、呼び出しを順に並べてフェーズごとにまとめた表になります。許可された呼び出しには ✓ が付きます。拒否された呼び出しがあれば、✗ が付いて太字になります。

# %%
task.trace

# %% [markdown]
# ### トレースを絞り込む
#
# `filter()` は、指定したすべての条件に合う呼び出しだけを残します。条件に使えるのは `phase`、`principal`、`role`、`decision`、`service` です。decision (判定) は "allowed" (許可) か "denied" (拒否) です。
#
# IAM の拒否には 2 種類あり、ここではどちらも "denied" です。**暗黙的な拒否**は、どのポリシーも呼び出しを許可していない場合で、よくあるのはこちらです (`ImplicitlyDenied`)。**明示的な拒否**は、`"Deny"` のステートメントに一致した場合で、どの `Allow` でも覆せません。
#
# トレースを `print` すると、1 行に 1 つの呼び出しが表示されます。ECS エージェントが行った呼び出しをすべて見てみましょう。

# %%
print(task.trace.filter(principal="ECS agent"))

# %% [markdown]
# タスクロールで行われた呼び出しをすべて見ます。すべて実行フェーズで、すべてアプリケーションによるものです。

# %%
print(task.trace.filter(role="ecs-task-role"))

# %% [markdown]
# ### AWS から見たプリンシパル
#
# 呼び出しはどれも、1 つの ID で署名されています。AWS が記録するのはその ID です (たとえば AWS CloudTrail に)。トレースでは `principal_arn` に入っています。ロールのセッション名はタスク ID なので、実際のアカウントでも、どのタスクの呼び出しかを見分けられます。

# %%
seen = dict.fromkeys((e.phase, e.principal, e.principal_arn) for e in task.trace)
for phase, principal, arn in seen:
    print(f"{phase:7} {principal:11} {arn}")

# %% [markdown]
# これらすべてより前に、もう 1 人の呼び出し元がいます。**あなた**です。あなたの `RunTask` の呼び出しが 2 つのロールを ECS に渡し、IAM はあなたにそれが許されているかを確認しました (`iam:PassRole`。RunTask が確認する権限であって、それ自体は API 呼び出しではないため、CloudTrail に PassRole のイベントは残りません)。あなたの呼び出しはタスクが存在する前に行われるので、タスクのトレースではなく、ラボのトレースに入っています。

# %%
first = task.trace[0].seq  # タスクの最初の呼び出し: Amazon ECS がロールを引き受ける
print(lab.trace.filter(principal="you (administrator)", where=lambda e: e.seq < first))

# %% [markdown]
# つまり、流れはこうです。あなたがロールを渡す → Amazon ECS がロールを引き受ける → ECS エージェントがタスク実行ロールでタスクを起動する → アプリケーションがタスクロールで動く。
#
# ### 図
#
# `task.diagram()` は、同じ呼び出しを順に番号付きで描きます。先に**起動** (launch) フェーズ、次に**実行** (run) フェーズです。プリンシパルはそれぞれ 1 つの箱で、使うロールとそのロールのポリシーが書かれています。矢印 1 本が IAM アクション 1 つで、許可されたものは実線と ✓ で描かれます。(拒否されたものは破線と ✗、届かなかったものは点線と ○ です。次のノートブックにはたくさん出てきます。)

# %%
task.diagram()

# %% [markdown]
# 図の下に、テキストの説明があります。`describe()` も同じテキストを返します。コピーしたり、スクリーンリーダーで読んだりするときに使えます。

# %%
print(task.diagram().describe())

# %% [markdown]
# ## 誰が、いつ、何を呼び出したか
#
# 記事は、2 つのロールを「誰が API を呼ぶのか」と「いつ使われるのか」で見分けています。
#
# > この「どのフェーズで、誰がAPIを叩いているのか」を意識すると、ロールの切り分けは一気に理解しやすくなります。
#
# トレースのイベントには、どれも `time` があります (協定世界時 (UTC))。ラボの時計は模擬です。何度実行しても同じ時刻になります。所要時間は小さな AWS Fargate タスクでよくある値で、測ったものではありません。
#
# まず、呼び出し元の順番を見ます。同じプリンシパルが同じロールで続けて行った呼び出しは、1 つにまとめます。

# %%
import itertools

by_caller = itertools.groupby(task.trace, key=lambda e: (e.phase, e.principal, e.role))
for (phase, principal, role), calls in by_caller:
    calls = list(calls)
    wearing = f"ロール {role}" if role else "サービス自身"
    count = f"{len(calls)} 回"
    print(f"{calls[0].time[11:23]} 〜 {calls[-1].time[11:23]}  {phase:6}  "
          f"{principal} ({wearing}): {count}")

# %% [markdown]
# 次に、同じ呼び出しを、ECS がタスクそのものについて記録する時刻と並べます。`task.describe()` は、ECS の `DescribeTasks` API と同じ形でタスクを返します。そこには `createdAt`、`pullStartedAt`、`startedAt` (コンテナが起動した時刻) などのタイムスタンプがあります。次のセルは、2 つを 1 本の時系列 (UTC) にまとめます。

# %%
from datetime import timezone

described = task.describe()
moments = {
    "createdAt": "ECS が RunTask を受け付けた",
    "pullStartedAt": "イメージのプルが始まる",
    "pullStoppedAt": "イメージのプルが終わる",
    "startedAt": "コンテナが起動する: ここからアプリケーションが動く",
    "stoppingAt": "必須コンテナが終了した",
    "stoppedAt": "タスクが STOPPED になった",
}
timeline = []
for event in task.trace:
    who = f"{event.principal}、ロール {event.role}" if event.role else event.principal
    timeline.append((event.time[11:23], 0, f"   [{event.phase}] {who}: {event.action}"))
for name, meaning in moments.items():
    stamp = described[name].astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:12]
    timeline.append((stamp, 1, f"-- {name}: {meaning}"))
for stamp, _, what in sorted(timeline, key=lambda item: item[:2]):  # 同時刻ならトレースの順のまま
    print(stamp, what)

# %% [markdown]
# 時系列を読みましょう。
#
# - ロールを引き受けてから約 8 秒間 (模擬の時間) は、誰も何も呼び出しません。Fargate が、タスクのネットワークインターフェイスをアタッチしている時間です。
# - ECS が 2 つのロールを引き受ける呼び出しを除くと、`startedAt` より前の呼び出しは、すべて ECS エージェントがタスク実行ロールで行っています。順番も決まっています。レジストリのトークン、注入するシークレット、イメージ、ログストリームの順です。
# - アプリケーションの呼び出しは、すべて `startedAt` の後で、タスクロールを使っています。
# - ECS エージェントの `logs:PutLogEvents` は最後です。Fargate では、アプリケーションが動いている間に、ログドライバーが出力を送ります。ラボでは、アプリケーションの終了時に 1 回の呼び出しでまとめて送ります。
#
# ここから、コース全体で使うトラブルシューティングの原則が導けます。コンテナが起動する**前**の権限エラーはタスク実行ロールの問題です。アプリケーションが**動いている間**に出る `AccessDenied` はタスクロールの問題です。

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルは、その演習の準備をラボに読み込みます (ここでは、2 つのロールをコース開始時の状態に戻します)。前の演習に戻るときは、その演習の最初のセルをもう一度実行してください。
#
# `# ここにコードを書きます` の下にコードを書き、チェック (`ex1.check()`) を実行します。チェックは、ロールと、最後に実行したタスクのトレースを読んで判定します。正しければ、どんな方法でもかまいません。`ex1.hint()` は、まず今どこまでできているかを伝え、呼ぶたびに具体的なヒントを出します。`ex1.solution()` は解答例を表示します (まずは自分で試してください)。
#
# ### 演習 1: アプリケーションが ECS エージェントのトークンを求める

# %%
ex1 = lab.exercise("01-app-asks-for-a-token")
ex1

# %%
# ここにコードを書きます: 関数を書き、lab.run_task(app=...) で実行して、task.logs を読みます

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# チェックに通ったら、タスクのログに出た拒否のメッセージを読んでください。どのロールの名前が出ているでしょうか。ECS は、ECS エージェントの認証情報を ECS エージェントにしか渡しません。コンテナの中で SDK が見つけられるのは、タスクロールの認証情報だけです。
#
# ### 演習 2: 専用のタスクロール

# %%
ex2 = lab.exercise("01-second-task-role")
ex2

# %%
# ここにコードを書きます: ロールを作り、そのロールを使うタスクを実行します

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# これがタスクロールの役目です。タスク (マイクロサービス) ごとに、そのコードが呼び出すものだけを許可した、専用のロールを持たせられます。複数のタスクが 1 つのクラスターを共有していても同じです。記事の言う「マイクロサービスごとにIAM権限を最小化できる」とは、このことです。

# %% [markdown]
# ## まとめ
#
# - 呼び出し元が 2 つ、ロールも 2 つです。ECS エージェントは**タスク実行ロール**でタスクを起動し、アプリケーションは**タスクロール**で AWS を呼び出します。どちらのロールも `ecs-tasks.amazonaws.com` を信頼していますが、ECS はそれぞれの認証情報を別の呼び出し元に渡します。
# - 2 つを分けるのが最小権限です。アプリケーションが ECS エージェントの権限を持つことはなく、ECS エージェントがアプリケーションの権限を持つこともありません。
# - `lab.plan()` はタスクの呼び出しを予想します。`task.trace.summary()`、`task.trace`、`task.trace.filter(...)` は、実際に起きたことをフェーズとプリンシパルごとに示します。`task.diagram()` はそれを図にします。
# - 「いつ」がわかれば「誰か」がわかります。コンテナの起動前の呼び出しは ECS エージェント (タスク実行ロール) のもの、起動後の呼び出しはアプリケーション (タスクロール) のものです。ただし、ログの送信は ECS エージェントがタスク実行ロールで行います。

# %% [markdown]
# ## 次のステップ
#
# `02_execution_role.ipynb` では、タスク実行ロールを、その役目 (イメージのプル、ログストリーム、シークレットの注入) ごとに壊します。多くの人が最初に試す直し方を、間違ったロールに対して試してから、正しく直します。
