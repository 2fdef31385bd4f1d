package domain

import (
	"encoding/json"
	"fmt"
)

// Upcaster turns the data of one schema version of an event type into the
// next version's.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// Registry maps stable event type names and schema versions to event
// types. Old versions are upcast when read, so the domain only ever sees
// current ones.
type Registry struct {
	byName map[string]registration
}

type registration struct {
	version   int
	decode    func(json.RawMessage) (Event, error)
	upcasters map[int]Upcaster // from version k to k+1
}

// NewRegistry registers every event of the domain at its current version.
func NewRegistry() *Registry {
	r := &Registry{byName: map[string]registration{}}
	Register[ReportReceived](r, 1, nil)
	Register[ReportForwardedToPolice](r, 1, nil)
	Register[EmergencyResponseRecorded](r, 1, nil)
	Register[CaseAssigned](r, 1, nil)
	Register[AssessmentCompleted](r, 1, nil)
	Register[CaseConferenceHeld](r, 1, nil)
	Register[ReferralMade](r, 1, nil)
	Register[ReferralAccepted](r, 1, nil)
	Register[ReferralDeclined](r, 1, nil)
	Register[ReferralCompleted](r, 1, nil)
	Register[TemporaryGuardianshipStarted](r, 1, nil)
	Register[TemporaryGuardianshipEnded](r, 1, nil)
	Register[GuardianshipInterventionRecorded](r, 1, nil)
	Register[FollowUpRecorded](r, 1, nil)
	Register[MajorIncidentDeclared](r, 1, nil)
	Register[CaseClosed](r, 1, nil)
	Register[CaseReopened](r, 1, nil)
	Register[ChildRegistered](r, 1, nil)
	Register[ChildProfileUpdated](r, 1, nil)
	Register[VisitRecorded](r, 1, nil)
	Register[GuardianshipEntrustmentConfirmed](r, 1, nil)
	Register[ChildDataErased](r, 1, nil)
	Register[WorkerRegistered](r, 1, nil)
	Register[WorkerTrainingRecorded](r, 1, nil)
	Register[WorkerDeactivated](r, 1, nil)
	Register[WorkerTransferred](r, 1, nil)
	Register[InquiryOpened](r, 1, nil)
	Register[DeadlinePolicyChanged](r, 2, map[int]Upcaster{1: policyV1ToV2})
	Register[EntryCorrected](r, 1, nil)
	Register[DivisionsImported](r, 1, nil)
	Register[CaseTransferred](r, 1, nil)
	Register[PoliceAcknowledged](r, 1, nil)
	Register[InquiryFindingsRecorded](r, 1, nil)
	Register[RectificationCompleted](r, 1, nil)
	Register[InquiryClosed](r, 1, nil)
	Register[WebhookRegistered](r, 1, nil)
	Register[WebhookRemoved](r, 1, nil)
	return r
}

// Register adds event type T at schema version current; upcasters[k]
// turns version k into k+1 for every k below current.
func Register[T Event](r *Registry, current int, upcasters map[int]Upcaster) {
	var zero T
	name := zero.EventType()
	if _, dup := r.byName[name]; dup {
		panic("domain: event type registered twice: " + name)
	}
	for k := 1; k < current; k++ {
		if upcasters[k] == nil {
			panic(fmt.Sprintf("domain: %s has no upcaster from version %d", name, k))
		}
	}
	r.byName[name] = registration{
		version:   current,
		upcasters: upcasters,
		decode: func(data json.RawMessage) (Event, error) {
			var e T
			if err := json.Unmarshal(data, &e); err != nil {
				return nil, err
			}
			return e, nil
		},
	}
}

// Encode gives an event's type name, current schema version and JSON data.
func (r *Registry) Encode(e Event) (name string, version int, data []byte, err error) {
	name = e.EventType()
	reg, ok := r.byName[name]
	if !ok {
		return "", 0, nil, fmt.Errorf("encode event: type %s is not registered", name)
	}
	data, err = json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode event %s: %w", name, err)
	}
	return name, reg.version, data, nil
}

// Decode reads stored data of a type and schema version, upcasting it to
// the current version first.
func (r *Registry) Decode(name string, version int, data json.RawMessage) (Event, error) {
	reg, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("decode event: unknown type %s", name)
	}
	if version < 1 || version > reg.version {
		return nil, fmt.Errorf("decode event %s: schema version %d, this build knows 1 to %d", name, version, reg.version)
	}
	for k := version; k < reg.version; k++ {
		up, err := reg.upcasters[k](data)
		if err != nil {
			return nil, fmt.Errorf("decode event %s: upcast from version %d: %w", name, k, err)
		}
		data = up
	}
	e, err := reg.decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode event %s v%d: %w", name, version, err)
	}
	return e, nil
}
