
# Production must keep its database.
db_deletion_protection = true
db_skip_final_snapshot = false
