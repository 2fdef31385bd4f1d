package domain

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// Deadlines are derived, never stored: CaseDeadlines, ChildDeadlines and
// WorkerDeadlines read one stream's events, the policy history and a "now"
// and give every obligation of DOMAIN.md's clock table, judged on business
// time (occurred_at). They are pure and deterministic, so projections and
// the accountability trace-back get the same answer from the same record,
// and an as-of view is the same call on a prefix of the history with an
// earlier now.

type (
	deadlineKindWords   struct{}
	deadlineStatusWords struct{}
)

func (deadlineKindWords) field() string { return "kind" }
func (deadlineKindWords) words() []string {
	return []string{"police_report", "first_response", "assignment", "assessment", "guardianship_assessment",
		"referral_answer", "visit", "info_verification", "training", "post_closure_follow_up",
		"report_after_visit", "police_acknowledgment", "inquiry", "rectification"}
}
func (deadlineStatusWords) field() string   { return "status" }
func (deadlineStatusWords) words() []string { return []string{"open", "met", "met_late", "missed"} }

// DeadlineKind names an obligation of DOMAIN.md's clock table.
type DeadlineKind = Term[deadlineKindWords]

// DeadlineStatus is where an obligation stands: open, met, met_late or missed.
type DeadlineStatus = Term[deadlineStatusWords]

// Deadline kinds.
var (
	KindPoliceReport           = term[deadlineKindWords]("police_report")
	KindFirstResponse          = term[deadlineKindWords]("first_response")
	KindAssignment             = term[deadlineKindWords]("assignment")
	KindAssessment             = term[deadlineKindWords]("assessment")
	KindGuardianshipAssessment = term[deadlineKindWords]("guardianship_assessment")
	KindReferralAnswer         = term[deadlineKindWords]("referral_answer")
	KindVisit                  = term[deadlineKindWords]("visit")
	KindInfoVerification       = term[deadlineKindWords]("info_verification")
	KindTraining               = term[deadlineKindWords]("training")
	KindPostClosureFollowUp    = term[deadlineKindWords]("post_closure_follow_up")
	KindReportAfterVisit       = term[deadlineKindWords]("report_after_visit")
	KindPoliceAcknowledgment   = term[deadlineKindWords]("police_acknowledgment")
	KindInquiry                = term[deadlineKindWords]("inquiry")
	KindRectification          = term[deadlineKindWords]("rectification")
)

// Deadline statuses.
var (
	DeadlineOpen    = term[deadlineStatusWords]("open")
	DeadlineMet     = term[deadlineStatusWords]("met")
	DeadlineMetLate = term[deadlineStatusWords]("met_late")
	DeadlineMissed  = term[deadlineStatusWords]("missed")
)

// ParseDeadlineKind and ParseDeadlineStatus parse the words of the API.
func ParseDeadlineKind(s string) (DeadlineKind, error)     { return ParseTerm[deadlineKindWords](s) }
func ParseDeadlineStatus(s string) (DeadlineStatus, error) { return ParseTerm[deadlineStatusWords](s) }

// Deadline is one obligation: what is owed, about whom, by when, by whom at
// every moment, and how it stands.
type Deadline struct {
	Kind DeadlineKind
	// SubjectID is the case for case obligations, the child for visit and
	// info_verification, the worker for training.
	SubjectID  string
	CaseID     string // case obligations only
	ReferralID string // referral_answer only
	// RectificationID is the item of a rectification; InquiryID the
	// inquiry of a rectification.
	RectificationID string
	InquiryID       string
	// Owner is the owner at the moment that decided the status: the met
	// time if met or met_late, the due time if missed, now if open.
	Owner     string
	StartedAt time.Time
	DueAt     time.Time
	Status    DeadlineStatus
	MetAt     *time.Time
	// PolicyVersion is the version of the deadline policy in force at
	// StartedAt, by which the deadline is judged (0: the default policy).
	PolicyVersion int64
	// Owners is the ownership history from StartedAt, each span in force
	// until the next; it ends when the obligation does.
	Owners []OwnerSpan
}

// OwnerSpan says that Owner owns a deadline from From on.
type OwnerSpan struct {
	Owner string    `json:"owner"`
	From  time.Time `json:"from"`
}

