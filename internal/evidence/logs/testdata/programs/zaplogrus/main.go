// Command zaplogrus writes the zap and logrus fixtures with the real
// libraries: "zap" writes zap's production JSON (epoch-seconds ts, caller,
// stacktrace at error), "zapiso" the same with ISO 8601 times and a named
// logger, "logrus" logrus's JSONFormatter with ReportCaller, and
// "logrustext" its TextFormatter, which is logfmt.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const (
	traceID = "0af7651916cd43dd8448eb211c80319c"
	spanID  = "b7ad6b7169203331"
)

var errTimeout = errors.New("dial tcp 10.0.0.9:5432: i/o timeout")

func zapLogs(iso bool) {
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(zap.DebugLevel)
	if iso {
		cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	}
	log, err := cfg.Build()
	if err != nil {
		panic(err)
	}
	defer log.Sync()
	log = log.Named("payments")
	log.Debug("config loaded", zap.String("path", "/etc/pay.yaml"))
	log.Info("charge accepted", zap.String("trace_id", traceID), zap.String("span_id", spanID), zap.Int("amount", 1299))
	log.Warn("retrying", zap.Int("attempt", 2), zap.Error(errTimeout))
	charge(log)
	// Production loggers log DPanic without panicking.
	log.DPanic("ledger out of balance", zap.Int64("delta", -5))
}

func charge(log *zap.Logger) {
	log.Error("charge failed", zap.String("trace_id", traceID), zap.String("span_id", spanID),
		zap.Error(fmt.Errorf("charge card: %w", errTimeout)))
}

func logrusLogs(text bool) {
	log := logrus.New()
	log.SetOutput(os.Stdout)
	log.SetLevel(logrus.TraceLevel)
	log.SetReportCaller(true)
	if text {
		log.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	} else {
		log.SetFormatter(&logrus.JSONFormatter{})
	}
	log.Trace("entering reconcile")
	log.WithField("batch", 17).Info("reconcile started")
	log.WithFields(logrus.Fields{"trace_id": traceID, "span_id": spanID}).Warning("ledger lag")
	log.WithError(errTimeout).WithField("trace_id", traceID).Error("reconcile failed")
	func() {
		defer func() { _ = recover() }()
		log.WithField("account", "acct-42").Panic("negative balance")
	}()
}

func main() {
	switch os.Args[1] {
	case "zap":
		zapLogs(false)
	case "zapiso":
		zapLogs(true)
	case "logrus":
		logrusLogs(false)
	case "logrustext":
		logrusLogs(true)
	}
}
