# Static files for the @{site} site: images, fonts, CSS and JS bundles.
# Visitors never talk to the bucket; they get the files from CloudFront.
resource "aws_s3_bucket" "@{bucket}" {
  bucket = "${local.name}-static-@{suffix}"

  tags = local.common_tags
}

resource "aws_s3_bucket_ownership_controls" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
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

resource "aws_s3_bucket_versioning" "@{bucket}" {
  bucket = aws_s3_bucket.@{bucket}.id

  versioning_configuration {
    status = "Enabled"
  }
}