// OwnerAt is who owned the deadline at t, by its ownership history.
func (d Deadline) OwnerAt(t time.Time) string {
	if len(d.Owners) == 0 {
		return d.Owner
	}
	return OwnerAt(d.Owners, t)
}

// OwnerAt is who held an obligation at t by its ownership history (spans
// sorted by From, each in force until the next): "" before the first span.
// It is the one answer to "who owned it then", for the deadline view, the
// sweep of missed obligations and the trace-back report alike.
func OwnerAt(spans []OwnerSpan, t time.Time) string {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].From.After(t) })
	if i == 0 {
		return ""
	}
	return spans[i-1].Owner
}

// Owner strings for obligations no person owns (yet): a role or agency at
// a jurisdiction.
func centerOwner(place Jurisdiction) string    { return "caseworker:" + codePrefix(place, 6) }
func agencyOwner(a Agency) string              { return "agency:" + a.String() }
func directorOwner(place Jurisdiction) string  { return "child_director:" + place.String() }
func inspectorOwner(place Jurisdiction) string { return "inspector:" + codePrefix(place, 6) }

// codePrefix is the first n digits of a division code (all of a shorter one).
func codePrefix(j Jurisdiction, n int) string {
	s := j.String()
	if len(s) > n {
		return s[:n]
	}
	return s
}

// LateEntry says whether an entry was recorded late: more than the
// late-entry threshold of the policy in force when it occurred after it
// occurred (a large gap between occurred_at and recorded_at is what an
// inquiry looks for). It gives the delay and the threshold it was judged by.
func LateEntry(r Recorded, policies PolicyHistory) (late bool, delay, threshold time.Duration) {
	p, _ := policies.InForce(r.OccurredAt)
	delay = r.RecordedAt.Sub(r.OccurredAt)
	return delay > p.LateEntry.D, delay, p.LateEntry.D
}

// firstAt keeps the earliest of the times it sees.
type firstAt struct {
	t  time.Time
	ok bool
}

func (f *firstAt) see(t time.Time) {
	if !f.ok || t.Before(f.t) {
		f.t, f.ok = t, true
	}
}

func (f firstAt) ptr() *time.Time {
	if !f.ok {
		return nil
	}
	t := f.t
	return &t
}

// firstFrom is the earliest of sorted times at or after from, or nil.
func firstFrom(sorted []time.Time, from time.Time) *time.Time {
	i := sort.Search(len(sorted), func(i int) bool { return !sorted[i].Before(from) })
	if i == len(sorted) {
		return nil
	}
	t := sorted[i]
	return &t
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }

// ownersFrom is the ownership history of a deadline started at start:
// whoever held changes (sorted by From) last at start, else fallback, then
// every later change of hands.
func ownersFrom(start time.Time, fallback string, changes []OwnerSpan) []OwnerSpan {
	i := sort.Search(len(changes), func(i int) bool { return changes[i].From.After(start) })
	first := fallback
	if i > 0 {
		first = changes[i-1].Owner
	}
	out := make([]OwnerSpan, 1, 1+len(changes)-i)
	out[0] = OwnerSpan{Owner: first, From: start}
	for _, c := range changes[i:] {
		if c.Owner != out[len(out)-1].Owner {
			out = append(out, c)
		}
	}
	return out
}

// settleDeadline judges d (StartedAt, DueAt, MetAt and Owners set) at now.
// endedAt, when not nil, is when the obligation was discharged unless met
// by then (a closure, an erasure): it is then missed if it was already
// due, and dropped (ok false) if not. The ownership history is cut where
// the obligation ended.
func settleDeadline(d Deadline, now time.Time, endedAt *time.Time) (Deadline, bool) {
	var end time.Time
	switch {
	case endedAt != nil && (d.MetAt == nil || d.MetAt.After(*endedAt)):
		if !d.DueAt.Before(*endedAt) {
			return Deadline{}, false
		}
		d.Status, d.MetAt, end = DeadlineMissed, nil, *endedAt
	case d.MetAt != nil:
		d.Status = DeadlineMet
		if d.MetAt.After(d.DueAt) {
			d.Status = DeadlineMetLate
		}
		end = *d.MetAt
	case now.After(d.DueAt):
		d.Status, end = DeadlineMissed, now
	default:
		d.Status, end = DeadlineOpen, now
	}
	for len(d.Owners) > 1 && d.Owners[len(d.Owners)-1].From.After(end) {
		d.Owners = d.Owners[:len(d.Owners)-1]
	}
	d.Owner = d.OwnerAt(DecidedAt(d.StartedAt, d.DueAt, d.MetAt, d.Status == DeadlineMissed, now))
	return d, true
}

