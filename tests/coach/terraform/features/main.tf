# Much of what ecslab reads: variables, locals, data sources, a policy document, a heredoc
# with interpolation, a customer managed policy, an inline_policy block.

variable "env" {
  default = "dev"
}

locals {
  role_name = "orders-${var.env}"
  table_arn = "arn:aws:dynamodb:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/orders"
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy" "execution" {
  name = "AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "orders" {
  statement {
    sid       = "Orders"
    actions   = ["dynamodb:PutItem", "dynamodb:GetItem"]
    resources = [local.table_arn]
  }
}

resource "aws_iam_role" "app" {
  name                 = local.role_name
  path                 = "/ecs/"
  description          = "the orders app"
  max_session_duration = 7200
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  managed_policy_arns  = [data.aws_iam_policy.execution.arn]

  inline_policy {
    name   = "config"
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::orders-config-${data.aws_caller_identity.current.account_id}/$${aws:username}/*"}]
      }
    EOT
  }
}

resource "aws_iam_policy" "orders" {
  name   = "orders-table"
  path   = "/ecs/"
  policy = data.aws_iam_policy_document.orders.json
}

resource "aws_iam_role_policy_attachment" "orders" {
  role       = aws_iam_role.app.id
  policy_arn = aws_iam_policy.orders.arn
}

output "role_arn" {
  value = aws_iam_role.app.arn
}
