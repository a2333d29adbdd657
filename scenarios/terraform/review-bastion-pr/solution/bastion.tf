# Jump host so on-call engineers can reach the private subnets during incidents.

variable "admin_cidr" {
  description = "Office VPN range allowed to reach the bastion."
  type        = string
  default     = "198.51.100.@{vpn_octet}/32"
}

resource "aws_security_group" "bastion" {
  name        = "${local.name}-bastion"
  description = "SSH jump host for on-call"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "SSH for on-call engineers, from the office VPN only"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = local.common_tags
}

resource "aws_instance" "bastion" {
  ami                         = var.app_ami
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.public_a.id
  vpc_security_group_ids      = [aws_security_group.bastion.id]
  associate_public_ip_address = true

  root_block_device {
    encrypted = true
  }

  tags = merge(local.common_tags, { Name = "${local.name}-bastion" })
}
