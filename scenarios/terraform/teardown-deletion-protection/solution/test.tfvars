
# Torn down every evening by test-teardown.yml and rebuilt in the morning:
# nothing in this database is worth protecting or snapshotting.
db_deletion_protection = false
db_skip_final_snapshot = true
