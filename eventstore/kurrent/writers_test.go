package kurrent

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
)

// What the claim, events, seal protocol adds to the contract, on the double.

var sealKey = []byte("kurrent test seal key: 32 bytes.")

func openOn(t *testing.T, server *kurrenttest.Server, cfg Config, opts eventstore.Options) *Store {
	t.Helper()
	cfg.URL = server.URL()
	if opts.SealKey == nil {
		opts.SealKey = sealKey
	}
	s, err := Open(context.Background(), cfg, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func note(i int) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID: uuid.Must(uuid.NewV7()), Type: "case.follow_up_recorded", SchemaVersion: 1,
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), OccurredAt: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		Metadata: eventstore.Metadata{Actor: eventstore.Actor{Subject: "worker-1", Role: "caseworker", Jurisdiction: "370902"}},
	}
}

func caseStream(n int) eventstore.StreamRef {
	return eventstore.StreamRef{ID: fmt.Sprintf("case-%04d", n), Type: "case"}
}

func requireLog(t *testing.T, s *Store, n int) []eventstore.Event {
	t.Helper()
	events, err := s.ReadLog(context.Background(), 0, 0)
	require.NoError(t, err)
	require.Len(t, events, n)
	return events
}

// TestAWriterThatNeverSeals: a writer claims and lands a batch and then
// stops before its seal (a process that hangs or died there). Another
// writer waits for the seal, then refuses, naming the claim; readers never
// see the unsealed batch. Once the first writer seals, the second appends.
func TestAWriterThatNeverSeals(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	landed, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	stuck := openOn(t, server, Config{}, eventstore.Options{BeforeCommit: func(context.Context) {
		once.Do(func() { close(landed); <-release })
	}})
	other := openOn(t, server, Config{ClaimWait: 300 * time.Millisecond}, eventstore.Options{})
	reader := openOn(t, server, Config{}, eventstore.Options{})

	stuckDone := make(chan error, 1)
	go func() {
		_, err := stuck.Append(ctx, caseStream(1), eventstore.NoStream, note(1), note(2))
		stuckDone <- err
	}()
	<-landed

	started := time.Now()
	_, err := other.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.ErrorIs(t, err, errUnsealedClaim)
	assert.ErrorContains(t, err, "positions 1 to 2 were claimed")
	assert.GreaterOrEqual(t, time.Since(started), 300*time.Millisecond, "it waited for the seal first")
	requireLog(t, reader, 0)
	head, err := reader.Head(ctx)
	require.NoError(t, err)
	assert.Zero(t, head, "the unsealed batch is not the head")

	close(release)
	require.NoError(t, <-stuckDone)
	out, err := other.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.NoError(t, err)
	assert.Equal(t, int64(3), out[0].GlobalPosition)
	requireLog(t, reader, 3)
	v, err := reader.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 3}, v)
}

// TestASealThatFails: the server refuses a batch's seal after its events
// landed. The append fails, and the batch is not visible; the writer's
// next append seals it first, so the retry of the failed append finds its
// events stored, and the chain verifies.
func TestASealThatFails(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	var once sync.Once
	s := openOn(t, server, Config{}, eventstore.Options{BeforeCommit: func(context.Context) {
		once.Do(func() { server.FailAppends(chainStream, 1) }) // the seal
	}})
	_, err := s.Append(ctx, caseStream(0), eventstore.NoStream, note(0))
	require.ErrorContains(t, err, "seal positions up to 1")
	requireLog(t, s, 0)

	_, err = s.Append(ctx, caseStream(0), eventstore.AnyVersion, note(1))
	require.NoError(t, err)
	events := requireLog(t, s, 2)
	assert.Equal(t, `{"n":0}`, string(events[0].Data), "the batch whose seal failed is sealed by the next append")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 2}, v)
}

