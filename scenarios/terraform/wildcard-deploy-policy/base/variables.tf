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

variable "github_repository" {
  description = "Repository whose main branch may deploy, as owner/name."
  type        = string
  default     = "@{org}/@{app}"
}
