package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// appendNotes appends n more events over the suite's three streams.
func appendNotes(t testing.TB, s eventstore.Store, from, n int) eventstore.Anchor {
	ctx := ctxT(t)
	for i := from; i < from+n; i++ {
		_, err := s.Append(ctx, caseStream(i%3), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	head, err := s.Head(ctx)
	require.NoError(t, err)
	return head
}

func requireBrokenFrom(t testing.TB, s eventstore.Store, from eventstore.Anchor, position int64) eventstore.Verification {
	t.Helper()
	v, _, err := s.VerifyFrom(ctxT(t), from)
	require.NoError(t, err)
	require.False(t, v.OK, "tampering at or after the head verified before must be detected")
	require.NotNil(t, v.FirstBrokenPosition)
	assert.Equal(t, position, *v.FirstBrokenPosition, v.Reason)
	assert.NotEmpty(t, v.Reason)
	return v
}

// testVerifyFromWalksOnlyNewEvents: a walk from a head verified before
// reads that head's event again and the events after it, nothing before.
func testVerifyFromWalksOnlyNewEvents(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	v, head, err := s.VerifyFrom(ctx, eventstore.Anchor{})
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true}, v, "an empty log")
	assert.Zero(t, head)

	verified := appendNotes(t, s, 0, 10)
	now := appendNotes(t, s, 10, 5)
	v, head, err = s.VerifyFrom(ctx, verified)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 6}, v, "position 10 again, then 11 to 15")
	assert.Equal(t, now, head, "the head now verified")

	v, head, err = s.VerifyFrom(ctx, now)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 1}, v, "nothing new: the head's event alone")
	assert.Equal(t, now, head)

	v, head, err = s.VerifyFrom(ctx, eventstore.Anchor{})
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 15}, v, "a zero anchor walks the whole log")
	assert.Equal(t, now, head)
}

// testVerifyFromDetectsRewrittenHead: the event at the head verified
// before is changed — its data behind its hash, or replaced by a
// consistent, rehashed event with the seal rewritten to match (which a
// store without a seal key cannot tell from a walk of the whole log).
func testVerifyFromDetectsRewrittenHead(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	verified, err := s.Head(ctx)
	require.NoError(t, err)

	require.NoError(t, db.Tamper().SetData(ctx, 10, `{"n":"changed"}`))
	requireBrokenFrom(t, s, verified, 10)

	events := readAll(t, s)
	replaced := events[9]
	replaced.Data = json.RawMessage(`{"n":"replaced"}`)
	replaced.Hash = eventstore.ChainHash(replaced.PrevHash, replaced)
	require.NoError(t, db.Tamper().Delete(ctx, 10))
	require.NoError(t, db.Tamper().Insert(ctx, replaced))
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: eventstore.Anchor{Position: 10, Hash: replaced.Hash}, SealedAt: time.Now()}))
	unkeyed := db.Open(t, eventstore.Options{})
	v, err := unkeyed.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, "without a key a consistent replacement of the last event cannot show: %s", v.Reason)
	v = requireBrokenFrom(t, unkeyed, verified, 10)
	assert.Contains(t, v.Reason, "verified before")
}

// testVerifyFromDetectsBrokenLinkAfterHead: events appended after the head
// verified before are changed or removed.
func testVerifyFromDetectsBrokenLinkAfterHead(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	verified, err := s.Head(ctx)
	require.NoError(t, err)
	appendNotes(t, s, 10, 5)

	require.NoError(t, db.Tamper().SetData(ctx, 14, `{"n":"changed"}`))
	requireBrokenFrom(t, s, verified, 14)
	require.NoError(t, db.Tamper().Delete(ctx, 12))
	requireBrokenFrom(t, s, verified, 12)
}

// testVerifyFromDetectsCut: events are removed after the head verified
// before (the seal shows it), and through it, with the seal rewritten to
// the new end — which a store without a seal key cannot tell from a walk
// of the whole log, but the head verified before can.
func testVerifyFromDetectsCut(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 10)
	verified := eventstore.Anchor{Position: 10, Hash: events[9].Hash}
	appendNotes(t, s, 10, 5)

	require.NoError(t, db.Tamper().Delete(ctx, 14, 15))
	v := requireBrokenFrom(t, s, verified, 14)
	assert.Contains(t, v.Reason, "removed")

	require.NoError(t, db.Tamper().Delete(ctx, 9, 10, 11, 12, 13))
	resealed := eventstore.Anchor{Position: 8, Hash: events[7].Hash}
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: resealed, SealedAt: time.Now()}))
	unkeyed := db.Open(t, eventstore.Options{})
	full, err := unkeyed.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, full.OK, "without a key or an anchor a consistent truncation cannot show: %s", full.Reason)
	requireBrokenFrom(t, unkeyed, verified, 9)
}

