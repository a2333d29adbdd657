# The single-page web app: the pipeline builds it and syncs the files here;
# the CDN team's distribution serves them.
resource "aws_s3_bucket" "@{bucket}" {
  bucket = "${local.name}-web-@{suffix}"

  tags = local.common_tags
}

resource "aws_s3_bucket_public_access_block" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
