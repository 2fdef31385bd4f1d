package inquiries

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Inquiry is an inquiry as GET /v1/inquiries lists it. Its jurisdiction is
// that of the case or child it looks into, as the case and child views
// have it now.
type Inquiry struct {
	ID           string              `json:"id"`
	CaseID       string              `json:"case_id,omitempty"`
	ChildID      string              `json:"child_id,omitempty"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Status       string              `json:"status"`
	IncidentAt   time.Time           `json:"incident_at"`
	OpenedAt     time.Time           `json:"opened_at"`
	OpenedBy     string              `json:"opened_by"`
	// FindingsAt is when the findings were recorded; ClosedAt when the
	// inquiry was closed (status "closed").
	FindingsAt *time.Time `json:"findings_at,omitempty"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
}

// Filter selects inquiries for List; its zero value selects everything.
type Filter struct {
	Status string              // "open" or "closed" (zero: both)
	Within domain.Jurisdiction // zero or domain.All: everywhere
	After  string              // cursor: the id of the previous page's last inquiry
	Limit  int                 // default 50
}

// place is the jurisdiction of what an inquiry looks into.
const place = `coalesce(c.jurisdiction, ch.jurisdiction, '')`

// List lists inquiries in id order. An invalid Status is a
// *domain.InvalidError naming "status".
func List(ctx context.Context, db readdb.DB, f Filter) ([]Inquiry, error) {
	if f.Status != "" && f.Status != "open" && f.Status != "closed" {
		return nil, &domain.InvalidError{Field: "status", Message: "must be open or closed"}
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var a readdb.Args
	where := []string{"i.inquiry_id > " + a.Arg(f.After), db.Dialect.PrefixOf(&a, place, f.Within.String())}
	if f.Status != "" {
		where = append(where, "i.status = "+a.Arg(f.Status))
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT i.inquiry_id, i.case_id, i.child_id, i.status, i.incident_at, i.opened_at, i.opened_by, i.findings_at, i.closed_at, `+place+`
		FROM rm_inquiries i LEFT JOIN rm_cases c ON c.case_id = i.case_id LEFT JOIN rm_children ch ON ch.child_id = i.child_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY i.inquiry_id LIMIT `+a.Arg(f.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list inquiries: %w", err)
	}
	defer rows.Close()
	out := []Inquiry{}
	for rows.Next() {
		var in Inquiry
		var incident, opened, found, closed readdb.Timestamp
		var j string
		if err := rows.Scan(&in.ID, &in.CaseID, &in.ChildID, &in.Status, &incident, &opened, &in.OpenedBy, &found, &closed, &j); err != nil {
			return nil, fmt.Errorf("list inquiries: %w", err)
		}
		in.IncidentAt, in.OpenedAt, in.FindingsAt, in.ClosedAt = incident.T, opened.T, found.Ptr(), closed.Ptr()
		if j != "" {
			if in.Jurisdiction, err = domain.ParseJurisdiction(j); err != nil {
				return nil, fmt.Errorf("inquiry %s: %w", in.ID, err)
			}
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// OpenInto are the open inquiries into a child or any of its cases; a
// closed one holds nothing.
func OpenInto(ctx context.Context, db readdb.DB, childID string, caseIDs []string) ([]string, error) {
	return into(ctx, db, childID, caseIDs, "open")
}
