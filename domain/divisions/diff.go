package divisions

import (
	"cmp"
	"fmt"
	"slices"
)

// Entry is a division's code and name: one line of the difference between
// two editions.
type Entry struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Diff lists the divisions of newer that r lacks or names differently, with
// their names in newer; parents come before their children (by level, then
// code). r.With(newer.Edition(), r.Diff(newer)) holds every division of
// newer. Divisions of r that newer lacks are not listed, and With keeps
// them: the difference records additions and renames only.
func (r *Register) Diff(newer *Register) []Entry {
	var out []Entry
	for _, l := range levels {
		old, nt := &r.tables[l], &newer.tables[l]
		i := 0
		for j, v := range nt.codes {
			for i < old.len() && old.codes[i] < v {
				i++
			}
			name := nt.name(j)
			if i < old.len() && old.codes[i] == v && old.name(i) == name {
				continue
			}
			out = append(out, Entry{formatCode(v, widths[l]), name})
		}
	}
	return out
}

// With is a new register of the given edition: r with entries added, or
// renamed where r has their code already. Entries may come in any order;
// each code at most once, each parent in r or among the entries. r is
// unchanged.
func (r *Register) With(edition string, entries []Entry) (*Register, error) {
	if msg := checkEdition(edition); msg != "" {
		return nil, fmt.Errorf("divisions: %s", msg)
	}
	var changes [Village + 1][]row
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		l, ok := LevelOf(e.Code)
		if !ok {
			return nil, fmt.Errorf("divisions: entry %q: a code has 2, 4, 6, 9 or 12 digits", e.Code)
		}
		if msg := checkName(e.Name); msg != "" {
			return nil, fmt.Errorf("divisions: entry %s: %s", e.Code, msg)
		}
		if seen[e.Code] {
			return nil, fmt.Errorf("divisions: entry %s given twice", e.Code)
		}
		seen[e.Code] = true
		changes[l] = append(changes[l], row{parseDigits(e.Code), e.Name})
	}
	out := &Register{edition: edition}
	for _, l := range levels {
		if len(changes[l]) == 0 {
			out.tables[l] = r.tables[l] // tables are never modified: share
			continue
		}
		t, err := newTable(merge(r.tables[l].rows(), changes[l]))
		if err != nil {
			return nil, fmt.Errorf("divisions: %v", err)
		}
		out.tables[l] = t
	}
	for _, l := range levels[1:] {
		scale := pow10[widths[l]-widths[l-1]]
		for _, c := range changes[l] {
			if out.tables[l-1].find(c.code/scale) < 0 {
				return nil, fmt.Errorf("divisions: entry %s: no parent %s %s", formatCode(c.code, widths[l]), l-1, formatCode(c.code/scale, widths[l-1]))
			}
		}
	}
	return out, nil
}

// merge is base (sorted by code) with changes (distinct codes, any order)
// added or, where base has the code, put in its place.
func merge(base, changes []row) []row {
	slices.SortFunc(changes, func(a, b row) int { return cmp.Compare(a.code, b.code) })
	out := make([]row, 0, len(base)+len(changes))
	i := 0
	for _, c := range changes {
		for i < len(base) && base[i].code < c.code {
			out = append(out, base[i])
			i++
		}
		if i < len(base) && base[i].code == c.code {
			i++ // renamed
		}
		out = append(out, c)
	}
	return append(out, base[i:]...)
}
