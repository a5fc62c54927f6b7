module example.com/closeonce

go 1.24
