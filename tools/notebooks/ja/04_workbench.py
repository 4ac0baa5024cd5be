# %% [markdown]
# # ワークベンチ: 予想して、ロールを変えて、実行して、比べる
#
# Amazon Elastic Container Service (Amazon ECS) のタスクが使う 2 つのロールは、これまでのノートブックで学びました。タスクの起動中に ECS エージェントが使う**タスク実行ロール**と、実行中のアプリケーションが使う**タスクロール**です。このノートブックでは、この 2 つを自由に試せる場所として**ロールのワークベンチ**を使います。AWS Identity and Access Management (IAM) のポリシーをオン・オフして **タスクを実行** を押すと、何が起きたか、誰が拒否されたかがすぐにわかります。
#
# 試すときは「**予想する → 実行する → 比べる**」を習慣にしてください。実行する前に、どのフェーズで、どの呼び出し元の、どのアクションが拒否されるかを言葉にしてから、結果を確かめます。

# %% [markdown]
# ## このノートブックで学ぶこと
#
# - タスクが AWS に何を要求し、誰がそれを呼び出すのかを、プラン `lab.plan()` で予想する。
# - ワークベンチを使う。AWS 管理ポリシーを付け外しし、インラインポリシーを編集し、タスクを実行して、ステータス・ログ・図・トレースを読む。クリックでも、同じハンドラーを呼ぶコードでも操作できます。
# - 失敗が*いつ*起きたかから、どちらのロールの問題かを数秒で見分ける。

# %% [markdown]
# ## 始める前に
#
# - 先に[ノートブック 00](00_start_here.ipynb) を実行してください。ここで目にする内容は、ノートブック 01〜03 で説明しています。
# - ワークベンチは対話型のウィジェット (ipywidgets) で、実行中のノートブックの中で動きます。ファイルを読むだけのときは、ワークベンチは 1 行のテキストとして表示されます。
# - 所要時間は約 40 分です。
#
# 次のセルは、新しいシミュレーション用のアカウントと、その 2 つのロールを操作するワークベンチ `wb` を用意します。さらに `compare(prediction, task)` を定義します。あなたの予想と、実際に起きたこと (最初に拒否された呼び出しのフェーズ・呼び出し元・アクションと、タスクのステータス) を並べて表示する関数です。ノートブックを最初からやり直すときは、このセルをもう一度実行してください。

# %%
from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()
wb = lab.workbench()


def compare(prediction, task):
    """あなたの予想と、実際に起きたこと (最初に拒否された呼び出し、タスクのステータス) を並べます。"""
    refused = next((e for e in task.trace if not e.allowed), None)
    print("予想:", prediction)
    print("結果:", (refused.phase, refused.principal, refused.action)
          if refused else "拒否なし")
    print(task.summary())


lab

# %% [markdown]
# ## 2 つのフェーズを図で見る
#
# コースのタスクを、ロールが初期状態のまま 1 回実行し、図に描きます。

# %%
healthy = lab.run_task()
healthy.diagram()

# %% [markdown]
# 図の読み方です (図の下にあるテキストの説明も、同じことを述べています)。
#
# - 枠の外では、*Amazon ECS* が 2 つのロールを引き受け、それぞれを使う側に渡します。
# - **launch** (起動) の枠: *ECS エージェント* が `ecs-execution-role` を使って、レジストリの認証トークンを取得し、注入するシークレットを取得し (復号には AWS Key Management Service (AWS KMS) を使います)、イメージをプルし、ログストリームを作成します。
# - **run** (実行) の枠: *orders アプリ* が `ecs-task-role` を使って、自分の呼び出しを行います。そのあと ECS エージェントが、アプリの出力を Amazon CloudWatch Logs に送ります。このときもタスク実行ロールを使います。
# - 矢印 1 本が IAM のアクション 1 つで、起きた順に番号が付いています。✓ 実線は許可、✗ 破線は拒否 (理由付き)、○ 点線はタスクが先に止まったために到達しなかった呼び出しです。

# %% [markdown]
# この図が教えるルールは次のとおりです。**launch の枠での拒否はタスク実行ロールの問題、run の枠でアプリが受けた拒否はタスクロールの問題です。**
#
# 枠の外、Amazon ECS がロールを渡す矢印で拒否されたときは、どちらのロールの権限の問題でもありません。ECS がロールを引き受けられなかったのです。ロールの**信頼ポリシー**が、`ecs-tasks.amazonaws.com` にロールを引き受けることを許していません (プリンシパルの誤りや、条件キー `aws:SourceAccount`・`aws:SourceArn` の条件を満たしていないなど)。このときは RunTask 自体が失敗し、エラーには信頼ポリシーを直すべきロールの名前が出ます。ノートブック 06 で実際に見ます。

