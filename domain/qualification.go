package domain

import "time"

// Qualification is where a worker's training stood at an act (初任…经培训
// 考核合格后方可开展工作; 每年至少轮训一次): qualified (a passed training
// younger than the policy's retraining period), lapsed (passed once, but the
// yearly retraining is overdue — the training level's duty, flagged, never a
// bar), untrained (never passed: a newly appointed director or supervisor
// may not act yet, but for the mandatory report). Roles without a training
// duty are qualified. Every event's actor carries it as it stood.
type Qualification = Term[qualificationWords]

type qualificationWords struct{}

func (qualificationWords) field() string   { return "qualification" }
func (qualificationWords) words() []string { return []string{"qualified", "lapsed", "untrained"} }
func (qualificationWords) zh() map[string]string {
	return map[string]string{"qualified": "培训合格", "lapsed": "轮训逾期", "untrained": "未经培训"}
}

// The qualifications.
var (
	Qualified = term[qualificationWords]("qualified")
	Lapsed    = term[qualificationWords]("lapsed")
	Untrained = term[qualificationWords]("untrained")
)

// ParseQualification parses a qualification word.
func ParseQualification(s string) (Qualification, error) { return ParseTerm[qualificationWords](s) }

// QualificationAt is the worker's qualification at time at, given the
// policy's retraining period in months. A child director or supervisor is
// qualified by a passed training completed on or before at and less than
// retrainingMonths months before it, lapsed by an older one, untrained
// without any; other roles need no training and are qualified.
func (f WorkerFacts) QualificationAt(at time.Time, retrainingMonths int) Qualification {
	if !NeedsRegister(f.Role) {
		return Qualified
	}
	q := Untrained
	for _, t := range f.Trainings {
		if !t.Passed || t.CompletedOn.Start().After(at) {
			continue
		}
		if t.CompletedOn.Start().AddDate(0, retrainingMonths, 0).After(at) {
			return Qualified
		}
		q = Lapsed
	}
	return q
}

// LastPassed is the latest passed training completed on or before at;
// zero if none.
func (f WorkerFacts) LastPassed(at time.Time) Date {
	var last Date
	for _, t := range f.Trainings {
		if t.Passed && !t.CompletedOn.Start().After(at) && (last.IsZero() || t.CompletedOn.Start().After(last.Start())) {
			last = t.CompletedOn
		}
	}
	return last
}
