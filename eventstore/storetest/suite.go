package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// Run runs the whole contract against a backend, or a decorator over one.
// newDatabase makes a fresh, empty database for one test.
func Run(t *testing.T, newDatabase func(t testing.TB) Database) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db Database)
	}{
		{"ExpectedVersionModes", testExpectedVersionModes},
		{"SeveralEventsInOneAppendAreAtomic", testAtomicAppend},
		{"EnvelopeRoundTrips", testEnvelopeRoundTrips},
		{"InvalidAppendsAreRefused", testInvalidAppends},
		{"StreamKeepsItsType", testStreamType},
		{"ReadsPage", testReadsPage},
		{"ReadsSeveralStreams", testReadStreams},
		{"FiftyWritersOnOneStreamOneWinnerPerVersion", testFiftyWritersOneWinner},
		{"FiftyWritersOnOneStreamRetryingAllLand", testFiftyWritersRetrying},
		{"IdempotentRetry", testIdempotentRetry},
		{"EventIDReuseWithAnotherBody", testEventIDReuse},
		{"HeldOpenTransactionLeavesNoGap", testHeldOpenTransaction},
		{"GlobalOrderIsCommitOrder", testGlobalOrderIsCommitOrder},
		{"AnotherProcessWritesBetweenAppends", testAnotherProcessWritesBetween},
		{"AppendRefusedOnTamperedTail", testAppendRefusedOnTamperedTail},
		{"GroupCommitBatchesAndIsolatesFailures", testGroupCommit},
		{"OneMebibytePayload", testLargePayload},
		{"ChineseTextRoundTrips", testChineseText},
		{"ReopenKeepsEverythingAndContinuesChain", testReopen},
		{"CancelledAppendWritesNothing", testCancelledAppend},
		{"DatabaseRefusesUpdateAndDelete", testAppendOnlyGuard},
		{"VerifyEmptyAndIntactLog", testVerifyIntact},
		{"VerifyDetectsChangedData", testVerifyChangedData},
		{"VerifyDetectsDeletedRow", testVerifyDeletedRow},
		{"VerifyDetectsSwappedRows", testVerifySwappedRows},
		{"VerifyDetectsDeletionWithRenumbering", testVerifyRenumberedDeletion},
		{"VerifyDetectsForgedRow", testVerifyForgedRow},
		{"VerifyDetectsRemovedTail", testVerifyRemovedTail},
		{"VerifyDetectsRemovedTailAgainstExportedAnchor", testVerifyRemovedTailAnchor},
		{"VerifyDetectsForgedSeal", testVerifyForgedSeal},
		{"VerifyFromWalksOnlyNewEvents", testVerifyFromWalksOnlyNewEvents},
		{"VerifyFromDetectsRewrittenHead", testVerifyFromDetectsRewrittenHead},
		{"VerifyFromDetectsBrokenLinkAfterHead", testVerifyFromDetectsBrokenLinkAfterHead},
		{"VerifyFromDetectsCut", testVerifyFromDetectsCut},
		{"VerifierWalksOnlyNewEvents", testVerifierWalksOnlyNewEvents},
		{"VerifierCatchesTamperBeforeHeadAtNextFullWalk", testVerifierCatchesTamperBeforeHeadAtNextFullWalk},
		{"VerifierCallersShareWalks", testVerifierCallersShareWalks},
	}
	for _, w := range wrongAtOrAfterHead {
		tests = append(tests, struct {
			name string
			fn   func(t *testing.T, db Database)
		}{"VerifierWalksWholeLogWhen" + w.name, verifierWalksWholeLogWhenAnythingIsWrong(w.tamper, w.first)})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newDatabase(t))
		})
	}
}

// testSealKey is the seal key every store in the suite uses unless a test
// says otherwise.
var testSealKey = []byte("storetest seal key: 32 bytes....")

func open(t testing.TB, db Database) eventstore.Store {
	return db.Open(t, eventstore.Options{SealKey: testSealKey})
}

var businessTime = time.Date(2026, 3, 14, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))

func caseStream(n int) eventstore.StreamRef {
	return eventstore.StreamRef{ID: fmt.Sprintf("case-%04d", n), Type: "case"}
}

func event(typ string, data string) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          typ,
		SchemaVersion: 1,
		Data:          json.RawMessage(data),
		Metadata: eventstore.Metadata{
			Actor:         eventstore.Actor{Subject: "worker-1", Role: "caseworker", Jurisdiction: "370902"},
			CommandID:     "cmd-1",
			CorrelationID: "corr-1",
			CausationID:   "cause-1",
		},
		OccurredAt: businessTime,
	}
}

func note(i int) eventstore.NewEvent {
	return event("case.follow_up_recorded", fmt.Sprintf(`{"n":%d}`, i))
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func readAll(t testing.TB, s eventstore.Store) []eventstore.Event {
	events, err := s.ReadLog(ctxT(t), 0, 0)
	require.NoError(t, err)
	return events
}

func requireConflict(t testing.TB, err error, current int64) {
	t.Helper()
	require.ErrorIs(t, err, eventstore.ErrVersionConflict)
	var conflict *eventstore.VersionConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, current, conflict.Current, "current version carried by the conflict")
}
