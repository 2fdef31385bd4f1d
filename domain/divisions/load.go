package divisions

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed register.bin
var registerBin []byte

var embedded = sync.OnceValue(func() *Register {
	r, err := decode(registerBin)
	if err != nil {
		panic(fmt.Sprintf("divisions: embedded register.bin is corrupt (run go generate): %v", err))
	}
	return r
})

// Embedded is the register built into the package: the 2023 edition. It
// is decoded on first use (about 0.1 s; it then holds some 20 MiB of heap)
// and shared afterwards. It panics only if the embedded file is corrupt,
// which the package's tests rule out.
func Embedded() *Register { return embedded() }

// maxPayload bounds the payload decode accepts: far above any edition.
const maxPayload = 1 << 30

// maxRatio bounds how much DEFLATE can expand its input.
const maxRatio = 1032

// decode reads a register from its binary form (see format.go).
func decode(data []byte) (*Register, error) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok || len(rest) == 0 {
		return nil, errors.New("not a register: no magic")
	}
	if rest[0] != version {
		return nil, fmt.Errorf("format version %d, want %d", rest[0], version)
	}
	size, n := binary.Uvarint(rest[1:])
	if n <= 0 || size > maxPayload || size > maxRatio*uint64(len(rest)) {
		return nil, errors.New("bad payload size")
	}
	payload := make([]byte, size)
	body := bytes.NewReader(rest[1+n:])
	zr := flate.NewReader(body)
	if _, err := io.ReadFull(zr, payload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if k, err := zr.Read(make([]byte, 1)); k != 0 || err != io.EOF {
		return nil, errors.New("payload longer than its size")
	}
	if body.Len() > 0 {
		return nil, errors.New("bytes after the payload")
	}
	d := decoder{p: payload}
	r, err := d.register()
	if err == nil && d.pos != len(d.p) {
		err = fmt.Errorf("%d bytes left over", len(d.p)-d.pos)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// decoder reads the uvarints and bytes of a payload.
type decoder struct {
	p   []byte
	pos int
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.pos < len(d.p) && d.p[d.pos] < 0x80 {
		d.pos++
		return uint64(d.p[d.pos-1])
	}
	v, n := binary.Uvarint(d.p[d.pos:])
	if n <= 0 {
		d.fail("truncated or overlong uvarint")
		return 0
	}
	d.pos += n
	return v
}

// count reads a number that cannot exceed the bytes left (each item takes
// at least one).
func (d *decoder) count() int {
	v := d.uvarint()
	if v > uint64(len(d.p)-d.pos) {
		d.fail("count beyond the payload")
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.count()
	s := string(d.p[d.pos : d.pos+n])
	d.pos += n
	return s
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("at byte %d: %s", d.pos, msg)
	}
	d.pos = len(d.p) // stop reading
}

func (d *decoder) register() (*Register, error) {
	r := &Register{edition: d.string()}
	alphabet := make([]string, d.count()+1) // alphabet[rank]; rank 0 ends a stem
	for i := 1; i < len(alphabet); i++ {
		ch := d.uvarint()
		if ch > utf8.MaxRune || !utf8.ValidRune(rune(ch)) {
			d.fail("invalid rune in alphabet")
		}
		alphabet[i] = string(rune(ch))
	}
	suffix := make([]string, d.count()+1) // suffix[index]; index 0 is none
	grow := utf8.UTFMax                   // the most bytes of name one byte of payload makes
	for i := 1; i < len(suffix); i++ {
		suffix[i] = d.string()
		grow = max(grow, len(suffix[i]))
	}
	var sizes [Village + 1]int
	for _, l := range levels {
		n := d.count()
		size := d.uvarint()
		if size > uint64(grow*len(d.p)) || size > math.MaxUint32 {
			d.fail("names too long")
			size = 0
		}
		sizes[l] = int(size)
		r.tables[l] = table{codes: make([]uint64, n), ends: make([]uint32, n)}
	}
	for _, l := range levels {
		codes, limit := r.tables[l].codes, pow10[widths[l]]
		var v uint64
		for i := range codes {
			delta := d.uvarint()
			if (delta == 0 && i > 0) || delta >= limit-v {
				d.fail(fmt.Sprintf("%s codes not ascending or too long", l))
				break
			}
			v += delta
			codes[i] = v
		}
	}
	for _, l := range levels {
		t := &r.tables[l]
		var b strings.Builder
		b.Grow(sizes[l])
		for i := range t.ends {
			if d.err != nil {
				break
			}
			s := d.uvarint()
			if s >= uint64(len(suffix)) {
				d.fail("suffix out of range")
				break
			}
			for {
				// Inline the one-byte case: most ranks are under 128.
				var k uint64
				if d.pos < len(d.p) && d.p[d.pos] < 0x80 {
					k = uint64(d.p[d.pos])
					d.pos++
				} else {
					k = d.uvarint()
				}
				if k == 0 {
					break
				}
				if k >= uint64(len(alphabet)) {
					d.fail("rune rank out of range")
					break
				}
				b.WriteString(alphabet[k])
			}
			b.WriteString(suffix[s])
			if b.Len() > sizes[l] {
				d.fail(fmt.Sprintf("%s names longer than stated", l))
				break
			}
			t.ends[i] = uint32(b.Len())
		}
		if d.err == nil && b.Len() != sizes[l] {
			d.fail(fmt.Sprintf("%s names shorter than stated", l))
		}
		t.names = b.String()
	}
	return r, d.err
}
