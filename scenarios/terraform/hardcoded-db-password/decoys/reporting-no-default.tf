# Reporting database for the @{analytics} team. A nightly job copies the
# day's orders here so dashboards never query the production database.

variable "reporting_db_password" {
  description = "Master password of the reporting database. The BI jobs use the same one."
  type        = string
  sensitive   = true
}

resource "aws_db_instance" "reporting" {
  identifier                = "${local.name}-reporting"
  engine                    = "postgres"
  engine_version            = "16.3"
  instance_class            = "db.t4g.large"
  allocated_storage         = @{storage}
  db_name                   = "reporting"
  username                  = "reporting_admin"
  password                  = var.reporting_db_password
  db_subnet_group_name      = aws_db_subnet_group.main.name
  vpc_security_group_ids    = [aws_security_group.db.id]
  storage_encrypted         = true
  deletion_protection       = true
  backup_retention_period   = 7
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-reporting-final"

  tags = local.common_tags
}
