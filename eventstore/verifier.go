package eventstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultFullWalkEvery is how long a Verifier trusts the part of the log
// it has walked before it walks the whole log again.
const DefaultFullWalkEvery = 15 * time.Minute

// ChainWalker is what a Verifier walks; every Store is one.
type ChainWalker interface {
	VerifyFrom(ctx context.Context, from Anchor) (Verification, Anchor, error)
}

// VerifierOptions tune a Verifier. The zero value is ready to use.
type VerifierOptions struct {
	// FullWalkEvery: a check walks the whole log again, rather than only
	// what was appended since the head verified before, once the last full
	// walk ended this long ago (default DefaultFullWalkEvery).
	FullWalkEvery time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// ChainCheck is what a Verifier vouches for: the verification of the whole
// log up to Head, and how it was made.
type ChainCheck struct {
	// Verification's Checked counts the events the check covers: every
	// event up to Head when the log is intact — walked now, or walked by an
	// earlier check of the same Verifier onto whose head this one chains.
	// A broken log is always answered by a full walk, which counts the
	// events it read.
	Verification
	// Head is the last event covered: its position and hash. When OK, keep
	// it as an anchor (Store.Verify checks it later).
	Head Anchor `json:"head"`
	// Walked counts the events read and re-hashed by this check.
	Walked int64 `json:"walked"`
	// Full is true when this check walked the log from position 1.
	Full bool `json:"full"`
	// LastFullWalk is the Verifier's latest walk of the whole log (this
	// check's, when Full): an event before the head verified before that
	// was rewritten since that walk shows only at the next one.
	LastFullWalk FullWalk `json:"last_full_walk"`
	// VerifiedAt is when the walk behind this check ended.
	VerifiedAt time.Time `json:"verified_at"`
}

// FullWalk is a walk of the whole log from position 1.
type FullWalk struct {
	EndedAt time.Time `json:"ended_at"`
	// Head is the last event walked.
	Head Anchor `json:"head"`
	OK   bool   `json:"ok"`
}

// VerifierStats counts what a Verifier has done since it was made.
type VerifierStats struct {
	Checks       int64 // Verify calls
	Walks        int64 // walks of the log, full or from a head
	FullWalks    int64 // walks from position 1
	EventsWalked int64 // events read and re-hashed by all walks
}

// Verifier verifies the log the way the package comment describes under
// "Verifying often": from the head it verified before, with a walk of the
// whole log when one is due or when anything is wrong, one walk at a time
// whoever asks. It is safe for concurrent use; keep one per process.
type Verifier struct {
	log   ChainWalker
	every time.Duration
	now   func() time.Time

	mu sync.Mutex
	// running is the walk under way; queued the one that starts when it
	// ends, which every caller arriving meanwhile shares.
	running, queued *flight
	// last is the latest check (zero before the first); when it found the
	// log intact, its Head is where the next walk starts.
	last  ChainCheck
	stats VerifierStats
}

// NewVerifier makes a verifier of log that has verified nothing yet: its
// first check walks the whole log.
func NewVerifier(log ChainWalker, opts VerifierOptions) *Verifier {
	if opts.FullWalkEvery <= 0 {
		opts.FullWalkEvery = DefaultFullWalkEvery
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Verifier{log: log, every: opts.FullWalkEvery, now: opts.Now}
}

type flight struct {
	ctx   context.Context
	done  chan struct{}
	check ChainCheck
	err   error
}

// Verify checks the log now: its answer comes from a walk that began after
// Verify was called, so it covers every event appended before. Callers that
// arrive while a walk is under way share the next one, so a burst of calls
// costs at most two walks. A walk runs to its end even if the caller that
// began it goes away (another may be waiting for it); the caller's own
// context bounds only its wait.
func (v *Verifier) Verify(ctx context.Context) (ChainCheck, error) {
	v.mu.Lock()
	v.stats.Checks++
	f := v.queued
	switch {
	case v.running == nil:
		f = &flight{ctx: context.WithoutCancel(ctx), done: make(chan struct{})}
		v.running = f
		go v.fly(f)
	case f == nil:
		f = &flight{ctx: context.WithoutCancel(ctx), done: make(chan struct{})}
		v.queued = f
	}
	v.mu.Unlock()
	select {
	case <-f.done:
		return f.check, f.err
	case <-ctx.Done():
		return ChainCheck{}, fmt.Errorf("verify the log: %w", context.Cause(ctx))
	}
}

// Stats reports what the verifier has done since it was made.
func (v *Verifier) Stats() VerifierStats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// fly makes the check of f, then of every flight queued meanwhile.
func (v *Verifier) fly(f *flight) {
	for f != nil {
		f.check, f.err = v.check(f.ctx)
		v.mu.Lock()
		close(f.done)
		f = v.queued
		v.running, v.queued = f, nil
		v.mu.Unlock()
	}
}

// check makes one check. Only one runs at a time (fly), so it alone
// changes last.
func (v *Verifier) check(ctx context.Context) (ChainCheck, error) {
	v.mu.Lock()
	last := v.last
	v.mu.Unlock()
	due := last.LastFullWalk.EndedAt.IsZero() || v.now().Sub(last.LastFullWalk.EndedAt) >= v.every
	if !last.OK && !due {
		// The log was found broken: that stands until the next full walk,
		// and a broken log does not make every check a full walk.
		last.Walked, last.Full = 0, false
		return last, nil
	}
	from := last.Head
	if due {
		from = Anchor{}
	}
	var walked int64
	if from.Position > 0 {
		w, head, err := v.walk(ctx, from)
		if err != nil {
			return ChainCheck{}, err
		}
		if w.OK {
			w.Checked += from.Position - 1
			return v.remember(ChainCheck{Verification: w, Head: head, Walked: w.Checked - (from.Position - 1),
				LastFullWalk: last.LastFullWalk, VerifiedAt: v.now()}), nil
		}
		// Something at or after the head verified before is wrong: walk
		// the whole log, so that the answer names the first broken
		// position of the log, not of the part walked.
		walked = w.Checked
	}
	w, head, err := v.walk(ctx, Anchor{})
	if err != nil {
		return ChainCheck{}, err
	}
	ended := v.now()
	full := FullWalk{EndedAt: ended, Head: head, OK: w.OK}
	return v.remember(ChainCheck{Verification: w, Head: head, Walked: walked + w.Checked, Full: true,
		LastFullWalk: full, VerifiedAt: ended}), nil
}

func (v *Verifier) walk(ctx context.Context, from Anchor) (Verification, Anchor, error) {
	w, head, err := v.log.VerifyFrom(ctx, from)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stats.Walks++
	v.stats.EventsWalked += w.Checked
	if from.Position == 0 {
		v.stats.FullWalks++
	}
	if err != nil {
		return Verification{}, Anchor{}, fmt.Errorf("verify the log from position %d: %w", from.Position, err)
	}
	return w, head, nil
}

func (v *Verifier) remember(c ChainCheck) ChainCheck {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.last = c
	return c
}
