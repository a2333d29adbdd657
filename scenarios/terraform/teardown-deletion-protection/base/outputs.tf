output "db_endpoint" {
  description = "Where the application finds its database."
  value       = aws_db_instance.@{db}.address
}
