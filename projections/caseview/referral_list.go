package caseview

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// ReferralListing is a referral as a partner agency's list shows it (API.md
// GET /v1/referrals): the minimum necessary before it is accepted — the
// child's id, birth year, sex and place, never a name.
type ReferralListing struct {
	CaseID     string                `json:"case_id"`
	ReferralID string                `json:"referral_id"`
	Agency     domain.Agency         `json:"agency"`
	Service    domain.Service        `json:"service"`
	Status     domain.ReferralStatus `json:"status"`
	MadeAt     time.Time             `json:"made_at"`
	// DueAt is when the agency's answer is due (the referral_answer
	// obligation of the deadline view); absent while that view has not
	// caught up with the referral.
	DueAt *time.Time `json:"due_at,omitempty"`
	// AnsweredAt is the agency's earliest answer of any kind.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	// Jurisdiction is the case's.
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Child        ReferredChild       `json:"child"`
}

// ReferredChild is what a referral list says of the child: where the
// child lives now, when born (the year only) and the sex; birth_year and
// sex are absent while the child view has not caught up with the file.
type ReferredChild struct {
	ID           string              `json:"id"`
	BirthYear    int                 `json:"birth_year,omitempty"`
	Sex          domain.Sex          `json:"sex,omitzero"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
}

// ReferralFilter selects referrals for Referrals; zero fields select all.
type ReferralFilter struct {
	Agency domain.Agency
	Status domain.ReferralStatus
	Within domain.Jurisdiction // the case's jurisdiction lies within it
	After  string              // cursor: the last referral id of the previous page
	Limit  int
}

// referralSelect reads what scanReferral scans: the referral, its case's
// place and child, the child's facts (birth year, sex, place) and the due
// time of the answer.
const referralSelect = `SELECT r.case_id, r.referral_id, r.agency, r.service, r.status, r.made_at, r.answered_at,
	c.jurisdiction, c.child_id, ch.facts, d.due_at
	FROM rm_case_referrals r JOIN rm_cases c ON c.case_id = r.case_id
	LEFT JOIN rm_children ch ON ch.child_id = c.child_id
	LEFT JOIN rm_deadlines d ON d.kind = 'referral_answer' AND d.case_id = r.case_id AND d.referral_id = r.referral_id`

// Referrals lists referrals in referral-id order (a referral's id is
// unique in the log: its events' ids derive from the same command).
func Referrals(ctx context.Context, db readdb.DB, f ReferralFilter) ([]ReferralListing, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var a readdb.Args
	where := []string{"r.referral_id > " + a.Arg(f.After), db.Dialect.PrefixOf(&a, "c.jurisdiction", f.Within.String())}
	if !f.Agency.IsZero() {
		where = append(where, "r.agency = "+a.Arg(f.Agency.String()))
	}
	if !f.Status.IsZero() {
		where = append(where, "r.status = "+a.Arg(f.Status.String()))
	}
	rows, err := db.SQL.QueryContext(ctx, referralSelect+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.referral_id LIMIT `+a.Arg(f.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	defer rows.Close()
	out := []ReferralListing{}
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, fmt.Errorf("list referrals: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return out, nil
}

// FindReferral reads one referral by its id; one the view does not have is
// domain.NotFound("referral", id).
func FindReferral(ctx context.Context, db readdb.DB, id string) (ReferralListing, error) {
	r, err := scanReferral(db.SQL.QueryRowContext(ctx, referralSelect+` WHERE r.referral_id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ReferralListing{}, domain.NotFound("referral", id)
	}
	if err != nil {
		return ReferralListing{}, fmt.Errorf("find referral %s: %w", id, err)
	}
	return r, nil
}

func scanReferral(row interface{ Scan(...any) error }) (ReferralListing, error) {
	var r ReferralListing
	var agency, service, status, place string
	var made, answered, due readdb.Timestamp
	var facts []byte
	if err := row.Scan(&r.CaseID, &r.ReferralID, &agency, &service, &status, &made, &answered, &place, &r.Child.ID,
		&facts, &due); err != nil {
		return r, err
	}
	r.MadeAt, r.AnsweredAt, r.DueAt = made.T, answered.Ptr(), due.Ptr()
	for _, w := range []struct {
		into interface{ UnmarshalText([]byte) error }
		word string
	}{{&r.Agency, agency}, {&r.Service, service}, {&r.Status, status}} {
		if err := w.into.UnmarshalText([]byte(w.word)); err != nil {
			return r, fmt.Errorf("referral %s: %w", r.ReferralID, err)
		}
	}
	var err error
	if r.Jurisdiction, err = domain.ParseJurisdiction(place); err != nil {
		return r, fmt.Errorf("referral %s: %w", r.ReferralID, err)
	}
	r.Child.Jurisdiction = r.Jurisdiction
	if len(facts) > 0 {
		var child domain.ChildFacts
		if err := child.UnmarshalBinary(facts); err != nil {
			return r, fmt.Errorf("referral %s: the child's facts: %w", r.ReferralID, err)
		}
		r.Child.BirthYear, r.Child.Sex = child.BirthYear, child.Sex
		if !child.Jurisdiction.IsZero() {
			r.Child.Jurisdiction = child.Jurisdiction
		}
	}
	return r, nil
}
