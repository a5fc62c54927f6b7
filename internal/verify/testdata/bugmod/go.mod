module example.com/bugmod

go 1.26
