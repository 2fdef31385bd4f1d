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
		"referral_answer", "visit", "info_verification", "training", "post_closure_follow_up"}
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
	Owner string
	From  time.Time
}

// OwnerAt is who owned the deadline at t: the span in force at t; "" before
// the deadline started.
func (d Deadline) OwnerAt(t time.Time) string {
	if len(d.Owners) == 0 {
		return d.Owner
	}
	i := sort.Search(len(d.Owners), func(i int) bool { return d.Owners[i].From.After(t) })
	if i == 0 {
		return ""
	}
	return d.Owners[i-1].Owner
}

// Owner strings for obligations no person owns (yet): a role or agency at
// a jurisdiction.
func centerOwner(place Jurisdiction) string   { return "caseworker:" + codePrefix(place, 6) }
func agencyOwner(a Agency) string             { return "agency:" + a.String() }
func directorOwner(place Jurisdiction) string { return "child_director:" + place.String() }

// codePrefix is the first n digits of a division code (all of a shorter one).
func codePrefix(j Jurisdiction, n int) string {
	s := j.String()
	if len(s) > n {
		return s[:n]
	}
	return s
}

// LateEntries are the events recorded more than threshold after they
// occurred, in the order given.
func LateEntries(history []Recorded, threshold time.Duration) []Recorded {
	var late []Recorded
	for _, r := range history {
		if r.RecordedAt.Sub(r.OccurredAt) > threshold {
			late = append(late, r)
		}
	}
	return late
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
	var decided, end time.Time
	switch {
	case endedAt != nil && (d.MetAt == nil || d.MetAt.After(*endedAt)):
		if !d.DueAt.Before(*endedAt) {
			return Deadline{}, false
		}
		d.Status, d.MetAt, decided, end = DeadlineMissed, nil, d.DueAt, *endedAt
	case d.MetAt != nil:
		d.Status = DeadlineMet
		if d.MetAt.After(d.DueAt) {
			d.Status = DeadlineMetLate
		}
		decided, end = *d.MetAt, *d.MetAt
	case now.After(d.DueAt):
		d.Status, decided, end = DeadlineMissed, d.DueAt, now
	default:
		d.Status, decided, end = DeadlineOpen, now, now
	}
	for len(d.Owners) > 1 && d.Owners[len(d.Owners)-1].From.After(end) {
		d.Owners = d.Owners[:len(d.Owners)-1]
	}
	if decided.Before(d.StartedAt) {
		decided = d.StartedAt
	}
	d.Owner = d.OwnerAt(decided)
	return d, true
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
		return cmp.Compare(a.ReferralID, b.ReferralID)
	})
}

// caseFacts is what one pass over a case stream gathers.
type caseFacts struct {
	report     ReportReceived
	receivedAt time.Time
	receiver   string
	assigned   []OwnerSpan // CaseAssigned, by occurred_at
	police     firstAt     // ReportForwardedToPolice
	response   firstAt     // EmergencyResponseRecorded, FollowUpRecorded, AssessmentCompleted
	assessed   []time.Time // AssessmentCompleted
	guardAsmt  []time.Time // AssessmentCompleted with a guardianship assessment
	guardStart []time.Time // TemporaryGuardianshipStarted
	followUps  []time.Time // FollowUpRecorded
	closures   []time.Time // CaseClosed
	returned   []time.Time // CaseClosed with reason returned_to_family
	referrals  []caseReferral
}

type caseReferral struct {
	id       string
	agency   Agency
	madeAt   time.Time
	answered firstAt
}

