package domain

import (
	"fmt"
	"strings"
)

// StreamKind is the kind of aggregate a stream holds; the log keeps it as
// the stream's type.
type StreamKind string

// The kinds of stream. Each case, child, worker and inquiry has a stream of
// its own; every deadline-policy change goes to the one policy stream.
const (
	StreamCase    StreamKind = "case"
	StreamChild   StreamKind = "child"
	StreamWorker  StreamKind = "worker"
	StreamInquiry StreamKind = "inquiry"
	StreamPolicy  StreamKind = "policy"
	// StreamDivisions holds the editions of the register of divisions
	// loaded after the one careledger ships.
	StreamDivisions StreamKind = "divisions"
)

// StreamID names a stream of the log: its kind and, but for the policy
// stream, the id of its aggregate ("case-0190…"). It is the only place that
// knows how stream ids are spelled: everyone else builds one with
// CaseStream…PolicyStream or ParseStreamID and reads it with Kind and ID.
type StreamID struct {
	kind StreamKind
	id   string
}

// CaseStream, ChildStream, WorkerStream and InquiryStream name an
// aggregate's stream.
func CaseStream(id string) StreamID    { return StreamID{kind: StreamCase, id: id} }
func ChildStream(id string) StreamID   { return StreamID{kind: StreamChild, id: id} }
func WorkerStream(id string) StreamID  { return StreamID{kind: StreamWorker, id: id} }
func InquiryStream(id string) StreamID { return StreamID{kind: StreamInquiry, id: id} }

// PolicyStream holds every DeadlinePolicyChanged.
var PolicyStream = StreamID{kind: StreamPolicy}

// ParseStreamID reads a stream id as the log spells it: "policy", or a kind
// and an aggregate id joined by "-" ("case-0190…"). An aggregate id may
// itself hold "-" (a UUID does); a kind never does.
func ParseStreamID(s string) (StreamID, error) {
	switch s {
	case string(StreamPolicy):
		return PolicyStream, nil
	case string(StreamDivisions):
		return DivisionsStream, nil
	}
	kind, id, ok := strings.Cut(s, "-")
	if ok && id != "" {
		switch k := StreamKind(kind); k {
		case StreamCase, StreamChild, StreamWorker, StreamInquiry, StreamWebhook:
			return StreamID{kind: k, id: id}, nil
		}
	}
	return StreamID{}, fmt.Errorf("stream id %q: not a case-, child-, worker-, inquiry- or webhook- stream, nor the policy or divisions stream", s)
}

// String is the stream id as the log spells it.
func (s StreamID) String() string {
	if s.id == "" {
		return string(s.kind)
	}
	return string(s.kind) + "-" + s.id
}

// Kind is the kind of aggregate the stream holds.
func (s StreamID) Kind() StreamKind { return s.kind }

// ID is the aggregate's id ("" for the policy stream).
func (s StreamID) ID() string { return s.id }

// IsZero reports whether no stream is named.
func (s StreamID) IsZero() bool { return s.kind == "" }

// MarshalText spells the stream id.
func (s StreamID) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText accepts what ParseStreamID accepts, or "" for none.
func (s *StreamID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = StreamID{}
		return nil
	}
	parsed, err := ParseStreamID(string(b))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// TouchedIDs lists, once each and in order of first appearance, the ids of
// the aggregates of one kind whose streams the events belong to.
func TouchedIDs(events []Recorded, kind StreamKind) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range events {
		if r.StreamID.kind == kind && !seen[r.StreamID.id] {
			seen[r.StreamID.id] = true
			ids = append(ids, r.StreamID.id)
		}
	}
	return ids
}

// ContinuedIDs lists, once each and in order of first appearance, the ids
// of the aggregates of one kind whose streams the events take up after
// their start: those whose first event here is not their stream's first.
// Only they can have been seen before these events; a read model need
// look up nothing of the others (a rebuild meets most streams from their
// start).
func ContinuedIDs(events []Recorded, kind StreamKind) []string {
	var ids []string
	seen := map[string]bool{}
	for _, r := range events {
		if r.StreamID.kind == kind && !seen[r.StreamID.id] {
			seen[r.StreamID.id] = true
			if r.Version != 1 {
				ids = append(ids, r.StreamID.id)
			}
		}
	}
	return ids
}
