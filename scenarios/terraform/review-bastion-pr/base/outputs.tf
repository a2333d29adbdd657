output "alb_dns_name" {
  description = "Public address of the service."
  value       = aws_lb.web.dns_name
}

output "db_endpoint" {
  description = "Where the application finds its database."
  value       = aws_db_instance.@{db}.address
}
