package caseview_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// wantCase is the view of a case as its facts give it, written out here
// field by field, apart from the package's own mapping.
func wantCase(f domain.CaseFacts) caseview.Case {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	c := caseview.Case{ID: f.ID, ChildID: f.ChildID, Jurisdiction: f.Jurisdiction, Status: f.Status.String(),
		Source: f.Source.String(), Concerns: []string{}, Risk: f.Risk.String(), ReceivedAt: f.ReceivedAt.UTC(),
		ReceivedBy: f.Receiver.Subject, PoliceReportedAt: utc(f.PoliceReportedAt), FirstResponseAt: utc(f.FirstResponseAt),
		Referrals: []caseview.Referral{}, MajorIncident: len(f.MajorIncidents) > 0, ClosedAt: utc(f.ClosedAt),
		Version: f.Version, LastPosition: f.LastPosition}
	for _, k := range f.Concerns {
		c.Concerns = append(c.Concerns, k.String())
	}
	if f.Assignee != "" {
		c.Assignee = &f.Assignee
	}
	if len(f.Assessments) > 0 {
		c.AssessedAt = utc(&f.Assessments[0])
	}
	if f.Status == domain.StatusClosed {
		reason := f.ClosureReason.String()
		c.ClosureReason = &reason
	}
	for _, r := range f.Referrals {
		c.Referrals = append(c.Referrals, caseview.Referral{ID: r.ID, Agency: r.Agency.String(), Service: r.Service.String(),
			Status: r.Status.String(), MadeAt: r.MadeAt.UTC(), AnsweredAt: utc(r.AnsweredAt)})
	}
	sort.SliceStable(c.Referrals, func(i, j int) bool {
		a, b := c.Referrals[i], c.Referrals[j]
		return a.MadeAt.Before(b.MadeAt) || (a.MadeAt.Equal(b.MadeAt) && a.ID < b.ID)
	})
	if n := len(f.Guardianships); n > 0 {
		g := f.Guardianships[n-1]
		c.TemporaryGuardianship = &caseview.Guardianship{Active: g.Active, Ground: g.Ground.String(),
			Placement: g.Placement.String(), StartedAt: g.StartedAt.UTC(), EndedAt: utc(g.EndedAt)}
	}
	return c
}

// checkView compares, for every case stream of the log, the view's case
// and its facts snapshot with domain.FoldCase of the stream; the view has
// no other case.
func checkView(t *testing.T, b enginetest.Backend) {
	t.Helper()
	ctx := context.Background()
	streams := commandstest.Streams(t, b.Store, domain.StreamCase)
	require.NotEmpty(t, streams)
	for stream, history := range streams {
		f := domain.FoldCase(history)
		require.True(t, f.Opened(), stream)
		got, err := caseview.Find(ctx, b.DB, f.ID)
		require.NoError(t, err, stream)
		assert.Equal(t, wantCase(f), got, stream)

		var snapshot []byte
		require.NoError(t, b.DB.SQL.QueryRow(`SELECT facts FROM rm_cases WHERE case_id = $1`, f.ID).Scan(&snapshot))
		var kept domain.CaseFacts
		require.NoError(t, kept.UnmarshalBinary(snapshot), stream)
		assert.JSONEq(t, string(commandstest.Must(json.Marshal(f))), string(commandstest.Must(json.Marshal(kept))), "facts snapshot of %s", stream)
	}
	var n int
	require.NoError(t, b.DB.SQL.QueryRow(`SELECT count(*) FROM rm_cases`).Scan(&n))
	assert.Equal(t, len(streams), n, "one row per case")
}

// TestCaseViewOracle: the engine runs the view while concurrent writers
// work, is stopped mid-workload and restarted (a crash of the projection
// process); the view then equals what domain.FoldCase gives for every
// stream. A rebuild from scratch, and the engine's rebuild into shadow
// tables in small batches, give the same.
func TestCaseViewOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		start := func() (*engine.Engine, func()) {
			e := engine.New(b.Store, b.DB, engine.Options{Batch: 37, Poll: 5 * time.Millisecond}, caseview.Projection{})
			require.NoError(t, e.Migrate(ctx))
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- e.Run(runCtx) }()
			return e, func() { cancel(); require.NoError(t, <-done) }
		}
		_, stop := start()
		commandstest.Workload(t, b.Store, enginetest.Now, 1, 4, 40)
		commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		stop() // the projection process dies between batches

		commandstest.Workload(t, b.Store, enginetest.Now, 2, 4, 40)
		e, stop := start()
		enginetest.WaitHead(t, e, b.Store)
		stop()
		checkView(t, b)

		enginetest.RebuildFromScratch(t, b, caseview.Projection{})
		checkView(t, b)

		_, err := b.DB.SQL.Exec(`UPDATE rm_cases SET risk = 'tampered', facts = '{}'`)
		require.NoError(t, err)
		rebuild := engine.New(b.Store, b.DB, engine.Options{Batch: 16, RebuildBatch: 16}, caseview.Projection{})
		require.NoError(t, rebuild.Migrate(ctx))
		require.NoError(t, rebuild.Rebuild(ctx, nil))
		checkView(t, b)
	})
}

