# The orders service on Fargate, with the article's two roles (article.tf).
provider "aws" {
  region = "ap-northeast-1"
}

resource "aws_ecs_cluster" "orders" {
  name = "orders-cluster"
}

resource "aws_ecs_task_definition" "orders" {
  family                   = "orders"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.ecs_execution.arn # タスク実行ロール
  task_role_arn            = aws_iam_role.ecs_task.arn      # タスクロール

  container_definitions = jsonencode([
    {
      name      = "orders"
      image     = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/orders-app:1.4.2"
      essential = true
      environment = [
        { name = "CONFIG_BUCKET", value = "orders-config-123456789012" },
        { name = "CONFIG_KEY", value = "config/app.json" },
        { name = "PAYMENTS_API_KEY_SECRET", value = "orders/payments-api-key" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = "/ecs/orders"
          awslogs-region        = "ap-northeast-1"
          awslogs-stream-prefix = "ecs"
        }
      }
    }
  ])
}
