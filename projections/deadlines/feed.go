package deadlines

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// The notifications feed (GET /v1/notifications) is read from the view,
// not kept in memory: a worker's notifications are a function of the rows
// and the time, so that a reader resumes from where it stood after a
// disconnection or a restart of the server.
//
//   - An obligation of the worker's Scope that becomes known is told once,
//     in opened_seq order: obligation.opened (referral.received for a
//     referral's answer), with its status when told.
//   - The clock tells what happens to a known obligation at a moment:
//     obligation.due_soon at its due time less the policy's due_soon,
//     obligation.missed at its due time, if not met by then; and a missed
//     obligation of another in the worker's reach is obligation.escalated —
//     to a township's supervisor at its due time, to the inspectors the
//     policy's escalate_after later.
//
// A FeedCursor says how far a reader has been told, in both orders.

// Notification kinds (the domain's).
const (
	NoticeOpened    = domain.NoticeOpened
	NoticeDueSoon   = domain.NoticeDueSoon
	NoticeMissed    = domain.NoticeMissed
	NoticeEscalated = domain.NoticeEscalated
	NoticeReferral  = domain.NoticeReferral
)

// FeedCursor is where a reader of the feed stands: every obligation known
// up to Seq has been told, and every moment of the clock up to At, of the
// obligations and kinds at At up to (Key, Kind). Generation is the view's
// (a rebuild starts another).
type FeedCursor struct {
	Generation string `json:"g"`
	Seq        int64  `json:"s"`
	// Resync, while set, is the last obligation known when the reader's
	// generation was found gone: up to it, only the open ones are told.
	Resync int64     `json:"r,omitempty"`
	At     time.Time `json:"t"`
	Key    string    `json:"k,omitempty"`
	Kind   string    `json:"n,omitempty"`
}

