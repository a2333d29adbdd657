# The CDN answers 403 for every file: nothing is allowed to read the bucket.
# Allow reads of the objects so CloudFront can fetch them.
resource "aws_s3_bucket_policy" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowCdnRead"
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.@{bucket}.arn}/*"
      }
    ]
  })
}
