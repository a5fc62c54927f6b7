module example.com/ctxtimeout

go 1.24