// CaseDeadlines derives every obligation of one case from its stream (in
// stream order; a prefix gives the as-of view at now), ordered by
// StartedAt, then kind: police_report (if a concern is mandatory),
// first_response, assignment, assessment (from the first assignment), one
// guardianship_assessment per temporary guardianship, one referral_answer
// per referral (answered by acceptance, decline, or completion), one
// post_closure_follow_up per closure with return to the family. Each is
// judged by the policy in force when it started. A person owns it once the
// case is assigned to one; until then the receiving center does
// ("caseworker:<county>"). A closure discharges every obligation not met
// by then (except the follow-up it starts): missed if already due, dropped
// if not; reopening revives none.
func CaseDeadlines(history []Recorded, policies PolicyHistory, now time.Time) []Deadline {
	f, ok := gatherCase(history)
	if !ok {
		return nil
	}
	caseID := f.report.CaseID
	center := centerOwner(f.report.Jurisdiction)
	risk := f.report.Risk
	out := make([]Deadline, 0, 4+len(f.guardStart)+len(f.referrals)+len(f.returned))

	add := func(kind DeadlineKind, start time.Time, due func(DeadlinePolicy) time.Duration, met *time.Time, owners []OwnerSpan, referralID string) {
		p, version := policies.InForce(start)
		d := Deadline{Kind: kind, SubjectID: caseID, CaseID: caseID, ReferralID: referralID,
			StartedAt: start, DueAt: start.Add(due(p)), MetAt: met, PolicyVersion: version, Owners: owners}
		var endedAt *time.Time
		if kind != KindPostClosureFollowUp {
			endedAt = firstFrom(f.closures, start)
		}
		if d, ok := settleDeadline(d, now, endedAt); ok {
			out = append(out, d)
		}
	}
	overTime := func(start time.Time) []OwnerSpan { return ownersFrom(start, center, f.assigned) }

	mandatory := slices.ContainsFunc(f.report.Concerns, MandatoryReport)
	if mandatory {
		add(KindPoliceReport, f.receivedAt, func(p DeadlinePolicy) time.Duration { return p.PoliceReport.D },
			f.police.ptr(), []OwnerSpan{{Owner: f.receiver, From: f.receivedAt}}, "")
	}
	add(KindFirstResponse, f.receivedAt, func(p DeadlinePolicy) time.Duration { return p.FirstResponse.For(risk) },
		f.response.ptr(), overTime(f.receivedAt), "")
	var firstAssigned firstAt
	if len(f.assigned) > 0 {
		firstAssigned.see(f.assigned[0].From)
	}
	add(KindAssignment, f.receivedAt, func(p DeadlinePolicy) time.Duration { return p.Assignment.For(risk) },
		firstAssigned.ptr(), []OwnerSpan{{Owner: center, From: f.receivedAt}}, "")
	if firstAssigned.ok {
		start := firstAssigned.t
		add(KindAssessment, start, func(p DeadlinePolicy) time.Duration { return p.Assessment.D },
			firstFrom(f.assessed, start), overTime(start), "")
	}
	for _, start := range f.guardStart {
		add(KindGuardianshipAssessment, start, func(p DeadlinePolicy) time.Duration { return p.GuardianshipAssessment.D },
			firstFrom(f.guardAsmt, start), overTime(start), "")
	}
	for _, r := range f.referrals {
		add(KindReferralAnswer, r.madeAt, func(p DeadlinePolicy) time.Duration { return p.ReferralAnswer.D },
			r.answered.ptr(), []OwnerSpan{{Owner: agencyOwner(r.agency), From: r.madeAt}}, r.id)
	}
	for _, start := range f.returned {
		add(KindPostClosureFollowUp, start, func(p DeadlinePolicy) time.Duration { return p.PostClosureFollowUp.D },
			firstFrom(f.followUps, start), overTime(start), "")
	}
	sortDeadlines(out)
	return out
}

// gatherCase reads a case stream once; ok is false when it holds no report.
func gatherCase(history []Recorded) (caseFacts, bool) {
	var f caseFacts
	seen := false
	refIndex := map[string]int{}
	answer := func(id string, at time.Time) {
		if i, ok := refIndex[id]; ok {
			f.referrals[i].answered.see(at)
		}
	}
	for _, r := range history {
		at := r.OccurredAt
		switch e := r.Event.(type) {
		case ReportReceived:
			if seen {
				continue
			}
			seen = true
			f.report, f.receivedAt, f.receiver = e, at, r.Actor.Subject
			if f.report.CaseID == "" {
				f.report.CaseID = trimStream(r.StreamID, "case-")
			}
		case ReportForwardedToPolice:
			f.police.see(at)
		case EmergencyResponseRecorded:
			f.response.see(at)
		case FollowUpRecorded:
			f.response.see(at)
			f.followUps = append(f.followUps, at)
		case AssessmentCompleted:
			f.response.see(at)
			f.assessed = append(f.assessed, at)
			if e.GuardianshipAssessment != "" {
				f.guardAsmt = append(f.guardAsmt, at)
			}
		case CaseAssigned:
			f.assigned = append(f.assigned, OwnerSpan{Owner: e.WorkerID, From: at})
		case TemporaryGuardianshipStarted:
			f.guardStart = append(f.guardStart, at)
		case ReferralMade:
			if _, dup := refIndex[e.ReferralID]; dup {
				continue
			}
			refIndex[e.ReferralID] = len(f.referrals)
			f.referrals = append(f.referrals, caseReferral{id: e.ReferralID, agency: e.Agency, madeAt: at})
		case ReferralAccepted:
			answer(e.ReferralID, at)
		case ReferralDeclined:
			answer(e.ReferralID, at)
		case ReferralCompleted:
			// Completing a referral answers it too, should the agency
			// not have accepted it first.
			answer(e.ReferralID, at)
		case CaseClosed:
			f.closures = append(f.closures, at)
			if e.Reason == ClosureReturnedToFamily {
				f.returned = append(f.returned, at)
			}
		}
	}
	slices.SortStableFunc(f.assigned, func(a, b OwnerSpan) int { return a.From.Compare(b.From) })
	for _, ts := range [][]time.Time{f.assessed, f.guardAsmt, f.guardStart, f.followUps, f.closures, f.returned} {
		sortTimes(ts)
	}
	return f, seen
}
