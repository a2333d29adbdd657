resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-db"
  subnet_ids = var.private_subnet_ids

  tags = local.common_tags
}

resource "aws_security_group" "db" {
  name        = "${local.name}-db"
  description = "PostgreSQL, reachable from inside the VPC only"
  vpc_id      = var.vpc_id

  ingress {
    description = "PostgreSQL from the VPC"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  tags = local.common_tags
}

# The application database. RDS creates the master password, stores it in
# Secrets Manager and rotates it; nobody ever types it.
resource "aws_db_instance" "@{db}" {
  identifier                  = "${local.name}-@{db}"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.m7g.large"
  allocated_storage           = 100
  db_name                     = "@{db}"
  username                    = var.db_username
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.main.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  storage_encrypted           = true
  deletion_protection         = true
  backup_retention_period     = 14
  skip_final_snapshot         = false
  final_snapshot_identifier   = "${local.name}-@{db}-final"

  tags = local.common_tags
}