# %% [markdown]
# ## プランで予想する
#
# `lab.plan()` は、何かを実行する*前に*同じ図を描きます。タスク定義から生じるすべての呼び出しについて、誰が、どのロールで、何のために呼ぶのかを示します。ただし、その呼び出しが許可されるかどうかは示しません。そこを予想するのがあなたの役目です。

# %%
lab.plan()

# %% [markdown]
# 実行結果を予想するには、プランを 1 行ずつ見ながら、*ここに書かれたロールは、このリソースに対するこのアクションを許可するポリシーを持っているか*を確かめます。各ロールが持つポリシーと、ポリシーごとに許可しているアクションの数は、ロールのカードでわかります。

# %%
lab.execution_role.card()

# %%
lab.task_role.card()

# %% [markdown]
# ロールが許可していない最初の呼び出しで、タスクは止まります。起動フェーズで止まると、タスクは起動せず (`TaskFailedToStart`)、ログは 1 行も書かれません。実行フェーズで止まると、アプリはその呼び出しまで動き、エラーをログに書いて、終了コード 1 で終了します。

# %% [markdown]
# ## ロールのワークベンチ
#
# これがワークベンチです。上部の **タスクを実行** は、今のロールのまま orders タスクを実行します。その横の 1 行に、直前の実行がどう終わったかが表示されます。**リセット** は 2 つのロールを初期状態に戻します。折りたたまれた *壊れた設定 (シナリオ)* からは、コースが用意した壊れた設定を読み込めます。その下には次のタブがあります。
#
# - ロールごとのタブ (*タスク実行ロール* タブと *タスクロール* タブ)。それぞれに *AWS 管理ポリシー* (チェックが入っていればアタッチ済み)、*インラインポリシー* (入力中に検証されるエディタで、**インラインポリシーを保存** で保存)、*信頼ポリシー* があります。
# - 直前のタスクの *ステータスとログ*、*図*、*トレース* の各タブ。

# %%
wb.reset()  # 前に何を実行していても、コースのロールに戻す
wb

# %% [markdown]
# クリックはすべて、あなた自身として行う IAM の呼び出しです。コードで `lab.execution_role.attach(...)` を呼ぶのとまったく同じです。そのためワークベンチに表示されるのは IAM が受け付けた変更だけで、IAM が拒否したときは IAM 自身のエラーが表示されます。
#
# ワークベンチでクリックしてできることは、すべてメソッドでもできます。このノートブックでは、手順が記録に残って再現できるように、メソッドを使います。セルを実行する代わりにクリックしてもかまいません。

# %% [markdown]
# | クリック操作 | コード |
# |---|---|
# | AWS 管理ポリシーのチェックを入れる・外す | `wb.execution.toggle("PolicyName", True)` (外すときは `False`) |
# | 編集してから **インラインポリシーを保存** | `wb.task.apply_inline("policy-name", json_text)` |
# | ポリシーを選んで **インラインポリシーを削除** | `wb.task.remove_inline("policy-name")` |
# | **タスクを実行** / **リセット** | `task = wb.run()` / `wb.reset()` |
# | 設定を選んで **シナリオを読み込む** | `wb.load("scenario-key")` |
#
# `wb.execution` はタスク実行ロールのタブ、`wb.task` はタスクロールのタブです。コードで行った変更も、上のワークベンチに反映されます。

# %% [markdown]
# ## ガイド付きチャレンジ
#
# ### チャレンジ 1: 記事と同じ状況
#
# このコースの元になった記事の状況です。記事の筆者は「CloudWatch Logsにログが1行も出ておらず、コンテナが起動しなかった」とき、「必死にタスクロールの方にS3権限やLogs権限を確認しては付け足していた」と書いています。
#
# - **変更**: *タスク実行ロール* タブで `AmazonECSTaskExecutionRolePolicy` のチェックを外します。
# - **予想**: 上のプランを見てください。タスク実行ロールが最初にできなくなる呼び出しはどれで、どのフェーズの、誰の呼び出しでしょうか。次のセルの `"?"` を予想に置き換えてください。たとえば `("launch", "ECS agent", "logs:CreateLogStream")` のように書きます (呼び出し元は、トレースの表記どおり `"ECS agent"` や `"orders app"` と書きます)。
# - **実行して比べる**: セルを実行します。

