output "static_bucket" {
  description = "Bucket the frontend pipeline uploads the static files to."
  value       = aws_s3_bucket.@{bucket}.bucket
}

output "cdn_domain" {
  description = "Hostname the site loads its static files from."
  value       = aws_cloudfront_distribution.@{bucket}.domain_name
}
