# GitHub Actions signs in with short-lived OIDC tokens: no access keys are
# stored in the repository. Only workflows on the main branch may assume the
# deploy role.
resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]

  tags = local.common_tags
}

resource "aws_iam_role" "@{role}" {
  name        = "${local.name}-deploy"
  description = "Assumed by GitHub Actions on main to ship @{app}."

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
            "token.actions.githubusercontent.com:sub" = "repo:${var.github_repository}:ref:refs/heads/main"
          }
        }
      }
    ]
  })

  tags = local.common_tags
}

# What the API job needs: log in to ECR and push the API image. Nothing else.
resource "aws_iam_policy" "@{role}_ecr" {
  name        = "${local.name}-deploy-ecr"
  description = "Push the API image to its repository."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # GetAuthorizationToken is not tied to a repository; AWS only
        # accepts "*" as its resource.
        Sid      = "RegistryLogin"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid    = "PushApiImage"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:CompleteLayerUpload",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ]
        Resource = aws_ecr_repository.api.arn
      }
    ]
  })

  tags = local.common_tags
}

resource "aws_iam_role_policy_attachment" "@{role}_ecr" {
  role       = aws_iam_role.@{role}.name
  policy_arn = aws_iam_policy.@{role}_ecr.arn
}
