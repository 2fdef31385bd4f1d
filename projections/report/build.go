package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/record"
	"github.com/careledger/careledger/projections/timeline"
)

// BuildInquiryReport makes the report of an inquiry as the record stood at
// asOf (zero, or later than now: now, by db's clock). It reads the events
// themselves through rec, asking the read models (db) only for a child's
// cases, and who read the child's record from the access log (in reads),
// and verifies the hash chain. scope is the reader's jurisdiction: an
// inquiry whose subject lies outside it is ErrNoInquiry, as if it did not
// exist.
func BuildInquiryReport(ctx context.Context, rec *record.Reader, db, reads readdb.DB, inquiryID string, asOf time.Time, scope domain.Jurisdiction) (*Report, error) {
	b := newBuilder(rec, db, reads, asOf)
	id := domain.InquiryStream(inquiryID)
	streams, err := rec.AsOf(ctx, b.asOf, id)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(streams[id].Events) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoInquiry, inquiryID)
	}
	q := domain.LoadInquiry(streams[id].Events)
	report := &Report{
		InquiryID: inquiryID, IncidentAt: q.IncidentAt(), Reason: erasedText(q.Reason()), OpenedAt: q.OpenedAt(),
		OpenedBy: timeline.ActorOf(q.OpenedBy()), Subject: Subject{CaseID: q.CaseID(), ChildID: q.ChildID()},
	}
	b.inquiry = streams[id].Events
	if err := b.fill(ctx, report, scope); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s", ErrNoInquiry, inquiryID)
		}
		return nil, err
	}
	return report, nil
}

// BuildTraceReport makes the same report for a case or a child (subject
// names one) without an inquiry: what an inspector looks at before, or
// instead of, opening one. The incident time is left zero, so each
// obligation's owner at the incident is empty. A subject that does not
// exist by asOf, or lies outside scope, is domain.ErrNotFound.
func BuildTraceReport(ctx context.Context, rec *record.Reader, db, reads readdb.DB, subject Subject, asOf time.Time, scope domain.Jurisdiction) (*Report, error) {
	if (subject.CaseID == "") == (subject.ChildID == "") {
		return nil, &domain.InvalidError{Field: "subject", Message: "name exactly one of a case and a child"}
	}
	report := &Report{Subject: Subject{CaseID: subject.CaseID, ChildID: subject.ChildID}}
	if err := newBuilder(rec, db, reads, asOf).fill(ctx, report, scope); err != nil {
		return nil, err
	}
	return report, nil
}

// builder makes one report from the record as it stood at asOf.
type builder struct {
	rec       *record.Reader
	db        readdb.DB // the read models
	accessLog readdb.DB // who read what
	asOf, now time.Time
	// inquiry is the inquiry's stream as it stood at asOf (none for a
	// trace report).
	inquiry []domain.Recorded
}

func newBuilder(rec *record.Reader, db, reads readdb.DB, asOf time.Time) *builder {
	now := db.Now()
	if asOf.IsZero() || asOf.After(now) {
		asOf = now
	}
	return &builder{rec: rec, db: db, accessLog: reads, asOf: asOf, now: now}
}

// basis is what a report rests on: the streams of the child and its cases
// as they stood, and the domain's facts folded from them.
type basis struct {
	ids      []domain.StreamID // the child's, then the cases', oldest first
	streams  map[domain.StreamID]record.Stream
	child    domain.ChildFacts
	cases    map[string]domain.CaseFacts // by case id
	policies domain.PolicyHistory
	// childCases are all the child's cases, and inquiries those into the
	// cases or the child, where their clocks need them (links).
	childCases []domain.CaseFacts
	inquiries  []domain.InquiryFacts
	// scope is the reader's jurisdiction. view, when set, is the part of
	// the child's stream the reader sees, the child lying outside scope
	// (the child's stream in streams is cut to it); casesWithheld tells
	// that a report on a child left out cases outside scope.
	scope         domain.Jurisdiction
	view          *childView
	casesWithheld bool
}

// refs name the streams the report rests on, as the reader sees them.
func (on *basis) refs() []StreamRef {
	var out []StreamRef
	for _, id := range on.ids {
		if on.view != nil && id.Kind() == domain.StreamChild {
			out = append(out, on.view.ref)
			continue
		}
		s, ok := on.streams[id]
		if !ok || len(s.Events) == 0 {
			continue
		}
		last := s.Events[len(s.Events)-1]
		out = append(out, StreamRef{StreamID: id.String(), Version: last.Version, LastPosition: last.Position, LastHash: s.LastHash})
	}
	return out
}

