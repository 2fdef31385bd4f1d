package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCaseTransfer(t *testing.T) {
	t.Parallel()
	daiyue := mustPlace("370911101201")
	transfer := func(to Jurisdiction, reason string) func(c *Case) error {
		return func(c *Case) error { return c.Transfer(caseCW, caseNow, caseAt, to, reason) }
	}
	runCaseSpecs(t, []caseSpec{
		{name: "to a village of another county", when: transfer(daiyue, " 随母迁居岱岳区 "),
			then: []Event{CaseTransferred{From: casePlace, Jurisdiction: daiyue, Reason: "随母迁居岱岳区"}}},
		{name: "to where it lies", when: transfer(casePlace, "x"), fail: caseFailsRule(RuleSamePlace)},
		{name: "to a county, not a village", when: transfer(mustJurisdiction(t, "370911"), "x"), fail: caseFailsInvalid("jurisdiction")},
		{name: "without a reason", when: transfer(daiyue, " "), fail: caseFailsInvalid("reason")},
		{name: "a closed case", given: []Event{caseClosed}, when: transfer(daiyue, "x"), fail: caseFailsRule(RuleCaseClosed)},
	})

	t.Run("then the case lies in the new place and nobody is assigned", func(t *testing.T) {
		t.Parallel()
		f := FoldCase(caseGiven(CaseAssigned{WorkerID: "cw-1"}, CaseTransferred{From: casePlace, Jurisdiction: daiyue, Reason: "x"}))
		assert.Equal(t, daiyue, f.Jurisdiction)
		assert.Empty(t, f.Assignee)
	})
}
