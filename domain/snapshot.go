package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Snapshots are the facts of an aggregate as a read model keeps them
// between batches: a compact binary layout (MarshalBinary, UnmarshalBinary
// on CaseFacts, ChildFacts, WorkerFacts and InquiryFacts), about half the
// size of their JSON and an order of magnitude cheaper to write and read,
// which a rebuild does for every case and child. A snapshot is derived data, rebuilt from
// the log, never exchanged: its layout may change with a build.
// SnapshotLayout names the layout; a read model puts it in its schema so
// that a build with another layout rebuilds the read model.
const SnapshotLayout = "facts-binary-v4"

// snapshot tags, the first byte of each kind of snapshot.
const (
	snapshotCase    byte = 'c'
	snapshotChild   byte = 'h'
	snapshotWorker  byte = 'w'
	snapshotInquiry byte = 'q'
)

// errSnapshot: the bytes are not a snapshot of this layout.
var errSnapshot = errors.New("not a facts snapshot of layout " + SnapshotLayout)

// snapshotWriter appends the parts of a snapshot.
type snapshotWriter struct{ b []byte }

func (w *snapshotWriter) int(n int64)  { w.b = binary.AppendVarint(w.b, n) }
func (w *snapshotWriter) uint(n int)   { w.b = binary.AppendUvarint(w.b, uint64(n)) }
func (w *snapshotWriter) bool(v bool)  { w.b = append(w.b, boolByte(v)) }
func (w *snapshotWriter) str(s string) { w.uint(len(s)); w.b = append(w.b, s...) }

// time is a moment in nanoseconds since 1970 (UTC), or the zero time.
func (w *snapshotWriter) time(t time.Time) {
	if t.IsZero() {
		w.int(math.MinInt64)
		return
	}
	w.int(t.UnixNano())
}

func (w *snapshotWriter) timePtr(t *time.Time) {
	if t == nil {
		w.bool(false)
		return
	}
	w.bool(true)
	w.time(*t)
}

func (w *snapshotWriter) times(ts []time.Time) {
	w.uint(len(ts))
	for _, t := range ts {
		w.time(t)
	}
}

func (w *snapshotWriter) actor(a Actor) {
	w.str(a.Subject)
	w.str(a.Role.s)
	w.str(a.Jurisdiction.code)
	w.str(a.Qualification.s)
}

func writeTerms[V vocabulary](w *snapshotWriter, ts []Term[V]) {
	if ts == nil {
		w.uint(0)
		return
	}
	w.uint(len(ts) + 1) // 0: nil, n+1: n terms
	for _, t := range ts {
		w.str(t.s)
	}
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// snapshotReader reads the parts of a snapshot; the first error sticks.
type snapshotReader struct {
	b   []byte
	err error
}

func (r *snapshotReader) fail() {
	if r.err == nil {
		r.err = errSnapshot
	}
}

func (r *snapshotReader) int() int64 {
	n, size := binary.Varint(r.b)
	if size <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[size:]
	return n
}

func (r *snapshotReader) uint() int {
	n, size := binary.Uvarint(r.b)
	if size <= 0 || n > math.MaxInt32 {
		r.fail()
		return 0
	}
	r.b = r.b[size:]
	return int(n)
}

func (r *snapshotReader) bool() bool {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.fail()
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

func (r *snapshotReader) str() string {
	n := r.uint()
	if r.err != nil || n > len(r.b) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *snapshotReader) time() time.Time {
	n := r.int()
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (r *snapshotReader) timePtr() *time.Time {
	if !r.bool() {
		return nil
	}
	t := r.time()
	return &t
}

func (r *snapshotReader) times() []time.Time {
	n := r.uint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail()
		return nil
	}
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = r.time()
	}
	return ts
}

func (r *snapshotReader) actor() Actor {
	return Actor{Subject: r.str(), Role: readTerm[roleWords](r), Jurisdiction: r.jurisdiction(),
		Qualification: readTerm[qualificationWords](r)}
}

func (r *snapshotReader) jurisdiction() Jurisdiction {
	s := r.str()
	if s == "" {
		return Jurisdiction{}
	}
	j, err := ParseJurisdiction(s)
	if err != nil {
		r.fail()
	}
	return j
}

func readTerm[V vocabulary](r *snapshotReader) Term[V] {
	s := r.str()
	if s == "" {
		return Term[V]{}
	}
	t, err := ParseTerm[V](s)
	if err != nil {
		r.fail()
	}
	return t
}

func readTerms[V vocabulary](r *snapshotReader) []Term[V] {
	n := r.uint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n-1 > len(r.b) {
		r.fail()
		return nil
	}
	ts := make([]Term[V], n-1)
	for i := range ts {
		ts[i] = readTerm[V](r)
	}
	return ts
}

// finish checks that the whole snapshot was read.
func (r *snapshotReader) finish(kind string) error {
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return fmt.Errorf("%s facts: %w", kind, r.err)
	}
	return nil
}

// begin checks the snapshot's tag.
func (r *snapshotReader) begin(tag byte) {
	if len(r.b) == 0 || r.b[0] != tag {
		r.fail()
		return
	}
	r.b = r.b[1:]
}
