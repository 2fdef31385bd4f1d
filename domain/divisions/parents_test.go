package divisions

import "fmt"

// checkParents reports the first division of r whose parent r lacks.
func (r *Register) checkParents() error {
	for _, l := range levels[1:] {
		t, up := &r.tables[l], &r.tables[l-1]
		scale := pow10[widths[l]-widths[l-1]]
		for _, v := range t.codes {
			if up.find(v/scale) < 0 {
				return fmt.Errorf("%s %s has no parent %s %s", l, formatCode(v, widths[l]), l-1, formatCode(v/scale, widths[l-1]))
			}
		}
	}
	return nil
}
