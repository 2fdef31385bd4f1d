package caseview

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// batch is the facts of the cases one batch touches, as loaded and then
// folded further, and their referrals as loaded (to write only the
// referrals that change).
type batch struct {
	cases map[string]*domain.CaseFacts
	known map[string][]domain.Referral
	// counted is where each loaded open case counted in rm_caseload.
	counted map[string]loadKey
	// stored names the cases the view has a row of.
	stored map[string]bool
}

// load reads the facts snapshots of the cases ids names; a case the view
// does not have yet starts with no facts.
func load(ctx context.Context, tx readdb.Tx, ids []string) (*batch, error) {
	b := &batch{cases: make(map[string]*domain.CaseFacts, len(ids)), known: map[string][]domain.Referral{}, counted: map[string]loadKey{},
		stored: map[string]bool{}}
	err := readdb.Snapshots(ctx, tx, "rm_cases", "case_id", "facts", ids, func(id string, snapshot []byte) error {
		f := &domain.CaseFacts{}
		if err := f.UnmarshalBinary(snapshot); err != nil {
			return fmt.Errorf("facts of case %s: %w", id, err)
		}
		b.cases[id], b.stored[id] = f, true
		if f.Opened() {
			c := viewOf(*f)
			c.ID = id
			if k, ok := caseloadKey(c); ok {
				b.counted[id] = k
			}
		}
		if len(f.Referrals) > 0 {
			// Applying replaces a referral's answer time, never changes it
			// in place: a shallow copy keeps the old one.
			b.known[id] = slices.Clone(f.Referrals)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load cases: %w", err)
	}
	return b, nil
}

// facts are the facts of case id, to apply the batch's events to.
func (b *batch) facts(id string) *domain.CaseFacts {
	f := b.cases[id]
	if f == nil {
		f = &domain.CaseFacts{}
		b.cases[id] = f
	}
	return f
}

// caseColumns are the columns of rm_cases, in the order caseValues gives
// them.
const caseColumns = `case_id, child_id, jurisdiction, status, source, concerns, risk, received_at, received_by, assignee,
	police_reported_at, first_response_at, assessed_at, guardianship_active, guardianship_ground, guardianship_placement,
	guardianship_started_at, guardianship_ended_at, major_incident, closed_at, closure_reason, version, last_position, facts`

// save writes the row of every opened case of the batch, and the
// referrals that are new or changed, in a stable (lock) order.
func (b *batch) save(ctx context.Context, tx readdb.Tx, d readdb.Dialect) error {
	ids := make([]string, 0, len(b.cases))
	for id, f := range b.cases {
		if f.Opened() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var fresh, stored, referrals [][]any
	deltas := map[countKey]*counts{}
	for _, id := range ids {
		f := b.cases[id]
		snapshot, err := f.MarshalBinary()
		if err != nil {
			return fmt.Errorf("facts of case %s: %w", id, err)
		}
		c := viewOf(*f)
		c.ID = id // the row is keyed by the stream, whatever its report said
		if b.stored[id] {
			stored = append(stored, caseValues(d, c, snapshot))
		} else {
			fresh = append(fresh, caseValues(d, c, snapshot))
		}
		before, had := b.counted[id]
		after, has := caseloadKey(c)
		if err := caseloadDeltas(deltas, before, had, after, has); err != nil {
			return fmt.Errorf("case %s: %w", id, err)
		}
		for _, r := range c.Referrals {
			if changed(b.known[id], r) {
				referrals = append(referrals, []any{id, r.ID, r.Agency, r.Service, r.Status, d.Time(r.MadeAt), d.TimePtr(r.AnsweredAt)})
			}
		}
	}
	if err := readdb.Upsert(ctx, tx, d, `INSERT INTO rm_cases (`+caseColumns+`) VALUES `, `
			ON CONFLICT (case_id) DO UPDATE SET child_id = excluded.child_id, jurisdiction = excluded.jurisdiction,
			status = excluded.status, source = excluded.source, concerns = excluded.concerns, risk = excluded.risk,
			received_at = excluded.received_at, received_by = excluded.received_by, assignee = excluded.assignee,
			police_reported_at = excluded.police_reported_at, first_response_at = excluded.first_response_at,
			assessed_at = excluded.assessed_at, guardianship_active = excluded.guardianship_active,
			guardianship_ground = excluded.guardianship_ground, guardianship_placement = excluded.guardianship_placement,
			guardianship_started_at = excluded.guardianship_started_at, guardianship_ended_at = excluded.guardianship_ended_at,
			major_incident = excluded.major_incident, closed_at = excluded.closed_at, closure_reason = excluded.closure_reason,
			version = excluded.version, last_position = excluded.last_position, facts = excluded.facts`, fresh, stored); err != nil {
		return fmt.Errorf("save cases: %w", err)
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_case_referrals (case_id, referral_id, agency, service, status, made_at, answered_at) VALUES `,
		` ON CONFLICT (case_id, referral_id) DO UPDATE SET status = excluded.status, answered_at = excluded.answered_at`, referrals); err != nil {
		return fmt.Errorf("save referrals: %w", err)
	}
	return saveCaseload(ctx, tx, d, deltas)
}

// caseValues are the values of a case's row, in caseColumns' order.
func caseValues(d readdb.Dialect, c Case, snapshot []byte) []any {
	concerns, _ := json.Marshal(c.Concerns) // a []string always encodes
	var active int
	var ground, placement *string
	var started, ended any
	if g := c.TemporaryGuardianship; g != nil {
		active, ground, placement = readdb.Flag(g.Active), &g.Ground, &g.Placement
		started, ended = d.Time(g.StartedAt), d.TimePtr(g.EndedAt)
	}
	return []any{c.ID, c.ChildID, c.Jurisdiction.String(), c.Status, c.Source, string(concerns), c.Risk, d.Time(c.ReceivedAt),
		c.ReceivedBy, c.Assignee, d.TimePtr(c.PoliceReportedAt), d.TimePtr(c.FirstResponseAt), d.TimePtr(c.AssessedAt),
		active, ground, placement, started, ended, readdb.Flag(c.MajorIncident), d.TimePtr(c.ClosedAt), c.ClosureReason,
		c.Version, c.LastPosition, snapshot}
}

// changed reports whether a referral is new or stands otherwise than as
// loaded.
func changed(known []domain.Referral, r Referral) bool {
	for _, k := range known {
		if k.ID == r.ID {
			return k.Status.String() != r.Status || !sameTime(k.AnsweredAt, r.AnsweredAt)
		}
	}
	return true
}

// sameTime reports whether two optional times are both absent or equal.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
