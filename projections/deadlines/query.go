package deadlines

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Row is one obligation as GET /v1/deadlines and the case page show it.
type Row struct {
	Key        string `json:"key"`
	Kind       string `json:"kind"`
	SubjectID  string `json:"subject_id"`
	CaseID     string `json:"case_id,omitempty"`
	ReferralID string `json:"referral_id,omitempty"`
	// InquiryID and RectificationID name a rectification item.
	InquiryID       string              `json:"inquiry_id,omitempty"`
	RectificationID string              `json:"rectification_id,omitempty"`
	Jurisdiction    domain.Jurisdiction `json:"jurisdiction"`
	Owner           string              `json:"owner"`
	// OwnerName is the owner's name in the real-name register, and Vacant
	// says that the owner is a post nobody held (api: resolved from the
	// register at the moment that decided the status).
	OwnerName     string     `json:"owner_name,omitempty"`
	Vacant        bool       `json:"vacant,omitempty"`
	StartedAt     time.Time  `json:"started_at"`
	DueAt         time.Time  `json:"due_at"`
	Status        string     `json:"status"`
	MetAt         *time.Time `json:"met_at,omitempty"`
	PolicyVersion int64      `json:"policy_version"`
}

// Filter selects obligations for Query; zero fields select everything.
type Filter struct {
	// Status is open, met, met_late or missed, judged at Now.
	Status string
	// Within keeps obligations whose jurisdiction it covers (zero or
	// domain.All: everywhere).
	Within domain.Jurisdiction
	// Owner keeps obligations owned by it (the owner as of Now's status);
	// Owners, by any of them (a worker and the posts it held).
	Owner  string
	Owners []string
	// DueBefore keeps obligations due before it.
	DueBefore time.Time
	// Now is the moment statuses are judged at (zero: db.Now()).
	Now time.Time
	// Limit bounds the rows returned (default 100, at most 1000).
	Limit int
	// After is a cursor: the Key of the last row of the previous page.
	After string
}

// selectRow reads the columns scanRows scans.
const selectRow = `SELECT deadline_key, kind, subject_id, coalesce(case_id, ''), coalesce(referral_id, ''),
	coalesce(inquiry_id, ''), coalesce(rectification_id, ''), jurisdiction,
	owner, owners, started_at, due_at, met_at, status, policy_version FROM rm_deadlines`

