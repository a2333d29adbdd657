# The database resource was renamed to follow the naming convention. Tell
# Terraform it is the same object, so the plan moves it instead of destroying it.
moved {
  from = aws_db_instance.@{db}
  to   = aws_db_instance.primary
}
