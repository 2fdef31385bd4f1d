package deadlines

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// group bounds how many snapshots one step of Apply holds in memory: a
// change of the policy derives every stream the view has again.
const group = 2000

// phases is the order in which Apply derives the kinds of streams: each
// kind's clocks may be discharged by the kinds before it (a case's inquiry
// clock by inquiries, a child's report_after_visit by its cases), so those
// are saved before it reads them.
var phases = []domain.StreamKind{domain.StreamInquiry, domain.StreamCase, domain.StreamChild, domain.StreamWorker}

// apply is Projection.Apply: the batch's events go to the snapshots of
// the streams they belong to (and the policy's to its history); then every
// touched stream — every stream, if the policy changed — and every stream
// whose clocks a touched one discharges is derived again, kind by kind in
// phases' order, group by group in stream-id order (a stable lock order).
func apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	touched := map[string][]domain.Recorded{}
	derive := map[domain.StreamKind]map[string]bool{}
	mark := func(id domain.StreamID) {
		if derive[id.Kind()] == nil {
			derive[id.Kind()] = map[string]bool{}
		}
		derive[id.Kind()][id.String()] = true
	}
	var policyEvents []domain.Recorded
	for _, r := range events {
		switch k := r.StreamID.Kind(); {
		case k == domain.StreamPolicy:
			policyEvents = append(policyEvents, r)
		case hasObligations(k):
			id := r.StreamID.String()
			touched[id] = append(touched[id], r)
			mark(r.StreamID)
		}
	}
	if len(touched) == 0 && len(policyEvents) == 0 {
		return nil
	}
	policies, err := loadPolicies(ctx, tx)
	if err != nil {
		return err
	}
	seq, err := loadSequence(ctx, tx)
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
			sid, err := domain.ParseStreamID(id)
			if err != nil {
				return fmt.Errorf("read deadline streams: %w", err)
			}
			mark(sid)
		}
	}
	for _, kind := range phases {
		ids := make([]string, 0, len(derive[kind]))
		for id := range derive[kind] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for start := 0; start < len(ids); start += group {
			streams, err := load(ctx, tx, ids[start:min(start+group, len(ids))], touched)
			if err != nil {
				return err
			}
			if err := linkDependents(ctx, tx, streams, touched, mark); err != nil {
				return err
			}
			if err := readLinks(ctx, tx, streams); err != nil {
				return err
			}
			if err := write(ctx, tx, d, streams, policies, seq); err != nil {
				return err
			}
		}
	}
	return seq.save(ctx, tx)
}

// load reads the snapshots of the streams ids names (those the view has)
// and applies the batch's events to them.
func load(ctx context.Context, tx readdb.Tx, ids []string, touched map[string][]domain.Recorded) ([]*stream, error) {
	// A stream whose first event here is its first of all has no snapshot
	// yet: only the others are looked for.
	var older []string
	for _, id := range ids {
		if events := touched[id]; len(events) == 0 || events[0].Version != 1 {
			older = append(older, id)
		}
	}
	stored, err := loadStreams(ctx, tx, older)
	if err != nil {
		return nil, err
	}
	streams := make([]*stream, 0, len(ids))
	for _, id := range ids {
		s, events := stored[id], touched[id]
		switch {
		case s == nil && len(events) == 0:
			continue // gone since it was listed, or never had a snapshot
		case s == nil:
			s = &stream{id: events[0].StreamID}
		}
		for _, r := range events {
			s.apply(r)
		}
		streams = append(streams, s)
	}
	return streams, nil
}