// Query lists obligations in Key order, statuses judged at f.Now: an open
// obligation already due reads as missed, owned by its owner at the due
// time, whether or not Tick has reached it. An invalid Status is a
// *domain.InvalidError naming "status".
func Query(ctx context.Context, db readdb.DB, f Filter) ([]Row, error) {
	if f.Status != "" {
		if _, err := domain.ParseDeadlineStatus(f.Status); err != nil {
			return nil, err
		}
	}
	if f.Now.IsZero() {
		f.Now = db.Now()
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	now := db.Dialect.Time(f.Now)

	// Each branch is one status's rows in key order (an index gives them
	// so: rm_deadlines_status_key, or the primary key), so that a page
	// reads about Limit rows, never every row of a status sorted. Missed
	// rows are those recorded missed and those open past due: two
	// branches, merged in key order.
	var args readdb.Args
	var cursors []int
	branch := func(from, status string) string {
		where := []string{status, db.Dialect.PrefixOf(&args, "jurisdiction", f.Within.String())}
		if owners := f.owners(); len(owners) > 0 {
			// The owner of an overdue open row is decided below, by its history.
			in := make([]string, len(owners))
			for i, o := range owners {
				in[i] = args.Arg(o)
			}
			where = append(where, "(owner IN ("+strings.Join(in, ", ")+") OR (status = 'open' AND due_at < "+args.Arg(now)+"))")
		}
		if !f.DueBefore.IsZero() {
			where = append(where, "due_at < "+args.Arg(db.Dialect.Time(f.DueBefore)))
		}
		where = append(where, "deadline_key > "+args.Arg(f.After))
		cursors = append(cursors, len(args)-1)
		return from + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY deadline_key LIMIT ` + args.Arg(f.Limit)
	}
	var q string
	switch f.Status {
	case "open":
		q = branch(selectRow, "status = 'open' AND due_at >= "+args.Arg(now))
	case "missed":
		missed := branch(selectRow, "status = 'missed'")
		// Open rows past due are few (each tick marks them missed): the
		// (status, due_at) range finds them at once, where walking the
		// open rows in key order would read them all. SQLite, without
		// statistics, is told; PostgreSQL's planner has its own.
		from := selectRow
		if db.Dialect == readdb.SQLite {
			from = strings.Replace(selectRow, "FROM rm_deadlines", "FROM rm_deadlines INDEXED BY rm_deadlines_status_due", 1)
		}
		overdue := branch(from, "status = 'open' AND due_at < "+args.Arg(now))
		q = `SELECT * FROM (` + missed + `) recorded UNION ALL SELECT * FROM (` + overdue + `) overdue
			ORDER BY 1 LIMIT ` + args.Arg(f.Limit)
	case "met", "met_late":
		q = branch(selectRow, "status = "+args.Arg(f.Status))
	default:
		q = branch(selectRow, "1 = 1")
	}

	var out []Row
	for len(out) < f.Limit {
		rows, err := db.SQL.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("query deadlines: %w", err)
		}
		page, last, err := scanRows(rows, f)
		if err != nil {
			return nil, fmt.Errorf("query deadlines: %w", err)
		}
		out = append(out, page...)
		if last == "" {
			break
		}
		for _, c := range cursors {
			args[c] = last // the next page
		}
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// OfCase lists a case's obligations in due order, statuses judged at
// db.Now(); a case the view does not have has none.
func OfCase(ctx context.Context, db readdb.DB, caseID string) ([]Row, error) {
	rows, err := db.SQL.QueryContext(ctx, selectRow+` WHERE stream_id = $1 ORDER BY due_at, deadline_key`,
		domain.CaseStream(caseID).String())
	if err != nil {
		return nil, fmt.Errorf("deadlines of case %s: %w", caseID, err)
	}
	out, _, err := scanRows(rows, Filter{Now: db.Now()})
	if err != nil {
		return nil, fmt.Errorf("deadlines of case %s: %w", caseID, err)
	}
	if out == nil {
		out = []Row{}
	}
	return out, nil
}

// scanRows reads rows of selectRow, judges each at f.Now and keeps those
// f selects; last is the key of the last row read when f.Limit rows were
// read (there may be more).
func scanRows(rows *sql.Rows, f Filter) (kept []Row, last string, err error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		r, err := scanRow(rows, f.Now, nil)
		if err != nil {
			return nil, "", err
		}
		last = r.Key
		if owners := f.owners(); (f.Status == "" || r.Status == f.Status) && (len(owners) == 0 || slices.Contains(owners, r.Owner)) {
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

// scanRow reads the current row of selectRow (after opened_seq, into seq,
// when seq is not nil) and judges it at now: an open obligation already
// due reads as missed, owned by its owner at the due time.
func scanRow(rows *sql.Rows, now time.Time, seq *int64) (Row, error) {
	var r Row
	var place string
	var owners []byte
	var started, due, met readdb.Timestamp
	dest := []any{&r.Key, &r.Kind, &r.SubjectID, &r.CaseID, &r.ReferralID, &r.InquiryID, &r.RectificationID, &place, &r.Owner,
		&owners, &started, &due, &met, &r.Status, &r.PolicyVersion}
	if seq != nil {
		dest = append([]any{seq}, dest...)
	}
	if err := rows.Scan(dest...); err != nil {
		return Row{}, err
	}
	if err := r.Jurisdiction.UnmarshalText([]byte(place)); err != nil {
		return Row{}, fmt.Errorf("deadline %s: %w", r.Key, err)
	}
	r.StartedAt, r.DueAt, r.MetAt = started.T, due.T, met.Ptr()
	if r.Status == domain.DeadlineOpen.String() && r.DueAt.Before(now) {
		var err error
		if r.Owner, err = ownerAtDue(r.Owner, owners, r.DueAt); err != nil {
			return Row{}, fmt.Errorf("deadline %s: %w", r.Key, err)
		}
		r.Status = domain.DeadlineMissed.String()
	}
	return r, nil
}

// owners are the owners the filter keeps (none: any).
func (f Filter) owners() []string {
	if f.Owner == "" {
		return f.Owners
	}
	return append(slices.Clone(f.Owners), f.Owner)
}
