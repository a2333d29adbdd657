terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

locals {
  name = "@{app}-${var.environment}"

  common_tags = {
    Owner       = "team-@{team}"
    Environment = var.environment
    ManagedBy   = "terraform"

    @{cost_tag} = "cc-@{cost_code}"
  }
}
