package kurrent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

// backend runs the shared writer's write transactions on KurrentDB, which
// has none across streams: a transaction is a claim on the chain stream,
// the events, then the seal (see the package comment).
type backend struct {
	c       *conn
	idx     *index
	writer  uuid.UUID // this handle, in its claims
	sealKey []byte
	now     func() time.Time
	// claimWait bounds how long a write waits for another writer's claim to
	// be sealed.
	claimWait time.Duration
}

// maxClaimAttempts bounds how often a write claims again after losing to
// another writer.
const maxClaimAttempts = 1000

func (b *backend) WriteTx(ctx context.Context, fn func(writer.Tx) error) error {
	for range maxClaimAttempts {
		chain, err := b.settle(ctx)
		if err != nil {
			return err
		}
		b.idx.mu.Lock()
		err = b.idx.forWrite(ctx, b.c)
		b.idx.mu.Unlock()
		if err != nil {
			return err
		}
		// Another writer may have claimed and landed events while the index
		// read the log: then the index is ahead of the seal read, and the
		// write starts over.
		again, err := b.c.readChain(ctx)
		if err != nil {
			return err
		}
		if again.exists != chain.exists || again.revision != chain.revision {
			continue
		}
		t := &tx{b: b, chain: chain}
		err = fn(t)
		if errors.Is(err, errChainMoved) {
			continue
		}
		if err != nil {
			t.abort(ctx)
			return err
		}
		if !t.claimed {
			return nil
		}
		if _, err := b.c.appendChain(ctx, t.afterClaim(), sealType, toSealRecord(t.seal)); err != nil {
			return fmt.Errorf("seal positions up to %d: %w", t.seal.Position, err)
		}
		return nil
	}
	return fmt.Errorf("kurrent: other writers claimed positions first %d times in a row", maxClaimAttempts)
}

