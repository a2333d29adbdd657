output "runner_private_ip" {
  description = "Where the CI controller reaches the runner."
  value       = aws_instance.@{host}.private_ip
}
