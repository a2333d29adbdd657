environment          = "production"
db_instance_class    = "@{prod_class}"
db_allocated_storage = @{prod_storage}
db_multi_az          = true
