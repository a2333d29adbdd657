
# Production keeps both safety nets unless an environment's tfvars says
# otherwise; only the nightly test environment turns them off.
variable "db_deletion_protection" {
  description = "Refuse to delete the database. Only throw-away environments turn this off."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Delete the database without a final snapshot. Only for throw-away environments."
  type        = bool
  default     = false
}
