package childview

import (
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
)

// Child is a child's file as GET /v1/children/{id} shows it (API.md
// "Child"). The view gives its non-personal part: Name, IDNumber,
// Guardian, EntrustedGuardian, LivingSituation and Schooling are always
// nil here, and BirthDate keeps only the year ("YYYY-01-01"); the API fills
// them from the child's own events while the child's key exists. After
// erasure Erased is true.
type Child struct {
	ID                string              `json:"id"`
	Name              *string             `json:"name"`
	IDNumber          *string             `json:"id_number"`
	BirthDate         string              `json:"birth_date"`
	Sex               string              `json:"sex"`
	Jurisdiction      domain.Jurisdiction `json:"jurisdiction"`
	Categories        []string            `json:"categories"`
	DifficultyReasons []string            `json:"difficulty_reasons"`
	KeyChildFlags     []string            `json:"key_child_flags"`
	KeyChild          bool                `json:"key_child"`
	Guardian          *domain.Guardian    `json:"guardian"`
	EntrustedGuardian *domain.Guardian    `json:"entrusted_guardian"`
	LivingSituation   *string             `json:"living_situation"`
	Schooling         *string             `json:"schooling"`
	HukouRegistered   bool                `json:"hukou_registered"`
	RegisteredAt      time.Time           `json:"registered_at"`
	LastVisitAt       *time.Time          `json:"last_visit_at"`
	Erased            bool                `json:"erased"`
	Version           int64               `json:"version"`
}

// Listing is a child as the children list shows it: enough to find the
// child, and nothing of the file a reader must open (and so be recorded in
// the access log) to see — no ID number, guardian, phone, living situation
// or schooling. Name is always nil here; the API fills it.
type Listing struct {
	ID            string              `json:"id"`
	Name          *string             `json:"name"`
	BirthDate     string              `json:"birth_date"`
	Sex           string              `json:"sex"`
	Jurisdiction  domain.Jurisdiction `json:"jurisdiction"`
	Categories    []string            `json:"categories"`
	KeyChildFlags []string            `json:"key_child_flags"`
	KeyChild      bool                `json:"key_child"`
	LastVisitAt   *time.Time          `json:"last_visit_at"`
	Erased        bool                `json:"erased"`
	Version       int64               `json:"version"`
}

// fileOf is the file of the child whose stream is child-<id> as its facts
// give it: the one derivation that Find and List return.
func fileOf(id string, f *domain.ChildFacts) Child {
	c := Child{
		ID:                id,
		BirthDate:         birthYear(f.BirthYear),
		Sex:               f.Sex.String(),
		Jurisdiction:      f.Jurisdiction,
		Categories:        words(f.Categories),
		DifficultyReasons: words(f.DifficultyReasons),
		KeyChildFlags:     words(f.KeyChildFlags),
		KeyChild:          f.IsKeyChild(),
		HukouRegistered:   f.HukouRegistered,
		RegisteredAt:      f.RegisteredAt.UTC(),
		Erased:            f.Erased(),
		Version:           f.Version,
	}
	if v := f.LastVisitAt(); v != nil {
		at := v.UTC()
		c.LastVisitAt = &at
	}
	return c
}

// listingOf is a file as the children list shows it.
func listingOf(c Child) Listing {
	return Listing{ID: c.ID, Name: c.Name, BirthDate: c.BirthDate, Sex: c.Sex, Jurisdiction: c.Jurisdiction,
		Categories: c.Categories, KeyChildFlags: c.KeyChildFlags, KeyChild: c.KeyChild, LastVisitAt: c.LastVisitAt,
		Erased: c.Erased, Version: c.Version}
}

// birthYear spells a year of birth as API.md keeps it: 2015 → "2015-01-01".
func birthYear(year int) string { return fmt.Sprintf("%04d-01-01", year) }

// words spells vocabulary terms as their words; none is [], never nil.
func words[T fmt.Stringer](terms []T) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t.String()
	}
	return out
}
