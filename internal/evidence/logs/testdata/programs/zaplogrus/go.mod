module example.com/zaplogrus

go 1.26

require (
	github.com/sirupsen/logrus v1.9.3
	go.uber.org/zap v1.27.0
)

require (
	go.uber.org/multierr v1.10.0
	golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8
)
