# %% [markdown]
# # はじめに: Amazon ECS はどの IAM ロールをいつ使うのか
#
# > このコースは、タスク実行ロールとタスクロールを初学者の目線で整理したブログ記事に沿っています。英語版: [../00_start_here.ipynb](../00_start_here.ipynb)
#
# Amazon Elastic Container Service (Amazon ECS) のタスクは、AWS Identity and Access Management (IAM) ロールを **2 つ** 使います。
#
# - **タスク実行ロール**: ECS エージェントがタスクを**起動する**ときに使います (イメージの取得、ログストリームの作成、シークレットの注入)。
# - **タスクロール**: アプリケーションが**動いている間**に使います (Amazon Simple Storage Service (Amazon S3)、Amazon DynamoDB など)。
#
# タスクが起動しないとき、タスクロールに権限を足しても何も変わりません。その理由を、模擬 AWS アカウントで確かめます。オフラインで、ミリ秒単位で動き、AWS アカウントは要りません。
#
# 次のセルをクリックして **Shift+Enter** を押してください。模擬アカウントを作り、タスクを 1 つ起動します。

# %%
from ecslab import Lab, set_language

set_language("ja")  # ecslab が表示する文章を日本語にします
lab = Lab()  # 新しい模擬 AWS アカウント: 最初からやり直すときは、このセルをもう一度実行します
task = lab.run_task()
task

# %% [markdown]
# タスクは最後まで動きました (`EssentialContainerExited`、終了コード 0)。まず ECS エージェントが、タスク実行ロールを使ってタスクを**起動**しました。次に注文処理のアプリケーション (orders) が、タスクロールを使って**動きました**。Amazon S3 から設定を読み、Amazon DynamoDB に書き込み、Amazon Simple Queue Service (Amazon SQS) と Amazon Simple Notification Service (Amazon SNS) にメッセージを送り、実行中に AWS Secrets Manager から決済 API のキーを読んでいます。アプリケーションが出力した内容 (英語のログ) は Amazon CloudWatch Logs に届いています。次のセルで読んでみましょう。

# %%
for line in task.logs:
    print(line)

# %% [markdown]
# ## タスク実行ロールを壊す
#
# タスク実行ロールから AWS 管理ポリシー `AmazonECSTaskExecutionRolePolicy` を外して、もう一度起動します。実行する前に**予想**してください。アプリケーションは起動するでしょうか。ログは何行出るでしょうか。
#
# (`lab.reset_roles()` は 2 つのロールをコース開始時の状態に戻します。そのため、このセルは何度でも実行できます。)

# %%
lab.reset_roles()
lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
broken = lab.run_task()
print("stopCode:     ", broken.stop_code)
print("stoppedReason:", broken.stopped_reason)
print("ログの行数:   ", len(broken.logs))
broken.diagram()

# %% [markdown]
# ECS エージェントは最初の呼び出しで拒否されました。そのため、アプリケーションが始まる前にタスクは停止しました (`TaskFailedToStart`)。`stoppedReason` には AWS のエラー文がそのまま入っています。どのロールのセッションが、どのアクションを、どのリソースに対して拒否されたかがわかります。ログストリームが作られなかったので、ログは 1 行もありません。
#
# 図は、タスクの呼び出しを順に番号付きで描きます。先に**起動** (launch) フェーズ、次に**実行** (run) フェーズです。矢印 1 本が IAM アクション 1 つです。許可されたものは実線と ✓、拒否されたものは破線と ✗、タスクが先に停止して呼ばれなかったものは点線と ○ で描かれます。図の下に、同じ内容のテキストがあります。
#
# ポリシーを戻すと、タスクはまた最後まで動きます。

# %%
lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
print("終了コード:", lab.run_task().exit_code)

# %% [markdown]
# ## ノートブックの使い方
#
# - **Shift+Enter** でセルを実行し、次のセルに進みます。**実行 → すべてのセルを実行** (英語の画面では **Run → Run All Cells**) でページ全体を実行します。
# - どのノートブックも、最初のセルで新しいラボを作ります。やり直すときは、そのセルをもう一度実行してください。演習より前のセルは、最初のセルの後なら単独で何度でも実行できます。
# - いくつかのセルは、エラーを見せるためにわざと失敗します。そのときは説明にそう書いてあります。
# - **カーネル → カーネルを再起動してすべてのセルを実行…** (**Kernel → Restart Kernel and Run All Cells…**) で、まっさらな状態からやり直せます。
# - JupyterLab のメニューが英語のときは、**Settings → Language → 日本語 (日本)** で日本語になります。
#
# Python が少し読めれば十分です。AWS アカウントは要りません。本物の AWS には一切接続しませんし、ラボを開いている間は、お使いのコンピューターにある AWS の認証情報も使われません。
#
# ## 環境を確認する
#
# 次のセルは 4 行を表示します。どの行も「ok」で終わるはずです。ノートブックで普通に作った `boto3` (AWS SDK for Python) のクライアントは、模擬アカウントに管理者として接続します。