// clock is a settable clock for a Verifier.
type clock struct{ now atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.now.Store(time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }
func verifierOn(s eventstore.ChainWalker, c *clock) *eventstore.Verifier {
	return eventstore.NewVerifier(s, eventstore.VerifierOptions{FullWalkEvery: time.Hour, Now: c.Now})
}

func checkNow(t testing.TB, v *eventstore.Verifier) eventstore.ChainCheck {
	t.Helper()
	c, err := v.Verify(ctxT(t))
	require.NoError(t, err)
	return c
}

// testVerifierWalksOnlyNewEvents: a Verifier's first check walks the
// whole log; the next ones walk from the head it verified, and each says
// what it walked and what it covers; once the last full walk is
// FullWalkEvery old, the next check walks the whole log again.
func testVerifierWalksOnlyNewEvents(t *testing.T, db Database) {
	s, clk := open(t, db), newClock()
	v := verifierOn(s, clk)
	head10 := appendNotes(t, s, 0, 10)

	first := checkNow(t, v)
	assert.True(t, first.OK, first.Reason)
	assert.True(t, first.Full)
	assert.Equal(t, int64(10), first.Checked)
	assert.Equal(t, int64(10), first.Walked)
	assert.Equal(t, head10, first.Head)
	assert.Equal(t, eventstore.FullWalk{EndedAt: clk.Now(), Head: head10, OK: true}, first.LastFullWalk)

	head15 := appendNotes(t, s, 10, 5)
	clk.Advance(time.Minute)
	second := checkNow(t, v)
	assert.True(t, second.OK, second.Reason)
	assert.False(t, second.Full)
	assert.Equal(t, int64(15), second.Checked, "it covers the whole log")
	assert.Equal(t, int64(6), second.Walked, "it walked position 10 again and the five new events")
	assert.Equal(t, head15, second.Head)
	assert.Equal(t, first.LastFullWalk, second.LastFullWalk)
	assert.Equal(t, clk.Now(), second.VerifiedAt)

	third := checkNow(t, v)
	assert.Equal(t, int64(1), third.Walked, "nothing new: the head's event alone")
	assert.Equal(t, int64(15), third.Checked)
	assert.Equal(t, eventstore.VerifierStats{Checks: 3, Walks: 3, FullWalks: 1, EventsWalked: 17}, v.Stats())

	clk.Advance(time.Hour)
	fourth := checkNow(t, v)
	assert.True(t, fourth.Full, "the last full walk is an hour old")
	assert.Equal(t, int64(15), fourth.Walked)
	assert.Equal(t, eventstore.FullWalk{EndedAt: clk.Now(), Head: head15, OK: true}, fourth.LastFullWalk)
}

// testVerifierCatchesTamperBeforeHeadAtNextFullWalk: what an incremental
// check gives up, and how it is got back. An event before the head
// verified is rewritten: the next incremental check cannot see it (and
// says when the whole log was last walked); the next full walk does, and
// the verdict stands, without walking, until the full walk after it.
func testVerifierCatchesTamperBeforeHeadAtNextFullWalk(t *testing.T, db Database) {
	ctx, s, clk := ctxT(t), open(t, db), newClock()
	v := verifierOn(s, clk)
	appendNotes(t, s, 0, 10)
	first := checkNow(t, v)
	require.True(t, first.OK, first.Reason)

	require.NoError(t, db.Tamper().SetData(ctx, 4, `{"n":"rewritten"}`))
	clk.Advance(30 * time.Minute)
	blind := checkNow(t, v)
	assert.True(t, blind.OK, "an incremental check does not walk position 4: %s", blind.Reason)
	assert.False(t, blind.Full)
	assert.Equal(t, first.LastFullWalk, blind.LastFullWalk, "the check says the whole log was last walked before the rewrite")

	clk.Advance(30 * time.Minute)
	caught := checkNow(t, v)
	assert.True(t, caught.Full)
	require.False(t, caught.OK, "the next full walk catches the rewrite")
	require.NotNil(t, caught.FirstBrokenPosition)
	assert.Equal(t, int64(4), *caught.FirstBrokenPosition, caught.Reason)
	assert.False(t, caught.LastFullWalk.OK)

	clk.Advance(time.Minute)
	stands := checkNow(t, v)
	assert.False(t, stands.OK, "a broken log stays reported broken")
	assert.Equal(t, caught.FirstBrokenPosition, stands.FirstBrokenPosition)
	assert.Zero(t, stands.Walked, "without walking again before the next full walk")
	assert.Equal(t, int64(2), v.Stats().FullWalks)
}

// wrongAtOrAfterHead are changes to the log at or after the head a
// Verifier verified (position 10, with 11 to 15 appended since), and the
// first broken position a full walk then finds. Each runs on its own
// database (Run).
var wrongAtOrAfterHead = []struct {
	name   string
	tamper func(ctx context.Context, tp Tamperer) error
	first  int64
}{
	{"HeadEventRewritten", func(ctx context.Context, tp Tamperer) error { return tp.SetData(ctx, 10, `{"n":"x"}`) }, 10},
	{"NewEventChanged", func(ctx context.Context, tp Tamperer) error { return tp.SetData(ctx, 12, `{"n":"x"}`) }, 12},
	{"NewEventRemoved", func(ctx context.Context, tp Tamperer) error { return tp.Delete(ctx, 13) }, 13},
	{"TailCut", func(ctx context.Context, tp Tamperer) error { return tp.Delete(ctx, 14, 15) }, 14},
	{"CutThroughTheHead", func(ctx context.Context, tp Tamperer) error { return tp.Delete(ctx, 9, 10, 11, 12, 13, 14, 15) }, 9},
	{"ChangedBeforeAndAfterTheHead", func(ctx context.Context, tp Tamperer) error {
		if err := tp.SetData(ctx, 3, `{"n":"x"}`); err != nil {
			return err
		}
		return tp.SetData(ctx, 12, `{"n":"x"}`)
	}, 3},
}

// verifierWalksWholeLogWhenAnythingIsWrong: after a full walk up to
// position 10 and five more appends, the log is changed at or after the
// head verified. The incremental check finds it, and the verifier then
// walks the whole log at once, so that the answer names the log's first
// broken position — before the head too, when the change reaches there.
func verifierWalksWholeLogWhenAnythingIsWrong(tamper func(ctx context.Context, tp Tamperer) error, first int64) func(t *testing.T, db Database) {
	return func(t *testing.T, db Database) {
		ctx, s, clk := ctxT(t), open(t, db), newClock()
		v := verifierOn(s, clk)
		appendNotes(t, s, 0, 10)
		require.True(t, checkNow(t, v).OK)
		appendNotes(t, s, 10, 5)
		require.NoError(t, tamper(ctx, db.Tamper()))

		clk.Advance(time.Minute)
		c := checkNow(t, v)
		require.False(t, c.OK, "the change must be detected")
		require.NotNil(t, c.FirstBrokenPosition)
		assert.Equal(t, first, *c.FirstBrokenPosition, c.Reason)
		assert.True(t, c.Full, "the answer comes from a walk of the whole log")
		assert.Equal(t, eventstore.FullWalk{EndedAt: clk.Now(), Head: c.Head, OK: false}, c.LastFullWalk)
		stats := v.Stats()
		assert.Equal(t, int64(3), stats.Walks, "full, incremental, full")
		assert.Equal(t, int64(2), stats.FullWalks, "the incremental check, not the clock, called for the second full walk")
		assert.Equal(t, stats.EventsWalked-10, c.Walked, "the check counts both its walks")
	}
}

// gatedWalker holds the first walk until released.
type gatedWalker struct {
	eventstore.ChainWalker
	once             sync.Once
	started, release chan struct{}
}

func (g *gatedWalker) VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error) {
	g.once.Do(func() {
		close(g.started)
		<-g.release
	})
	return g.ChainWalker.VerifyFrom(ctx, from)
}

