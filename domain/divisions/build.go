package divisions

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// row is one division while a register is being assembled.
type row struct {
	code uint64
	name string
}

// newTable sorts rows by code and packs them into a table. The codes must
// be distinct.
func newTable(rows []row) (table, error) {
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.code, b.code) })
	total := 0
	for _, r := range rows {
		total += len(r.name)
	}
	if uint64(total) > math.MaxUint32 {
		return table{}, fmt.Errorf("names too long: %d bytes", total)
	}
	t := table{codes: make([]uint64, len(rows)), ends: make([]uint32, len(rows))}
	var b strings.Builder
	b.Grow(total)
	for i, r := range rows {
		t.codes[i] = r.code
		b.WriteString(r.name)
		t.ends[i] = uint32(b.Len())
	}
	t.names = b.String()
	return t, nil
}

// rows lists the divisions of t.
func (t *table) rows() []row {
	rs := make([]row, t.len())
	for i := range rs {
		rs[i] = row{t.codes[i], t.name(i)}
	}
	return rs
}

// checkName says what is wrong with a division's name, or "" if nothing.
func checkName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case !utf8.ValidString(name):
		return fmt.Sprintf("name %q is not valid UTF-8", name)
	case strings.TrimSpace(name) != name:
		return fmt.Sprintf("name %q has surrounding spaces", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Sprintf("name %q has a control character", name)
	}
	return ""
}

// checkEdition says what is wrong with an edition's name, or "" if nothing.
func checkEdition(edition string) string {
	if edition == "" || strings.TrimSpace(edition) != edition || !utf8.ValidString(edition) || strings.ContainsFunc(edition, unicode.IsControl) {
		return fmt.Sprintf("edition %q: want a non-empty name such as \"2023\"", edition)
	}
	return ""
}
