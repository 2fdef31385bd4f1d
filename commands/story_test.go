package commands_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// TestWholeStory drives DOMAIN.md's story through every handler, on the
// real stores: a director's visit finds a child living alone and files a
// report; the center assigns, forwards to police, takes temporary
// guardianship, refers to education, the partner accepts and completes,
// guardianship ends with return home, the case closes, is followed up,
// reopened after a major incident, and an inspector opens an inquiry.
func TestWholeStory(t *testing.T) {
	backends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		w := newWorld(t, store)
		h := w.h
		at := func(d time.Duration) time.Time { return now.Add(-48 * time.Hour).Add(d) }
		as := func(p domain.Principal) commands.Call { return commands.Call{Principal: p} }
		must := func(res commands.Result, err error) commands.Result {
			t.Helper()
			require.NoError(t, err)
			return res
		}

		// The admin changed the policy three days ago (business time is
		// the clock's: the change is in force from then).
		policy := domain.DefaultPolicy()
		policy.PoliceReport = domain.Hours(2)
		earlier := commands.New(store, commands.WithClock(func() time.Time { return now.Add(-72 * time.Hour) }))
		must(earlier.ChangePolicy(ctx, as(w.admin), commands.ChangePolicy{Policy: policy}))
		concerns, _ := domain.ParseConcerns([]string{"living_alone"})
		must(h.RecordVisit(ctx, as(w.director), commands.RecordVisit{ChildID: w.childID, OccurredAt: at(0), Findings: "孩子独自在家", Concerns: concerns}))
		must(h.ConfirmEntrustment(ctx, as(w.director), commands.ConfirmEntrustment{ChildID: w.childID, OccurredAt: at(time.Minute),
			EntrustedGuardian: domain.Guardian{Name: "王秀英", Relation: "grandmother", Phone: "13800000000"}, ParentsNotified: true}))
		schooling := "小学四年级"
		must(h.UpdateChildProfile(ctx, as(w.director), commands.UpdateChildProfile{ChildID: w.childID, Update: domain.ChildProfileUpdated{Schooling: &schooling}}))

		src, _ := domain.ParseSource("visit")
		rt, _ := domain.ParseReporterType("child_director")
		opened, _, err := h.ReceiveReport(ctx, as(w.director), commands.ReceiveReport{ChildID: w.childID, Source: src,
			Reporter: domain.Reporter{Type: rt}, Concerns: concerns, Risk: domain.RiskHigh, ReceivedAt: at(10 * time.Minute), Summary: "独自在家"})
		require.NoError(t, err)
		id := opened.ID

		cw := as(w.caseworker)
		must(h.AssignCase(ctx, cw, commands.AssignCase{CaseID: id, WorkerID: w.caseworker.Subject}))
		must(h.ForwardToPolice(ctx, cw, commands.ForwardToPolice{CaseID: id, OccurredAt: at(30 * time.Minute), PoliceUnit: "城关派出所", Reference: "JJ-1"}))
		must(h.RecordEmergencyResponse(ctx, cw, commands.RecordEmergencyResponse{CaseID: id, OccurredAt: at(time.Hour), Action: "taken_into_center"}))
		ground, _ := domain.ParseGround("guardian_missing")
		placement, _ := domain.ParsePlacement("center")
		must(h.StartTemporaryGuardianship(ctx, cw, commands.StartTemporaryGuardianship{CaseID: id, OccurredAt: at(2 * time.Hour), Ground: ground, Placement: placement}))
		must(h.CompleteAssessment(ctx, cw, commands.CompleteAssessment{CaseID: id, OccurredAt: at(3 * time.Hour), Risk: domain.RiskMedium,
			Needs: []string{"schooling"}, GuardianshipAssessment: "祖母可以照护"}))
		agencies, _ := domain.ParseAgencies([]string{"education", "police"})
		must(h.HoldConference(ctx, cw, commands.HoldConference{CaseID: id, OccurredAt: at(4 * time.Hour), Agencies: agencies, Decisions: "转介教育部门"}))
		education, _ := domain.ParseAgency("education")
		service, _ := domain.ParseService("return_to_school")
		ref := must(h.MakeReferral(ctx, commands.Call{Principal: w.caseworker, IdempotencyKey: "ref-1", RequestHash: "x"},
			commands.MakeReferral{CaseID: id, Agency: education, Service: service, Note: "返校"}))
		require.NotEmpty(t, ref.ReferralID)
		again := must(h.MakeReferral(ctx, commands.Call{Principal: w.caseworker, IdempotencyKey: "ref-1", RequestHash: "x"},
			commands.MakeReferral{CaseID: id, Agency: education, Service: service, Note: "返校"}))
		assert.Equal(t, ref, again, "a retried referral names the same referral and appends nothing")

		partner := domain.Principal{Actor: domain.Actor{Subject: "edu-liaison", Role: domain.RolePartner, Jurisdiction: jur(t, county)}, Agency: education}
		policeAgency, _ := domain.ParseAgency("police")
		wrongPartner := partner
		wrongPartner.Agency = policeAgency
		_, err = h.AcceptReferral(ctx, as(wrongPartner), commands.AcceptReferral{CaseID: id, ReferralID: ref.ReferralID})
		assert.ErrorIs(t, err, domain.ErrForbidden, "a partner acts only on its own agency's referrals")
		must(h.AcceptReferral(ctx, as(partner), commands.AcceptReferral{CaseID: id, ReferralID: ref.ReferralID}))

		reason, _ := domain.ParseClosureReason("returned_to_family")
		_, err = h.CloseCase(ctx, cw, commands.CloseCase{CaseID: id, OccurredAt: now, Reason: reason})
		assert.ErrorIs(t, err, domain.ErrRule, "no closure with guardianship active and the referral unresolved")

		must(h.CompleteReferral(ctx, as(partner), commands.CompleteReferral{CaseID: id, ReferralID: ref.ReferralID, Note: "已复学"}))
		outcome, _ := domain.ParseGuardianshipOutcome("returned_to_family")
		must(h.EndTemporaryGuardianship(ctx, cw, commands.EndTemporaryGuardianship{CaseID: id, OccurredAt: at(20 * time.Hour), Outcome: outcome}))
		must(h.RecordIntervention(ctx, cw, commands.RecordIntervention{CaseID: id, OccurredAt: at(21 * time.Hour), Measure: "family_education_guidance"}))
		must(h.CloseCase(ctx, cw, commands.CloseCase{CaseID: id, OccurredAt: at(22 * time.Hour), Reason: reason}))

		_, err = h.RecordIntervention(ctx, cw, commands.RecordIntervention{CaseID: id, OccurredAt: now, Measure: "x"})
		assert.ErrorIs(t, err, domain.ErrRule, "a closed case accepts only follow-ups, major incidents and reopening")
		must(h.RecordFollowUp(ctx, as(w.director), commands.RecordFollowUp{CaseID: id, OccurredAt: now, Note: "回访：在校正常"}))
		inspector := principal(t, "inspector-1", domain.RoleInspector, county)
		must(h.DeclareMajorIncident(ctx, as(inspector), commands.DeclareMajorIncident{CaseID: id, OccurredAt: now, Description: "溺水"}))
		must(h.ReopenCase(ctx, cw, commands.ReopenCase{CaseID: id, Reason: "重大事件"}))
		inquiry := must(h.OpenInquiry(ctx, as(inspector), commands.OpenInquiry{CaseID: id, IncidentAt: now, Reason: "倒查"}))
		assert.NotEmpty(t, inquiry.ID)

		// The police unit was typed wrong: a correction names the entry.
		entries, err := store.ReadStream(ctx, domain.CaseStream(id).String(), 2, 1)
		require.NoError(t, err)
		must(h.CorrectCaseEntry(ctx, cw, commands.CorrectCaseEntry{CaseID: id, Position: entries[0].GlobalPosition,
			Fields: map[string]json.RawMessage{"police_unit": json.RawMessage(`"东关派出所"`)}, Reason: "单位名称录入错误"}))

		history, err := store.ReadStream(ctx, domain.CaseStream(id).String(), 0, 0)
		require.NoError(t, err)
		var types []string
		for _, e := range history {
			types = append(types, e.Type)
		}
		assert.Equal(t, []string{
			"case.report_received", "case.assigned", "case.report_forwarded_to_police", "case.emergency_response_recorded",
			"case.temporary_guardianship_started", "case.assessment_completed", "case.conference_held", "case.referral_made",
			"case.referral_accepted", "case.referral_completed", "case.temporary_guardianship_ended",
			"case.guardianship_intervention_recorded", "case.closed", "case.follow_up_recorded",
			"case.major_incident_declared", "case.reopened", "record.entry_corrected",
		}, types)

		// The clocks, from the events alone: the police report was due two
		// hours after the report (the policy changed before it) and was
		// forwarded in twenty minutes.
		recorded, err := decodeAll(h, history)
		require.NoError(t, err)
		policyEvents, err := store.ReadStream(ctx, domain.PolicyStream.String(), 0, 0)
		require.NoError(t, err)
		policies, err := decodeAll(h, policyEvents)
		require.NoError(t, err)
		var police *domain.Deadline
		for _, d := range domain.CaseDeadlines(domain.FoldCase(recorded), nil, domain.LoadPolicyHistory(policies), now) {
			if d.Kind == domain.KindPoliceReport {
				police = &d
			}
		}
		require.NotNil(t, police)
		assert.Equal(t, domain.DeadlineMet, police.Status)
		assert.Equal(t, at(10*time.Minute).Add(2*time.Hour).UTC(), police.DueAt.UTC())
		assert.Equal(t, int64(1), police.PolicyVersion)
	})
}

func decodeAll(h *commands.Handlers, events []eventstore.Event) ([]domain.Recorded, error) {
	return h.Codec().Decode(events)
}
