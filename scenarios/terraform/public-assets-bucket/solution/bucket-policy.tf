# The CDN answered 403 for every file because nothing was allowed to read
# the bucket. Let exactly this distribution read the objects, through its
# origin access control; the bucket itself stays private.
resource "aws_s3_bucket_policy" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowCloudFrontRead"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.@{bucket}.arn}/*"
        Condition = {
          StringEquals = {
            "AWS:SourceArn" = aws_cloudfront_distribution.@{bucket}.arn
          }
        }
      }
    ]
  })
}
