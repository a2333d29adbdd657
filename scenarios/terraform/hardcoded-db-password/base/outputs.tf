output "db_endpoint" {
  description = "Where the application finds its database."
  value       = aws_db_instance.@{db}.address
}

output "db_secret_arn" {
  description = "Secrets Manager secret with the application database's master credentials; the app reads it at start-up."
  value       = one(aws_db_instance.@{db}.master_user_secret[*].secret_arn)
}
