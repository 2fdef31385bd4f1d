package domain

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// caseDesk is the 12355 desk of the county: a partner of the Youth League.
var caseDesk = casePartner(AgencyYouthLeague)

// TestReportDesk: given no case, when a partner receives a report, then
// the Youth League's 12355 desk opens the case on a report of the 12355
// line, and every other report or partner is refused, recording nothing.
func TestReportDesk(t *testing.T) {
	t.Parallel()
	walkIn := term[sourceWords]("walk_in")
	for _, tc := range []struct {
		name   string
		by     Principal
		source Source
		fail   func(*testing.T, error)
		says   []string // what a refusal's message names
	}{
		{name: "the 12355 desk receives a report of the line", by: caseDesk, source: SourceHotline12355},
		{name: "the desk may not receive a walk-in", by: caseDesk, source: walkIn, fail: caseFailsForbidden,
			says: []string{"12355", "hotline_12355", "walk_in"}},
		{name: "the desk may not receive a mandatory report", by: caseDesk, source: term[sourceWords]("mandatory_report"),
			fail: caseFailsForbidden, says: []string{"hotline_12355", "mandatory_report"}},
		{name: "a report without a source is invalid, not refused", by: caseDesk, source: Source{}, fail: caseFailsInvalid("source")},
		{name: "a partner of education may not receive one", by: casePartner(caseEducation), source: SourceHotline12355,
			fail: caseFailsForbidden, says: []string{"education", "youth_league", "12355"}},
		{name: "nor one of the police", by: casePartner(casePolice), source: SourceHotline12355, fail: caseFailsForbidden,
			says: []string{"police"}},
		{name: "nor a partner that names no agency", by: acting(RolePartner, "p-1", "370902"), source: SourceHotline12355,
			fail: caseFailsForbidden, says: []string{"no agency"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := caseInput()
			in.Source = tc.source
			c, err := ReceiveReport(tc.by, caseNow, caseChild, in)
			if tc.fail != nil {
				require.Error(t, err)
				tc.fail(t, err)
				for _, part := range tc.says {
					assert.Contains(t, err.Error(), part)
				}
				assert.Nil(t, c, "a refused report opens no case")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []Change{{Event: caseReport(), Actor: tc.by.Actor, OccurredAt: caseReceived}}, c.Changes())
			assert.Equal(t, tc.by.Actor, c.Receiver())
		})
	}
}

// TestReportDeskRegistersTheChildOfItsReport: the desk opens the file of
// the child its report is about; no other partner does, and no partner
// registers a child on its own.
func TestReportDeskRegistersTheChildOfItsReport(t *testing.T) {
	t.Parallel()
	c, err := RegisterChildForReport(caseDesk, workerNow, aChildForQualification())
	require.NoError(t, err)
	assert.Len(t, c.Changes(), 1)

	_, err = RegisterChildForReport(casePartner(caseEducation), workerNow, aChildForQualification())
	thenForbidden(t, err)
	_, err = RegisterChild(caseDesk, workerNow, aChildForQualification())
	thenForbidden(t, err)
}

// TestReportDeskDoesNothingElseOfACase: given a case the desk received,
// when the desk gives any other command of a case, then it is refused and
// nothing is recorded; the center's caseworker takes the case on.
func TestReportDeskDoesNothingElseOfACase(t *testing.T) {
	t.Parallel()
	desk := func(given ...Event) []Recorded {
		history := caseGiven(given...)
		history[0].Actor = caseDesk.Actor
		return history
	}
	for _, cmd := range caseCommands() {
		t.Run(cmd.name, func(t *testing.T) {
			t.Parallel()
			history := desk(cmd.given...)
			c := LoadCase(caseChild, history)
			err := cmd.do(c, caseDesk, caseAt)
			thenForbidden(t, err)
			assert.Empty(t, c.Changes())
			assert.Equal(t, LoadCase(caseChild, history), c, "a refused command changes nothing")

			if !slices.Contains(cmd.roles, RoleCaseworker) {
				return
			}
			c = LoadCase(caseChild, history)
			require.NoError(t, cmd.do(c, caseCW, caseAt), "the center's caseworker may %s", cmd.name)
		})
	}
}

// TestReferralsAgency: a partner lists its own agency's referrals only;
// a caseworker lists any agency's, or every one.
func TestReferralsAgency(t *testing.T) {
	t.Parallel()
	edu := casePartner(caseEducation)
	for _, tc := range []struct {
		name string
		by   Principal
		want Agency
		got  Agency
		deny []string // a refusal's message names these
	}{
		{name: "a partner lists its own agency's", by: edu, got: caseEducation},
		{name: "asking for its own agency changes nothing", by: edu, want: caseEducation, got: caseEducation},
		{name: "a partner may not ask for another agency's", by: edu, want: casePolice, deny: []string{"education", "police"}},
		{name: "a partner that names no agency lists nothing", by: acting(RolePartner, "p-1", "370902"), deny: []string{"no agency"}},
		{name: "a caseworker lists every agency's", by: caseCW},
		{name: "or one agency's", by: caseCW, want: casePolice, got: casePolice},
		{name: "a director lists none", by: caseDirector, deny: []string{"child_director", "read referrals"}},
		{name: "nor an inspector", by: caseInspector, deny: []string{"inspector"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReferralsAgency(tc.by, tc.want)
			if tc.deny != nil {
				thenForbidden(t, err)
				for _, part := range tc.deny {
					assert.Contains(t, err.Error(), part)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.got, got)
		})
	}
}

// TestReferralDisclosure: the agency's partner reads the child's name and
// the guardian's contact once it has accepted the referral; before, it is
// refused; another agency's partner learns nothing (not found); a
// caseworker may always.
func TestReferralDisclosure(t *testing.T) {
	t.Parallel()
	edu := casePartner(caseEducation)
	for _, tc := range []struct {
		name   string
		by     Principal
		status ReferralStatus
		then   func(*testing.T, error)
	}{
		{"accepted: the agency's partner may", edu, ReferralStatusAccepted, nil},
		{"completed: the agency's partner may", edu, ReferralStatusCompleted, nil},
		{"pending: it must accept first", edu, ReferralStatusPending, func(t *testing.T, err error) {
			thenForbidden(t, err)
			assert.Contains(t, err.Error(), "pending")
			assert.Contains(t, err.Error(), "accepted")
		}},
		{"declined: never", edu, ReferralStatusDeclined, caseFailsForbidden},
		{"another agency's partner learns nothing", casePartner(casePolice), ReferralStatusAccepted, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrNotFound)
			assert.Contains(t, err.Error(), "r-1")
		}},
		{"nor one without an agency", acting(RolePartner, "p-1", "370902"), ReferralStatusAccepted, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrNotFound)
		}},
		{"a caseworker may, pending", caseCW, ReferralStatusPending, nil},
		{"a caseworker may, declined", caseCW, ReferralStatusDeclined, nil},
		{"an inspector may not", caseInspector, ReferralStatusAccepted, caseFailsForbidden},
		{"an analyst may not", acting(RoleAnalyst, "a-1", "370902"), ReferralStatusAccepted, caseFailsForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckReferralDisclosure(tc.by, "r-1", caseEducation, tc.status)
			if tc.then == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			tc.then(t, err)
		})
	}
}
