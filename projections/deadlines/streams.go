package deadlines

import (
	"context"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// stream is what the view keeps of one stream with obligations of its own
// (a case, a child's file, a worker, an inquiry): the aggregate's facts,
// folded by the domain's one fold, and what the view reads besides.
type stream struct {
	id     domain.StreamID
	stored bool // it has a row in rm_deadline_streams, and its rows in rm_deadlines are to be replaced

	kase    domain.CaseFacts
	child   domain.ChildFacts
	worker  domain.WorkerFacts
	inquiry domain.InquiryFacts

	// The facts of other streams that discharge this one's clocks, read
	// before it is derived (never stored with it): a child's cases (they
	// meet report_after_visit), the inquiries into a case or its child
	// (they meet the inquiry clock).
	cases     []domain.CaseFacts
	inquiries []domain.InquiryFacts

	// horizon is the latest business time among the stream's events: the
	// moment its obligations are judged at. position is the global position
	// of its last event.
	horizon  time.Time
	position int64
}

// hasObligations reports whether streams of the kind have obligations of
// their own.
func hasObligations(k domain.StreamKind) bool {
	return k == domain.StreamCase || k == domain.StreamChild || k == domain.StreamWorker || k == domain.StreamInquiry
}

// apply folds one event of the stream into its facts.
func (s *stream) apply(r domain.Recorded) {
	switch s.id.Kind() {
	case domain.StreamCase:
		s.kase.Apply(r)
	case domain.StreamChild:
		s.child.Apply(r)
	case domain.StreamWorker:
		s.worker.Apply(r)
		s.worker.Name = "" // personal data the deadlines do not read
	case domain.StreamInquiry:
		s.inquiry.Apply(r)
	}
	if r.OccurredAt.After(s.horizon) {
		s.horizon = r.OccurredAt
	}
	s.position = max(s.position, r.Position)
}

// jurisdiction is where the stream's obligations belong: the case's, the
// child's now, the worker's, the inquiry's findings'.
func (s *stream) jurisdiction() domain.Jurisdiction {
	switch s.id.Kind() {
	case domain.StreamCase:
		return s.kase.Jurisdiction
	case domain.StreamChild:
		return s.child.Jurisdiction
	case domain.StreamWorker:
		return s.worker.Jurisdiction
	case domain.StreamInquiry:
		return s.inquiry.Jurisdiction
	}
	return domain.Jurisdiction{}
}

// subject names, for the links between streams, the child and the case a
// stream is about: a case's child; an inquiry's case or child.
func (s *stream) subject() (childID, caseID string) {
	switch s.id.Kind() {
	case domain.StreamCase:
		return s.kase.ChildID, ""
	case domain.StreamInquiry:
		return s.inquiry.ChildID, s.inquiry.CaseID
	}
	return "", ""
}

// deadlines are the stream's obligations judged at at, by the domain.
func (s *stream) deadlines(policies domain.PolicyHistory, at time.Time) []domain.Deadline {
	switch s.id.Kind() {
	case domain.StreamCase:
		return domain.CaseDeadlines(s.kase, s.inquiries, policies, at)
	case domain.StreamChild:
		return domain.ChildDeadlines(s.child, s.cases, policies, at)
	case domain.StreamWorker:
		return domain.WorkerDeadlines(s.worker, policies, at)
	case domain.StreamInquiry:
		return domain.InquiryDeadlines(s.inquiry, policies, at)
	}
	return nil
}

// judgedAt is the moment the stream's rows are judged at: its horizon, or
// the latest business time of a stream that discharges its clocks.
func (s *stream) judgedAt() time.Time {
	at := s.horizon
	for _, c := range s.cases {
		if c.Horizon.After(at) {
			at = c.Horizon
		}
	}
	for _, q := range s.inquiries {
		if q.Horizon.After(at) {
			at = q.Horizon
		}
	}
	return at
}

// facts is the snapshot of the facts, as rm_deadline_streams keeps it.
func (s *stream) facts() ([]byte, error) {
	switch s.id.Kind() {
	case domain.StreamCase:
		return s.kase.MarshalBinary()
	case domain.StreamChild:
		return s.child.MarshalBinary()
	case domain.StreamInquiry:
		return s.inquiry.MarshalBinary()
	default:
		return s.worker.MarshalBinary()
	}
}

// setFacts reads a snapshot of the facts.
func (s *stream) setFacts(raw []byte) error {
	switch s.id.Kind() {
	case domain.StreamCase:
		return s.kase.UnmarshalBinary(raw)
	case domain.StreamChild:
		return s.child.UnmarshalBinary(raw)
	case domain.StreamWorker:
		return s.worker.UnmarshalBinary(raw)
	case domain.StreamInquiry:
		return s.inquiry.UnmarshalBinary(raw)
	}
	return fmt.Errorf("a %s stream has no obligations", s.id.Kind())
}

// streamColumns are the columns of rm_deadline_streams that loadStreams
// reads, in order.
const streamColumns = `stream_id, facts, horizon, last_position`

// loadStreams reads the snapshots of the named streams that the view has.
func loadStreams(ctx context.Context, q readdb.Querier, ids []string) (map[string]*stream, error) {
	out := make(map[string]*stream, len(ids))
	err := readdb.Chunks(ids, func(piece []string) error {
		in, args := readdb.InList(piece)
		return scanStreams(ctx, q, out, `SELECT `+streamColumns+` FROM rm_deadline_streams WHERE stream_id IN (`+in+`)`, args...)
	})
	return out, err
}

// scanStreams reads the snapshots a query of streamColumns selects into out.
func scanStreams(ctx context.Context, q readdb.Querier, out map[string]*stream, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read deadline streams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw []byte
		var horizon readdb.Timestamp
		s := &stream{stored: true}
		if err := rows.Scan(&id, &raw, &horizon, &s.position); err != nil {
			return fmt.Errorf("read deadline streams: %w", err)
		}
		if s.id, err = domain.ParseStreamID(id); err != nil {
			return fmt.Errorf("read deadline streams: %w", err)
		}
		if err := s.setFacts(raw); err != nil {
			return fmt.Errorf("read the facts of %s: %w", id, err)
		}
		s.horizon = horizon.T
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read deadline streams: %w", err)
	}
	return nil
}