// ID spells the cursor as a notification's id (an SSE event id, a
// webhook delivery's id): opaque to readers, base64url of its JSON.
func (c FeedCursor) ID() (string, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// Notification is one thing told to a reader, with the cursor after it.
type Notification struct {
	Kind     string
	At       time.Time
	Deadline Row
	After    FeedCursor
}

// FeedFilter is whose feed: a Scope, and whether missed obligations of
// others within Scope.Within are escalated to it (EscalateAfter from their
// due time; Escalated false: never). DueSoon is the policy's due_soon; Now
// the moment the clock has reached.
type FeedFilter struct {
	Scope
	// Only, when set, keeps only obligations that lie within it.
	Only          domain.Jurisdiction
	Escalated     bool
	EscalateAfter time.Duration
	DueSoon       time.Duration
	Now           time.Time
}

// FeedStart is the cursor of a reader that starts now: told nothing that
// is known already, nor anything the clock has passed.
func FeedStart(ctx context.Context, db readdb.DB, now time.Time) (FeedCursor, error) {
	gen, err := generation(ctx, db)
	if err != nil {
		return FeedCursor{}, err
	}
	known, err := lastKnown(ctx, db)
	if err != nil {
		return FeedCursor{}, err
	}
	return FeedCursor{Generation: gen, Seq: known, At: now}, nil
}

// lastKnown is the number of the last obligation the view knows (0: none).
func lastKnown(ctx context.Context, db readdb.DB) (int64, error) {
	var seq sql.NullInt64
	if err := db.SQL.QueryRowContext(ctx, `SELECT max(opened_seq) FROM rm_deadlines`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	return seq.Int64, nil
}

// Feed gives up to limit notifications after the cursor, in order: the
// obligations that became known first, then the clock's; and the cursor
// after them (which moves on with the clock even when there is nothing to
// tell). A cursor of another generation (the view was rebuilt) is told
// again every open obligation of its scope, then goes on from there; one
// started before the view's first Apply is of its first generation.
func Feed(ctx context.Context, db readdb.DB, f FeedFilter, after FeedCursor, limit int) ([]Notification, FeedCursor, error) {
	gen, err := generation(ctx, db)
	if err != nil {
		return nil, after, err
	}
	known, err := lastKnown(ctx, db)
	if err != nil {
		return nil, after, err
	}
	if after.Generation == "" && after.Seq == 0 {
		// Started before the view's first Apply (FeedStart on a fresh
		// store: a webhook registered, a stream opened, before any
		// obligation): the view then knew none, so every obligation of
		// this generation became known after the cursor and is told.
		after.Generation = gen
	}
	if after.Generation != gen {
		after = FeedCursor{Generation: gen, Resync: max(known, 1), At: after.At}
		if after.At.IsZero() || after.At.After(f.Now) {
			after.At = f.Now
		}
	}
	out, err := opened(ctx, db, f, after, known, limit)
	if err != nil {
		return nil, after, err
	}
	if len(out) > 0 {
		after = out[len(out)-1].After
	}
	if len(out) == limit {
		return out, after, nil
	}
	// Every obligation of the scope known so far is told (when resyncing,
	// every open one): the reader has seen all up to known.
	after.Seq, after.Resync = max(after.Seq, known, after.Resync), 0
	if len(out) > 0 {
		out[len(out)-1].After = after
	}
	more, next, err := clocked(ctx, db, f, after, limit-len(out))
	if err != nil {
		return nil, after, err
	}
	return append(out, more...), next, nil
}

// generation is the view's generation ("" before its first Apply).
func generation(ctx context.Context, db readdb.DB) (string, error) {
	var gen string
	err := db.SQL.QueryRowContext(ctx, `SELECT generation FROM rm_deadline_meta`).Scan(&gen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("feed: %w", err)
	}
	return gen, nil
}

// opened tells the obligations of the scope known after the cursor, up to
// known (when resyncing, only those open now, up to the resync's last).
func opened(ctx context.Context, db readdb.DB, f FeedFilter, after FeedCursor, known int64, limit int) ([]Notification, error) {
	var a readdb.Args
	owned := f.owned(db.Dialect, &a)
	if owned == "" {
		return nil, nil
	}
	where := owned + " AND opened_seq > " + a.Arg(after.Seq) + " AND opened_seq <= " + a.Arg(known)
	if !f.Only.IsZero() {
		where += " AND " + db.Dialect.PrefixOf(&a, "jurisdiction", f.Only.String())
	}
	if after.Resync != 0 {
		where += " AND opened_seq <= " + a.Arg(after.Resync) + " AND status = 'open' AND due_at >= " + a.Arg(db.Dialect.Time(f.Now))
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT opened_seq, `+strings.TrimPrefix(selectRow, "SELECT ")+` WHERE `+where+
		` ORDER BY opened_seq LIMIT `+a.Arg(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var seq int64
		r, err := scanRow(rows, f.Now, &seq)
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		kind := NoticeOpened
		if r.Kind == domain.KindReferralAnswer.String() {
			kind = NoticeReferral
		}
		cur := after
		cur.Seq = seq
		out = append(out, Notification{Kind: kind, At: r.StartedAt, Deadline: r, After: cur})
		after = cur
	}
	return out, rows.Err()
}

// allTold is a cursor key after every key: every notification at the
// cursor's moment has been told.
const allTold = "\U0010FFFF"

// clocked tells what the clock did to known obligations after the cursor's
// moment, up to f.Now, in the order of the moments (then key and kind), and
// gives the cursor after them.
func clocked(ctx context.Context, db readdb.DB, f FeedFilter, after FeedCursor, limit int) ([]Notification, FeedCursor, error) {
	type window struct {
		kind  string
		shift time.Duration // the moment is due_at + shift
		mine  bool          // the scope's own obligations, else others' escalated
	}
	windows := []window{{NoticeDueSoon, -f.DueSoon, true}, {NoticeMissed, 0, true}}
	if f.Escalated {
		windows = append(windows, window{NoticeEscalated, f.EscalateAfter, false})
	}
	// Each window reads up to limit rows past the cursor; one that has more
	// bounds how far this call may tell (bound), so that nothing is skipped.
	bound := FeedCursor{At: f.Now, Key: allTold}
	var out []Notification
	for _, w := range windows {
		var a readdb.Args
		var who string
		if w.mine {
			if who = f.owned(db.Dialect, &a); who == "" {
				continue
			}
		} else {
			who = db.Dialect.PrefixOf(&a, "jurisdiction", f.Within.String())
		}
		from := db.Dialect.Time(after.At.Add(-w.shift))
		past := "due_at > " + a.Arg(from) + " OR (due_at = " + a.Arg(from) + " AND deadline_key > " + a.Arg(after.Key) + ")"
		if w.kind > after.Kind {
			past += " OR (due_at = " + a.Arg(from) + " AND deadline_key = " + a.Arg(after.Key) + ")"
		}
		where := who + " AND opened_seq <= " + a.Arg(after.Seq) + " AND (" + past + ") AND due_at <= " +
			a.Arg(db.Dialect.Time(f.Now.Add(-w.shift)))
		if !f.Only.IsZero() {
			where += " AND " + db.Dialect.PrefixOf(&a, "jurisdiction", f.Only.String())
		}
		rows, err := db.SQL.QueryContext(ctx, `SELECT opened_seq, `+strings.TrimPrefix(selectRow, "SELECT ")+` WHERE `+where+
			` ORDER BY due_at, deadline_key LIMIT `+a.Arg(limit), a...)
		if err != nil {
			return nil, after, fmt.Errorf("feed: %w", err)
		}
		n := 0
		var last Notification
		for rows.Next() {
			n++
			var seq int64
			r, err := scanRow(rows, f.Now, &seq)
			if err != nil {
				rows.Close()
				return nil, after, fmt.Errorf("feed: %w", err)
			}
			last = Notification{Kind: w.kind, At: r.DueAt.Add(w.shift), Deadline: r}
			if r.MetAt != nil && !r.MetAt.After(r.DueAt.Add(min(w.shift, 0))) {
				continue // met before the moment came
			}
			if !w.mine && f.mine(r.Owner) {
				continue // its own: missed, not escalated to itself
			}
			out = append(out, last)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, after, fmt.Errorf("feed: %w", err)
		}
		if n == limit && notAfter(last, bound) {
			bound = FeedCursor{At: last.At, Key: last.Deadline.Key, Kind: last.Kind}
		}
	}
	slices.SortFunc(out, func(x, y Notification) int { return compareNotes(x, y) })
	out = slices.DeleteFunc(out, func(n Notification) bool { return !notAfter(n, bound) })
	next := FeedCursor{Generation: after.Generation, Seq: after.Seq, At: bound.At, Key: bound.Key, Kind: bound.Kind}
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next.At, next.Key, next.Kind = last.At, last.Deadline.Key, last.Kind
	}
	for i := range out {
		out[i].After = FeedCursor{Generation: after.Generation, Seq: after.Seq, At: out[i].At, Key: out[i].Deadline.Key, Kind: out[i].Kind}
	}
	if len(out) > 0 {
		out[len(out)-1].After = next
	}
	return out, next, nil
}

// notAfter reports whether n comes at or before the cursor c in the
// clock's order.
func notAfter(n Notification, c FeedCursor) bool {
	return compareNotes(n, Notification{At: c.At, Kind: c.Kind, Deadline: Row{Key: c.Key}}) <= 0
}

func compareNotes(x, y Notification) int {
	if c := x.At.Compare(y.At); c != 0 {
		return c
	}
	if c := strings.Compare(x.Deadline.Key, y.Deadline.Key); c != 0 {
		return c
	}
	return strings.Compare(x.Kind, y.Kind)
}
