package domain

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Inquiry is an accountability inquiry (倒查) an inspector opens into a case
// or a child, usually after a major incident, closes with findings and
// follows through its rectification items (督促整改落实).
type Inquiry struct {
	facts   InquiryFacts
	reason  string
	changes []Change
}

// OpenInquiry opens an inquiry into exactly one case or one child. Only an
// inspector may. It names the child whose personal data its texts are
// (DataSubjectID): for an inquiry into a child, that child (given or not);
// for one into a case, the case's child, which the caller must give.
func OpenInquiry(by Principal, now time.Time, in InquiryOpened) (*Inquiry, error) {
	if err := ActOpenInquiry.Check(by); err != nil {
		return nil, err
	}
	if err := requiredText("inquiry_id", in.InquiryID, MaxIDRunes); err != nil {
		return nil, err
	}
	if (in.CaseID == "") == (in.ChildID == "") {
		return nil, invalid("case_id", "give exactly one of case_id and child_id")
	}
	if err := boundedText("case_id", in.CaseID, MaxIDRunes); err != nil {
		return nil, err
	}
	if err := boundedText("child_id", in.ChildID, MaxIDRunes); err != nil {
		return nil, err
	}
	if in.DataSubjectID == "" {
		in.DataSubjectID = in.ChildID
	}
	if in.ChildID != "" && in.DataSubjectID != in.ChildID {
		return nil, invalid("data_subject_id", "an inquiry into child %s holds that child's data, not %s's", in.ChildID, in.DataSubjectID)
	}
	if err := requiredText("data_subject_id", in.DataSubjectID, MaxIDRunes); err != nil {
		return nil, err
	}
	if in.IncidentAt.IsZero() {
		return nil, invalid("incident_at", "is required")
	}
	if in.IncidentAt.After(now.Add(ClockSkew)) {
		return nil, &ImpossibleError{Field: "incident_at", Message: fmt.Sprintf("%s lies in the future", in.IncidentAt.Format(time.RFC3339))}
	}
	if err := requiredText("reason", in.Reason, MaxTextRunes); err != nil {
		return nil, err
	}
	q := &Inquiry{}
	q.record(Change{Event: in, Actor: by.Actor, OccurredAt: now})
	return q, nil
}

// LoadInquiry rebuilds an inquiry from its stream.
func LoadInquiry(history []Recorded) *Inquiry {
	q := &Inquiry{}
	for _, r := range history {
		q.Apply(r)
	}
	return q
}

// Apply applies a stored event of the inquiry's stream. It never fails;
// events of other types only advance the version.
func (q *Inquiry) Apply(r Recorded) {
	q.note(r.Event)
	q.facts.Apply(r)
}

func (q *Inquiry) record(ch Change) {
	q.changes = append(q.changes, ch)
	q.note(ch.Event)
	q.facts.apply(ch.Event, ch.Actor, ch.OccurredAt, InquiryStream(q.facts.ID))
}

// note keeps the reason the inquiry was opened for, which the facts leave
// out.
func (q *Inquiry) note(e Event) {
	if e, ok := e.(InquiryOpened); ok && !q.facts.Opened() {
		q.reason = e.Reason
	}
}

// Inquiry acts.
var (
	ActRecordFindings = act("record an inquiry's findings", RoleInspector)
	// ActCompleteRectification: an item's owner, a worker of the register
	// whatever its role, or an inspector. Not an admin: no admin is in the
	// register, so none owns an item (an admin's token whose subject
	// spelled an owner's id must not pass for the owner).
	ActCompleteRectification = act("complete a rectification item", RoleChildDirector, RoleChildSupervisor,
		RoleCaseworker, RolePartner, RoleInspector)
	ActCloseInquiry = act("close an inquiry", RoleInspector)
)

// Rules of the inquiry.
const (
	RuleInquiryClosed      = "inquiry_closed"
	RuleFindingsRecorded   = "findings_recorded"
	RuleNoFindings         = "no_findings"
	RuleRectificationOpen  = "rectification_open"
	RuleRectificationDone  = "rectification_completed"
	maxFindingItems        = 100
	inquiryTextLimit       = MaxTextRunes
	rectificationIDRunes   = 64
	rectificationDuePeriod = 5 // years a due date may lie ahead
)

// FindingsInput is what an inspector finds: the findings, who was
// responsible for what, and the rectification items.
type FindingsInput struct {
	Findings         string
	Responsibilities []Responsibility
	Rectifications   []Rectification
}