// knownStreams lists every stream the view has, in order.
func knownStreams(ctx context.Context, q readdb.Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT stream_id FROM rm_deadline_streams ORDER BY stream_id`)
	if err != nil {
		return nil, fmt.Errorf("read deadline streams: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read deadline streams: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// snapshotRow is the row of rm_deadline_streams of a stream, in the order
// saveStreams writes, with the child and case it is about (subject);
// verifyDue is the due time of the child's last yearly
// verification in the view while the series runs on (nil: none to extend).
func snapshotRow(d readdb.Dialect, s *stream, verifyDue *time.Time) ([]any, error) {
	facts, err := s.facts()
	if err != nil {
		return nil, fmt.Errorf("facts of %s: %w", s.id, err)
	}
	childID, caseID := s.subject()
	return []any{s.id.String(), string(s.id.Kind()), s.jurisdiction().String(), facts, d.Time(s.horizon),
		s.position, d.TimePtr(verifyDue), readdb.NullText(childID), readdb.NullText(caseID)}, nil
}

// saveStreams writes snapshot rows: fresh, of streams the view has no
// row of, and stored, replacing the view's rows (readdb.Upsert). In a
// rebuild of the demo county nearly every stream is first seen in one
// page: 128,739 snapshots written for 128,416 streams, all through the
// upsert's multi-row statements before (7.7 s of the deadline view's 32 s
// on PostgreSQL).
func saveStreams(ctx context.Context, tx readdb.Tx, d readdb.Dialect, fresh, stored [][]any) error {
	err := readdb.Upsert(ctx, tx, d,
		`INSERT INTO rm_deadline_streams (stream_id, kind, jurisdiction, facts, horizon, last_position, verify_due, child_id, case_id) VALUES `,
		` ON CONFLICT (stream_id) DO UPDATE SET kind = excluded.kind, jurisdiction = excluded.jurisdiction,
		facts = excluded.facts, horizon = excluded.horizon, last_position = excluded.last_position,
		verify_due = excluded.verify_due, child_id = excluded.child_id, case_id = excluded.case_id`, fresh, stored)
	if err != nil {
		return fmt.Errorf("save deadline streams: %w", err)
	}
	return nil
}