// DecidedAt is the moment that decided an obligation's status — when
// met, the met time; when missed, the due time; while open, now — and
// never before the obligation started. Its owner is who owned it then,
// whether the owner is read from the clock (Deadline.Owner) or resolved
// to the person holding a post (ResolveOwner).
func DecidedAt(startedAt, dueAt time.Time, metAt *time.Time, missed bool, now time.Time) time.Time {
	decided := now
	switch {
	case metAt != nil:
		decided = *metAt
	case missed:
		decided = dueAt
	}
	if decided.Before(startedAt) {
		return startedAt
	}
	return decided
}

// kindRank ranks kinds in the vocabulary's order.
var kindRank = func() map[string]int {
	m := map[string]int{}
	for i, w := range (deadlineKindWords{}).words() {
		m[w] = i
	}
	return m
}()

func kindOrder(k DeadlineKind) int { return kindRank[k.String()] }

// sortDeadlines orders by StartedAt, then kind, then due time and referral.
func sortDeadlines(ds []Deadline) {
	slices.SortStableFunc(ds, func(a, b Deadline) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		if c := cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)); c != 0 {
			return c
		}
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ReferralID, b.ReferralID); c != 0 {
			return c
		}
		return cmp.Compare(a.RectificationID, b.RectificationID)
	})
}

// policeReportOwner is who must forward a case's report to the police: the
// worker who received it, or — when the receiver may not forward a report
// (the 12355 desk, a partner) — the receiving center.
func policeReportOwner(f CaseFacts) string {
	if ActForwardToPolice.Allows(f.Receiver.Role) {
		return f.Receiver.Subject
	}
	return centerOwner(f.Jurisdiction)
}

