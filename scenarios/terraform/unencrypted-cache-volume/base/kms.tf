# Customer-managed key for the runner's disks, so access to the data on them
# is controlled by a key policy the team owns and every use is logged.
resource "aws_kms_key" "ebs" {
  description             = "Encrypts the disks of ${local.name}"
  deletion_window_in_days = 30
  enable_key_rotation     = true

  tags = local.common_tags
}

resource "aws_kms_alias" "ebs" {
  name          = "alias/${local.name}-ebs"
  target_key_id = aws_kms_key.ebs.key_id
}