// TestAnAnswerLost: KurrentDB writes an append and its answer is lost. The
// append fails, but the batch is sealed with what landed — read from $all,
// not from the answers — so the log stays whole; a retry with the same
// event ids answers the stored events, and the log goes on.
func TestAnAnswerLost(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	s := openOn(t, server, Config{}, eventstore.Options{})
	lost := note(1)
	server.LoseAnswers("case-0001", 1)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, lost)
	require.Error(t, err)

	again, err := s.Append(ctx, caseStream(1), eventstore.NoStream, lost)
	require.NoError(t, err, "the retry finds the event stored")
	assert.Equal(t, int64(1), again[0].GlobalPosition)
	_, err = s.Append(ctx, caseStream(2), eventstore.NoStream, note(2))
	require.NoError(t, err)
	requireLog(t, s, 2)
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 2}, v)
}

// TestSomethingElseWritesAStream: an event written to a careledger stream
// by another KurrentDB client is not the log's (it has no envelope); the
// store's next append there meets KurrentDB's expected revision and fails
// with a version conflict carrying the stream's version in KurrentDB,
// saying why, and writes nothing.
func TestSomethingElseWritesAStream(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	s := openOn(t, server, Config{}, eventstore.Options{})
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
	require.NoError(t, err)

	_, err = s.c.client.AppendToStream(ctx, "case-0001", esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}},
		esdb.EventData{EventID: uuid.New(), EventType: "other", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)})
	require.NoError(t, err)
	_, err = s.Append(ctx, caseStream(1), eventstore.Exactly(1), note(2))
	require.ErrorContains(t, err, "something other than careledger's writer wrote to stream case-0001")
	var conflict *eventstore.VersionConflictError
	require.ErrorAs(t, err, &conflict, "KurrentDB's WrongExpectedVersion is the store's version conflict")
	assert.Equal(t, int64(2), conflict.Current, "the stream's version in KurrentDB")

	stream, err := s.ReadStream(ctx, "case-0001", 0, 0)
	require.NoError(t, err)
	assert.Len(t, stream, 1, "the foreign event is not the log's")
	_, err = s.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.NoError(t, err, "other streams go on")
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 2}, v)
}

// TestNamespacesShareAServer: two logs on one server, each in its own
// namespace, and one without a namespace, have their own dense positions,
// streams and chains.
func TestNamespacesShareAServer(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	plain := openOn(t, server, Config{}, eventstore.Options{})
	_, err := plain.Append(ctx, caseStream(9), eventstore.NoStream, note(9))
	require.NoError(t, err)
	a := openOn(t, server, Config{Namespace: "site-a"}, eventstore.Options{})
	b := openOn(t, server, Config{Namespace: "site-b"}, eventstore.Options{})
	for i := range 3 {
		_, err := a.Append(ctx, caseStream(1), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
		out, err := b.Append(ctx, caseStream(1), eventstore.AnyVersion, note(10+i))
		require.NoError(t, err)
		assert.Equal(t, int64(i+1), out[0].GlobalPosition)
	}
	_, err = plain.Append(ctx, caseStream(9), eventstore.Exactly(1), note(9))
	require.NoError(t, err)
	requireLog(t, plain, 2)
	for _, s := range []*Store{a, b} {
		events := requireLog(t, s, 3)
		for i, e := range events {
			assert.Equal(t, int64(i+1), e.GlobalPosition)
			assert.Equal(t, "case-0001", e.StreamID)
		}
		v, err := s.Verify(ctx)
		require.NoError(t, err)
		assert.Equal(t, eventstore.Verification{OK: true, Checked: 3}, v)
	}
	streams := map[string]bool{}
	for _, r := range server.Records() {
		streams[r.Stream] = true
	}
	assert.True(t, streams["site-a:case-0001"] && streams["site-b:case-0001"] && streams["site-a:careledger-chain"])
	_, err = Open(ctx, Config{URL: server.URL(), Namespace: "a:b"}, eventstore.Options{})
	assert.Error(t, err, "a namespace may not hold the separator")
}

// TestStreamNamesOfKurrentDB: a careledger stream may not be a KurrentDB
// system stream, nor the chain, nor look like a namespaced one.
func TestStreamNamesOfKurrentDB(t *testing.T) {
	s := openOn(t, kurrenttest.New(t), Config{}, eventstore.Options{})
	for _, id := range []string{"$all", "$settings", chainStream, "site:case-1"} {
		_, err := s.Append(context.Background(), eventstore.StreamRef{ID: id, Type: "case"}, eventstore.AnyVersion, note(1))
		assert.ErrorIs(t, err, eventstore.ErrInvalidEvent, id)
	}
}

// TestARestartedWriterSealsItsClaim: a writer stops between claim and seal
// (its process died); a store opened with the same Writer (the process,
// restarted) seals that claim at what landed on its first append, and
// goes on. The old writer, were it alive, could not seal over it.
func TestARestartedWriterSealsItsClaim(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	id := uuid.New()
	landed, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	dead := openOn(t, server, Config{Writer: id}, eventstore.Options{BeforeCommit: func(context.Context) {
		once.Do(func() { close(landed); <-release })
	}})
	deadDone := make(chan error, 1)
	go func() {
		_, err := dead.Append(ctx, caseStream(1), eventstore.NoStream, note(1), note(2))
		deadDone <- err
	}()
	<-landed

	restarted := openOn(t, server, Config{Writer: id, ClaimWait: time.Hour}, eventstore.Options{})
	out, err := restarted.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.NoError(t, err, "no wait: the claim is its own")
	assert.Equal(t, int64(3), out[0].GlobalPosition)
	requireLog(t, restarted, 3)

	close(release)
	assert.ErrorContains(t, <-deadDone, "another writer claimed positions first")
	v, err := restarted.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 3}, v)
}

