package domain

import (
	"fmt"
	"time"

	"github.com/careledger/careledger/domain/divisions"
)

// DivisionsImported records that an admin loaded a newer edition of the
// register of administrative divisions (统计用区划代码). It carries only
// what the newer edition adds or renames against the register the log
// knew, so replaying it on the edition careledger ships gives the same
// register on every server.
type DivisionsImported struct {
	Edition string            `json:"edition"`
	Entries []divisions.Entry `json:"entries"`
}

func (DivisionsImported) EventType() string { return "divisions.edition_imported" }

// DivisionsStream holds every DivisionsImported.
var DivisionsStream = StreamID{kind: StreamDivisions}

// ActImportDivisions: loading a newer edition of the register.
var ActImportDivisions = act("load a newer edition of the register of administrative divisions", RoleAdmin)

// RuleNothingNew: an imported edition adds nothing to the register.
const RuleNothingNew = "nothing_new"

// ImportDivisions decides an admin's loading of a newer edition: the
// register holds everywhere, so only an admin of "all" may change it, and
// an edition that adds or renames nothing is refused.
func ImportDivisions(by Principal, now time.Time, current, newer *divisions.Register) (Change, error) {
	if err := ActImportDivisions.Check(by); err != nil {
		return Change{}, err
	}
	if by.Jurisdiction != All {
		return Change{}, forbidden("the register of divisions holds everywhere; only an admin of every jurisdiction (\"all\") may load an edition")
	}
	if newer.Edition() == "" {
		return Change{}, invalid("edition", "an edition is named, e.g. 2024")
	}
	entries := current.Diff(newer)
	if len(entries) == 0 {
		return Change{}, ruleBroken(RuleNothingNew, "edition %s adds or renames no division against the register in use (edition %s)", newer.Edition(), current.Edition())
	}
	return Change{Event: DivisionsImported{Edition: newer.Edition(), Entries: entries}, Actor: by.Actor, OccurredAt: now}, nil
}

// ApplyDivisions is r with every DivisionsImported of history applied in
// order: from divisions.Embedded() and the whole divisions stream, the
// register the log knows. Events of other types are ignored.
func ApplyDivisions(r *divisions.Register, history []Recorded) (*divisions.Register, error) {
	for _, rec := range history {
		e, ok := rec.Event.(DivisionsImported)
		if !ok {
			continue
		}
		next, err := r.With(e.Edition, e.Entries)
		if err != nil {
			return nil, fmt.Errorf("divisions edition %s at position %d: %w", e.Edition, rec.Position, err)
		}
		r = next
	}
	return r, nil
}

// CheckPlace says whether a jurisdiction code is in the register: "all"
// is; a code the register does not hold is invalid, naming the field and
// the edition.
func CheckPlace(r *divisions.Register, field string, j Jurisdiction) error {
	if j.IsZero() || j == All || r.Contains(j.code) {
		return nil
	}
	return invalid(field, "%s is not in the register of administrative divisions (统计用区划代码, edition %s)", j.code, r.Edition())
}

// PlaceName is the full Chinese name of a jurisdiction
// (山东省泰安市泰山区邱家店镇邱家店村委会), "全部" for all, or "" when the
// register does not hold the code.
func PlaceName(r *divisions.Register, j Jurisdiction) string {
	if j == All {
		return "全部辖区"
	}
	name, _ := r.FullName(j.code)
	return name
}
