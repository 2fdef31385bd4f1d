package privacy

import (
	"encoding/json"
	"strings"
)

// Catalog is what a Store needs to know about the events it keeps. The
// package that owns the events provides it (eventlog/personal.Catalog for
// careledger's domain). It says which fields of an event type are
// personal, whose personal data a stream's events hold, and which event
// type erases that data. The store knows no event type or stream name of
// its own.
type Catalog interface {
	// Personal lists the personal fields of an event type, or none for a
	// type that holds no personal data. The store asks for every event it
	// appends or reads, and only reads the slice.
	Personal(eventType string) []Field
	// Subject says how the events of a stream name their data subject.
	Subject(streamID string) Subject
	// Erases reports whether an event of the type erases its subject's
	// personal data. The store destroys the subject's data key before it
	// appends such an event.
	Erases(eventType string) bool
}

// Field is a personal field of an event's JSON data. At rest it is sealed
// under its subject's data key. Once the key is destroyed it reads as null,
// or, with KeepYear, a date reads as January 1st of its year ("2015-03-04"
// reads "2015-01-01").
type Field struct {
	// Path names the field by its JSON member names, nested with dots
	// ("reporter.phone"); a member name followed by "[]" names every
	// element of the array it holds ("rectifications[].description": the
	// description of each item; "needs[]": each element). The whole value
	// at the path is sealed, and each element's on its own, so that what
	// lies beside it (an item's owner and due date) stays in clear.
	Path     string
	KeepYear bool
}

// Subject says whose personal data the events of one stream hold: the data
// subject whose key seals their personal fields. Either the stream id names
// the subject (ID), or the event that opens the stream names it in its
// data (OpenedBy and Member). The zero Subject is no one's: the stream's
// events are stored as they are.
type Subject struct {
	// ID is the subject when the stream id names it: a child's stream
	// holds the child's data.
	ID string
	// OpenedBy is the type of the event that opens the stream and names
	// its subject. Member is the member of that event's JSON data that holds
	// the subject's id. For example, a case is opened by its report, whose
	// "child_id" names the child. The store takes the subject from such an
	// event when one is appended or read, and otherwise from the stream's
	// first event. It remembers the subject for each stream.
	OpenedBy string
	Member   string
	// Optional says that the opening event may name no subject: then the
	// stream holds no one's data and its events are stored as they are
	// (streams opened before their opening event named its subject).
	// Without it such an event is refused, and a stream opened by it
	// cannot be read.
	Optional bool
}

// subjectIn is the subject named by a member of an event's JSON data. It
// reads the data as encoding/json decodes it into a struct with one string
// field of that name: the whole data must be valid, keys match without
// regard to case, the last match wins and null leaves the value as it was.
// ok is false when the data names no subject.
func subjectIn(data json.RawMessage, member string) (subject string, ok bool) {
	if !json.Valid(data) {
		return "", false
	}
	ms, err := members(data)
	if err != nil {
		return "", false
	}
	for _, m := range ms {
		if !strings.EqualFold(m.key, member) {
			continue
		}
		if err := json.Unmarshal(data[m.start:m.end], &subject); err != nil {
			return "", false
		}
	}
	return subject, subject != ""
}
