package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
)

// involved collects the workers a report names, in the order they first
// appear, with why each is named.
type involved struct {
	order []string
	why   map[string][]string
	// named are named without being People (readers, the inquiry's
	// inspectors).
	named map[string]bool
}

// note notes id, as a person when why is set. An owner that is a role or
// an agency at a place ("caseworker:370902") is not a worker.
func (in *involved) note(id, why string) {
	if id == "" || strings.Contains(id, ":") {
		return
	}
	if _, seen := in.why[id]; !seen && !in.named[id] {
		in.order = append(in.order, id)
	}
	if why == "" {
		if _, person := in.why[id]; !person {
			in.named[id] = true
		}
		return
	}
	delete(in.named, id)
	if !slices.Contains(in.why[id], why) {
		in.why[id] = append(in.why[id], why)
	}
}

// register reads from the register, as it stood at asOf, every worker the
// report names — actors of the timeline, owners over time, workers held
// responsible, owners of rectification items, readers, the inquiry's
// inspectors — into Workers, and lists People: those who acted on the
// record, owned one of its obligations, were held responsible or own a
// rectification item, each with its post and qualification at the incident
// (at asOf for a trace report) by the policy then in force. A subject the
// register does not hold (an administrator, an inspector without an entry)
// is neither. Responsibilities and rectification items get their names.
func (b *builder) register(ctx context.Context, report *Report, policies domain.PolicyHistory) error {
	in := &involved{why: map[string][]string{}, named: map[string]bool{}}
	for _, it := range report.Timeline {
		in.note(it.Actor.Subject, InvolvedActor)
	}
	for _, d := range report.Deadlines {
		in.note(d.Owner, InvolvedOwner)
		in.note(d.OwnerAtIncident, InvolvedOwner)
		for _, o := range d.Owners {
			in.note(o.Owner, InvolvedOwner)
		}
	}
	if f := report.Findings; f != nil {
		for _, r := range f.Responsibilities {
			in.note(r.WorkerID, InvolvedResponsible)
		}
		in.note(f.RecordedBy.Subject, "")
	}
	for _, r := range report.Rectifications {
		in.note(r.Owner, InvolvedRectificationOwner)
	}
	if report.Closed != nil {
		in.note(report.Closed.By.Subject, "")
	}
	for _, r := range report.Reads {
		in.note(r.Subject, "")
	}
	in.note(report.OpenedBy.Subject, "")

	report.Workers, report.People = map[string]Worker{}, []Person{}
	if len(in.order) == 0 {
		return nil
	}
	ids := make([]domain.StreamID, len(in.order))
	for i, id := range in.order {
		ids[i] = domain.WorkerStream(id)
	}
	streams, err := b.rec.AsOf(ctx, b.asOf, ids...)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	at := report.IncidentAt
	if at.IsZero() {
		at = b.asOf
	}
	policy, _ := policies.InForce(at)
	for _, id := range in.order {
		w := domain.LoadWorker(streams[domain.WorkerStream(id)].Events).Facts()
		if w.ID == "" {
			continue
		}
		report.Workers[id] = Worker{Name: w.Name, Role: w.Role.String(), Jurisdiction: w.Jurisdiction.String()}
		if why, ok := in.why[id]; ok {
			report.People = append(report.People, personOf(w, why, at, policy.RetrainingMonths))
		}
	}
	if f := report.Findings; f != nil {
		for i := range f.Responsibilities {
			f.Responsibilities[i].Name = report.Workers[f.Responsibilities[i].WorkerID].Name
		}
	}
	for i := range report.Rectifications {
		report.Rectifications[i].OwnerName = report.Workers[report.Rectifications[i].Owner].Name
	}
	return nil
}

// personOf is a worker as the report names it: its post and qualification
// at at.
func personOf(w domain.WorkerFacts, why []string, at time.Time, retrainingMonths int) Person {
	post, inPost := w.PostAt(at)
	if !inPost {
		post = w.Jurisdiction
	}
	return Person{WorkerID: w.ID, Name: w.Name, Role: w.Role.String(), Jurisdiction: post.String(), InPost: inPost,
		QualificationAtIncident: w.QualificationAt(at, retrainingMonths).String(), Involvement: why}
}