// settle waits until no batch is under way: the chain ends with a seal. A
// claim of this handle's that was never sealed (its seal failed) is sealed
// now at what landed. Another writer's claim is waited for, up to
// claimWait.
func (b *backend) settle(ctx context.Context) (chainState, error) {
	deadline := time.Now().Add(b.claimWait)
	pause := time.Millisecond
	for {
		chain, err := b.c.readChain(ctx)
		if err != nil {
			return chainState{}, err
		}
		switch {
		case chain.open == nil:
			return chain, nil
		case chain.open.Writer == b.writer:
			if err := b.sealLanded(ctx, chain); err != nil {
				return chainState{}, err
			}
			continue
		case time.Now().After(deadline):
			c := chain.open
			return chainState{}, fmt.Errorf("kurrent: positions %d to %d were claimed by writer %s at %s and are not sealed after %s: "+
				"if that process died between its claim and its seal, restart it on its data directory, or stop every careledger process "+
				"on the log and run careledger seal-claim (README, KurrentDB): %w",
				c.From, c.To, c.Writer, microTime(c.ClaimedAt).Format(time.RFC3339), b.claimWait, errUnsealedClaim)
		}
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// errUnsealedClaim: another writer's batch has been claimed and not sealed.
var errUnsealedClaim = errors.New("a claimed batch is not sealed")

// sealLanded seals this handle's own unsealed claim at the events of it
// that landed (those that did not were never acknowledged).
func (b *backend) sealLanded(ctx context.Context, chain chainState) error {
	b.idx.mu.Lock()
	err := b.idx.catchUp(ctx, b.c)
	head := b.idx.head
	b.idx.mu.Unlock()
	if err != nil {
		return err
	}
	anchor := chain.open.Prev
	if head.Position >= chain.open.From && head.Position <= chain.open.To {
		anchor = eventstore.Anchor{Position: head.Position, Hash: head.Hash}
	}
	at := eventstore.Timestamp(b.now())
	_, err = b.c.appendChain(ctx, chain, sealType, toSealRecord(eventstore.Seal{Anchor: anchor, SealedAt: at, MAC: eventstore.SealMAC(b.sealKey, anchor, at)}))
	if errors.Is(err, errChainMoved) {
		return nil // read the chain again
	}
	return err
}

// tx is one write: what the chain was when it began, and, once it has
// claimed, its claim.
type tx struct {
	b       *backend
	chain   chainState
	claimed bool
	claimAt uint64 // the claim's revision in the chain
	claim   claim
	seal    eventstore.Seal
}

func (t *tx) afterClaim() chainState {
	return chainState{exists: true, revision: t.claimAt}
}

func (t *tx) State(_ context.Context, streamIDs []string) (writer.LogState, error) {
	x := t.b.idx
	x.mu.Lock()
	defer x.mu.Unlock()
	st := writer.LogState{Head: x.head.Head, Streams: map[string]writer.StreamState{}, Seal: t.chain.seal, Sealed: t.chain.sealed}
	for _, id := range streamIDs {
		if s, ok := x.streams[id]; ok {
			st.Streams[id] = s
		}
	}
	return st, nil
}

func (t *tx) Expect(_ context.Context, head writer.Head, streams map[string]writer.StreamState) error {
	x := t.b.idx
	x.mu.Lock()
	defer x.mu.Unlock()
	sealed := eventstore.Anchor{}
	if t.chain.sealed {
		sealed = t.chain.seal.Anchor
	}
	if x.head.Position != head.Position || x.head.Hash != head.Hash || sealed != (eventstore.Anchor{Position: head.Position, Hash: head.Hash}) {
		return writer.ErrStale
	}
	for id, want := range streams {
		if x.streams[id] != want {
			return writer.ErrStale
		}
	}
	return nil
}

func (t *tx) Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error) {
	x := t.b.idx
	x.mu.Lock()
	found := map[uuid.UUID]int64{}
	for _, id := range ids {
		if position, ok := x.ids[id]; ok {
			found[id] = position
		}
	}
	x.mu.Unlock()
	out := map[uuid.UUID]eventstore.Event{}
	for id, position := range found {
		events, err := readLog(ctx, t.b.c, x, position-1, 1, -1)
		if err != nil {
			return nil, err
		}
		if len(events) == 1 && events[0].ID == id {
			out[id] = events[0]
		}
	}
	return out, nil
}

// Companions refuses: KurrentDB holds no other tables, and the store is
// no eventstore.CompanionStore, so no append brings companion rows.
func (t *tx) Companions(context.Context, []eventstore.Companion) error {
	return errors.New("kurrent: companion rows are not supported")
}

// Insert claims the batch's positions on the chain, then appends its
// events, one KurrentDB append per run of events of one stream, each with
// the stream's expected revision.
func (t *tx) Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error {
	x := t.b.idx
	x.mu.Lock()
	for _, e := range events {
		if _, ok := x.ids[e.ID]; ok {
			x.mu.Unlock()
			return fmt.Errorf("event %s is already stored: %w", e.ID, writer.ErrUniqueViolation)
		}
	}
	x.mu.Unlock()

	first, last := events[0], events[len(events)-1]
	c := claim{Writer: t.b.writer, From: first.GlobalPosition, To: last.GlobalPosition,
		Prev: eventstore.Anchor{Position: first.GlobalPosition - 1, Hash: first.PrevHash}, ClaimedAt: eventstore.Timestamp(t.b.now()).UnixMicro()}
	c.MAC = claimMAC(t.b.sealKey, c)
	rev, err := t.b.c.appendChain(ctx, t.chain, claimType, c)
	if err != nil {
		return err
	}
	t.claimed, t.claimAt, t.claim, t.seal = true, rev, c, seal

	for start := 0; start < len(events); {
		end := start + 1
		for end < len(events) && events[end].StreamID == events[start].StreamID {
			end++
		}
		if err := t.appendRun(ctx, events[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// appendRun appends events of one stream, in version order.
func (t *tx) appendRun(ctx context.Context, run []eventstore.Event) error {
	data := make([]esdb.EventData, len(run))
	for i, e := range run {
		var err error
		if data[i], err = toEventData(e); err != nil {
			return err
		}
	}
	var expected esdb.ExpectedRevision = esdb.NoStream{}
	if v := run[0].StreamVersion; v > 1 {
		expected = esdb.Revision(uint64(v - 2))
	}
	stream := run[0].StreamID
	_, err := t.b.c.client.AppendToStream(ctx, t.b.c.ns.stream(stream), esdb.AppendToStreamOptions{ExpectedRevision: expected}, data...)
	if isWrongExpectedVersion(err) {
		return t.foreignWrite(ctx, stream, run[0].StreamVersion-1)
	}
	if err != nil {
		return fmt.Errorf("append to stream %s: %w", stream, err)
	}
	// Where the events lie in $all is learnt when the log is read: the
	// position an append answers is its commit's, which need not be one a
	// read of $all may start from.
	x := t.b.idx
	x.mu.Lock()
	for _, e := range run {
		x.add(e, esdb.Position{})
	}
	x.mu.Unlock()
	return nil
}

// foreignWrite is KurrentDB's WrongExpectedVersion for a stream the
// writer believed at version expected, as the store's conflict: the
// stream's version in KurrentDB is its last revision + 1.
func (t *tx) foreignWrite(ctx context.Context, stream string, expected int64) error {
	conflict := &eventstore.VersionConflictError{StreamID: stream, Expected: eventstore.Exactly(expected)}
	last, err := t.b.c.readStream(ctx, t.b.c.ns.stream(stream), esdb.End{}, esdb.Backwards, 1)
	if err != nil {
		return fmt.Errorf("stream %s is not at version %d in KurrentDB (reading its version: %v): %w", stream, expected, err, conflict)
	}
	if len(last) == 1 {
		conflict.Current = int64(last[0].EventNumber) + 1
	}
	return fmt.Errorf("something other than careledger's writer wrote to stream %s in KurrentDB: %w", stream, conflict)
}

// abort seals what a failed write landed, so that the next write does not
// wait for its claim; if that fails too, the next write of this handle
// does it (settle). What landed is read from $all, not taken from the
// answers: an append whose answer was lost may have landed all the same.
func (t *tx) abort(ctx context.Context) {
	if !t.claimed {
		return
	}
	_ = t.b.sealLanded(ctx, chainState{exists: true, revision: t.claimAt, open: &t.claim})
}
