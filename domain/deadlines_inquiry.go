package domain

import "time"

// InquiryDeadlines derives the obligations of an inquiry from its facts
// (judged at now): one rectification per item of its findings, started
// when the findings were recorded, due at the end of the item's due date
// (China Standard Time), owned by the item's owner and met when it is
// completed. The policy in force at the findings is recorded with each,
// though the item sets its own due date. A closed inquiry keeps them: it
// closes only once every item is done.
func InquiryDeadlines(f InquiryFacts, policies PolicyHistory, now time.Time) []Deadline {
	if !f.Opened() || f.FindingsAt == nil {
		return nil
	}
	start := *f.FindingsAt
	_, version := policies.InForce(start)
	out := make([]Deadline, 0, len(f.Rectifications))
	for _, r := range f.Rectifications {
		d := Deadline{Kind: KindRectification, SubjectID: f.ID, CaseID: f.CaseID, InquiryID: f.ID, RectificationID: r.ID,
			StartedAt: start, DueAt: r.DueOn.Start().AddDate(0, 0, 1), MetAt: clonePtr(r.CompletedAt), PolicyVersion: version,
			Owners: []OwnerSpan{{Owner: r.Owner, From: start}}}
		if d, ok := settleDeadline(d, now, nil); ok {
			out = append(out, d)
		}
	}
	sortDeadlines(out)
	return out
}
