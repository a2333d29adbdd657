
variable "db_deletion_protection" {
  description = "Refuse to delete the database; production turns this on."
  type        = bool
  default     = false
}

variable "db_skip_final_snapshot" {
  description = "Delete the database without a final snapshot; production turns this off."
  type        = bool
  default     = true
}
