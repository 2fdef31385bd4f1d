package caseview_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/childview"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/tests/readtest"
)

// referralsFromEvents lists every referral of the log as the listing
// should show it, in referral-id order, from the domain's folds alone: the
// case's facts, the child's facts and the case's obligations.
func referralsFromEvents(t *testing.T, store eventstore.Store) []caseview.ReferralListing {
	children := map[string]domain.ChildFacts{}
	for _, history := range commandstest.Streams(t, store, domain.StreamChild) {
		f := domain.FoldChild(history)
		children[f.ID] = f
	}
	var policies domain.PolicyHistory
	for _, history := range commandstest.Streams(t, store, domain.StreamPolicy) {
		policies = domain.LoadPolicyHistory(history)
	}
	out := []caseview.ReferralListing{}
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		f := domain.FoldCase(history)
		due := map[string]time.Time{}
		for _, d := range domain.CaseDeadlines(f, nil, policies, enginetest.Now) {
			if d.Kind == domain.KindReferralAnswer {
				due[d.ReferralID] = d.DueAt.UTC()
			}
		}
		child := children[f.ChildID]
		for _, r := range f.Referrals {
			l := caseview.ReferralListing{CaseID: f.ID, ReferralID: r.ID, Agency: r.Agency, Service: r.Service, Status: r.Status,
				MadeAt: r.MadeAt.UTC(), Jurisdiction: f.Jurisdiction,
				Child: caseview.ReferredChild{ID: f.ChildID, BirthYear: child.BirthYear, Sex: child.Sex, Jurisdiction: child.Jurisdiction}}
			if r.AnsweredAt != nil {
				at := r.AnsweredAt.UTC()
				l.AnsweredAt = &at
			}
			if d, ok := due[r.ID]; ok {
				l.DueAt = &d
			}
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ReferralID < out[j].ReferralID })
	return out
}

// walkReferrals reads every page of Referrals under f, limit per page.
func walkReferrals(t *testing.T, b enginetest.Backend, f caseview.ReferralFilter, limit int) []caseview.ReferralListing {
	t.Helper()
	var out []caseview.ReferralListing
	f.Limit = limit
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "the list never ends")
		page, err := caseview.Referrals(context.Background(), b.DB, f)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), limit)
		out = append(out, page...)
		if len(page) < limit {
			return out
		}
		f.After = page[len(page)-1].ReferralID
	}
}

// TestReferralsOracle: the referral list, read from the case, child and
// deadline views, equals what the domain's folds of the log give, for
// every filter and page size: the referral, the case's place, the child's
// birth year, sex and place, and when the answer is due.
func TestReferralsOracle(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		readtest.RunWhileSeeded(t, b, 13, 3, 40, caseview.Projection{}, childview.Projection{}, deadlines.New())
		all := referralsFromEvents(t, b.Store)
		require.Greater(t, len(all), 5, "the workload makes referrals")

		agency := func(s string) domain.Agency { return commandstest.Must(domain.ParseAgency(s)) }
		status := func(s string) domain.ReferralStatus { return commandstest.Must(domain.ParseReferralStatus(s)) }
		filters := []struct {
			name string
			f    caseview.ReferralFilter
		}{
			{"everything", caseview.ReferralFilter{}},
			{"all", caseview.ReferralFilter{Within: domain.All}},
			{"education", caseview.ReferralFilter{Agency: agency("education")}},
			{"health", caseview.ReferralFilter{Agency: agency("health")}},
			{"police", caseview.ReferralFilter{Agency: agency("police")}},
			{"pending", caseview.ReferralFilter{Status: status("pending")}},
			{"accepted", caseview.ReferralFilter{Status: status("accepted")}},
			{"completed", caseview.ReferralFilter{Status: status("completed")}},
			{"declined", caseview.ReferralFilter{Status: status("declined")}},
			{"education, accepted, in 370902", caseview.ReferralFilter{Agency: agency("education"), Status: status("accepted"),
				Within: enginetest.Jur(t, "370902")}},
			{"county 370902", caseview.ReferralFilter{Within: enginetest.Jur(t, "370902")}},
			{"county 370102", caseview.ReferralFilter{Within: enginetest.Jur(t, "370102")}},
			{"village", caseview.ReferralFilter{Within: enginetest.Jur(t, "370902101201")}},
			{"nowhere", caseview.ReferralFilter{Within: enginetest.Jur(t, "11")}},
		}
		for _, tc := range filters {
			var want []caseview.ReferralListing
			for _, l := range all {
				if (tc.f.Agency.IsZero() || l.Agency == tc.f.Agency) && (tc.f.Status.IsZero() || l.Status == tc.f.Status) &&
					(tc.f.Within.IsZero() || tc.f.Within.Covers(l.Jurisdiction)) {
					want = append(want, l)
				}
			}
			for _, limit := range []int{1, 3, 500} {
				assert.Equal(t, want, walkReferrals(t, b, tc.f, limit), "%s, %d a page", tc.name, limit)
			}
		}
		for _, l := range all {
			require.NotNil(t, l.DueAt, "every referral of the log has its answer's clock")
		}
	})
}

