package capture

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// Now is the request's clock: time.Now, recorded in the request's capsule
// so replay can return the same readings. Outside a captured request it is
// plain time.Now.
func Now(ctx context.Context) time.Time {
	if rp := replayFrom(ctx); rp != nil {
		return rp.Now()
	}
	t := time.Now()
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		st.clock = append(st.clock, t.UnixNano())
		st.mu.Unlock()
	}
	return t
}

// Rand returns a fresh PRNG for the request, seeded from a random seed
// that is recorded (under name) so replay draws the same numbers.
// Outside a captured request the seed is random and not recorded.
func Rand(ctx context.Context, name string) *rand.Rand {
	if rp := replayFrom(ctx); rp != nil {
		return newRand(rp.Seed(name))
	}
	seed := rand.Uint64()
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		st.seeds = append(st.seeds, capsule.Seed{Name: name, Seed: seed})
		st.mu.Unlock()
	}
	return newRand(seed)
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Replayer supplies recorded values while a capsule is replayed. Package
// replay implements it; services never need to.
type Replayer interface {
	// Now returns the next recorded clock reading.
	Now() time.Time
	// Seed returns the next recorded seed drawn under name.
	Seed(name string) uint64
	// RoundTrip answers an outbound call from the capsule.
	RoundTrip(req *http.Request) (*http.Response, error)
}

type replayKey struct{}

// WithReplay returns a context under which the SDK serves recorded values
// instead of recording: Now, Rand and the Transport consult rp.
func WithReplay(ctx context.Context, rp Replayer) context.Context {
	return context.WithValue(ctx, replayKey{}, rp)
}

func replayFrom(ctx context.Context) Replayer {
	rp, _ := ctx.Value(replayKey{}).(Replayer)
	return rp
}