# %%
import sys

import boto3

from ecslab import evaluate
from ecslab.show.diagram import renderer

identity = boto3.client("sts").get_caller_identity()
print("Python 3.10 以上:", "ok" if sys.version_info >= (3, 10) else "古すぎます")
print("模擬アカウント:", "ok" if identity["Account"] == lab.account_id else "接続できません")
judge = evaluate("arn:aws:iam::123456789012:root", "s3:ListBucket", "arn:aws:s3:::example")
print("IAM の判定:", "ok" if judge.allowed else "broken")
print("図の描画:", "ok" if renderer() else "できません (代わりに図のテキストを読みます)")

# %% [markdown]
# ## コースの地図
#
# | ノートブック | そこでやること |
# |---|---|
# | 00: はじめに | このページ |
# | 01: 2 つのプリンシパル | 正常なタスクを観察する: 誰が、どのロールで、いつ、何を呼び出すか |
# | 02: タスク実行ロール | イメージの取得、ログ、シークレットを壊す。よくある間違った直し方も試す |
# | 03: タスクロール | アプリケーションが認証情報を得るしくみ。呼び出しを壊す。2 つのサービス |
# | 04: ワークベンチ | プランで予想し、ポリシーを切り替え、実行して比べる |
# | 05: トラブルシューティング | 切り分けの目安。原因不明のタスク。実際のエラーメッセージ |
# | 06: 最小権限と信頼ポリシー | ポリシーが何を許可するか。権限を絞る。信頼ポリシーと `iam:PassRole` |
# | 07: Terraform | `execution_role_arn` と `task_role_arn`。記事の Terraform をラボで動かす |
#
# このコースは、あるインフラエンジニアが書いた日本語のブログ記事に沿っています。筆者は、タスクが起動しないのに、タスクロールの方に権限を足し続けてしまいました。記事に出てくる考え方は、すべてここで実験として試せます。

# %% [markdown]
# ## シミュレーションのしくみ
#
# - アカウントのリソースは、広く使われている AWS シミュレーター [moto](https://github.com/getmoto/moto) が保持します。バケット、テーブル、キュー、シークレット、ロールは、ラボの中に実際に存在します。
# - すべての呼び出しは、ecslab の IAM 判定エンジンが判定します。AWS が公開しているポリシー評価ロジックに従い、実際のサービスと同じエラー文を返します。呼び出しはすべて `lab.trace` に記録されます。
# - タスクの実行は、AWS Fargate 上での ECS の動きをなぞります。ECS が 2 つのロールを引き受け、ECS エージェントがタスク実行ロールでタスクを起動し、その後アプリケーションがタスクロールで動きます。
#
# <details><summary>シミュレーションでできないこと (一度読んでおいてください)</summary>
#
# - コースで必要な操作だけを再現しています。それ以外の操作は、理由がわかるメッセージとともに拒否されます。
# - Fargate 起動タイプと単独のタスク (`RunTask`) だけを扱います。EC2 コンテナインスタンス、ECS サービス、ロードバランサー、Auto Scaling はありません。(ノートブック 03 の「2 つのサービス」は、それぞれ別のタスクとして動く 2 つのアプリケーションのことです。)
# - ネットワークはありません。タスクがエンドポイントに届かずにタイムアウトすることはありません。権限の問題に見えるネットワーク障害は、再現せずに、実際のメッセージで紹介します。
# - コンテナのプログラムは Python の関数です。ノートブックのプロセスの中で最後まで動いてから、タスクが停止します。本物のコンテナは並行して、好きなだけ長く動きます。
# - アプリケーションは、127.0.0.1 のローカルエンドポイントから認証情報を受け取ります (環境変数 `AWS_CONTAINER_CREDENTIALS_FULL_URI`)。Fargate では 169.254.170.2 から受け取ります (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`)。SDK はどちらも自動で見つけるので、コードは変わりません。
# - ラボの時刻は模擬です。何度実行しても、同じ ID、同じタイムスタンプ、同じメッセージになります。
#
# </details>

# %% [markdown]
# ## まとめ
#
# - ロールが 2 つあるのは、呼び出し元が 2 つあるからです。ECS エージェントは**タスク実行ロール**でタスクを起動し、アプリケーションは**タスクロール**で動きます。
# - 起動に必要な権限がタスク実行ロールに足りないと、タスクはアプリケーションが動く前に `TaskFailedToStart` で停止し、ログを 1 行も書きません。
# - `task.diagram()` は、誰がどの操作をどの順に呼び出したか、そしてタスクがたどり着けなかった呼び出しはどれかを示します。
#
# ## 次のステップ
#
# ノートブック **01: 2 つのプリンシパル** では、正常なタスクを詳しく観察します。誰が、いつ、何を呼び出すのかを確かめます。
