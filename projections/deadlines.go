package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// StreamReader is what the deadline view needs of the event store: the
// histories of several streams at once (the store satisfies it).
type StreamReader interface {
	ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error)
}

// Deadlines is the deadline view behind GET /v1/deadlines: one row per
// obligation of every case, child file and worker (rm_deadlines), derived
// by the domain's own clocks (domain.CaseDeadlines, ChildDeadlines,
// WorkerDeadlines) so that the view never disagrees with the trace-back.
//
// Rows depend on the record alone, never on the wall clock, so a rebuild
// gives the same rows: a stream's obligations are judged at its horizon,
// the latest business time among its own events. What the domain finds
// missed at the horizon is missed for good (due before something that has
// happened); what is open there may since have fallen due. SweepMissed
// turns those into 'missed' for readers of the SQL tables, and
// QueryDeadlines judges them at query time, so that an unswept row never
// reads wrong.
//
// When a touched stream changes, its rows are derived again from its whole
// history and replace the old ones. A change of the deadline policy may
// change any obligation, so it derives again every stream seen so far
// (rm_deadline_streams).
//
// The yearly information verification is a series the domain extends up
// to the first verification day after "now"; at the horizon the series
// stops at the first day after the child's latest event. ExtendYearly, run
// by the clock (serve runs it every minute), adds the later years.
type Deadlines struct {
	log      StreamReader
	registry *domain.Registry

	// policy is the deadline policy last loaded, kept while the policy
	// stream read for a batch is the same (it changes seldom).
	mu     sync.Mutex
	policy struct {
		count   int
		last    uuid.UUID // the id of the last event
		history *domain.PolicyHistory
	}
}

// NewDeadlines makes the deadline view; log gives the streams' histories.
func NewDeadlines(log StreamReader) *Deadlines {
	return &Deadlines{log: log, registry: domain.NewRegistry()}
}

// Name implements Projection.
func (*Deadlines) Name() string { return "deadlines" }

// Tables implements Projection.
func (*Deadlines) Tables() []string { return []string{"rm_deadlines", "rm_deadline_streams"} }

