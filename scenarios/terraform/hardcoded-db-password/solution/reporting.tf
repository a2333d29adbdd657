# Reporting database for the @{analytics} team. A nightly job copies the
# day's orders here so dashboards never query the production database.
#
# Like the application database, RDS generates the master password and keeps
# it in Secrets Manager. The BI jobs read it from the secret below; it never
# appears in code, state or CI logs.
resource "aws_db_instance" "reporting" {
  identifier                  = "${local.name}-reporting"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.large"
  allocated_storage           = @{storage}
  db_name                     = "reporting"
  username                    = "reporting_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  storage_encrypted           = true
  deletion_protection         = true
  backup_retention_period     = 7
  skip_final_snapshot         = false
  final_snapshot_identifier   = "${local.name}-reporting-final"

  tags = local.common_tags
}

output "reporting_db_secret_arn" {
  description = "Secrets Manager secret with the reporting database's master credentials, for the BI jobs."
  value       = one(aws_db_instance.reporting.master_user_secret[*].secret_arn)
}
