# Docker layer cache for the runner. Every job pulls the same base images
# again; keeping the layers on a disk of their own saves minutes per
# pipeline and survives a runner re-image.

variable "encrypt_cache" {
  description = "Encrypt the Docker cache volume. Switch on once the builds are measured."
  type        = bool
  default     = false
}

resource "aws_ebs_volume" "@{vol}" {
  availability_zone = aws_instance.@{host}.availability_zone
  size              = @{size}
  type              = "gp3"
  iops              = @{iops}
  throughput        = 500
  encrypted         = var.encrypt_cache

  tags = merge(local.common_tags, { Name = "${local.name}-docker-cache" })
}

resource "aws_volume_attachment" "@{vol}" {
  device_name = "/dev/sdg"
  volume_id   = aws_ebs_volume.@{vol}.id
  instance_id = aws_instance.@{host}.id
}