// RecordFindings records the inquiry's findings at at, made for place (the
// subject's jurisdiction). registered tells whether a worker id is in the
// register: every worker held responsible and every item's owner must be.
// An item without an id is numbered ("r1", "r2"… in order).
func (q *Inquiry) RecordFindings(by Principal, now, at time.Time, place Jurisdiction, in FindingsInput, registered func(string) bool) error {
	if err := q.precheck(by, ActRecordFindings); err != nil {
		return err
	}
	if err := q.checkAt(at, now); err != nil {
		return err
	}
	if err := q.checkOpen(); err != nil {
		return err
	}
	if q.facts.FindingsAt != nil {
		return ruleBroken(RuleFindingsRecorded, "the findings of inquiry %s are already recorded (a correction changes them)", q.facts.ID)
	}
	findings, err := caseText("findings", in.Findings, true, inquiryTextLimit)
	if err != nil {
		return err
	}
	if len(in.Responsibilities) > maxFindingItems {
		return invalid("responsibilities", "at most %d", maxFindingItems)
	}
	if len(in.Rectifications) > maxFindingItems {
		return invalid("rectifications", "at most %d", maxFindingItems)
	}
	e := InquiryFindingsRecorded{Jurisdiction: place, Findings: findings,
		Responsibilities: make([]Responsibility, 0, len(in.Responsibilities)), Rectifications: make([]Rectification, 0, len(in.Rectifications))}
	for i, r := range in.Responsibilities {
		field := fmt.Sprintf("responsibilities[%d]", i)
		worker, err := caseText(field+".worker_id", r.WorkerID, true, MaxIDRunes)
		if err != nil {
			return err
		}
		if !registered(worker) {
			return invalid(field+".worker_id", "%q is not a worker of the register", worker)
		}
		finding, err := caseText(field+".finding", r.Finding, true, inquiryTextLimit)
		if err != nil {
			return err
		}
		e.Responsibilities = append(e.Responsibilities, Responsibility{WorkerID: worker, Finding: finding})
	}
	seen := map[string]bool{}
	for i, r := range in.Rectifications {
		field := fmt.Sprintf("rectifications[%d]", i)
		id, err := caseText(field+".id", r.ID, false, rectificationIDRunes)
		if err != nil {
			return err
		}
		if id == "" {
			id = "r" + strconv.Itoa(i+1)
		}
		if seen[id] {
			return invalid(field+".id", "%q is given twice", id)
		}
		seen[id] = true
		what, err := caseText(field+".description", r.Description, true, inquiryTextLimit)
		if err != nil {
			return err
		}
		owner, err := caseText(field+".owner", r.Owner, true, MaxIDRunes)
		if err != nil {
			return err
		}
		if !registered(owner) {
			return invalid(field+".owner", "%q is not a worker of the register: an item belongs to a named person", owner)
		}
		if r.DueOn.IsZero() {
			return invalid(field+".due_on", "is required (YYYY-MM-DD)")
		}
		if r.DueOn.Start().AddDate(0, 0, 1).Before(at) {
			return &ImpossibleError{Field: field + ".due_on", Message: fmt.Sprintf("%s is before the findings (%s)", r.DueOn, at.Format(time.RFC3339))}
		}
		if r.DueOn.Start().After(at.AddDate(rectificationDuePeriod, 0, 0)) {
			return invalid(field+".due_on", "%s lies more than %d years ahead", r.DueOn, rectificationDuePeriod)
		}
		e.Rectifications = append(e.Rectifications, Rectification{ID: id, Description: what, Owner: owner, DueOn: r.DueOn})
	}
	q.record(Change{Event: e, Actor: by.Actor, OccurredAt: at})
	return nil
}

