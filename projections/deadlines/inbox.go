package deadlines

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Scope is whose obligations are a worker's own: those it owns by name
// (Subject), by the post it holds (Posts), or by its role in its
// jurisdiction (RoleOwner, e.g. "agency:police", or a RolePrefix such as
// "caseworker:", for obligations within Within).
type Scope struct {
	Subject    string
	Posts      []string
	RoleOwner  string
	RolePrefix string
	Within     domain.Jurisdiction
	// All: every obligation within Within (a webhook's), whoever owns it.
	All bool
}

// owned spells the condition that a row of rm_deadlines is the worker's
// own, in d's words, binding its arguments in a ("" when nothing is).
func (s Scope) owned(d readdb.Dialect, a *readdb.Args) string {
	if s.All {
		return "(" + d.PrefixOf(a, "jurisdiction", s.Within.String()) + ")"
	}
	var whose []string
	if s.Subject != "" {
		whose = append(whose, "owner = "+a.Arg(s.Subject))
	}
	for _, p := range s.Posts {
		whose = append(whose, "owner = "+a.Arg(p))
	}
	if s.RoleOwner != "" {
		whose = append(whose, "(owner = "+a.Arg(s.RoleOwner)+" AND "+d.PrefixOf(a, "jurisdiction", s.Within.String())+")")
	}
	if s.RolePrefix != "" {
		whose = append(whose, "(substr(owner, 1, "+a.Arg(len(s.RolePrefix))+") = "+a.Arg(s.RolePrefix)+
			" AND "+d.PrefixOf(a, "jurisdiction", s.Within.String())+")")
	}
	if len(whose) == 0 {
		return ""
	}
	return "(" + strings.Join(whose, " OR ") + ")"
}

// mine reports whether an owner is the worker itself or its post.
func (s Scope) mine(owner string) bool { return owner == s.Subject || slices.Contains(s.Posts, owner) }

// InboxFilter selects a worker's work for Inbox: the open obligations of
// its Scope and, when EscalatedBefore is set, the obligations missed within
// Within that fell due in [EscalatedSince, EscalatedBefore), escalated to
// it.
type InboxFilter struct {
	Scope
	// Only, when set, keeps only obligations that lie within it.
	Only domain.Jurisdiction

	EscalatedSince, EscalatedBefore time.Time

	// Now judges statuses; DueSoon is how long before its due time an open
	// obligation is due soon.
	Now     time.Time
	DueSoon time.Duration
	// Limit bounds the items (default 100, at most 1000); After is the
	// cursor: the last item of the previous page.
	Limit int
	After InboxCursor
}

// InboxCursor is where a page of an inbox ends: items are in due order,
// then key.
type InboxCursor struct {
	Due time.Time `json:"d"`
	Key string    `json:"k"`
}

// InboxItem is an obligation in an inbox: due soon (open, due within the
// policy's due_soon), or escalated (missed, and another's).
type InboxItem struct {
	Row
	DueSoon   bool `json:"due_soon"`
	Escalated bool `json:"escalated"`
}

// Inbox lists a worker's work in due order, then key.
func Inbox(ctx context.Context, db readdb.DB, f InboxFilter) ([]InboxItem, error) {
	if f.Now.IsZero() {
		f.Now = db.Now()
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	d := db.Dialect
	now := d.Time(f.Now)

	own := func() ([]Row, error) {
		var a readdb.Args
		owned := f.owned(db.Dialect, &a)
		if owned == "" {
			return nil, nil
		}
		where := "status = 'open' AND due_at >= " + a.Arg(now) + " AND " + owned
		if !f.Only.IsZero() {
			where += " AND " + db.Dialect.PrefixOf(&a, "jurisdiction", f.Only.String())
		}
		return inboxPage(ctx, db, f, &a, where)
	}
	escalated := func() ([]Row, error) {
		if f.EscalatedBefore.IsZero() {
			return nil, nil
		}
		var a readdb.Args
		where := "(status = 'missed' OR (status = 'open' AND due_at < " + a.Arg(now) + ")) AND due_at < " +
			a.Arg(d.Time(f.EscalatedBefore)) + " AND due_at >= " + a.Arg(d.Time(f.EscalatedSince)) + " AND " +
			db.Dialect.PrefixOf(&a, "jurisdiction", f.Within.String())
		return inboxPage(ctx, db, f, &a, where)
	}
	mine, err := own()
	if err != nil {
		return nil, err
	}
	theirs, err := escalated()
	if err != nil {
		return nil, err
	}
	out := make([]InboxItem, 0, len(mine)+len(theirs))
	for _, r := range mine {
		out = append(out, InboxItem{Row: r, DueSoon: r.Status == domain.DeadlineOpen.String() && !r.DueAt.After(f.Now.Add(f.DueSoon))})
	}
	for _, r := range theirs {
		if f.mine(r.Owner) {
			continue // its own, missed: not escalated to itself
		}
		out = append(out, InboxItem{Row: r, Escalated: true})
	}
	slices.SortFunc(out, func(x, y InboxItem) int {
		if c := x.DueAt.Compare(y.DueAt); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// inboxPage reads up to f.Limit rows where holds, after f's cursor, in due
// order, judged at f.Now.
func inboxPage(ctx context.Context, db readdb.DB, f InboxFilter, a *readdb.Args, where string) ([]Row, error) {
	if !f.After.Due.IsZero() {
		due := db.Dialect.Time(f.After.Due)
		where += " AND (due_at > " + a.Arg(due) + " OR (due_at = " + a.Arg(due) + " AND deadline_key > " + a.Arg(f.After.Key) + "))"
	}
	rows, err := db.SQL.QueryContext(ctx, selectRow+` WHERE `+where+` ORDER BY due_at, deadline_key LIMIT `+a.Arg(f.Limit), *a...)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	out, _, err := scanRows(rows, Filter{Now: f.Now, Limit: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// Policies is the deadline policy's history as the view has it.
func Policies(ctx context.Context, db readdb.DB) (domain.PolicyHistory, error) {
	return loadPolicies(ctx, db.SQL)
}