// TestFindTheSeededReferrals: a referral is found by its id with its case,
// its child (the birth year, the sex and the place, even once the child's
// personal data is erased) and the due time of the answer; an id the view
// does not have is not found.
func TestFindTheSeededReferrals(t *testing.T) {
	t.Parallel()
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		s := commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
		enginetest.CatchUp(t, b, caseview.Projection{}, childview.Projection{}, deadlines.New())
		a1, err := caseview.Find(ctx, b.DB, s.CaseA1)
		require.NoError(t, err)
		require.Len(t, a1.Referrals, 1)

		got, err := caseview.FindReferral(ctx, b.DB, a1.Referrals[0].ID)
		require.NoError(t, err)
		assert.Equal(t, s.CaseA1, got.CaseID)
		assert.Equal(t, "education", got.Agency.String())
		assert.Equal(t, "return_to_school", got.Service.String())
		assert.Equal(t, "completed", got.Status.String())
		assert.Equal(t, a1.Referrals[0].MadeAt, got.MadeAt)
		require.NotNil(t, got.DueAt)
		assert.Equal(t, got.MadeAt.Add(domain.DefaultPolicy().ReferralAnswer.D), *got.DueAt, "five days by the default policy")
		assert.Equal(t, caseview.ReferredChild{ID: s.ChildA, BirthYear: 2014, Sex: commandstest.Must(domain.ParseSex("female")),
			Jurisdiction: enginetest.Jur(t, "370902101201")}, got.Child)

		b1, err := caseview.Find(ctx, b.DB, s.CaseB)
		require.NoError(t, err)
		got, err = caseview.FindReferral(ctx, b.DB, b1.Referrals[0].ID)
		require.NoError(t, err)
		assert.Equal(t, "declined", got.Status.String())
		assert.Equal(t, 2012, got.Child.BirthYear, "the birth year stays after erasure")
		assert.Equal(t, "male", got.Child.Sex.String())

		_, err = caseview.FindReferral(ctx, b.DB, "no-such-referral")
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

// TestReferralsBeforeTheOtherViews: a referral the case view has shows at
// once, without the child's facts or the due time, when the child and
// deadline views have not caught up (or are not kept).
func TestReferralsBeforeTheOtherViews(t *testing.T) {
	t.Parallel()
	b := enginetest.SQLite(t)
	commandstest.SeedTwoCounties(t, b.Store, enginetest.Now)
	enginetest.CatchUp(t, b, caseview.Projection{}, childview.Projection{}, deadlines.New())
	_, err := b.DB.SQL.Exec(`DELETE FROM rm_children`)
	require.NoError(t, err)
	_, err = b.DB.SQL.Exec(`DELETE FROM rm_deadlines`)
	require.NoError(t, err)

	got, err := caseview.Referrals(context.Background(), b.DB, caseview.ReferralFilter{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, l := range got {
		assert.Nil(t, l.DueAt)
		assert.Zero(t, l.Child.BirthYear)
		assert.True(t, l.Child.Sex.IsZero())
		assert.Equal(t, l.Jurisdiction, l.Child.Jurisdiction, "the case's place stands for the child's")
	}
}
