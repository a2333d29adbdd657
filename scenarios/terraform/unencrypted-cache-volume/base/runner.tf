resource "aws_security_group" "@{host}" {
  name        = "${local.name}-sg"
  description = "Build runner: no inbound traffic, HTTPS out"
  vpc_id      = var.vpc_id

  egress {
    description = "Source control, container registries and AWS APIs"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = local.common_tags
}

resource "aws_instance" "@{host}" {
  ami                    = var.runner_ami
  instance_type          = "@{instance_type}"
  subnet_id              = var.runner_subnet_id
  vpc_security_group_ids = [aws_security_group.@{host}.id]

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = 40
    volume_type = "gp3"
    encrypted   = true
    kms_key_id  = aws_kms_key.ebs.arn
  }

  tags = merge(local.common_tags, { Name = local.name })
}

# Checkouts and build output. Kept apart from the root disk so a runner
# re-image does not throw away warm workspaces.
resource "aws_ebs_volume" "workspace" {
  availability_zone = aws_instance.@{host}.availability_zone
  size              = 100
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn

  tags = merge(local.common_tags, { Name = "${local.name}-workspace" })
}

resource "aws_volume_attachment" "workspace" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.workspace.id
  instance_id = aws_instance.@{host}.id
}
