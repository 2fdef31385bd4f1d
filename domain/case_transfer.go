package domain

import "time"

// CaseTransferred moves an open case to another place (属地管理): the child
// now lives in another village, perhaps another county, whose protection
// center takes the case over. From then on the case lies in the new
// jurisdiction and nobody is assigned to it until that center assigns it.
type CaseTransferred struct {
	From         Jurisdiction `json:"from"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Reason       string       `json:"reason"`
}

func (CaseTransferred) EventType() string { return "case.transferred" }

// ActTransferCase: moving a case to another jurisdiction.
var ActTransferCase = act("transfer a case to another jurisdiction", RoleCaseworker)

// RuleSamePlace: a case is transferred to where it already lies.
const RuleSamePlace = "same_place"

// Transfer moves the open case to the village or community to, from at.
func (c *Case) Transfer(by Principal, now, at time.Time, to Jurisdiction, reason string) error {
	if err := c.precheck(by, ActTransferCase); err != nil {
		return err
	}
	if !to.IsPlace() {
		return invalid("jurisdiction", "a case lies in a village or community: give its 12-digit code")
	}
	why, err := caseText("reason", reason, true, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	if to == c.facts.Jurisdiction {
		return ruleBroken(RuleSamePlace, "case %s already lies in %s", c.facts.ID, to)
	}
	c.record(Change{Event: CaseTransferred{From: c.facts.Jurisdiction, Jurisdiction: to, Reason: why}, Actor: by.Actor, OccurredAt: at})
	return nil
}
