# Lets the deploy workflow upload the web app build.
resource "aws_iam_policy" "@{role}_web" {
  name        = "${local.name}-deploy-web"
  description = "Upload the web app build."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # TODO: narrow down once the deploy is stable.
        Sid      = "UploadWebApp"
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = "*"
      }
    ]
  })

  tags = local.common_tags
}

resource "aws_iam_role_policy_attachment" "@{role}_web" {
  role       = aws_iam_role.@{role}.name
  policy_arn = aws_iam_policy.@{role}_web.arn
}
