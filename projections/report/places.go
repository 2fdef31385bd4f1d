package report

import "strings"

// NamePlaces fills the report's Places with name(code) for every
// jurisdiction code it names: the subject's place, the posts of role
// owners (child_director:370902101201), the workers' and people's posts and
// the actors' jurisdictions. A code name does not know is left out.
func NamePlaces(r *Report, name func(code string) string) {
	r.Places = map[string]string{}
	add := func(code string) {
		if _, done := r.Places[code]; done || code == "" {
			return
		}
		if n := name(code); n != "" {
			r.Places[code] = n
		}
	}
	owner := func(o string) {
		if kind, code, ok := strings.Cut(o, ":"); ok && kind != "agency" {
			add(code)
		}
	}
	add(r.Subject.Jurisdiction)
	add(r.OpenedBy.Jurisdiction)
	for _, w := range r.Workers {
		add(w.Jurisdiction)
	}
	for _, p := range r.People {
		add(p.Jurisdiction)
	}
	for _, d := range r.Deadlines {
		owner(d.Owner)
		owner(d.OwnerAtIncident)
		for _, span := range d.Owners {
			owner(span.Owner)
		}
	}
	for _, it := range r.Timeline {
		add(it.Actor.Jurisdiction)
	}
	for _, e := range r.LateEntries {
		add(e.Actor.Jurisdiction)
	}
	for _, c := range r.Corrections {
		add(c.By.Jurisdiction)
	}
	if r.Findings != nil {
		add(r.Findings.RecordedBy.Jurisdiction)
	}
	if r.Closed != nil {
		add(r.Closed.By.Jurisdiction)
	}
}
