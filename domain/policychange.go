package domain

import (
	"encoding/json"
	"slices"
	"sort"
	"time"
)

// ChangePolicy decides an admin's change of the deadline policy. The policy
// holds everywhere the system does, so only an admin whose jurisdiction is
// "all" may change it. The new policy is in force from now; the change goes
// to PolicyStream.
func ChangePolicy(by Principal, now time.Time, p DeadlinePolicy) (Change, error) {
	if err := ActChangePolicy.Check(by); err != nil {
		return Change{}, err
	}
	if by.Jurisdiction != All {
		return Change{}, forbidden("the deadline policy holds everywhere; only an admin of every jurisdiction (\"all\") may change it")
	}
	if err := p.Validate(); err != nil {
		return Change{}, err
	}
	return Change{Event: DeadlinePolicyChanged{Policy: p}, Actor: by.Actor, OccurredAt: now}, nil
}

// PolicyVersion is one recorded change of the deadline policy: the stream
// version of the change, the business time from which it is in force, when
// it was recorded, and the policy itself.
type PolicyVersion struct {
	Version    int64          `json:"version"`
	From       time.Time      `json:"from"`
	RecordedAt time.Time      `json:"recorded_at"`
	Policy     DeadlinePolicy `json:"policy"`
}

// PolicyHistory is every deadline policy that has been in force, so that a
// deadline is judged by the rule of its time. Its zero value knows no change:
// DefaultPolicy is then in force throughout.
type PolicyHistory struct {
	versions []PolicyVersion // by stream version
}

// LoadPolicyHistory reads the events of PolicyStream; events of other types
// are ignored.
func LoadPolicyHistory(history []Recorded) PolicyHistory {
	var h PolicyHistory
	for _, r := range history {
		h.Apply(r)
	}
	return h
}

// Apply folds one stored event of PolicyStream into the history.
func (h *PolicyHistory) Apply(r Recorded) {
	e, ok := r.Event.(DeadlinePolicyChanged)
	if !ok {
		return
	}
	v := PolicyVersion{Version: r.Version, From: r.OccurredAt, RecordedAt: r.RecordedAt, Policy: e.Policy}
	i := sort.Search(len(h.versions), func(i int) bool { return h.versions[i].Version > v.Version })
	h.versions = slices.Insert(h.versions, i, v)
}

// NewPolicyHistory is the history of the recorded changes given (as
// Versions lists them), for a reader that keeps them.
func NewPolicyHistory(versions []PolicyVersion) PolicyHistory {
	h := PolicyHistory{versions: slices.Clone(versions)}
	sort.SliceStable(h.versions, func(i, j int) bool { return h.versions[i].Version < h.versions[j].Version })
	return h
}

// InForce is the policy in force at t — the change that occurred at or
// before t, the latest by occurred_at and then by stream version — and that
// change's stream version; DefaultPolicy and 0 when no change occurred by t.
func (h PolicyHistory) InForce(t time.Time) (DeadlinePolicy, int64) {
	var best *PolicyVersion
	for i := range h.versions {
		v := &h.versions[i]
		if v.From.After(t) {
			continue
		}
		if best == nil || v.From.After(best.From) || (v.From.Equal(best.From) && v.Version > best.Version) {
			best = v
		}
	}
	if best == nil {
		return DefaultPolicy(), 0
	}
	return best.Policy, best.Version
}

// Versions lists the recorded changes in stream-version order.
func (h PolicyHistory) Versions() []PolicyVersion {
	return append([]PolicyVersion(nil), h.versions...)
}

// policyV1ToV2 upcasts a DeadlinePolicyChanged of schema version 1, written
// before the report_after_visit, police_acknowledgment and inquiry clocks
// and the inbox's due_soon and escalate_after and the statistics' min_cell
// existed: the policy it put in force had them at their defaults.
func policyV1ToV2(data json.RawMessage) (json.RawMessage, error) {
	var e map[string]json.RawMessage
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(e["policy"], &p); err != nil {
		return nil, err
	}
	d := DefaultPolicy()
	for name, v := range map[string]Duration{"report_after_visit": d.ReportAfterVisit,
		"police_acknowledgment": d.PoliceAcknowledgment, "inquiry": d.Inquiry, "due_soon": d.DueSoon,
		"escalate_after": d.EscalateAfter} {
		if _, ok := p[name]; !ok {
			p[name], _ = json.Marshal(v)
		}
	}
	if _, ok := p["min_cell"]; !ok {
		p["min_cell"], _ = json.Marshal(d.MinCell)
	}
	var err error
	if e["policy"], err = json.Marshal(p); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}
