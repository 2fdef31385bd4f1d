package report

import (
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/timeline"
)

// outcome is an inquiry's outcome as its stream stood at asOf: the
// findings with who was responsible for what, each rectification item
// with its status by the inquiry's clock (domain.InquiryDeadlines) at
// asOf, and the closing — nil, nil, nil before the findings. The facts
// (which findings count, when the inquiry closed, when an item was done)
// are the domain's one fold; the texts are read from the events the fold
// took them from. Names are left for the register (names).
func outcome(history []domain.Recorded, policies domain.PolicyHistory, asOf time.Time) (*Findings, []Rectification, *Closure) {
	facts := domain.FoldInquiry(history)
	if !facts.Opened() || facts.FindingsAt == nil {
		return nil, nil, nil
	}
	var findings *Findings
	var described map[string]string
	var closed *Closure
	for _, r := range history {
		switch e := r.Event.(type) {
		case domain.InquiryFindingsRecorded:
			if findings != nil || !r.OccurredAt.Equal(*facts.FindingsAt) {
				continue
			}
			findings = &Findings{OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Findings: erasedText(e.Findings),
				Responsibilities: make([]Responsibility, 0, len(e.Responsibilities)), RecordedBy: timeline.ActorOf(r.Actor)}
			for _, resp := range e.Responsibilities {
				findings.Responsibilities = append(findings.Responsibilities, Responsibility{WorkerID: resp.WorkerID, Finding: erasedText(resp.Finding)})
			}
			described = map[string]string{}
			for _, item := range e.Rectifications {
				described[item.ID] = item.Description
			}
		case domain.InquiryClosed:
			if closed == nil && facts.ClosedAt != nil && r.OccurredAt.Equal(*facts.ClosedAt) {
				closed = &Closure{At: r.OccurredAt, RecordedAt: r.RecordedAt, Conclusion: erasedText(e.Conclusion), By: timeline.ActorOf(r.Actor)}
			}
		}
	}
	status := map[string]domain.Deadline{}
	for _, d := range domain.InquiryDeadlines(facts, policies, asOf) {
		status[d.RectificationID] = d
	}
	items := make([]Rectification, 0, len(facts.Rectifications))
	for _, item := range facts.Rectifications {
		r := Rectification{ID: item.ID, Description: erasedText(described[item.ID]), Owner: item.Owner, DueOn: item.DueOn,
			CompletedAt: item.CompletedAt}
		if d, ok := status[item.ID]; ok {
			r.DueAt, r.Status = d.DueAt, d.Status.String()
		}
		items = append(items, r)
	}
	return findings, items, closed
}
