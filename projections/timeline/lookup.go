package timeline

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// lookups are what a batch needs to know of the cases it touches: each
// case's child and each referral's agency and service, read once, with
// what the batch itself teaches kept aside to be written at its end.
type lookups struct {
	childOf   map[string]string      // case id → child id
	referrals map[referralKey]answer // a case's referral → agency, service
	newCases  [][]any
	newRefs   [][]any
}

type referralKey struct{ caseID, referralID string }

type answer struct {
	agency  domain.Agency
	service domain.Service
}

// loadLookups reads the lookups of the cases named; a case not named has
// none yet.
func loadLookups(ctx context.Context, tx readdb.Tx, caseIDs []string) (*lookups, error) {
	l := &lookups{childOf: map[string]string{}, referrals: map[referralKey]answer{}}
	err := readdb.Chunks(caseIDs, func(piece []string) error {
		in, args := readdb.InList(piece)
		if err := l.loadCases(ctx, tx, in, args); err != nil {
			return fmt.Errorf("load cases: %w", err)
		}
		if err := l.loadReferrals(ctx, tx, in, args); err != nil {
			return fmt.Errorf("load referrals: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	return l, nil
}

func (l *lookups) loadCases(ctx context.Context, tx readdb.Tx, in string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT case_id, child_id FROM rm_timeline_cases WHERE case_id IN (`+in+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, childID string
		if err := rows.Scan(&caseID, &childID); err != nil {
			return err
		}
		l.childOf[caseID] = childID
	}
	return rows.Err()
}

func (l *lookups) loadReferrals(ctx context.Context, tx readdb.Tx, in string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT case_id, referral_id, agency, service FROM rm_timeline_referrals
		WHERE case_id IN (`+in+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k referralKey
		var agency, service string
		if err := rows.Scan(&k.caseID, &k.referralID, &agency, &service); err != nil {
			return err
		}
		var a answer
		if a.agency, err = domain.ParseAgency(agency); err != nil {
			return err
		}
		if a.service, err = domain.ParseService(service); err != nil {
			return err
		}
		l.referrals[k] = a
	}
	return rows.Err()
}

// learn keeps what an event of a case's stream tells the lookups, by the
// rules of domain.CaseFacts: the stream's first report names the child (a
// second one changes nothing), a referral is the first made with its id,
// and nothing counts before the report.
func (l *lookups) learn(caseID string, ev domain.Event) {
	_, opened := l.childOf[caseID]
	switch e := ev.(type) {
	case domain.ReportReceived:
		if !opened {
			l.childOf[caseID] = e.ChildID
			l.newCases = append(l.newCases, []any{caseID, e.ChildID})
		}
	case domain.ReferralMade:
		k := referralKey{caseID, e.ReferralID}
		if _, made := l.referrals[k]; opened && !made {
			l.referrals[k] = answer{e.Agency, e.Service}
			l.newRefs = append(l.newRefs, []any{caseID, e.ReferralID, e.Agency.String(), e.Service.String()})
		}
	}
}

// referralsOf finds the referrals of a case, for Summary.
func (l *lookups) referralsOf(caseID string) func(id string) (domain.Agency, domain.Service, bool) {
	return func(id string) (domain.Agency, domain.Service, bool) {
		a, ok := l.referrals[referralKey{caseID, id}]
		return a.agency, a.service, ok
	}
}

// save writes what the batch taught the lookups.
func (l *lookups) save(ctx context.Context, tx readdb.Tx, d readdb.Dialect) error {
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_timeline_cases (case_id, child_id) VALUES `, ``, l.newCases); err != nil {
		return fmt.Errorf("timeline: save cases: %w", err)
	}
	if err := readdb.InsertRows(ctx, tx, d, `INSERT INTO rm_timeline_referrals (case_id, referral_id, agency, service) VALUES `,
		``, l.newRefs); err != nil {
		return fmt.Errorf("timeline: save referrals: %w", err)
	}
	return nil
}
