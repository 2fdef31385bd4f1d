// Package personal gives the event store the domain's catalog of personal
// data (个人信息): which fields of which event hold a child's personal
// information, whose data a stream holds, and which event erases it. The
// store's sealing decorator (eventstore/privacy) takes the catalog from the
// program that wires it (cmd), so that the log itself knows no domain.
package personal

import (
	"sync"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore/privacy"
)

// Catalog is the domain's catalog of personal data, for the store that
// seals it (privacy.Wrap). It gives the personal fields of each event
// type (domain.PersonalFields) and whose data a stream holds: a child's
// stream holds the child's, a case's stream holds the data of the child
// its report names, and an inquiry's the data of the child its opening
// names. It also names the event that erases a child's data
// (domain.ChildDataErased).
func Catalog() privacy.Catalog {
	return &privacyCatalog{erasure: domain.ChildDataErased{}.EventType()}
}

type privacyCatalog struct {
	erasure string
	fields  sync.Map // event type → []privacy.Field, for the types that have any
}

// Personal implements privacy.Catalog. The store asks for every event it
// reads, so each type's fields are converted once and then reused.
func (c *privacyCatalog) Personal(eventType string) []privacy.Field {
	if fields, ok := c.fields.Load(eventType); ok {
		return fields.([]privacy.Field)
	}
	personal := domain.PersonalFields(eventType)
	if len(personal) == 0 {
		return nil
	}
	fields := make([]privacy.Field, len(personal))
	for i, f := range personal {
		fields[i] = privacy.Field{Path: f.Path, KeepYear: f.KeepYear}
	}
	c.fields.Store(eventType, fields)
	return fields
}

// Subject implements privacy.Catalog.
func (c *privacyCatalog) Subject(streamID string) privacy.Subject { return subjectOf(streamID) }

// Erases implements privacy.Catalog.
func (c *privacyCatalog) Erases(eventType string) bool { return eventType == c.erasure }

// subjectOf says whose personal data a stream holds, going by the stream's
// name. A child's stream holds the child's data. A case's stream holds the
// data of the child that its report (domain.ReportReceived) names in
// "child_id". An inquiry's stream holds the data of the child that its
// opening (domain.InquiryOpened) names in "data_subject_id" — if it names
// one: inquiries opened before it was recorded hold no one's, and their
// texts stay in clear as they were written. Other streams hold no one's.
// This is the only code in the catalog that depends on how streams are
// named.
func subjectOf(streamID string) privacy.Subject {
	stream, err := domain.ParseStreamID(streamID)
	if err != nil {
		return privacy.Subject{}
	}
	switch stream.Kind() {
	case domain.StreamChild:
		return privacy.Subject{ID: stream.ID()}
	case domain.StreamCase:
		return privacy.Subject{OpenedBy: domain.ReportReceived{}.EventType(), Member: "child_id"}
	case domain.StreamInquiry:
		return privacy.Subject{OpenedBy: domain.InquiryOpened{}.EventType(), Member: "data_subject_id", Optional: true}
	}
	return privacy.Subject{}
}
