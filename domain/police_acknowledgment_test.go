package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAcknowledgePolice(t *testing.T) {
	t.Parallel()
	forwarded := ReportForwardedToPolice{PoliceUnit: "泰山区公安分局"} // at caseReceived + 1 min
	police := casePartner(casePolice)
	ack := func(by Principal, at time.Time, officer, action string) func(c *Case) error {
		return func(c *Case) error { return c.AcknowledgePolice(by, caseNow, at, officer, action) }
	}
	specs := []caseSpec{
		{name: "the police acknowledge a forwarded report", given: []Event{forwarded}, when: ack(police, caseAt, " 张警官 ", " 出警，已将儿童送至临时安置点 "),
			then: []Event{PoliceAcknowledged{Officer: "张警官", Action: "出警，已将儿童送至临时安置点"}}},
		{name: "the officer is optional", given: []Event{forwarded}, when: ack(police, caseAt, "", "出警"),
			then: []Event{PoliceAcknowledged{Action: "出警"}}},
		{name: "at the moment of the forward", given: []Event{forwarded}, when: ack(police, caseReceived.Add(time.Minute), "", "出警"),
			then: []Event{PoliceAcknowledged{Action: "出警"}}},
		{name: "again, as the police report more", given: []Event{forwarded, PoliceAcknowledged{Action: "出警"}}, when: ack(police, caseAt, "", "立案侦查"),
			then: []Event{PoliceAcknowledged{Action: "立案侦查"}}},
		{name: "a report never forwarded", when: ack(police, caseAt, "", "出警"), fail: caseFailsRule(RuleNotForwarded)},
		{name: "before the forward", given: []Event{forwarded}, when: ack(police, caseReceived.Add(30*time.Second), "", "出警"),
			fail: caseFailsImpossible("occurred_at")},
		{name: "in the future", given: []Event{forwarded}, when: ack(police, caseNow.Add(ClockSkew+time.Second), "", "出警"),
			fail: caseFailsImpossible("occurred_at")},
		{name: "without a time", given: []Event{forwarded}, when: ack(police, time.Time{}, "", "出警"), fail: caseFailsInvalid("occurred_at")},
		{name: "without an action", given: []Event{forwarded}, when: ack(police, caseAt, "张警官", " \t"), fail: caseFailsInvalid("action")},
		{name: "an overlong officer", given: []Event{forwarded}, when: ack(police, caseAt, strings.Repeat("警", caseShortTextLimit+1), "出警"),
			fail: caseFailsInvalid("officer")},
		{name: "a partner of another agency", given: []Event{forwarded}, when: ack(casePartner(caseEducation), caseAt, "", "出警"),
			fail: caseFailsForbidden},
		{name: "a partner of no agency", given: []Event{forwarded}, when: ack(acting(RolePartner, "p-1", "370902"), caseAt, "", "出警"),
			fail: caseFailsForbidden},
		{name: "a closed case", given: []Event{forwarded, caseClosed}, when: ack(police, caseAt, "", "出警"), fail: caseFailsRule(RuleCaseClosed)},
	}
	for _, role := range everyRole {
		if role == RolePartner {
			continue
		}
		by := acting(role, "p-1", "370902")
		by.Agency = casePolice
		specs = append(specs, caseSpec{name: "not a " + role.String(), given: []Event{forwarded}, when: ack(by, caseAt, "", "出警"), fail: caseFailsForbidden})
	}
	runCaseSpecs(t, specs)

	t.Run("a case never opened", func(t *testing.T) {
		t.Parallel()
		c := LoadCase(caseChild, nil)
		thenRule(t, c.AcknowledgePolice(police, caseNow, caseAt, "", "出警"), RuleNoCase)
	})

	t.Run("the facts keep each acknowledgment", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(caseGiven(forwarded, PoliceAcknowledged{Action: "出警"}))
		assert.Equal(t, []time.Time{caseReceived.Add(2 * time.Minute)}, f.PoliceAcknowledgments)
	})
}
