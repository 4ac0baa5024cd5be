# タスク実行ロール
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

# タスク実行ロールに AmazonEC2ContainerRegistryReadOnly ポリシーをアタッチ
resource "aws_iam_role_policy_attachment" "ecs_execution_ecr_read_only" {
  role       = aws_iam_role.ecs_execution.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

# タスク実行ロールに CloudWatchLogsFullAccess ポリシーをアタッチ(本来はカスタムに権限を絞る方が良いです)
resource "aws_iam_role_policy_attachment" "ecs_execution_cwlogs_full_access" {
  role       = aws_iam_role.ecs_execution.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
}

# タスクロール
resource "aws_iam_role" "ecs_task" {
  name = "ecs-task-role"
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

# タスクロールに AmazonS3ReadOnlyAccess ポリシーをアタッチ
resource "aws_iam_role_policy_attachment" "ecs_task_s3_read_only" {
  role       = aws_iam_role.ecs_task.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

# タスクロールに AmazonDynamoDBReadOnlyAccess ポリシーをアタッチ
resource "aws_iam_role_policy_attachment" "ecs_task_dynamodb_read_only" {
  role       = aws_iam_role.ecs_task.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"
}
