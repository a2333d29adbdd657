environment          = "test"
db_instance_class    = "db.t4g.micro"
db_allocated_storage = 20
db_multi_az          = false
