package domain

import (
	"time"

	"github.com/google/uuid"
)

// EntryCorrected corrects an earlier entry of the same case or child file.
// Nothing is edited or deleted: the wrong entry stays, and this one names
// it and says what the record should have said.
type EntryCorrected struct {
	Corrects      uuid.UUID `json:"corrects"`       // the event id of the entry corrected
	CorrectedType string    `json:"corrected_type"` // its type, for readers of the timeline
	Correction    string    `json:"correction"`
	Reason        string    `json:"reason"`
}

// EventType implements Event.
func (EntryCorrected) EventType() string { return "record.entry_corrected" }

// RuleUnknownEntry: a correction must name an entry of the record it corrects.
const RuleUnknownEntry = "unknown_entry"

// CorrectEntry decides a correction of one entry of a stream's history (a
// case or a child file). Case actors may correct; the entry must be in that
// history. The correction's business time is now.
func CorrectEntry(by Principal, now time.Time, history []Recorded, entry uuid.UUID, correction, reason string) (Change, error) {
	if err := ActCorrectEntry.Check(by); err != nil {
		return Change{}, err
	}
	if entry == uuid.Nil {
		return Change{}, invalid("corrects", "name the event id of the entry corrected")
	}
	if err := requiredText("correction", correction, MaxTextRunes); err != nil {
		return Change{}, err
	}
	if err := requiredText("reason", reason, MaxTextRunes); err != nil {
		return Change{}, err
	}
	for _, r := range history {
		if r.ID == entry {
			return Change{
				Event:      EntryCorrected{Corrects: entry, CorrectedType: r.Event.EventType(), Correction: correction, Reason: reason},
				Actor:      by.Actor,
				OccurredAt: now,
			}, nil
		}
	}
	return Change{}, ruleBroken(RuleUnknownEntry, "%s is not an entry of this record", entry)
}
