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
	RunWith(t, Features{}, newDatabase)
}

// Features says what a backend cannot offer as the contract asks, as
// watermill's pub/sub suite has its Features. The zero value is the whole
// contract (SQLite and PostgreSQL); a backend that sets a flag justifies
// it where it does, and the tests the flag names are skipped, saying why.
type Features struct {
	// NoUpdateOrDeleteOfAnEvent: the database has no operation that
	// changes or removes one stored event, so there is no append-only
	// guard of careledger's to test (DatabaseRefusesUpdateAndDelete).
	NoUpdateOrDeleteOfAnEvent bool
	// TamperingNeedsTheFiles: the database offers no way to change its
	// stored log short of editing its files, which the test cannot reach
	// (a server elsewhere), so the Tamperer cannot work and every tamper
	// case is skipped.
	TamperingNeedsTheFiles bool
}

// suiteTest is one test of the contract, and what it needs.
type suiteTest struct {
	name string
	fn   func(t *testing.T, db Database)
	// tampers: the test edits the log through Database.Tamper.
	tampers bool
	// guard: the test tries a careless UPDATE and DELETE of an event.
	guard bool
}

// skipReason says why a test is skipped for a backend's features; empty
// when it runs.
func (f Features) skipReason(tc suiteTest) string {
	switch {
	case tc.guard && f.NoUpdateOrDeleteOfAnEvent:
		return "the database has no update or delete of one event (Features.NoUpdateOrDeleteOfAnEvent)"
	case tc.tampers && f.TamperingNeedsTheFiles:
		return "the stored log cannot be edited from the test (Features.TamperingNeedsTheFiles)"
	}
	return ""
}

// RunWith runs the contract against a backend that lacks the features
// named, skipping the tests that need them.
func RunWith(t *testing.T, features Features, newDatabase func(t testing.TB) Database) {
	tests := []suiteTest{
		{name: "ExpectedVersionModes", fn: testExpectedVersionModes},
		{name: "SeveralEventsInOneAppendAreAtomic", fn: testAtomicAppend},
		{name: "EnvelopeRoundTrips", fn: testEnvelopeRoundTrips},
		{name: "InvalidAppendsAreRefused", fn: testInvalidAppends},
		{name: "StreamKeepsItsType", fn: testStreamType},
		{name: "ReadsPage", fn: testReadsPage},
		{name: "ReadsSeveralStreams", fn: testReadStreams},
		{name: "FiftyWritersOnOneStreamOneWinnerPerVersion", fn: testFiftyWritersOneWinner},
		{name: "FiftyWritersOnOneStreamRetryingAllLand", fn: testFiftyWritersRetrying},
		{name: "IdempotentRetry", fn: testIdempotentRetry},
		{name: "EventIDReuseWithAnotherBody", fn: testEventIDReuse},
		{name: "HeldOpenTransactionLeavesNoGap", fn: testHeldOpenTransaction},
		{name: "GlobalOrderIsCommitOrder", fn: testGlobalOrderIsCommitOrder},
		{name: "AnotherProcessWritesBetweenAppends", fn: testAnotherProcessWritesBetween},
		{name: "AppendRefusedOnTamperedTail", fn: testAppendRefusedOnTamperedTail, tampers: true},
		{name: "GroupCommitBatchesAndIsolatesFailures", fn: testGroupCommit},
		{name: "OneMebibytePayload", fn: testLargePayload},
		{name: "ChineseTextRoundTrips", fn: testChineseText},
		{name: "ReopenKeepsEverythingAndContinuesChain", fn: testReopen},
		{name: "CancelledAppendWritesNothing", fn: testCancelledAppend},
		{name: "DatabaseRefusesUpdateAndDelete", fn: testAppendOnlyGuard, tampers: true, guard: true},
		{name: "VerifyEmptyAndIntactLog", fn: testVerifyIntact},
		{name: "VerifyDetectsChangedData", fn: testVerifyChangedData, tampers: true},
		{name: "VerifyDetectsDeletedRow", fn: testVerifyDeletedRow, tampers: true},
		{name: "VerifyDetectsSwappedRows", fn: testVerifySwappedRows, tampers: true},
		{name: "VerifyDetectsDeletionWithRenumbering", fn: testVerifyRenumberedDeletion, tampers: true},
		{name: "VerifyDetectsForgedRow", fn: testVerifyForgedRow, tampers: true},
		{name: "VerifyDetectsRemovedTail", fn: testVerifyRemovedTail, tampers: true},
		{name: "VerifyDetectsRemovedTailAgainstExportedAnchor", fn: testVerifyRemovedTailAnchor, tampers: true},
		{name: "VerifyDetectsForgedSeal", fn: testVerifyForgedSeal, tampers: true},
		{name: "VerifyFromWalksOnlyNewEvents", fn: testVerifyFromWalksOnlyNewEvents},
		{name: "VerifyFromDetectsRewrittenHead", fn: testVerifyFromDetectsRewrittenHead, tampers: true},
		{name: "VerifyFromDetectsBrokenLinkAfterHead", fn: testVerifyFromDetectsBrokenLinkAfterHead, tampers: true},
		{name: "VerifyFromDetectsCut", fn: testVerifyFromDetectsCut, tampers: true},
		{name: "VerifierWalksOnlyNewEvents", fn: testVerifierWalksOnlyNewEvents},
		{name: "VerifierCatchesTamperBeforeHeadAtNextFullWalk", fn: testVerifierCatchesTamperBeforeHeadAtNextFullWalk, tampers: true},
		{name: "VerifierCallersShareWalks", fn: testVerifierCallersShareWalks},
	}
	for _, w := range wrongAtOrAfterHead {
		tests = append(tests, suiteTest{name: "VerifierWalksWholeLogWhen" + w.name, fn: verifierWalksWholeLogWhenAnythingIsWrong(w.tamper, w.first), tampers: true})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if why := features.skipReason(tc); why != "" {
				t.Skip(why)
			}
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
