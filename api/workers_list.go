package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/register"
)

// WorkerListing is a worker as GET /v1/workers lists it: the register's
// entry, whether the worker holds a post now, and its qualification now
// (qualified, lapsed, untrained) by the deadline policy in force.
type WorkerListing struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Role         domain.Role         `json:"role"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Agency       domain.Agency       `json:"agency,omitzero"`
	Active       bool                `json:"active"`
	// DeactivatedAt is when the worker was deactivated.
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
	// Qualification is where the worker's training stands now.
	Qualification domain.Qualification `json:"qualification"`
	// LastTrainingOn is the day of the worker's last passed training.
	LastTrainingOn *domain.Date `json:"last_training_on,omitempty"`
}

// workersCursor is where the next page of the register starts.
type workersCursor struct {
	After string `json:"a"`
}

// listWorkers is GET /v1/workers?jurisdiction=&role=&active=: the register
// within the caller's jurisdiction (or the narrower one given), in id
// order, paginated.
func (s *Server) listWorkers(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur workersCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	f := register.Filter{Within: j, After: cur.After, Limit: limit + 1}
	q := r.URL.Query()
	if v := q.Get("role"); v != "" {
		if f.Role, err = domain.ParseRole(v); err != nil {
			return err
		}
	}
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &domain.InvalidError{Field: "active", Message: "must be true or false"}
		}
		f.Active = &b
	}
	workers, err := register.List(r.Context(), s.reads(r.Context()), f)
	if err != nil {
		return err
	}
	policies, err := s.record.Policies(r.Context())
	if err != nil {
		return err
	}
	now := s.now()
	policy, _ := policies.InForce(now)
	out := List[WorkerListing]{Items: make([]WorkerListing, 0, min(len(workers), limit))}
	for i, wf := range workers {
		if i == limit {
			out.NextCursor = nextCursor(workersCursor{After: workers[limit-1].ID})
			break
		}
		out.Items = append(out.Items, workerListing(wf, now, policy.RetrainingMonths))
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}

// workerListing is the register's entry as listed at now.
func workerListing(f domain.WorkerFacts, now time.Time, retrainingMonths int) WorkerListing {
	l := WorkerListing{ID: f.ID, Name: f.Name, Role: f.Role, Jurisdiction: f.Jurisdiction, Agency: f.Agency, Active: f.Active(),
		Qualification: f.QualificationAt(now, retrainingMonths)}
	if !f.DeactivatedAt.IsZero() {
		at := f.DeactivatedAt
		l.DeactivatedAt = &at
	}
	if last := f.LastPassed(now); !last.IsZero() {
		l.LastTrainingOn = &last
	}
	return l
}
