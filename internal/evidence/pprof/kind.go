package pprof

import "github.com/google/pprof/profile"

// Profile kinds, recorded as "profile.kind" on the profile event.
const (
	KindCPU           = "cpu"
	KindHeap          = "heap"
	KindContention    = "contention"
	KindGoroutine     = "goroutine"
	KindGoroutineLeak = "goroutineleak"
	KindThreadCreate  = "threadcreate"
	KindOther         = "other"
)

// profileKind tells what a profile measures from its sample types, the
// only thing every producer writes (Go's mutex and block profiles are
// both "contentions/count delay/nanoseconds").
func profileKind(p *profile.Profile) string {
	has := func(names ...string) bool {
		for _, st := range p.SampleType {
			for _, n := range names {
				if st.Type == n {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("goroutineleak"):
		return KindGoroutineLeak
	case has("goroutine"):
		return KindGoroutine
	case has("threadcreate"):
		return KindThreadCreate
	case has("contentions", "delay"):
		return KindContention
	case has("alloc_space", "inuse_space", "alloc_objects", "inuse_objects", "space"):
		return KindHeap
	case has("cpu") || (p.PeriodType != nil && p.PeriodType.Type == "cpu"):
		return KindCPU
	}
	return KindOther
}

// rankType is the sample type that orders hottest lines and sites: the
// profile's default sample type, else the last (pprof's own default).
func rankType(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if p.DefaultSampleType != "" && st.Type == p.DefaultSampleType {
			return i
		}
	}
	return max(len(p.SampleType)-1, 0)
}

// toNanos converts a time value to nanoseconds; ok is false for units
// that are not times.
func toNanos(v int64, unit string) (int64, bool) {
	switch unit {
	case "nanoseconds", "ns":
		return v, true
	case "microseconds", "us":
		return v * 1e3, true
	case "milliseconds", "ms":
		return v * 1e6, true
	case "seconds", "s":
		return v * 1e9, true
	}
	return 0, false
}
