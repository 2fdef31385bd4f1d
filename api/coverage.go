package api

import (
	"iter"
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
	"github.com/careledger/careledger/projections/register"
)

// CoverageItem is a post as GET /v1/coverage lists it (事有人干): a
// township's child supervisor or a village's child director, the active
// worker holding it, if any, with that worker's qualification now — or
// vacant. A post two workers hold is listed once for each.
type CoverageItem struct {
	Jurisdiction     domain.Jurisdiction  `json:"jurisdiction"`
	JurisdictionName string               `json:"jurisdiction_name"`
	Role             domain.Role          `json:"role"`
	WorkerID         string               `json:"worker_id,omitempty"`
	WorkerName       string               `json:"worker_name,omitempty"`
	Qualification    domain.Qualification `json:"qualification,omitzero"`
	Vacant           bool                 `json:"vacant"`
}

// coverageCursor is where the next page of posts starts: after this code.
type coverageCursor struct {
	After string `json:"a"`
}

// coverage is GET /v1/coverage?jurisdiction=: every township and village
// of the register of divisions under the prefix (the caller's own by
// default), in code order, each with who holds its post now.
func (s *Server) coverage(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	var cur coverageCursor
	limit, j, err := s.listQuery(r, p, &cur)
	if err != nil {
		return err
	}
	reg, err := s.handlers.Places().Register(r.Context())
	if err != nil {
		return err
	}
	prefix := j.String()
	if j == domain.All {
		prefix = ""
	}
	var page, villages, townships []string
	more := false
	for code := range postsUnder(reg, prefix, cur.After) {
		if len(page) == limit {
			more = true
			break
		}
		page = append(page, code)
		if len(code) == 12 {
			villages = append(villages, code)
		} else {
			townships = append(townships, code)
		}
	}
	held := map[string][]domain.WorkerFacts{}
	for _, post := range []struct {
		role  domain.Role
		codes []string
	}{{domain.RoleChildDirector, villages}, {domain.RoleChildSupervisor, townships}} {
		serving, err := register.Serving(r.Context(), s.reads(r.Context()), post.role, post.codes...)
		if err != nil {
			return err
		}
		for _, wf := range serving {
			held[wf.Jurisdiction.String()] = append(held[wf.Jurisdiction.String()], wf)
		}
	}
	policies, err := s.record.Policies(r.Context())
	if err != nil {
		return err
	}
	now := s.now()
	policy, _ := policies.InForce(now)
	out := List[CoverageItem]{Items: make([]CoverageItem, 0, len(page))}
	for _, code := range page {
		place, _ := domain.ParseJurisdiction(code)
		item := CoverageItem{Jurisdiction: place, JurisdictionName: domain.PlaceName(reg, place), Role: domain.RoleChildDirector}
		if len(code) == 9 {
			item.Role = domain.RoleChildSupervisor
		}
		if len(held[code]) == 0 {
			item.Vacant = true
			out.Items = append(out.Items, item)
			continue
		}
		for _, wf := range held[code] {
			item.WorkerID, item.WorkerName = wf.ID, wf.Name
			item.Qualification = wf.QualificationAt(now, policy.RetrainingMonths)
			out.Items = append(out.Items, item)
		}
	}
	if more {
		out.NextCursor = nextCursor(coverageCursor{After: page[len(page)-1]})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}

// postsUnder are the codes of every township and village under prefix
// after the code after, in code order: a township comes before its
// villages.
func postsUnder(reg *divisions.Register, prefix, after string) iter.Seq[string] {
	return func(yield func(string) bool) {
		next, stop := iter.Pull(reg.Under(prefix, divisions.Village))
		defer stop()
		village, ok := next()
		for township := range reg.Under(prefix, divisions.Township) {
			for ok && village < township {
				if village > after && !yield(village) {
					return
				}
				village, ok = next()
			}
			if township > after && !yield(township) {
				return
			}
		}
		for ; ok; village, ok = next() {
			if village > after && !yield(village) {
				return
			}
		}
	}
}
