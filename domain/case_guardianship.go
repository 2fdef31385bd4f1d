package domain

import (
	"fmt"
	"time"
)

// StartTemporaryGuardianship records that the center takes the child into
// temporary guardianship (step 8, 临时监护) on a ground of art. 92, with a
// placement. Only a caseworker may, and only when none is active.
func (c *Case) StartTemporaryGuardianship(by Principal, now, at time.Time, ground GuardianshipGround, placement Placement) error {
	if err := c.precheck(by, ActStartTemporaryGuardianship); err != nil {
		return err
	}
	if ground.IsZero() {
		return invalid("ground", "is required")
	}
	if placement.IsZero() {
		return invalid("placement", "is required")
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	if g := c.facts.activeGuardianship(); g != nil {
		return ruleBroken(RuleGuardianshipActive, "temporary guardianship is already active since %s", g.StartedAt.Format(time.RFC3339))
	}
	c.record(Change{Event: TemporaryGuardianshipStarted{Ground: ground, Placement: placement}, Actor: by.Actor, OccurredAt: at})
	return nil
}

// EndTemporaryGuardianship records how the active temporary guardianship
// ended (return to the family, long-term guardianship, transfer…). Only a
// caseworker may end it, not before it started.
func (c *Case) EndTemporaryGuardianship(by Principal, now, at time.Time, outcome GuardianshipOutcome) error {
	if err := c.precheck(by, ActEndTemporaryGuardianship); err != nil {
		return err
	}
	if outcome.IsZero() {
		return invalid("outcome", "is required")
	}
	if err := c.checkAt(at, now); err != nil {
		return err
	}
	if err := c.checkOpen(); err != nil {
		return err
	}
	g := c.facts.activeGuardianship()
	if g == nil {
		return ruleBroken(RuleNoGuardianship, "no temporary guardianship is active")
	}
	if at.Before(g.StartedAt) {
		return &ImpossibleError{Field: "occurred_at", Message: fmt.Sprintf("%s is before temporary guardianship started (%s)",
			at.Format(time.RFC3339), g.StartedAt.Format(time.RFC3339))}
	}
	c.record(Change{Event: TemporaryGuardianshipEnded{Outcome: outcome}, Actor: by.Actor, OccurredAt: at})
	return nil
}
