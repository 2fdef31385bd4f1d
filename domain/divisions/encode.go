package divisions

import (
	"bytes"
	"cmp"
	"compress/flate"
	"encoding/binary"
	"slices"
	"strings"
)

// MarshalBinary encodes r in the compact form the package embeds (see
// internal/gen): codes delta-encoded, names cut into a stem and a common
// suffix, stems' runes ranked by frequency, all DEFLATE-compressed. The
// same register always encodes to the same bytes.
func (r *Register) MarshalBinary() ([]byte, error) {
	// Cut each name into stem and suffix, and rank the stems' runes.
	type cut struct {
		stem   string
		suffix int // 1-based index into suffixes, 0 for none
	}
	var cuts [Village + 1][]cut
	freq := map[rune]int{}
	for _, l := range levels {
		t := &r.tables[l]
		cuts[l] = make([]cut, t.len())
		for i := range t.len() {
			c := cut{stem: t.name(i)}
			for k, s := range suffixes {
				if stem, ok := strings.CutSuffix(c.stem, s); ok {
					c = cut{stem, k + 1}
					break
				}
			}
			for _, ch := range c.stem {
				freq[ch]++
			}
			cuts[l][i] = c
		}
	}
	alphabet := make([]rune, 0, len(freq))
	for ch := range freq {
		alphabet = append(alphabet, ch)
	}
	slices.SortFunc(alphabet, func(a, b rune) int {
		return cmp.Or(cmp.Compare(freq[b], freq[a]), cmp.Compare(a, b))
	})
	rank := make(map[rune]uint64, len(alphabet))
	for i, ch := range alphabet {
		rank[ch] = uint64(i + 1)
	}

	var p []byte
	str := func(s string) {
		p = binary.AppendUvarint(p, uint64(len(s)))
		p = append(p, s...)
	}
	str(r.edition)
	p = binary.AppendUvarint(p, uint64(len(alphabet)))
	for _, ch := range alphabet {
		p = binary.AppendUvarint(p, uint64(ch))
	}
	p = binary.AppendUvarint(p, uint64(len(suffixes)))
	for _, s := range suffixes {
		str(s)
	}
	for _, l := range levels {
		p = binary.AppendUvarint(p, uint64(r.tables[l].len()))
		p = binary.AppendUvarint(p, uint64(len(r.tables[l].names)))
	}
	for _, l := range levels {
		var prev uint64
		for _, v := range r.tables[l].codes {
			p = binary.AppendUvarint(p, v-prev)
			prev = v
		}
	}
	for _, l := range levels {
		for _, c := range cuts[l] {
			p = binary.AppendUvarint(p, uint64(c.suffix))
			for _, ch := range c.stem {
				p = binary.AppendUvarint(p, rank[ch])
			}
			p = append(p, 0)
		}
	}

	var out bytes.Buffer
	out.WriteString(magic)
	out.WriteByte(version)
	out.Write(binary.AppendUvarint(nil, uint64(len(p))))
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(p); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
