package deadlines

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// group bounds how many snapshots one step of Apply holds in memory: a
// change of the policy derives every stream the view has again.
const group = 2000

// apply is Projection.Apply: the batch's events go to the snapshots of
// the streams they belong to (and the policy's to its history); then every
// touched stream — every stream, if the policy changed — is derived again,
// group by group, in stream-id order (a stable lock order).
func apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	touched := map[string][]domain.Recorded{}
	var ids []string
	var policyEvents []domain.Recorded
	for _, r := range events {
		switch k := r.StreamID.Kind(); {
		case k == domain.StreamPolicy:
			policyEvents = append(policyEvents, r)
		case hasObligations(k):
			id := r.StreamID.String()
			if _, ok := touched[id]; !ok {
				ids = append(ids, id)
			}
			touched[id] = append(touched[id], r)
		}
	}
	if len(ids) == 0 && len(policyEvents) == 0 {
		return nil
	}
	policies, err := loadPolicies(ctx, tx)
	if err != nil {
		return err
	}
	if len(policyEvents) > 0 {
		for _, r := range policyEvents {
			policies.Apply(r)
		}
		if err := savePolicies(ctx, tx, d, policies); err != nil {
			return err
		}
		known, err := knownStreams(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range known {
			if _, ok := touched[id]; !ok {
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	for start := 0; start < len(ids); start += group {
		part := ids[start:min(start+group, len(ids))]
		// A stream whose first event here is its first of all has no
		// snapshot yet: only the others are looked for.
		var older []string
		for _, id := range part {
			if events := touched[id]; len(events) == 0 || events[0].Version != 1 {
				older = append(older, id)
			}
		}
		stored, err := loadStreams(ctx, tx, older)
		if err != nil {
			return err
		}
		streams := make([]*stream, 0, len(part))
		for _, id := range part {
			s, events := stored[id], touched[id]
			switch {
			case s == nil && len(events) == 0:
				continue // gone since it was listed
			case s == nil:
				s = &stream{id: events[0].StreamID}
			}
			for _, r := range events {
				s.apply(r)
			}
			streams = append(streams, s)
		}
		if err := write(ctx, tx, d, streams, policies); err != nil {
			return err
		}
	}
	return nil
}

// write derives the streams' obligations at their horizons and replaces
// their snapshots and rows. Snapshots are written first: Tick, on
// PostgreSQL, locks rm_deadline_streams before it touches rm_deadlines, so
// the two never wait for each other in opposite orders.
func write(ctx context.Context, tx readdb.Tx, d readdb.Dialect, streams []*stream, policies domain.PolicyHistory) error {
	var snapshots, rows [][]any
	var replaced []string
	for _, s := range streams {
		ds := s.deadlines(policies, s.horizon)
		place := s.jurisdiction().String()
		keys := Keys(ds)
		for i, dl := range ds {
			row, err := deadlineRow(d, keys[i], s, place, dl)
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		snap, err := snapshotRow(d, s, verificationDue(ds, s.horizon))
		if err != nil {
			return err
		}
		snapshots = append(snapshots, snap)
		if s.stored {
			replaced = append(replaced, s.id.String())
		}
	}
	if err := saveStreams(ctx, tx, d, snapshots); err != nil {
		return err
	}
	err := readdb.Chunks(replaced, func(piece []string) error {
		in, args := readdb.InList(piece)
		_, err := tx.ExecContext(ctx, `DELETE FROM rm_deadlines WHERE stream_id IN (`+in+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete deadlines: %w", err)
	}
	return insertDeadlines(ctx, tx, d, rows, "")
}

// deadlineColumns are the columns of rm_deadlines, in the order written.
const deadlineColumns = `deadline_key, stream_id, kind, subject_id, case_id, referral_id, jurisdiction, owner, owners,
	started_at, due_at, met_at, status, policy_version, last_position`

// deadlineRow is the row of rm_deadlines of one obligation of s, in
// deadlineColumns order.
func deadlineRow(d readdb.Dialect, key string, s *stream, place string, dl domain.Deadline) ([]any, error) {
	owners, err := encodeOwners(dl.Owners)
	if err != nil {
		return nil, fmt.Errorf("deadline %s: %w", key, err)
	}
	return []any{key, s.id.String(), dl.Kind.String(), dl.SubjectID, readdb.NullText(dl.CaseID), readdb.NullText(dl.ReferralID),
		place, dl.Owner, owners, d.Time(dl.StartedAt), d.Time(dl.DueAt), d.TimePtr(dl.MetAt),
		dl.Status.String(), dl.PolicyVersion, s.position}, nil
}

// insertDeadlines writes rows of rm_deadlines; tail is what follows the
// values (an ON CONFLICT clause, or "").
func insertDeadlines(ctx context.Context, tx readdb.Tx, d readdb.Dialect, rows [][]any, tail string) error {
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_deadlines (`+deadlineColumns+`) VALUES `, tail, rows); err != nil {
		return fmt.Errorf("insert deadlines: %w", err)
	}
	return nil
}

// verificationDue is the due time of the last yearly verification among a
// child's obligations judged at at, if the series runs on past at (it
// stops when the child's data is erased); nil otherwise. Once at has passed
// it, Tick adds the verifications that have come due since.
func verificationDue(ds []domain.Deadline, at time.Time) *time.Time {
	var last *time.Time
	for i := range ds {
		if ds[i].Kind == domain.KindInfoVerification && (last == nil || ds[i].DueAt.After(*last)) {
			last = &ds[i].DueAt
		}
	}
	if last == nil || !last.After(at) {
		return nil
	}
	due := *last
	return &due
}