// TestSealUnfinishedClaim: an operator seals the claim of a writer that
// stopped between claim and seal, at what landed; the writer, should it
// come back, cannot seal over it (its seal expects the chain as it left
// it). A claim signed with another key is not sealed, nor is a chain that
// ends with a seal.
func TestSealUnfinishedClaim(t *testing.T) {
	ctx := context.Background()
	server := kurrenttest.New(t)
	landed, release := make(chan struct{}), make(chan struct{})
	var commits atomic.Int64
	stuck := openOn(t, server, Config{}, eventstore.Options{BeforeCommit: func(context.Context) {
		if commits.Add(1) == 2 { // the second batch stops between claim and seal
			close(landed)
			<-release
		}
	}})
	_, err := stuck.Append(ctx, caseStream(0), eventstore.NoStream, note(0))
	require.NoError(t, err)
	stuckDone := make(chan error, 1)
	go func() {
		_, err := stuck.Append(ctx, caseStream(1), eventstore.NoStream, note(1), note(2))
		stuckDone <- err
	}()
	<-landed

	other := openOn(t, server, Config{}, eventstore.Options{SealKey: []byte("another key: 32 bytes long......")})
	_, err = other.SealUnfinishedClaim(ctx)
	assert.ErrorContains(t, err, "not signed with this seal key")

	operator := openOn(t, server, Config{}, eventstore.Options{})
	sealed, err := operator.SealUnfinishedClaim(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(3), sealed.Position, "the claim's events that landed")
	requireLog(t, operator, 3)
	_, err = operator.SealUnfinishedClaim(ctx)
	assert.ErrorIs(t, err, ErrNoUnfinishedClaim)

	out, err := operator.Append(ctx, caseStream(2), eventstore.NoStream, note(3))
	require.NoError(t, err)
	assert.Equal(t, int64(4), out[0].GlobalPosition)
	close(release)
	assert.ErrorContains(t, <-stuckDone, "another writer claimed positions first", "the writer cannot seal over the operator's seal")
	v, err := operator.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 4}, v)
}

// TestOpenFailsWithoutAServer: a wrong address fails Open, not the first
// append.
func TestOpenFailsWithoutAServer(t *testing.T) {
	server := kurrenttest.New(t)
	url := server.URL()
	server.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := Open(ctx, Config{URL: url}, eventstore.Options{})
	assert.Error(t, err)
	_, err = Open(ctx, Config{URL: "http://not-a-connection-string"}, eventstore.Options{})
	assert.ErrorContains(t, err, "connection string")
}