// linkDependents marks for deriving the streams whose clocks the batch's
// events of streams discharge: an inquiry opened or closed — the case it
// looks into, or every case of the child it looks into; a case received,
// closed or reopened — its child.
func linkDependents(ctx context.Context, q readdb.Querier, streams []*stream, touched map[string][]domain.Recorded, mark func(domain.StreamID)) error {
	var children []string
	for _, s := range streams {
		if !slices.ContainsFunc(touched[s.id.String()], discharges) {
			continue
		}
		childID, caseID := s.subject()
		switch {
		case s.id.Kind() == domain.StreamCase && childID != "":
			mark(domain.ChildStream(childID))
		case caseID != "":
			mark(domain.CaseStream(caseID))
		case childID != "":
			children = append(children, childID)
		}
	}
	return readdb.Chunks(children, func(piece []string) error {
		in, args := readdb.InList(piece)
		rows, err := q.QueryContext(ctx, `SELECT stream_id FROM rm_deadline_streams WHERE kind = 'case' AND child_id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("read the cases of children: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("read the cases of children: %w", err)
			}
			sid, err := domain.ParseStreamID(id)
			if err != nil {
				return fmt.Errorf("read the cases of children: %w", err)
			}
			mark(sid)
		}
		return rows.Err()
	})
}

// discharges reports whether an event may change another stream's clocks:
// an inquiry's opening or closing (the inquiry clock of the cases it looks
// into), a case's report, closure or reopening (its child's
// report_after_visit).
func discharges(r domain.Recorded) bool {
	switch r.Event.(type) {
	case domain.InquiryOpened, domain.InquiryClosed, domain.ReportReceived, domain.CaseClosed, domain.CaseReopened:
		return true
	}
	return false
}

// readLinks gives each stream the saved facts of the streams that
// discharge its clocks: a case with a major incident, the inquiries into
// it or its child; a child with a visit that found a mandatory-report
// concern, its cases. Others read none.
func readLinks(ctx context.Context, q readdb.Querier, streams []*stream) error {
	byChild := map[string][]*stream{} // cases by child, children by id
	byCase := map[string]*stream{}
	var childIDs, caseIDs, concerned []string
	for _, s := range streams {
		switch {
		case s.id.Kind() == domain.StreamCase && len(s.kase.MajorIncidents) > 0:
			s.inquiries = nil
			byCase[s.kase.ID] = s
			caseIDs = append(caseIDs, s.kase.ID)
			if s.kase.ChildID != "" {
				byChild[s.kase.ChildID] = append(byChild[s.kase.ChildID], s)
				childIDs = append(childIDs, s.kase.ChildID)
			}
		case s.id.Kind() == domain.StreamChild && len(s.child.ConcernVisits) > 0:
			s.cases = nil
			byChild[s.child.ID] = append(byChild[s.child.ID], s)
			concerned = append(concerned, s.child.ID)
		}
	}
	err := readdb.Chunks(slices.Compact(sortedCopy(childIDs)), func(piece []string) error {
		return scanLinked(ctx, q, `kind = 'inquiry' AND child_id`, piece, func(s *stream) {
			for _, c := range byChild[s.inquiry.ChildID] {
				c.inquiries = append(c.inquiries, s.inquiry)
			}
		})
	})
	if err != nil {
		return err
	}
	err = readdb.Chunks(caseIDs, func(piece []string) error {
		return scanLinked(ctx, q, `kind = 'inquiry' AND case_id`, piece, func(s *stream) {
			if c := byCase[s.inquiry.CaseID]; c != nil {
				c.inquiries = append(c.inquiries, s.inquiry)
			}
		})
	})
	if err != nil {
		return err
	}
	return readdb.Chunks(concerned, func(piece []string) error {
		return scanLinked(ctx, q, `kind = 'case' AND child_id`, piece, func(s *stream) {
			for _, c := range byChild[s.kase.ChildID] {
				if c.id.Kind() == domain.StreamChild {
					c.cases = append(c.cases, s.kase)
				}
			}
		})
	})
}

// scanLinked reads the snapshots selected by "where IN (values)" and hands
// each to take.
func scanLinked(ctx context.Context, q readdb.Querier, where string, values []string, take func(*stream)) error {
	in, args := readdb.InList(values)
	found := map[string]*stream{}
	if err := scanStreams(ctx, q, found, `SELECT `+streamColumns+` FROM rm_deadline_streams WHERE `+where+` IN (`+in+`)`, args...); err != nil {
		return err
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		take(found[id])
	}
	return nil
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// write derives the streams' obligations at their horizons and replaces
// their snapshots and rows. Snapshots are written first: Tick, on
// PostgreSQL, locks rm_deadline_streams before it touches rm_deadlines, so
// the two never wait for each other in opposite orders.
func write(ctx context.Context, tx readdb.Tx, d readdb.Dialect, streams []*stream, policies domain.PolicyHistory, seq *sequence) error {
	var fresh, resaved, rows [][]any
	var replaced []string
	for _, s := range streams {
		if s.stored {
			replaced = append(replaced, s.id.String())
		}
	}
	stored, err := storedRows(ctx, tx, replaced)
	if err != nil {
		return err
	}
	// Only rows that changed are written: an event rewrites few of its
	// stream's obligations (a child with a year of visits has dozens),
	// and each row written costs its seven index entries.
	var stale []staleRow // rows to delete: changed, or gone
	for _, s := range streams {
		ds := s.deadlines(policies, s.judgedAt())
		place := s.jurisdiction().String()
		keys := Keys(ds)
		for i, dl := range ds {
			old, had := stored[keys[i]]
			opened := old.seq
			if !had {
				opened = seq.take()
			}
			row, err := deadlineRow(d, keys[i], s, place, dl, opened)
			if err != nil {
				return err
			}
			delete(stored, keys[i])
			if had && old.fingerprint == row[fingerprintColumn] {
				continue
			}
			if had {
				stale = append(stale, staleRow{key: keys[i], stream: old.stream})
			}
			rows = append(rows, row)
		}
		snap, err := snapshotRow(d, s, verificationDue(ds, s.judgedAt()))
		if err != nil {
			return err
		}
		if s.stored {
			resaved = append(resaved, snap)
		} else {
			fresh = append(fresh, snap)
		}
	}
	for key, old := range stored { // obligations the streams no longer have
		stale = append(stale, staleRow{key: key, stream: old.stream})
	}
	if err := saveStreams(ctx, tx, d, fresh, resaved); err != nil {
		return err
	}
	if err := deleteRows(ctx, tx, stale); err != nil {
		return err
	}
	return insertDeadlines(ctx, tx, d, rows, "")
}

// staleRow is a row write deletes: its key and its stream.
type staleRow struct{ key, stream string }

// deleteRows deletes rows of rm_deadlines, each stream's found by its
// stream as well as its keys: a rebuild's copy of the table has no index
// on the key until it is built (shadow tables make their indexes after
// the load, and one on keys in no order, kept up row by row, was
// rewritten whole by each page of a rebuild), but has rm_deadlines_stream
// (ApplyIndexes). A statement per stream keeps to the shapes a key count
// gives.
func deleteRows(ctx context.Context, tx readdb.Tx, stale []staleRow) error {
	byStream := map[string][]string{}
	for _, r := range stale {
		byStream[r.stream] = append(byStream[r.stream], r.key)
	}
	for _, stream := range slices.Sorted(maps.Keys(byStream)) {
		err := readdb.Chunks(byStream[stream], func(keys []string) error {
			in, args := readdb.InList(keys)
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM rm_deadlines WHERE deadline_key IN (%s) AND stream_id = $%d`,
				in, len(args)+1), append(args, stream)...)
			return err
		})
		if err != nil {
			return fmt.Errorf("delete deadlines of %s: %w", stream, err)
		}
	}
	return nil
}

