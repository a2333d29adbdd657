variable "region" {
  description = "AWS region the stack runs in."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Deployment environment name."
  type        = string
  default     = "staging"
}

variable "vpc_cidr" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.@{net}.0.0/16"
}

variable "app_ami" {
  description = "Image for the application hosts, built by the image pipeline."
  type        = string
  default     = "ami-0c1d2e3f4a5b6c7d8"
}

variable "certificate_arn" {
  description = "TLS certificate for the public load balancer."
  type        = string
  default     = "arn:aws:acm:eu-west-1:111122223333:certificate/4f1c2a9e-0b7d-4c55-9d1e-5a6b7c8d9e0f"
}

variable "db_username" {
  description = "Master user name of the database."
  type        = string
  default     = "app_admin"
}
