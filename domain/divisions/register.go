package divisions

import (
	"iter"
	"slices"
	"strings"
)

// Register is one edition of the divisions: every code of the five levels
// with its name. It is immutable; its methods are safe for concurrent use.
// Lookups by code are binary searches over sorted codes.
type Register struct {
	edition string
	tables  [Village + 1]table // indexed by Level; tables[0] is unused
}

// table holds the divisions of one level, sorted by code.
type table struct {
	codes []uint64 // ascending
	names string   // every name, concatenated in code order
	ends  []uint32 // ends[i] is where name i ends in names; it starts at ends[i-1] (0 for i == 0)
}

func (t *table) len() int { return len(t.codes) }

// name is the name of the i-th division. It shares memory with t.names.
func (t *table) name(i int) string {
	var start uint32
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.names[start:t.ends[i]]
}

// find is the index of code v, or -1.
func (t *table) find(v uint64) int {
	i, ok := slices.BinarySearch(t.codes, v)
	if !ok {
		return -1
	}
	return i
}

// span is the half-open index range of the codes in [lo, hi).
func (t *table) span(lo, hi uint64) (int, int) {
	i, _ := slices.BinarySearch(t.codes, lo)
	j, _ := slices.BinarySearch(t.codes[i:], hi)
	return i, i + j
}

// lookup is the level and index of code, or ok false when the register has
// no such code (or it is not a code at all).
func (r *Register) lookup(code string) (Level, int, bool) {
	l, ok := LevelOf(code)
	if !ok {
		return 0, 0, false
	}
	i := r.tables[l].find(parseDigits(code))
	return l, i, i >= 0
}

// Edition names the edition, e.g. "2023".
func (r *Register) Edition() string { return r.edition }

// Len is the number of divisions of all levels.
func (r *Register) Len() int {
	n := 0
	for _, l := range levels {
		n += r.tables[l].len()
	}
	return n
}

// Count is the number of divisions of level l (0 for an invalid level).
func (r *Register) Count(l Level) int {
	if !l.valid() {
		return 0
	}
	return r.tables[l].len()
}

// Contains reports whether code is a division of this edition.
func (r *Register) Contains(code string) bool {
	_, _, ok := r.lookup(code)
	return ok
}

// Name is the division's own name as the source gives it, e.g. 邱家店村委会
// for 370902101201. It does not allocate.
func (r *Register) Name(code string) (string, bool) {
	l, i, ok := r.lookup(code)
	if !ok {
		return "", false
	}
	return r.tables[l].name(i), true
}

// FullName is the names of the division and its ancestors from the province
// down, concatenated: 山东省泰安市泰山区邱家店镇邱家店村委会 for
// 370902101201. Two kinds of name are left out, as a postal address leaves
// them out: an ancestor's placeholder name (市辖区, 县, 省直辖县级行政区划,
// 自治区直辖县级行政区划: the cities that only group a municipality's or a
// province's directly administered counties), and a name equal to its
// parent's (东莞市 the county under 东莞市 the city; 金门县 the township
// and village under 金门县 the county).
func (r *Register) FullName(code string) (string, bool) {
	l, _, ok := r.lookup(code)
	if !ok {
		return "", false
	}
	var b strings.Builder
	parent := ""
	for _, al := range levels[:l] {
		name, _ := r.Name(code[:widths[al]])
		if name != parent && (al == l || !placeholder(name)) {
			b.WriteString(name)
		}
		parent = name
	}
	return b.String(), true
}

// placeholder reports whether name stands for no place of its own: the
// source's grouping "cities" of directly administered districts and
// counties.
func placeholder(name string) bool {
	return name == "市辖区" || name == "县" || strings.HasSuffix(name, "直辖县级行政区划")
}

// Parent is the code of the division directly above code: its first 2, 4,
// 6 or 9 digits. ok is false for a province and for a code not in the
// register.
func (r *Register) Parent(code string) (string, bool) {
	l, _, ok := r.lookup(code)
	if !ok || l == Province {
		return "", false
	}
	return code[:widths[l-1]], true
}

// Children are the codes of the divisions directly under code, sorted; nil
// for a village and for a code not in the register.
func (r *Register) Children(code string) []string {
	l, _, ok := r.lookup(code)
	if !ok || l == Village {
		return nil
	}
	return slices.Collect(r.Under(code, l+1))
}

// Under yields, in ascending order, the codes of level l that start with
// prefix: every village of county 370902 is Under("370902", Village); every
// township is Under("", Township). It yields nothing when prefix is not all
// digits or is longer than a code of level l.
func (r *Register) Under(prefix string, l Level) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !l.valid() || len(prefix) > widths[l] || !allDigits(prefix) {
			return
		}
		t := &r.tables[l]
		scale := pow10[widths[l]-len(prefix)]
		lo := parseDigits(prefix) * scale
		i, j := t.span(lo, lo+scale)
		for _, v := range t.codes[i:j] {
			if !yield(formatCode(v, widths[l])) {
				return
			}
		}
	}
}