# %%
prediction = "?"  # 予想: (フェーズ, 呼び出し元, アクション)、または "拒否なし"
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
compare(prediction, wb.run())

# %% [markdown]
# 拒否されたのは、ECS エージェントの最初の呼び出し、レジストリの認証トークンの取得 (`ecr:GetAuthorizationToken`) です。ECS エージェントは `ecs-execution-role` を使っていました。それより後の呼び出しには到達していません (ワークベンチの図では点線)。ログストリームは作成されず、アプリも動いていません。記事の CloudWatch Logs が空だったのは、このためです。
#
# **間違った直し方。** 記事の筆者と同じことをしてみます。*タスクロール* タブで `AmazonEC2ContainerRegistryReadOnly` と `CloudWatchLogsFullAccess` にチェックを入れます。何か変わるでしょうか。予想してください。このセルは単独でも実行できるように、まず同じ壊れた起動の状態を作ります。

# %%
prediction = "?"  # 予想
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)  # 記事と同じ状況
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.task.toggle("CloudWatchLogsFullAccess", True)
compare(prediction, wb.run())

# %% [markdown]
# 同じ拒否が、同じ呼び出し元に、同じロールで起きています。タスクロールはアプリケーションに渡されるロールですが、アプリケーションはまだ動いていません。アプリが起動する前は、アプリに何が許可されていても関係ないのです。
#
# **正しい直し方。** タスクロールの 2 つのポリシーのチェックを外し (そもそも不要でした)、タスク実行ロールの `AmazonECSTaskExecutionRolePolicy` にもう一度チェックを入れて、実行します。

# %%
wb.task.toggle("AmazonEC2ContainerRegistryReadOnly", False)
wb.task.toggle("CloudWatchLogsFullAccess", False)
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", True)
compare("拒否なし", wb.run())

# %% [markdown]
# ### チャレンジ 2: 記事の Terraform のポリシー
#
# 記事の Terraform は `AmazonECSTaskExecutionRolePolicy` をアタッチしていません。代わりにタスク実行ロールに `AmazonEC2ContainerRegistryReadOnly` と `CloudWatchLogsFullAccess` をアタッチしています (記事自身も「本来はカスタムに権限を絞る方が良いです」と書いています)。今回はこの変更を*タスク実行ロール*に加えてから、予想してください。タスクは起動するでしょうか。アプリは最後まで動くでしょうか。セルは最後に、このロールのカードを表示します。

# %%
prediction = "?"  # 予想
wb.reset()
wb.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
wb.execution.toggle("AmazonEC2ContainerRegistryReadOnly", True)
wb.execution.toggle("CloudWatchLogsFullAccess", True)
compare(prediction, wb.run())
lab.execution_role.card()

# %% [markdown]
# 動きました。起動に必要なのはレジストリの認証トークン、イメージ、ログストリームで、この 2 つのポリシーがそのすべてを許可しています。注入するシークレットは、インラインポリシー `orders-launch-secrets` が引き続き許可しています (この 2 つのポリシーだけでは起動に失敗することを、ノートブック 07 で確かめます)。
#
# ただし、このカードを上の正常なロールのカードと比べてください。動くことと最小権限は別物です。`CloudWatchLogsFullAccess` があると、ECS エージェントの認証情報で CloudWatch Logs のあらゆるアクションを実行できます。ロググループの削除もです。エージェントに必要なのは 2 つだけ (起動時の `logs:CreateLogStream` と、アプリの出力を送る `logs:PutLogEvents`) です。ノートブック 06 で、これを絞り込みます。

# %% [markdown]
# ### チャレンジ 3: タスクロールのインラインポリシーを編集する
#
# 今度は*アプリ*の側を、インラインポリシーのエディタで壊します。*タスクロール* タブの *インラインポリシー* では、エディタに `orders-app` が表示されています。`Sid` が `Notifications` のステートメントを丸ごと削除し (カンマに注意)、**インラインポリシーを保存** を押します。次のセルは、同じハンドラーで同じことを行います。
#
# まず**予想**してください。タスクは起動するでしょうか。ログ行は出るでしょうか。最後のログ行は何で、そこにはどのロールの名前が出るでしょうか。

# %%
import json