// TestFindTheSeededCases: what the seed did shows, at the business times
// it was done, and a case the view does not have is not found.
func TestFindTheSeededCases(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		enginetest.CatchUp(t, b, caseview.Projection{})
		now := enginetest.Now.UTC()
		at := now.Add(-35 * time.Hour)
		ptr := func(t time.Time) *time.Time { return &t }

		a1, err := caseview.Find(ctx, b.DB, s.CaseA1)
		require.NoError(t, err)
		assert.Equal(t, s.ChildA, a1.ChildID)
		assert.Equal(t, "370902101201", a1.Jurisdiction.String())
		assert.Equal(t, []string{"living_alone", "neglect"}, a1.Concerns)
		assert.Equal(t, "closed", a1.Status)
		assert.Equal(t, "medium", a1.Risk, "the assessment's risk")
		assert.Equal(t, now.Add(-36*time.Hour), a1.ReceivedAt)
		assert.Equal(t, s.Caseworker1, a1.ReceivedBy)
		assert.Equal(t, &s.Caseworker1, a1.Assignee)
		assert.Equal(t, ptr(at), a1.PoliceReportedAt)
		assert.Equal(t, ptr(at.Add(time.Hour)), a1.FirstResponseAt)
		assert.Equal(t, ptr(at.Add(2*time.Hour)), a1.AssessedAt)
		require.Len(t, a1.Referrals, 1)
		assert.Equal(t, "completed", a1.Referrals[0].Status)
		assert.Equal(t, ptr(now), a1.Referrals[0].AnsweredAt, "accepted, then completed: the first answer")
		assert.Equal(t, &caseview.Guardianship{Active: false, Ground: "guardian_missing", Placement: "kin",
			StartedAt: at.Add(5 * time.Hour), EndedAt: ptr(at.Add(8 * time.Hour))}, a1.TemporaryGuardianship)
		assert.True(t, a1.MajorIncident)
		assert.Equal(t, ptr(now), a1.ClosedAt)
		assert.Equal(t, "resolved", *a1.ClosureReason)

		a2, err := caseview.Find(ctx, b.DB, s.CaseA2)
		require.NoError(t, err)
		assert.Nil(t, a2.Assignee)
		assert.Nil(t, a2.TemporaryGuardianship)
		assert.Empty(t, a2.Referrals)
		assert.NotNil(t, a2.Referrals, "no referrals is [], not null")

		caseB, err := caseview.Find(ctx, b.DB, s.CaseB)
		require.NoError(t, err)
		assert.Equal(t, "open", caseB.Status, "reopened")
		assert.Nil(t, caseB.ClosedAt)
		assert.Nil(t, caseB.ClosureReason)
		require.Len(t, caseB.Referrals, 1)
		assert.Equal(t, "declined", caseB.Referrals[0].Status)
		assert.NotNil(t, caseB.Referrals[0].AnsweredAt)

		_, err = caseview.Find(ctx, b.DB, "no-such-case")
		assert.ErrorIs(t, err, domain.ErrNotFound)

		ids, err := caseview.CasesOfChild(ctx, b.DB, s.ChildA)
		require.NoError(t, err)
		assert.Equal(t, []string{s.CaseA1, s.CaseA2}, ids, "oldest first")
		ids, err = caseview.CasesOfChild(ctx, b.DB, s.ChildC)
		require.NoError(t, err)
		assert.Equal(t, []string{s.CaseC}, ids)
		ids, err = caseview.CasesOfChild(ctx, b.DB, "no-such-child")
		require.NoError(t, err)
		assert.Empty(t, ids)
	})
}

// TestViewHoldsNoPersonalData: no name, phone, summary or note typed into
// the seed reaches the view's tables, the facts snapshots included.
func TestViewHoldsNoPersonalData(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		enginetest.CatchUp(t, b, caseview.Projection{})
		for _, table := range (caseview.Projection{}).Tables() {
			_, n := enginetest.HoldsNone(t, b.DB, table, s.Sensitive)
			assert.Positive(t, n, table)
		}
	})
}
