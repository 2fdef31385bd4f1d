package personal_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore/privacy"
)

// TestCatalogIsTheDomains: the store is told exactly what the domain says
// is personal, whose it is, and what erases it.
func TestCatalogIsTheDomains(t *testing.T) {
	t.Parallel()
	c := personal.Catalog()
	events := []domain.Event{
		domain.ReportReceived{}, domain.ReportForwardedToPolice{}, domain.EmergencyResponseRecorded{}, domain.CaseAssigned{},
		domain.AssessmentCompleted{}, domain.CaseConferenceHeld{}, domain.ReferralMade{}, domain.ReferralAccepted{},
		domain.ReferralDeclined{}, domain.ReferralCompleted{}, domain.TemporaryGuardianshipStarted{},
		domain.TemporaryGuardianshipEnded{}, domain.GuardianshipInterventionRecorded{}, domain.FollowUpRecorded{},
		domain.MajorIncidentDeclared{}, domain.CaseClosed{}, domain.CaseReopened{}, domain.ChildRegistered{},
		domain.ChildProfileUpdated{}, domain.VisitRecorded{}, domain.GuardianshipEntrustmentConfirmed{},
		domain.ChildDataErased{}, domain.WorkerRegistered{}, domain.WorkerTrainingRecorded{}, domain.InquiryOpened{},
		domain.DeadlinePolicyChanged{}, domain.EntryCorrected{}, domain.CaseTransferred{}, domain.PoliceAcknowledged{},
		domain.InquiryFindingsRecorded{}, domain.RectificationCompleted{}, domain.InquiryClosed{},
	}
	for _, e := range events {
		var want []privacy.Field
		for _, f := range domain.PersonalFields(e.EventType()) {
			want = append(want, privacy.Field{Path: f.Path, KeepYear: f.KeepYear})
		}
		assert.Equal(t, want, c.Personal(e.EventType()), e.EventType())
		assert.Equal(t, want, c.Personal(e.EventType()), "%s asked again", e.EventType())
		assert.Equal(t, e.EventType() == domain.ChildDataErased{}.EventType(), c.Erases(e.EventType()), e.EventType())
	}
	assert.NotEmpty(t, c.Personal(domain.ChildRegistered{}.EventType()), "a child's file is personal")
	assert.Empty(t, c.Personal("case.from_the_future"))

	assert.Equal(t, privacy.Subject{ID: "c-1"}, c.Subject(domain.ChildStream("c-1").String()), "a child's stream is the child's")
	assert.Equal(t, privacy.Subject{OpenedBy: domain.ReportReceived{}.EventType(), Member: "child_id"},
		c.Subject(domain.CaseStream("k-1").String()), "a case's is the child its report names")
	assert.Equal(t, privacy.Subject{OpenedBy: domain.InquiryOpened{}.EventType(), Member: "data_subject_id", Optional: true},
		c.Subject(domain.InquiryStream("q-1").String()), "an inquiry's is the child its opening names, if it names one")
	for _, stream := range []string{domain.WorkerStream("w-1").String(),
		domain.PolicyStream.String(), "case-", "nonsense"} {
		assert.Equal(t, privacy.Subject{}, c.Subject(stream), "%s holds no child's data", stream)
	}
}

// TestSubjectMembersAreTheEvents: the member a stream's opening names its
// subject in is the one the domain's event writes.
func TestSubjectMembersAreTheEvents(t *testing.T) {
	t.Parallel()
	c := personal.Catalog()
	for stream, opening := range map[domain.StreamID]domain.Event{
		domain.CaseStream("k-1"):    domain.ReportReceived{CaseID: "k-1", ChildID: "c-1"},
		domain.InquiryStream("q-1"): domain.InquiryOpened{InquiryID: "q-1", CaseID: "k-1", DataSubjectID: "c-1"},
	} {
		subject := c.Subject(stream.String())
		require.Equal(t, opening.EventType(), subject.OpenedBy)
		data, err := json.Marshal(opening)
		require.NoError(t, err)
		var members map[string]any
		require.NoError(t, json.Unmarshal(data, &members))
		assert.Equal(t, "c-1", members[subject.Member], "%s names its child in %q", opening.EventType(), subject.Member)
	}
}