prediction = "?"  # 予想
wb.reset()
document = lab.task_role.inline_policy("orders-app")
document["Statement"] = [s for s in document["Statement"] if s["Sid"] != "Notifications"]
wb.task.apply_inline("orders-app", json.dumps(document, indent=2))
task = wb.run()
compare(prediction, task)
print("最後のログ行:", task.logs[-1])

# %% [markdown]
# 今度はタスクが起動しました。拒否は実行フェーズで起きており、拒否されたのは `ecs-task-role` を使う orders アプリです。アプリ自身のログ行にも、そう書かれています。それより前の呼び出しはすべて成功し、決済 API キーは読まれていません (ワークベンチの *図* タブでは点線)。
#
# エディタは入力ミスからも守ってくれます。IAM は形式の正しくないポリシーを受け付けず、ワークベンチは保存する代わりにその理由を表示します (ここでは `"Effect": "Alow"`)。次のセルは、ワークベンチがエディタの下に表示するメッセージを出力します。

# %%
from IPython.display import HTML

broken = (
    '{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Alow", "Action": "sns:Publish", "Resource": "*"}]}'
)
print("saved:", wb.task.apply_inline("typo", broken))
print("タスクロールのポリシー:", lab.task_role.policies)
HTML(wb.task.inline_messages.value)

# %% [markdown]
# メッセージは IAM の `MalformedPolicyDocument` エラー ("Syntax errors in policy.") を示し、角かっこの中に ecslab がどのステートメントのどのフィールドかを補っています。ロールは変わっていません。ロールをもう一度初期状態に戻しましょう。

# %%
wb.reset()
compare("拒否なし", wb.run())

# %% [markdown]
# ## 演習
#
# 各演習の最初のセルは、壊れた設定をラボに読み込みます。次のセルは、その設定を操作する専用のワークベンチを表示します。あとで演習に戻るときは、最初のセルをもう一度実行してください。`lab.plan()` とロールのカードで予想し、ワークベンチ (またはコード) で直し、タスクを実行してから、チェックを実行します。

# %% [markdown]
# チェックはラボ、ロール、実行したタスクを読んで判定します。そのため、クリックで直しても、コードで直しても、同じように認められます。`hint()` を呼ぶと、最初は今の状況に合ったヒントが、呼ぶたびにより具体的なヒントが出ます。`solution()` は、ワークベンチのコードで解答例を示します。まずは自分で試してください。
#
# ### 演習 1: 何を許可しても送れない通知

# %%
ex1 = lab.exercise("04-explicit-deny")
ex1

# %%
deny_bench = lab.workbench(scenarios=False)
deny_bench

# %%
# ここにコードを書きます (または上のワークベンチでクリックしてから「タスクを実行」)

# %%
ex1.check()

# %%
# ex1.hint()
# ex1.solution()

# %% [markdown]
# ### 演習 2: 起動しないタスク

# %%
ex2 = lab.exercise("04-decrypt")
ex2

# %%
decrypt_bench = lab.workbench(scenarios=False)
decrypt_bench

# %%
# ここにコードを書きます (または上のワークベンチでクリックしてから「タスクを実行」)

# %%
ex2.check()

# %%
# ex2.hint()
# ex2.solution()

# %% [markdown]
# ## まとめ
#
# - **起動 (launch)**: ECS エージェントが、タスク実行ロールで呼び出します (レジストリの認証トークン、注入するシークレットとその KMS キー、イメージ、ログストリーム)。**実行 (run)**: アプリが、タスクロールで呼び出します (ログの送信は、ECS エージェントがタスク実行ロールで行います)。
# - `lab.plan()` は、タスクを実行する前にすべての呼び出しを示します。ロールのカードと合わせれば、タスクがどこで止まるかを予想できます。
# - ワークベンチは、コードと同じく IAM を通してロールを変更します。そのハンドラー (`toggle`、`apply_inline`、`remove_inline`、`run`、`reset`、`load`) で、同じことをコードでもできます。
# - アプリが起動する前の拒否は、タスク実行ロールの問題です (例外は RunTask 自体の拒否で、原因は信頼ポリシーか、あなた自身の `iam:PassRole` です)。タスクロールに権限を足しても何も変わりません。アプリがログに書いた拒否は、タスクロールの問題です。
# - 動くポリシーの組み合わせが、最小権限とは限りません。何を許可しているかを数えましょう。

# %% [markdown]
# ## 次のステップ
#
# ノートブック 05「トラブルシューティング」では、ミステリータスクに挑みます。`stoppedReason`、ログ、そして*いつ*失敗したかを読んで、原因のロールを特定し、直します。
