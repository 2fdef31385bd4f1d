package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// testAppendRefusedOnTamperedTail: once the end of the log no longer matches
// its seal, a store that reads the log refuses to append — appending would
// chain onto the cut log and rewrite the seal, erasing the evidence.
func testAppendRefusedOnTamperedTail(t *testing.T, db Database) {
	ctx := ctxT(t)
	s := open(t, db)
	fillLog(t, s, 6)
	require.NoError(t, s.Close())
	require.NoError(t, db.Tamper().Delete(ctx, 5, 6))

	s = open(t, db)
	_, err := s.Append(ctx, caseStream(7), eventstore.NoStream, note(7))
	require.ErrorIs(t, err, eventstore.ErrLogTampered)
	assert.Len(t, readAll(t, s), 4, "nothing was appended")
	requireBrokenAt(t, s, 5)

	require.NoError(t, db.Tamper().DeleteSeal(ctx))
	_, err = s.Append(ctx, caseStream(7), eventstore.NoStream, note(7))
	require.ErrorIs(t, err, eventstore.ErrLogTampered, "a log with events and no seal is refused too")
}

func testAppendOnlyGuard(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	_, err := s.Append(ctx, caseStream(1), eventstore.NoStream, note(1))
	require.NoError(t, err)
	assert.Error(t, db.Tamper().PlainUpdate(ctx, 1), "UPDATE of an event is refused")
	assert.Error(t, db.Tamper().PlainDelete(ctx, 1), "DELETE of an event is refused")
	stored := readAll(t, s)
	require.Len(t, stored, 1)
	assert.Equal(t, `{"n":1}`, string(stored[0].Data))
}

// fillLog appends n events over three streams.
func fillLog(t testing.TB, s eventstore.Store, n int) []eventstore.Event {
	ctx := ctxT(t)
	for i := range n {
		_, err := s.Append(ctx, caseStream(i%3), eventstore.AnyVersion, note(i))
		require.NoError(t, err)
	}
	return readAll(t, s)
}

func requireBrokenAt(t testing.TB, s eventstore.Store, position int64, anchors ...eventstore.Anchor) eventstore.Verification {
	t.Helper()
	v, err := s.Verify(ctxT(t), anchors...)
	require.NoError(t, err)
	require.False(t, v.OK, "tampering must be detected")
	require.NotNil(t, v.FirstBrokenPosition)
	assert.Equal(t, position, *v.FirstBrokenPosition, v.Reason)
	assert.NotEmpty(t, v.Reason)
	return v
}

func testVerifyIntact(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 0}, v)
	fillLog(t, s, 10)
	head, err := s.Head(ctx)
	require.NoError(t, err)
	v, err = s.Verify(ctx, head)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Verification{OK: true, Checked: 10}, v)
}

func testVerifyChangedData(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().SetData(ctx, 4, `{"n":333}`))
	v := requireBrokenAt(t, s, 4)
	assert.Equal(t, int64(10), v.Checked, "the walk goes on to the end")
}

func testVerifyDeletedRow(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 6))
	requireBrokenAt(t, s, 6)
}

func testVerifySwappedRows(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Swap(ctx, 3, 8))
	requireBrokenAt(t, s, 3)
}

// testVerifyRenumberedDeletion: event 6 is removed and the later events are
// moved down one position, each rehashed so that it is consistent in itself.
// Only the link to the previous event shows where the chain was cut.
func testVerifyRenumberedDeletion(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 6, 7, 8, 9, 10))
	for _, e := range events[6:] {
		e.GlobalPosition--
		e.Hash = eventstore.ChainHash(e.PrevHash, e)
		require.NoError(t, db.Tamper().Insert(ctx, e))
	}
	requireBrokenAt(t, s, 6)
}

// testVerifyForgedRow: a row inserted after the head, once with a made-up
// hash and once correctly chained by someone who knows the algorithm — the
// head seal, which the forger cannot sign, catches the latter.
func testVerifyForgedRow(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 5)
	forged := events[2]
	forged.ID = uuid.Must(uuid.NewV7())
	forged.GlobalPosition = 6
	forged.StreamVersion = 99
	forged.Data = json.RawMessage(`{"n":"forged"}`)
	forged.PrevHash = events[4].Hash
	forged.Hash = eventstore.Hash{1, 2, 3}
	require.NoError(t, db.Tamper().Insert(ctx, forged))
	requireBrokenAt(t, s, 6)

	require.NoError(t, db.Tamper().Delete(ctx, 6))
	forged.Hash = eventstore.ChainHash(forged.PrevHash, forged)
	require.NoError(t, db.Tamper().Insert(ctx, forged))
	v := requireBrokenAt(t, s, 6)
	assert.Contains(t, v.Reason, "seal")
}

func testVerifyRemovedTail(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 9, 10))
	v := requireBrokenAt(t, s, 9)
	assert.Equal(t, int64(8), v.Checked)
}

// testVerifyRemovedTailAgainstExportedAnchor: the tail is removed and the
// seal rewritten to match. A store that has no seal key cannot tell (the
// documented limit), but the head an inspector exported earlier still shows
// it; so does the signature check of a store that has the key, and so does a
// missing seal.
func testVerifyRemovedTailAnchor(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	fillLog(t, s, 10)
	exported, err := s.Head(ctx)
	require.NoError(t, err)
	require.NoError(t, db.Tamper().Delete(ctx, 8, 9, 10))
	events := readAll(t, s)
	resealed := eventstore.Anchor{Position: 7, Hash: events[6].Hash}
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: resealed, SealedAt: time.Now()}))

	unkeyed := db.Open(t, eventstore.Options{})
	v, err := unkeyed.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, "without a key or an anchor a consistent truncation cannot show: %s", v.Reason)
	requireBrokenAt(t, unkeyed, 8, exported)
	requireBrokenAt(t, s, 8)

	require.NoError(t, db.Tamper().DeleteSeal(ctx))
	v = requireBrokenAt(t, s, 8)
	assert.Contains(t, v.Reason, "missing")
}

// testVerifyForgedSeal: the tail is removed and the seal rewritten to match,
// but the forger has no seal key.
func testVerifyForgedSeal(t *testing.T, db Database) {
	ctx, s := ctxT(t), open(t, db)
	events := fillLog(t, s, 10)
	require.NoError(t, db.Tamper().Delete(ctx, 10))
	forged := eventstore.Anchor{Position: 9, Hash: events[8].Hash}
	at := time.Now()
	require.NoError(t, db.Tamper().SetSeal(ctx, eventstore.Seal{Anchor: forged, SealedAt: at, MAC: eventstore.SealMAC([]byte("a guessed key"), forged, at)}))
	v := requireBrokenAt(t, s, 10)
	assert.Contains(t, v.Reason, "signature")
}