// CompleteRectification records that item id was done, at at. The item's
// owner may, and an inspector; a closed inquiry accepts it no more.
func (q *Inquiry) CompleteRectification(by Principal, now, at time.Time, id, note string) error {
	if err := q.precheck(by, ActCompleteRectification); err != nil {
		return err
	}
	item := q.facts.Rectification(id)
	if item == nil {
		return NotFound("rectification", id)
	}
	if by.Role != RoleInspector && by.Subject != item.Owner {
		return forbidden("only the owner of rectification %s or an inspector may %s", id, ActCompleteRectification)
	}
	if err := q.checkAt(at, now); err != nil {
		return err
	}
	if err := q.checkOpen(); err != nil {
		return err
	}
	if at.Before(*q.facts.FindingsAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before the findings were recorded (%s)",
			at.Format(time.RFC3339), q.facts.FindingsAt.Format(time.RFC3339))}
	}
	if item.CompletedAt != nil {
		return ruleBroken(RuleRectificationDone, "rectification %s was completed at %s", id, item.CompletedAt.Format(time.RFC3339))
	}
	text, err := caseText("note", note, true, inquiryTextLimit)
	if err != nil {
		return err
	}
	q.record(Change{Event: RectificationCompleted{RectificationID: id, Note: text}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// Close closes the inquiry with its conclusion, at at: only once its
// findings are recorded and every rectification item is done.
func (q *Inquiry) Close(by Principal, now, at time.Time, conclusion string) error {
	if err := q.precheck(by, ActCloseInquiry); err != nil {
		return err
	}
	if err := q.checkAt(at, now); err != nil {
		return err
	}
	if err := q.checkOpen(); err != nil {
		return err
	}
	if q.facts.FindingsAt == nil {
		return ruleBroken(RuleNoFindings, "inquiry %s has no findings yet: record them first", q.facts.ID)
	}
	if at.Before(*q.facts.FindingsAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before the findings were recorded (%s)",
			at.Format(time.RFC3339), q.facts.FindingsAt.Format(time.RFC3339))}
	}
	for _, r := range q.facts.Rectifications {
		if r.CompletedAt == nil {
			return ruleBroken(RuleRectificationOpen, "rectification %s of inquiry %s is not completed", r.ID, q.facts.ID)
		}
	}
	text, err := caseText("conclusion", conclusion, true, inquiryTextLimit)
	if err != nil {
		return err
	}
	q.record(Change{Event: InquiryClosed{Conclusion: text}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// precheck refuses a principal whose role may not do the act, and any act
// on a stream that holds no inquiry (ErrNotFound): nothing is recorded that
// the inquiry's facts would not hold.
func (q *Inquiry) precheck(by Principal, a Act) error {
	if err := a.Check(by); err != nil {
		return err
	}
	if !q.facts.Opened() {
		return fmt.Errorf("no inquiry was opened on this stream: %w", ErrNotFound)
	}
	return nil
}

// checkAt refuses a business time that is missing, in the future or before
// the inquiry was opened.
func (q *Inquiry) checkAt(at, now time.Time) error {
	if at.IsZero() {
		return invalid("occurred_at", "is required")
	}
	if at.After(now.Add(ClockSkew)) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s lies in the future", at.Format(time.RFC3339))}
	}
	if at.Before(q.facts.OpenedAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before the inquiry was opened (%s)",
			at.Format(time.RFC3339), q.facts.OpenedAt.Format(time.RFC3339))}
	}
	return nil
}

func (q *Inquiry) checkOpen() error {
	if q.facts.Closed() {
		return ruleBroken(RuleInquiryClosed, "inquiry %s is closed", q.facts.ID)
	}
	return nil
}

// Facts are the inquiry's facts, a copy.
func (q *Inquiry) Facts() InquiryFacts { return q.facts.Clone() }

// Changes are the events decided since the inquiry was loaded, not yet stored.
func (q *Inquiry) Changes() []Change { return slices.Clone(q.changes) }

// Opened reports whether the stream holds an inquiry.
func (q *Inquiry) Opened() bool { return q.facts.Opened() }

// ID is the inquiry's id.
func (q *Inquiry) ID() string { return q.facts.ID }

// Version is the stream version the inquiry was loaded at (0 for a new
// inquiry); Changes are not counted.
func (q *Inquiry) Version() int64 { return q.facts.Version }

// CaseID is the case inquired into; empty for an inquiry into a child.
func (q *Inquiry) CaseID() string { return q.facts.CaseID }

// ChildID is the child inquired into; empty for an inquiry into a case.
func (q *Inquiry) ChildID() string { return q.facts.ChildID }

// IncidentAt is when the incident happened.
func (q *Inquiry) IncidentAt() time.Time { return q.facts.IncidentAt }

// Reason is why the inquiry was opened.
func (q *Inquiry) Reason() string { return q.reason }

// OpenedBy is the inspector who opened the inquiry.
func (q *Inquiry) OpenedBy() Actor { return q.facts.OpenedBy }

// OpenedAt is when the inquiry was opened.
func (q *Inquiry) OpenedAt() time.Time { return q.facts.OpenedAt }
