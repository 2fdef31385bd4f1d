package domain

import (
	"fmt"
	"time"
)

// PoliceAcknowledged: the police acknowledged a report forwarded to them
// and said what they did (37号 四(三) 迅速处警).
type PoliceAcknowledged struct {
	Officer string `json:"officer,omitempty"`
	Action  string `json:"action"`
}

func (PoliceAcknowledged) EventType() string { return "case.police_acknowledged" }

// AgencyPolice is the police, the agency a report is forwarded to.
var AgencyPolice = term[agencyWords]("police")

// ActAcknowledgePolice: the police acknowledging a forwarded report.
var ActAcknowledgePolice = act("acknowledge a report forwarded to the police", RolePartner)

// RuleNotForwarded: the police acknowledge a report never forwarded to them.
const RuleNotForwarded = "not_forwarded"

// AcknowledgePolice records, for a partner of the police, that the report
// forwarded to them was taken up, at at: never before it was forwarded.
func (c *Case) AcknowledgePolice(by Principal, now, at time.Time, officer, action string) error {
	if err := c.precheck(by, ActAcknowledgePolice); err != nil {
		return err
	}
	if by.Agency != AgencyPolice {
		return forbidden("only a partner of the police may %s", ActAcknowledgePolice)
	}
	name, err := caseText("officer", officer, false, caseShortTextLimit)
	if err != nil {
		return err
	}
	what, err := caseText("action", action, true, caseTextLimit)
	if err != nil {
		return err
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	forwarded := c.facts.PoliceReportedAt
	if forwarded == nil {
		return ruleBroken(RuleNotForwarded, "case %s was never forwarded to the police", c.facts.ID)
	}
	if at.Before(*forwarded) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before the report was forwarded to the police (%s)",
			at.Format(time.RFC3339), forwarded.Format(time.RFC3339))}
	}
	c.record(Change{Event: PoliceAcknowledged{Officer: name, Action: what}, Actor: by.Actor, OccurredAt: at})
	return nil
}
