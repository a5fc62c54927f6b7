module example.com/unlock

go 1.24