// CaseDeadlines derives every obligation of one case from its facts (as
// the record stands, or — folded from a prefix of the stream — as it stood;
// judged at now), ordered by StartedAt, then kind: police_report (if a
// concern is mandatory; the receiver's, see policeReportOwner), first_response, assignment, assessment (from the
// first assignment), one guardianship_assessment per temporary
// guardianship, one referral_answer per referral (answered by acceptance,
// decline, or completion), one post_closure_follow_up per closure with
// return to the family. Each is judged by the policy in force when it
// started. A person owns it once the case is assigned to one; until then
// the receiving center does ("caseworker:<county>"). A closure discharges
// every obligation not met by then (except the follow-up it starts, and the
// inquiry a major incident calls for): missed if already due, dropped if
// not; reopening revives none.
//
// Two clocks answer to others: police_acknowledgment, from the first
// forward to the police, owned by the police ("agency:police") and met by
// their acknowledgment; and one inquiry per major incident declared, owned
// by the inspectors of the case's county ("inspector:<county>") and met by
// an inquiry into the case or its child — inquiries are those the record
// holds (any stream order, any others are ignored): one open when the
// incident is declared meets it then, else the first opened after.
func CaseDeadlines(f CaseFacts, inquiries []InquiryFacts, policies PolicyHistory, now time.Time) []Deadline {
	if !f.Opened() {
		return nil
	}
	center := centerOwner(f.Jurisdiction)
	risk := f.ReportedRisk
	closures := make([]time.Time, len(f.Closures))
	var returned []time.Time
	for i, c := range f.Closures {
		closures[i] = c.At
		if c.Reason == ClosureReturnedToFamily {
			returned = append(returned, c.At)
		}
	}
	guardStarts := make([]time.Time, len(f.Guardianships))
	for i, g := range f.Guardianships {
		guardStarts[i] = g.StartedAt
	}
	sortTimes(guardStarts)
	out := make([]Deadline, 0, 4+len(guardStarts)+len(f.Referrals)+len(returned))

	add := func(kind DeadlineKind, start time.Time, due func(DeadlinePolicy) time.Duration, met *time.Time, owners []OwnerSpan, referralID string) {
		p, version := policies.InForce(start)
		d := Deadline{Kind: kind, SubjectID: f.ID, CaseID: f.ID, ReferralID: referralID,
			StartedAt: start, DueAt: start.Add(due(p)), MetAt: met, PolicyVersion: version, Owners: owners}
		var endedAt *time.Time
		if kind != KindPostClosureFollowUp && kind != KindInquiry {
			endedAt = firstFrom(closures, start)
		}
		if d, ok := settleDeadline(d, now, endedAt); ok {
			out = append(out, d)
		}
	}
	overTime := func(start time.Time) []OwnerSpan { return ownersFrom(start, center, f.Assignments) }

	if slices.ContainsFunc(f.Concerns, MandatoryReport) {
		add(KindPoliceReport, f.ReceivedAt, func(p DeadlinePolicy) time.Duration { return p.PoliceReport.D },
			f.PoliceReportedAt, []OwnerSpan{{Owner: policeReportOwner(f), From: f.ReceivedAt}}, "")
	}
	add(KindFirstResponse, f.ReceivedAt, func(p DeadlinePolicy) time.Duration { return p.FirstResponse.For(risk) },
		f.FirstResponseAt, overTime(f.ReceivedAt), "")
	var firstAssigned *time.Time
	if len(f.Assignments) > 0 {
		firstAssigned = &f.Assignments[0].From
	}
	add(KindAssignment, f.ReceivedAt, func(p DeadlinePolicy) time.Duration { return p.Assignment.For(risk) },
		firstAssigned, []OwnerSpan{{Owner: center, From: f.ReceivedAt}}, "")
	if firstAssigned != nil {
		start := *firstAssigned
		add(KindAssessment, start, func(p DeadlinePolicy) time.Duration { return p.Assessment.D },
			firstFrom(f.Assessments, start), overTime(start), "")
	}
	for _, start := range guardStarts {
		add(KindGuardianshipAssessment, start, func(p DeadlinePolicy) time.Duration { return p.GuardianshipAssessment.D },
			firstFrom(f.GuardianshipAssessments, start), overTime(start), "")
	}
	for _, r := range f.Referrals {
		add(KindReferralAnswer, r.MadeAt, func(p DeadlinePolicy) time.Duration { return p.ReferralAnswer.D },
			r.AnsweredAt, []OwnerSpan{{Owner: agencyOwner(r.Agency), From: r.MadeAt}}, r.ID)
	}
	for _, start := range returned {
		add(KindPostClosureFollowUp, start, func(p DeadlinePolicy) time.Duration { return p.PostClosureFollowUp.D },
			firstFrom(f.FollowUps, start), overTime(start), "")
	}
	if f.PoliceReportedAt != nil {
		start := *f.PoliceReportedAt
		add(KindPoliceAcknowledgment, start, func(p DeadlinePolicy) time.Duration { return p.PoliceAcknowledgment.D },
			firstFrom(f.PoliceAcknowledgments, start), []OwnerSpan{{Owner: agencyOwner(AgencyPolice), From: start}}, "")
	}
	inspectors := inspectorOwner(f.Jurisdiction)
	for _, start := range f.MajorIncidents {
		add(KindInquiry, start, func(p DeadlinePolicy) time.Duration { return p.Inquiry.D },
			inquiryAfter(f, inquiries, start), []OwnerSpan{{Owner: inspectors, From: start}}, "")
	}
	sortDeadlines(out)
	return out
}

// inquiryAfter is when an inquiry into the case or its child answered a
// major incident declared at declared: then, if one was open; else when the
// first was opened after; nil if none was.
func inquiryAfter(f CaseFacts, inquiries []InquiryFacts, declared time.Time) *time.Time {
	var first firstAt
	for _, q := range inquiries {
		if !q.Opened() || (q.CaseID != f.ID && (q.ChildID == "" || q.ChildID != f.ChildID)) {
			continue
		}
		if !q.OpenedAt.After(declared) {
			if q.ClosedAt == nil || q.ClosedAt.After(declared) {
				first.see(declared)
			}
			continue
		}
		first.see(q.OpenedAt)
	}
	return first.ptr()
}
