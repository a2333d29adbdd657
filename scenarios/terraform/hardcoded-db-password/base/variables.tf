variable "region" {
  description = "AWS region of the service."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Deployment environment name."
  type        = string
  default     = "production"
}

variable "vpc_id" {
  description = "VPC the databases live in."
  type        = string
  default     = "vpc-@{vpc_hex}"
}

variable "vpc_cidr" {
  description = "Address range of the VPC; only hosts inside it reach the databases."
  type        = string
  default     = "10.@{net}.0.0/16"
}

variable "private_subnet_ids" {
  description = "Private subnets for the database subnet group."
  type        = list(string)
  default     = ["subnet-@{subnet_a}", "subnet-@{subnet_b}"]
}

variable "db_username" {
  description = "Master user name of the application database."
  type        = string
  default     = "app_admin"
}
