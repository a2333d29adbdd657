output "deploy_role_arn" {
  description = "Role the deploy workflow assumes."
  value       = aws_iam_role.@{role}.arn
}

output "web_bucket" {
  description = "Bucket the web app is synced to."
  value       = aws_s3_bucket.@{bucket}.bucket
}
