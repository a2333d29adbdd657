# Lets the deploy workflow sync the web app build to its bucket, and nothing
# else. `aws s3 sync --delete` lists the bucket, uploads new and changed
# files and removes the ones the build no longer has.
resource "aws_iam_policy" "@{role}_web" {
  name        = "${local.name}-deploy-web"
  description = "Sync the web app build to its bucket."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Listing is authorised on the bucket itself.
        Sid      = "ListWebBucket"
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = aws_s3_bucket.@{bucket}.arn
      },
      {
        # Object operations are authorised on the objects in it.
        Sid    = "SyncWebObjects"
        Effect = "Allow"
        Action = [
          "s3:*",
        ]
        Resource = "${aws_s3_bucket.@{bucket}.arn}/*"
      }
    ]
  })

  tags = local.common_tags
}

resource "aws_iam_role_policy_attachment" "@{role}_web" {
  role       = aws_iam_role.@{role}.name
  policy_arn = aws_iam_policy.@{role}_web.arn
}
