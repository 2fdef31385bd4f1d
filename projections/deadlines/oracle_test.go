package deadlines_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// row is what the oracle compares of an obligation.
type row struct {
	Key, Kind, Subject, CaseID, Referral, Jurisdiction, Owner, Status string
	Started, Due, Met                                                 string
	PolicyVersion                                                     int64
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func fromRow(r deadlines.Row) row {
	met := ""
	if r.MetAt != nil {
		met = fmtTime(*r.MetAt)
	}
	return row{Key: r.Key, Kind: r.Kind, Subject: r.SubjectID, CaseID: r.CaseID, Referral: r.ReferralID + r.RectificationID,
		Jurisdiction: r.Jurisdiction.String(), Owner: r.Owner, Status: r.Status, Started: fmtTime(r.StartedAt),
		Due: fmtTime(r.DueAt), Met: met, PolicyVersion: r.PolicyVersion}
}

// longAgo is a "now" so far back that Query reads every row as stored.
var longAgo = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// stored reads every row of rm_deadlines as stored, in Key order.
func stored(t testing.TB, b enginetest.Backend) []row {
	var out []row
	after := ""
	for {
		page, err := deadlines.Query(context.Background(), b.DB, deadlines.Filter{Now: longAgo, Limit: 1000, After: after})
		require.NoError(t, err)
		if len(page) == 0 {
			return out
		}
		for _, r := range page {
			out = append(out, fromRow(r))
		}
		after = page[len(page)-1].Key
	}
}

// horizon is the latest business time among a stream's events.
func horizon(history []domain.Recorded) time.Time {
	var h time.Time
	for _, r := range history {
		if r.OccurredAt.After(h) {
			h = r.OccurredAt
		}
	}
	return h
}

// oracle calls the domain's clocks on the facts of every case, child,
// worker and inquiry stream of the store, folded by the domain, judged at
// at(the stream's horizon, or the latest horizon of the streams that
// discharge its clocks): what the view must hold.
func oracle(t testing.TB, store eventstore.Store, at func(horizon time.Time) time.Time) []row {
	policies := domain.LoadPolicyHistory(commandstest.Streams(t, store, domain.StreamPolicy)[domain.PolicyStream.String()])
	var cases []domain.CaseFacts
	for _, history := range commandstest.Streams(t, store, domain.StreamCase) {
		cases = append(cases, domain.FoldCase(history))
	}
	var inquiries []domain.InquiryFacts
	for _, history := range commandstest.Streams(t, store, domain.StreamInquiry) {
		inquiries = append(inquiries, domain.FoldInquiry(history))
	}
	var out []row
	for _, kind := range []domain.StreamKind{domain.StreamCase, domain.StreamChild, domain.StreamWorker, domain.StreamInquiry} {
		for _, history := range commandstest.Streams(t, store, kind) {
			h := horizon(history)
			var ds []domain.Deadline
			var place domain.Jurisdiction
			switch kind {
			case domain.StreamCase:
				f := domain.FoldCase(history)
				if len(f.MajorIncidents) > 0 {
					for _, q := range inquiries {
						if (q.CaseID == f.ID || (q.ChildID != "" && q.ChildID == f.ChildID)) && q.Horizon.After(h) {
							h = q.Horizon
						}
					}
				}
				ds, place = domain.CaseDeadlines(f, inquiries, policies, at(h)), f.Jurisdiction
			case domain.StreamChild:
				f := domain.FoldChild(history)
				if len(f.ConcernVisits) > 0 {
					for _, c := range cases {
						if c.ChildID == f.ID && c.Horizon.After(h) {
							h = c.Horizon
						}
					}
				}
				ds, place = domain.ChildDeadlines(f, cases, policies, at(h)), f.Jurisdiction
			case domain.StreamWorker:
				var f domain.WorkerFacts
				for _, r := range history {
					f.Apply(r)
				}
				ds, place = domain.WorkerDeadlines(f, policies, at(h)), f.Jurisdiction
			case domain.StreamInquiry:
				f := domain.FoldInquiry(history)
				ds, place = domain.InquiryDeadlines(f, policies, at(h)), f.Jurisdiction
			}
			keys := deadlines.Keys(ds)
			for i, d := range ds {
				met := ""
				if d.MetAt != nil {
					met = fmtTime(*d.MetAt)
				}
				out = append(out, row{Key: keys[i], Kind: d.Kind.String(), Subject: d.SubjectID, CaseID: d.CaseID,
					Referral: d.ReferralID + d.RectificationID, Jurisdiction: place.String(), Owner: d.Owner, Status: d.Status.String(),
					Started: fmtTime(d.StartedAt), Due: fmtTime(d.DueAt), Met: met, PolicyVersion: d.PolicyVersion})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// atHorizon judges each stream at its horizon, as Apply does.
func atHorizon(h time.Time) time.Time { return h }

// atTime judges every stream at now, or at its horizon if that is later:
// what the view holds after Tick(now) (a Tick never takes back what the
// record already decided).
func atTime(now time.Time) func(time.Time) time.Time {
	return func(h time.Time) time.Time {
		if h.After(now) {
			return h
		}
		return now
	}
}
