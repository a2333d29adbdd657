# Docker layer cache for the runner. Every job pulls the same base images
# again; keeping the layers on a disk of their own saves minutes per
# pipeline and survives a runner re-image.
#
# Encrypted with the runner's key like its other disks: image layers carry
# whatever the builds baked in, and snapshots of this volume must not be
# readable by anyone who can copy a snapshot.
resource "aws_ebs_volume" "@{vol}" {
  availability_zone = aws_instance.@{host}.availability_zone
  size              = @{size}
  type              = "gp3"
  iops              = @{iops}
  throughput        = 500
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn

  tags = merge(local.common_tags, { Name = "${local.name}-docker-cache" })
}

resource "aws_volume_attachment" "@{vol}" {
  device_name = "/dev/sdg"
  volume_id   = aws_ebs_volume.@{vol}.id
  instance_id = aws_instance.@{host}.id
}
