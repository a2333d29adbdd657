# Kept out of reporting.tf so the code has no password in it.
reporting_db_password = "@{pw_word}-@{pw}"
