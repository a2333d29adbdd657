
variable "db_deletion_protection" {
  description = "Refuse to delete the database. Only throw-away environments turn this off."
  type        = bool
  default     = true
}