// Schema implements Projection.
func (*Deadlines) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_deadlines (
	deadline_key   TEXT PRIMARY KEY,
	stream_id      TEXT NOT NULL,
	kind           TEXT NOT NULL,
	subject_id     TEXT NOT NULL,
	case_id        TEXT,
	referral_id    TEXT,
	jurisdiction   TEXT NOT NULL,
	owner          TEXT NOT NULL,
	owners         {{json}} NOT NULL,
	started_at     {{ts}} NOT NULL,
	due_at         {{ts}} NOT NULL,
	met_at         {{ts}},
	status         TEXT NOT NULL,
	policy_version {{bigint}} NOT NULL,
	last_position  {{bigint}} NOT NULL
)`, `CREATE INDEX IF NOT EXISTS rm_deadlines_stream ON rm_deadlines (stream_id)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_status_due ON rm_deadlines (status, due_at)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_owner ON rm_deadlines (owner)`,
		`CREATE INDEX IF NOT EXISTS rm_deadlines_jurisdiction ON rm_deadlines (jurisdiction)`,
		`CREATE TABLE IF NOT EXISTS rm_deadline_streams (
	stream_id    TEXT PRIMARY KEY,
	jurisdiction TEXT NOT NULL
)`}
}

// applyIndexes: Apply replaces a stream's rows by its stream_id.
func (*Deadlines) applyIndexes() []string { return []string{"rm_deadlines_stream"} }

// deadlineStream reports whether a stream has obligations of its own.
func deadlineStream(id string) bool {
	return strings.HasPrefix(id, "case-") || strings.HasPrefix(id, "child-") || strings.HasPrefix(id, "worker-")
}

// deadlineGroup bounds how many streams' histories one read brings into
// memory: a change of the policy derives again every stream seen so far.
const deadlineGroup = 2000

// Apply implements Projection. The histories of the touched streams and of
// the policy come in one read per group of streams, of what precedes the
// batch (the batch's own events are already decoded); a stream the view
// has no row of in rm_deadline_streams has no history before the batch and
// is not read. Their rows are replaced with a few multi-row statements.
func (dl *Deadlines) Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error {
	if len(events) == 0 {
		return nil
	}
	first, end := events[0].Position, events[len(events)-1].Position
	var streams []string
	seen := map[string]bool{}
	touch := func(id string) {
		if !seen[id] {
			seen[id] = true
			streams = append(streams, id)
		}
	}
	// recent is the batch's events of each stream; the history of a stream
	// is what the log holds of it before the batch, then these. Batches are
	// whole stretches of the log; were one not, its streams' histories
	// would be read up to its end instead.
	recent := map[string][]domain.Recorded{}
	readTo := first - 1
	policyChanged := false
	for i, r := range events {
		if r.Position != first+int64(i) {
			readTo = end
		}
		switch {
		case r.StreamID == domain.PolicyStream:
			policyChanged = true
		case deadlineStream(r.StreamID):
			touch(r.StreamID)
		default:
			continue
		}
		recent[r.StreamID] = append(recent[r.StreamID], r)
	}
	if readTo == end {
		recent = nil
	}
	// present is the streams the view has rows of: only those have a
	// history before the batch to read, and rows to replace.
	present := map[string]bool{}
	if policyChanged {
		known, err := knownDeadlineStreams(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range known {
			touch(id)
			present[id] = true
		}
	} else if err := presentDeadlineStreams(ctx, tx, streams, present); err != nil {
		return err
	}
	if len(streams) == 0 {
		return nil
	}
	sort.Strings(streams) // a stable lock order
	var policies domain.PolicyHistory
	for start := 0; start < len(streams); start += deadlineGroup {
		group := streams[start:min(start+deadlineGroup, len(streams))]
		members := group // and the policy, for the first group
		if start == 0 {
			members = append([]string{domain.PolicyStream}, group...)
		}
		var ids []string // those with a history before the batch
		for _, id := range members {
			if id == domain.PolicyStream || present[id] || recent == nil {
				ids = append(ids, id)
			}
		}
		histories := make(map[string][]domain.Recorded, len(members))
		if readTo > 0 && len(ids) > 0 { // 0 would read to the end of the log
			stored, err := dl.log.ReadStreams(ctx, ids, readTo)
			if err != nil {
				return fmt.Errorf("read streams: %w", err)
			}
			for id, s := range stored {
				if histories[id], err = dl.decode(id, s); err != nil {
					return err
				}
			}
		}
		for _, id := range members {
			if r := recent[id]; len(r) > 0 {
				histories[id] = append(histories[id], r...)
			}
		}
		if start == 0 {
			policies = dl.policies(histories[domain.PolicyStream])
		}
		if err := writeDeadlines(ctx, tx, d, group, histories, policies, present); err != nil {
			return err
		}
	}
	return nil
}

// policies is the policy history of the policy stream's events, loaded
// again only when they are not the ones last loaded.
func (dl *Deadlines) policies(history []domain.Recorded) domain.PolicyHistory {
	var last uuid.UUID
	if len(history) > 0 {
		last = history[len(history)-1].ID
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	p := &dl.policy
	if p.history == nil || p.count != len(history) || p.last != last {
		h := domain.LoadPolicyHistory(history)
		p.count, p.last, p.history = len(history), last, &h
	}
	return *p.history
}

func (dl *Deadlines) decode(streamID string, stored []eventstore.Event) ([]domain.Recorded, error) {
	history, err := commands.DecodeEvents(dl.registry, stored)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPoison, err)
	}
	return history, nil
}

// deadlineColumns are the columns of rm_deadlines, in the order written.
const deadlineColumns = `deadline_key, stream_id, kind, subject_id, case_id, referral_id, jurisdiction, owner, owners,
	started_at, due_at, met_at, status, policy_version, last_position`

// writeDeadlines derives the rows of the streams from their histories and
// replaces theirs in rm_deadlines and rm_deadline_streams.
func writeDeadlines(ctx context.Context, tx Tx, d Dialect, streams []string,
	histories map[string][]domain.Recorded, policies domain.PolicyHistory, present map[string]bool) error {
	var (
		written []string // streams with obligations of their own, whose rows are replaced
		places  [][]any  // (stream_id, jurisdiction) of each
		rows    [][]any  // the rows of rm_deadlines
	)
	for _, id := range streams {
		history := histories[id]
		jurisdiction, ds, ok := StreamDeadlines(id, history, policies)
		if !ok {
			continue
		}
		var last int64
		for _, r := range history {
			last = max(last, r.Position)
		}
		keys := DeadlineKeys(ds)
		for i, dl := range ds {
			row, err := deadlineRow(d, keys[i], id, jurisdiction, dl, last)
			if err != nil {
				return fmt.Errorf("deadlines of %s: %w", id, err)
			}
			rows = append(rows, row)
		}
		written = append(written, id)
		places = append(places, []any{id, jurisdiction})
	}
	if len(written) == 0 {
		return nil
	}
	var replaced []string
	for _, id := range written {
		if present[id] {
			replaced = append(replaced, id)
		}
	}
	if len(replaced) > 0 {
		in, args := inList(replaced)
		if _, err := tx.ExecContext(ctx, `DELETE FROM rm_deadlines WHERE stream_id IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("delete deadlines: %w", err)
		}
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_deadlines (`+deadlineColumns+`) VALUES `, ``, rows); err != nil {
		return fmt.Errorf("insert deadlines: %w", err)
	}
	if err := insertRows(ctx, tx, d, `INSERT INTO rm_deadline_streams (stream_id, jurisdiction) VALUES `,
		` ON CONFLICT (stream_id) DO UPDATE SET jurisdiction = excluded.jurisdiction`, places); err != nil {
		return fmt.Errorf("record deadline streams: %w", err)
	}
	return nil
}

// deadlineRow is the row of rm_deadlines of one obligation, in
// deadlineColumns order.
func deadlineRow(d Dialect, key, streamID, jurisdiction string, dl domain.Deadline, last int64) ([]any, error) {
	spans := make([]ownerSpan, len(dl.Owners))
	for j, s := range dl.Owners {
		spans[j] = ownerSpan{Owner: s.Owner, From: s.From.UTC()}
	}
	owners, err := json.Marshal(spans)
	if err != nil {
		return nil, err
	}
	var metAt time.Time
	if dl.MetAt != nil {
		metAt = *dl.MetAt
	}
	return []any{key, streamID, dl.Kind.String(), dl.SubjectID, nullText(dl.CaseID), nullText(dl.ReferralID),
		jurisdiction, dl.Owner, string(owners), d.Time(dl.StartedAt), d.Time(dl.DueAt), d.Time(metAt),
		dl.Status.String(), dl.PolicyVersion, last}, nil
}

// presentDeadlineStreams marks in present which of the streams the view has.
func presentDeadlineStreams(ctx context.Context, tx Tx, streams []string, present map[string]bool) error {
	for start := 0; start < len(streams); start += 500 {
		in, args := inList(streams[start:min(start+500, len(streams))])
		rows, err := tx.QueryContext(ctx, `SELECT stream_id FROM rm_deadline_streams WHERE stream_id IN (`+in+`)`, args...)
		if err != nil {
			return fmt.Errorf("read deadline streams: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			present[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read deadline streams: %w", err)
		}
	}
	return nil
}

func knownDeadlineStreams(ctx context.Context, tx Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT stream_id FROM rm_deadline_streams ORDER BY stream_id`)
	if err != nil {
		return nil, fmt.Errorf("read deadline streams: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// StreamHorizon is the moment a stream's obligations are judged at in the
// deadline view: the latest business time among its events.
func StreamHorizon(history []domain.Recorded) time.Time {
	var h time.Time
	for _, r := range history {
		if r.OccurredAt.After(h) {
			h = r.OccurredAt
		}
	}
	return h
}

// StreamDeadlines is what the deadline view holds of one stream: its
// jurisdiction (the case's, the child's now, the worker's) and its
// obligations, judged at StreamHorizon by the domain's clocks. ok is false
// for a stream that has no obligations of its own.
func StreamDeadlines(streamID string, history []domain.Recorded, policies domain.PolicyHistory) (jurisdiction string, deadlines []domain.Deadline, ok bool) {
	if len(history) == 0 {
		return "", nil, false
	}
	at := StreamHorizon(history)
	switch {
	case strings.HasPrefix(streamID, "case-"):
		return domain.LoadCase(domain.ChildFacts{}, history).Jurisdiction().String(), domain.CaseDeadlines(history, policies, at), true
	case strings.HasPrefix(streamID, "child-"):
		return domain.LoadChild(history).Jurisdiction().String(), domain.ChildDeadlines(history, policies, at), true
	case strings.HasPrefix(streamID, "worker-"):
		return domain.LoadWorker(history).Jurisdiction().String(), domain.WorkerDeadlines(history, policies, at), true
	}
	return "", nil, false
}

// DeadlineKey is the stable key of an obligation: kind, subject, referral,
// start, and an ordinal among obligations that share all four (two
// guardianships started at the same moment).
func DeadlineKey(dl domain.Deadline, ordinal int) string {
	return fmt.Sprintf("%s/%s/%s/%s/%d", dl.Kind, dl.SubjectID, dl.ReferralID,
		dl.StartedAt.UTC().Format(time.RFC3339Nano), ordinal)
}

// DeadlineKeys gives each obligation of one stream its DeadlineKey, in order.
func DeadlineKeys(ds []domain.Deadline) []string {
	keys := make([]string, len(ds))
	count := map[string]int{}
	for i, dl := range ds {
		base := DeadlineKey(dl, 0)
		keys[i] = DeadlineKey(dl, count[base])
		count[base]++
	}
	return keys
}

// ownerSpan is one entry of rm_deadlines.owners.
type ownerSpan struct {
	Owner string    `json:"owner"`
	From  time.Time `json:"from"`
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ownerAt is who owned an obligation at t by its ownership history; the
// first owner before it started.
func ownerAt(spans []ownerSpan, t time.Time) string {
	if len(spans) == 0 {
		return ""
	}
	i := sort.Search(len(spans), func(i int) bool { return spans[i].From.After(t) })
	return spans[max(i, 1)-1].Owner
}

func decodeOwners(raw []byte) ([]ownerSpan, error) {
	var spans []ownerSpan
	if err := json.Unmarshal(raw, &spans); err != nil {
		return nil, fmt.Errorf("owners: %w", err)
	}
	return spans, nil
}

// SweepMissed marks as missed every open obligation due before now, with
// its owner at the due time (who missed it), and says how many it marked.
// The status of rm_deadlines is then right for SQL readers; QueryDeadlines
// needs no sweep. A later change of the stream derives its rows again
// (open, as the record alone judges them) until the next sweep.
func SweepMissed(ctx context.Context, db *sql.DB, d Dialect, now time.Time) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT deadline_key, due_at, owners FROM rm_deadlines
		WHERE status = 'open' AND due_at < $1`, d.Time(now))
	if err != nil {
		return 0, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	type overdue struct {
		key   string
		due   scannedTime
		owner string
	}
	var found []overdue
	for rows.Next() {
		var o overdue
		var raw []byte
		if err := rows.Scan(&o.key, &o.due, &raw); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sweep missed deadlines: %w", err)
		}
		spans, err := decodeOwners(raw)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("sweep missed deadline %s: %w", o.key, err)
		}
		o.owner = ownerAt(spans, o.due.T)
		found = append(found, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	var changed int64
	for _, o := range found {
		res, err := tx.ExecContext(ctx, `UPDATE rm_deadlines SET status = 'missed', owner = $2
			WHERE deadline_key = $1 AND status = 'open' AND due_at < $3`, o.key, o.owner, d.Time(now))
		if err != nil {
			return 0, fmt.Errorf("sweep missed deadline %s: %w", o.key, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		changed += n
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	return changed, nil
}

// DeadlineFilter selects obligations for QueryDeadlines; zero fields
// select everything.
type DeadlineFilter struct {
	// Status is open, met, met_late or missed, judged at Now.
	Status string
	// JurisdictionPrefix keeps obligations whose jurisdiction starts with it.
	JurisdictionPrefix string
	// Owner keeps obligations owned by it (the owner as of Now's status).
	Owner string
	// DueBefore keeps obligations due before it.
	DueBefore time.Time
	// Now is the moment statuses are judged at (default time.Now()).
	Now time.Time
	// Limit bounds the rows returned (default 100, at most 1000).
	Limit int
	// After is a cursor: the deadline_key of the last row of the previous page.
	After string
}

// DeadlineRow is one obligation as GET /v1/deadlines shows it.
type DeadlineRow struct {
	Key           string     `json:"key"`
	Kind          string     `json:"kind"`
	SubjectID     string     `json:"subject_id"`
	CaseID        string     `json:"case_id,omitempty"`
	ReferralID    string     `json:"referral_id,omitempty"`
	Jurisdiction  string     `json:"jurisdiction"`
	Owner         string     `json:"owner"`
	StartedAt     time.Time  `json:"started_at"`
	DueAt         time.Time  `json:"due_at"`
	Status        string     `json:"status"`
	MetAt         *time.Time `json:"met_at,omitempty"`
	PolicyVersion int64      `json:"policy_version"`
}

// QueryDeadlines lists obligations in deadline_key order, statuses judged
// at f.Now: an open obligation already due reads as missed, owned by its
// owner at the due time, whether or not SweepMissed has run.
func QueryDeadlines(ctx context.Context, db *sql.DB, d Dialect, f DeadlineFilter) ([]DeadlineRow, error) {
	if f.Status != "" {
		if _, err := domain.ParseDeadlineStatus(f.Status); err != nil {
			return nil, err
		}
	}
	if f.Now.IsZero() {
		f.Now = time.Now()
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	now := d.Time(f.Now)

	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	switch f.Status {
	case "open":
		where = append(where, "status = 'open' AND due_at >= "+arg(now))
	case "missed":
		where = append(where, "(status = 'missed' OR (status = 'open' AND due_at < "+arg(now)+"))")
	case "met", "met_late":
		where = append(where, "status = "+arg(f.Status))
	}
	if p := f.JurisdictionPrefix; p != "" && p != domain.All.String() {
		where = append(where, "substr(jurisdiction, 1, "+arg(len(p))+") = "+arg(p))
	}
	if f.Owner != "" {
		// The owner of an overdue open row is decided below, by its history.
		where = append(where, "(owner = "+arg(f.Owner)+" OR (status = 'open' AND due_at < "+arg(now)+"))")
	}
	if !f.DueBefore.IsZero() {
		where = append(where, "due_at < "+arg(d.Time(f.DueBefore)))
	}
	cursor := arg(f.After)
	where = append(where, "deadline_key > "+cursor)
	q := `SELECT deadline_key, kind, subject_id, coalesce(case_id, ''), coalesce(referral_id, ''), jurisdiction, owner,
		owners, started_at, due_at, met_at, status, policy_version FROM rm_deadlines WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY deadline_key LIMIT ` + arg(f.Limit)

	var out []DeadlineRow
	for len(out) < f.Limit {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("query deadlines: %w", err)
		}
		page, last, err := scanDeadlineRows(rows, f)
		if err != nil {
			return nil, fmt.Errorf("query deadlines: %w", err)
		}
		out = append(out, page...)
		if last == "" {
			break
		}
		args[len(args)-2] = last // the cursor, for the next page
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// scanDeadlineRows reads one page, judges each row at f.Now and keeps those
// f selects; last is the key of the page's last row when the page was full.
func scanDeadlineRows(rows *sql.Rows, f DeadlineFilter) (kept []DeadlineRow, last string, err error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var r DeadlineRow
		var owners []byte
		var started, due, met scannedTime
		if err := rows.Scan(&r.Key, &r.Kind, &r.SubjectID, &r.CaseID, &r.ReferralID, &r.Jurisdiction, &r.Owner,
			&owners, &started, &due, &met, &r.Status, &r.PolicyVersion); err != nil {
			return nil, "", err
		}
		last = r.Key
		r.StartedAt, r.DueAt = started.T, due.T
		if met.Valid {
			t := met.T
			r.MetAt = &t
		}
		if r.Status == domain.DeadlineOpen.String() && r.DueAt.Before(f.Now) {
			spans, err := decodeOwners(owners)
			if err != nil {
				return nil, "", fmt.Errorf("deadline %s: %w", r.Key, err)
			}
			r.Status, r.Owner = domain.DeadlineMissed.String(), ownerAt(spans, r.DueAt)
		}
		if (f.Status == "" || r.Status == f.Status) && (f.Owner == "" || r.Owner == f.Owner) {
			kept = append(kept, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if n < f.Limit {
		last = ""
	}
	return kept, last, nil
}