// testVerifierCallersShareWalks: while one walk is under way, twenty
// callers arrive (after three more appends): they share one walk, begun
// after they asked, so it covers what was appended before.
func testVerifierCallersShareWalks(t *testing.T, db Database) {
	ctx, s, clk := ctxT(t), open(t, db), newClock()
	gate := &gatedWalker{ChainWalker: s, started: make(chan struct{}), release: make(chan struct{})}
	v := verifierOn(gate, clk)
	appendNotes(t, s, 0, 10)

	firstDone := make(chan eventstore.ChainCheck, 1)
	go func() {
		c, err := v.Verify(context.Background())
		assert.NoError(t, err)
		firstDone <- c
	}()
	<-gate.started
	head := appendNotes(t, s, 10, 3)
	const callers = 20
	checks := make(chan eventstore.ChainCheck, callers)
	for range callers {
		go func() {
			c, err := v.Verify(ctx)
			assert.NoError(t, err)
			checks <- c
		}()
	}
	require.Eventually(t, func() bool { return v.Stats().Checks == callers+1 }, 30*time.Second, time.Millisecond)
	close(gate.release)

	first := <-firstDone
	assert.True(t, first.OK, first.Reason)
	for range callers {
		c := <-checks
		assert.True(t, c.OK, c.Reason)
		assert.Equal(t, head, c.Head, "the shared walk covers what was appended before its callers asked")
		assert.Equal(t, int64(13), c.Checked)
	}
	stats := v.Stats()
	assert.Equal(t, int64(2), stats.Walks, "the first walk and one shared by the twenty callers")
	assert.Equal(t, int64(1), stats.FullWalks)
}
