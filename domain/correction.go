package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// EntryCorrected corrects an earlier entry of the same case or child file.
// Nothing is edited or deleted: the wrong entry stays, and this one names
// it (by event id and global position) and says what its fields should
// have said.
type EntryCorrected struct {
	Corrects         uuid.UUID `json:"corrects"`                    // the event id of the entry corrected
	CorrectsPosition int64     `json:"corrects_position,omitempty"` // its global position
	CorrectedType    string    `json:"corrected_type"`              // its type, for readers of the timeline
	// Fields are the corrected fields of the entry, by their JSON names,
	// with the values the entry should have had.
	Fields map[string]json.RawMessage `json:"fields,omitempty"`
	// Correction is the free text of corrections recorded before they
	// named fields; it is kept as it was.
	Correction string `json:"correction,omitempty"`
	Reason     string `json:"reason"`
}

// EventType implements Event.
func (EntryCorrected) EventType() string { return "record.entry_corrected" }

// CorrectEntry decides a correction of one entry of a stream's history (a
// case or a child file), named by its global position: case actors may
// correct; the fields must be fields of that entry, and the entry with
// them must still be a valid entry of its type. A correction itself is
// not corrected. The correction's business time is now.
func CorrectEntry(by Principal, now time.Time, history []Recorded, position int64, fields map[string]json.RawMessage, reason string) (Change, error) {
	if err := ActCorrectEntry.Check(by); err != nil {
		return Change{}, err
	}
	if position <= 0 {
		return Change{}, invalid("corrects_position", "name the global position of the entry corrected")
	}
	if len(fields) == 0 {
		return Change{}, invalid("fields", "name at least one corrected field of the entry, with its right value")
	}
	if err := requiredText("reason", reason, MaxTextRunes); err != nil {
		return Change{}, err
	}
	i := slices.IndexFunc(history, func(r Recorded) bool { return r.Position == position })
	if i < 0 {
		return Change{}, invalid("corrects_position", "%d is not an entry of this record", position)
	}
	entry := history[i]
	if _, ok := entry.Event.(EntryCorrected); ok {
		return Change{}, invalid("corrects_position", "%d is a correction; correct the entry itself", position)
	}
	if err := checkCorrectedFields(entry.Event, fields); err != nil {
		return Change{}, err
	}
	return Change{
		Event: EntryCorrected{Corrects: entry.ID, CorrectsPosition: position, CorrectedType: entry.Event.EventType(),
			Fields: fields, Reason: strings.TrimSpace(reason)},
		Actor:      by.Actor,
		OccurredAt: now,
	}, nil
}

// checkCorrectedFields refuses a field the entry's type does not have, and
// values with which the entry would no longer read as its type (a word out
// of its vocabulary, a text where a date belongs), naming the field.
func checkCorrectedFields(e Event, fields map[string]json.RawMessage) error {
	t := reflect.TypeOf(e)
	known := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			known[name] = true
		}
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("correct %s: %w", e.EventType(), err)
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(raw, &merged); err != nil {
		return fmt.Errorf("correct %s: %w", e.EventType(), err)
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !known[name] {
			return invalid("fields."+name, "a %s entry has no field %q", e.EventType(), name)
		}
		merged[name] = fields[name]
		one, _ := json.Marshal(map[string]json.RawMessage{name: fields[name]})
		if err := json.Unmarshal(one, reflect.New(t).Interface()); err != nil {
			return invalid("fields."+name, "not a value of that field: %v", err)
		}
	}
	whole, _ := json.Marshal(merged)
	dec := json.NewDecoder(bytes.NewReader(whole))
	dec.DisallowUnknownFields()
	if err := dec.Decode(reflect.New(t).Interface()); err != nil {
		return invalid("fields", "the corrected entry would not read as %s: %v", e.EventType(), err)
	}
	return nil
}
