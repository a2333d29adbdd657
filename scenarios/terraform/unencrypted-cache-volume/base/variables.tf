variable "region" {
  description = "AWS region the build runners live in."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Environment name; the runners are shared by every team."
  type        = string
  default     = "shared"
}

variable "vpc_id" {
  description = "VPC of the build network."
  type        = string
  default     = "vpc-@{vpc_hex}"
}

variable "runner_subnet_id" {
  description = "Private subnet the runner is placed in."
  type        = string
  default     = "subnet-@{subnet_hex}"
}

variable "runner_ami" {
  description = "Runner image, rebuilt every week by the image pipeline."
  type        = string
  default     = "ami-0a1b2c3d4e5f60718"
}
