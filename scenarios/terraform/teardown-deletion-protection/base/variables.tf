variable "region" {
  description = "AWS region of the service."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Environment name; set by the envs/<name>.tfvars file."
  type        = string
  default     = "staging"
}

variable "vpc_id" {
  description = "VPC the database lives in."
  type        = string
  default     = "vpc-@{vpc_hex}"
}

variable "vpc_cidr" {
  description = "Address range of the VPC; only hosts inside it reach the database."
  type        = string
  default     = "10.@{net}.0.0/16"
}

variable "private_subnet_ids" {
  description = "Private subnets for the database subnet group."
  type        = list(string)
  default     = ["subnet-@{subnet_a}", "subnet-@{subnet_b}"]
}

variable "db_instance_class" {
  description = "Size of the database instance."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Database storage in GiB."
  type        = number
  default     = 50
}

variable "db_multi_az" {
  description = "Keep a standby in a second availability zone."
  type        = bool
  default     = true
}