// deadlineColumns are the columns of rm_deadlines, in the order written.
const deadlineColumns = `deadline_key, stream_id, kind, subject_id, case_id, referral_id, inquiry_id, rectification_id,
	jurisdiction, owner, owners, started_at, due_at, met_at, status, policy_version, opened_seq, fingerprint`

// fingerprintColumn is the index of fingerprint in deadlineColumns.
const fingerprintColumn = 17

// deadlineRow is the row of rm_deadlines of one obligation of s, in
// deadlineColumns order; opened is its sequence number.
func deadlineRow(d readdb.Dialect, key string, s *stream, place string, dl domain.Deadline, opened int64) ([]any, error) {
	owners, err := encodeOwners(dl.Owners)
	if err != nil {
		return nil, fmt.Errorf("deadline %s: %w", key, err)
	}
	row := []any{key, s.id.String(), dl.Kind.String(), dl.SubjectID, readdb.NullText(dl.CaseID), readdb.NullText(dl.ReferralID),
		readdb.NullText(dl.InquiryID), readdb.NullText(dl.RectificationID), place, dl.Owner, owners, d.Time(dl.StartedAt), d.Time(dl.DueAt), d.TimePtr(dl.MetAt),
		dl.Status.String(), dl.PolicyVersion, opened}
	return append(row, rowFingerprint(row[:16])), nil
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