// fill completes a report whose subject (and, for an inquiry, incident) is
// set: streams, deadlines, timeline, late entries, policies, corrections,
// the inquiry's outcome, reads, people and workers, integrity. A subject that does not exist by asOf or lies outside scope is
// domain.ErrNotFound.
func (b *builder) fill(ctx context.Context, report *Report, scope domain.Jurisdiction) error {
	report.AsOf = b.asOf
	on, err := b.basis(ctx, &report.Subject, scope)
	if err != nil {
		return err
	}
	report.Streams, report.CasesWithheld = on.refs(), on.casesWithheld
	report.Deadlines = deadlines(on, b.asOf, report.IncidentAt)
	report.Timeline, report.LateEntries = entries(on)
	report.PolicyVersions = policies(on.policies, report.Deadlines)
	if err := b.resolveOwners(ctx, report); err != nil {
		return err
	}
	report.Corrections = corrections(on)
	report.Findings, report.Rectifications, report.Closed = outcome(b.inquiry, on.policies, b.asOf)
	report.ReadsFrom = readsFrom(on)
	if report.Reads, err = b.reads(ctx, report.Subject, report.ReadsFrom, on.view); err != nil {
		return err
	}
	if err := b.register(ctx, report, on.policies); err != nil {
		return err
	}
	v, err := b.rec.Verify(ctx)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	report.Integrity = Integrity{OK: v.OK, Checked: v.Checked, FirstBrokenPosition: v.FirstBrokenPosition, Reason: v.Reason,
		VerifiedAt: v.VerifiedAt, Head: v.Head, Walked: v.Walked, Full: v.Full, LastFullWalk: v.LastFullWalk}
	report.Streams, report.Deadlines = nonNil(report.Streams), nonNil(report.Deadlines)
	return nil
}

// basis reads what the subject rests on and completes the subject: the
// case and its child, or the child and its cases. The subject must lie
// within scope: the case's jurisdiction, or the child's. What lies outside
// scope is cut away (see reach.go): the case's child's entries once it left
// scope, a child's cases outside it.
func (b *builder) basis(ctx context.Context, subject *Subject, scope domain.Jurisdiction) (*basis, error) {
	policyStream, err := b.rec.AsOf(ctx, b.asOf, domain.PolicyStream)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	on := &basis{policies: domain.LoadPolicyHistory(policyStream[domain.PolicyStream].Events), cases: map[string]domain.CaseFacts{}, scope: scope}
	caseID, childID := subject.CaseID, subject.ChildID
	var caseIDs []string
	var place domain.Jurisdiction
	if caseID != "" {
		c, err := b.rec.AsOf(ctx, b.asOf, domain.CaseStream(caseID))
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		f := domain.FoldCase(c[domain.CaseStream(caseID)].Events)
		if !f.Opened() || !scope.Covers(f.Jurisdiction) {
			return nil, domain.NotFound("case", caseID)
		}
		childID, caseIDs, place = f.ChildID, []string{caseID}, f.Jurisdiction
	} else if caseIDs, err = caseview.CasesOfChild(ctx, b.db, childID); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}

	on.ids = []domain.StreamID{domain.ChildStream(childID)}
	for _, c := range caseIDs {
		on.ids = append(on.ids, domain.CaseStream(c))
	}
	if on.streams, err = b.rec.AsOf(ctx, b.asOf, on.ids...); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	childStream := domain.ChildStream(childID)
	on.child = domain.FoldChild(on.streams[childStream].Events)
	switch {
	case caseID == "":
		if !on.child.Opened() || !scope.Covers(on.child.Jurisdiction) {
			return nil, domain.NotFound("child", childID)
		}
		place = on.child.Jurisdiction
	case on.child.Opened() && !scope.Covers(on.child.Jurisdiction):
		on.streams[childStream], on.view = viewChild(childStream, on.streams[childStream], scope)
	}
	subject.Child, subject.Jurisdiction, subject.CaseIDs = childID, place.String(), []string{}
	ids := on.ids[:1]
	for _, c := range caseIDs {
		id := domain.CaseStream(c)
		s, ok := on.streams[id]
		if !ok {
			continue
		}
		f := domain.FoldCase(s.Events)
		if !scope.Covers(f.Jurisdiction) {
			delete(on.streams, id)
			on.casesWithheld = true
			continue
		}
		ids = append(ids, id)
		subject.CaseIDs = append(subject.CaseIDs, c)
		on.cases[c] = f
	}
	on.ids = ids
	if err := b.links(ctx, on); err != nil {
		return nil, err
	}
	return on, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
