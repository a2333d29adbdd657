# CloudFront signs its requests to the bucket with this origin access
# control, so the bucket can stay private and still serve the CDN.
resource "aws_cloudfront_origin_access_control" "@{bucket}" {
  name                              = "${local.name}-@{bucket}"
  description                       = "Signed requests from the @{site} CDN to its bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "@{bucket}" {
  enabled         = true
  comment         = "Static files for ${local.name}"
  price_class     = "@{price_class}"
  http_version    = "http2and3"
  is_ipv6_enabled = true

  origin {
    origin_id                = "s3-@{bucket}"
    domain_name              = aws_s3_bucket.@{bucket}.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.@{bucket}.id
  }

  default_cache_behavior {
    target_origin_id       = "s3-@{bucket}"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true

    # Managed policy "CachingOptimized".
    cache_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = local.common_tags
}
