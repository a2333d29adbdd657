
# Torn down every evening by test-teardown.yml.
db_deletion_protection = false
