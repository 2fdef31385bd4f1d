package projections_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections"
)

// TestEveryWordHasAChineseName: each word of API.md's vocabularies, and
// each event type, has a Chinese name (not the word itself).
func TestEveryWordHasAChineseName(t *testing.T) {
	han := regexp.MustCompile(`\p{Han}`)
	check := func(vocabulary string, words []string, zh func(string) string) {
		for _, w := range words {
			got := zh(w)
			assert.Regexp(t, han, got, "%s %q", vocabulary, w)
		}
	}
	check("concerns", []string{"living_alone", "missing", "guardian_incapacity", "neglect", "domestic_violence", "abuse",
		"begging", "trafficking", "dropout", "no_hukou", "illness", "disability"},
		func(w string) string { return projections.ZhConcern(parsed(domain.ParseConcern(w))) })
	check("risk", []string{"high", "medium", "low"},
		func(w string) string { return projections.ZhRisk(parsed(domain.ParseRisk(w))) })
	check("source", []string{"hotline_12355", "mandatory_report", "police", "walk_in", "visit", "inspection", "other"},
		func(w string) string { return projections.ZhSource(parsed(domain.ParseSource(w))) })
	check("reporter.type", []string{"school", "hospital", "child_director", "child_supervisor", "neighbour", "relative",
		"child_self", "police", "anonymous", "other"},
		func(w string) string { return projections.ZhReporterType(parsed(domain.ParseReporterType(w))) })
	check("agency", []string{"police", "education", "justice", "hr_social_security", "womens_federation", "youth_league",
		"disabled_persons_federation", "welfare_institution", "health", "social_organization"},
		func(w string) string { return projections.ZhAgency(parsed(domain.ParseAgency(w))) })
	check("service", []string{"legal_aid", "return_to_school", "rehabilitation", "psychological_support", "social_assistance",
		"hukou_registration", "employment_support", "medical_care", "other"},
		func(w string) string { return projections.ZhService(parsed(domain.ParseService(w))) })
	check("ground", []string{"street_or_unidentified", "guardian_missing", "guardian_unable_emergency",
		"guardian_refuses_or_neglects", "used_in_crime", "serious_harm_by_guardian", "other"},
		func(w string) string { return projections.ZhGround(parsed(domain.ParseGround(w))) })
	check("placement", []string{"kin", "foster_family", "center", "welfare_institution"},
		func(w string) string { return projections.ZhPlacement(parsed(domain.ParsePlacement(w))) })
	check("outcome", []string{"returned_to_family", "long_term_guardianship", "transferred", "other"},
		func(w string) string {
			return projections.ZhGuardianshipOutcome(parsed(domain.ParseGuardianshipOutcome(w)))
		})
	check("closure reason", []string{"resolved", "returned_to_family", "transferred", "long_term_guardianship",
		"reached_adulthood", "unfounded", "other"},
		func(w string) string { return projections.ZhClosureReason(parsed(domain.ParseClosureReason(w))) })
	check("categories", []string{"left_behind", "in_difficulty", "scattered_orphan"},
		func(w string) string { return projections.ZhCategory(parsed(domain.ParseCategories([]string{w}))[0]) })
	check("difficulty_reasons", []string{"poverty", "disability", "serious_illness", "guardianship_lacking", "other"},
		func(w string) string {
			return projections.ZhDifficultyReason(parsed(domain.ParseDifficultyReasons([]string{w}))[0])
		})
	check("key_child_flags", []string{"poor_guardianship", "dropout", "no_hukou", "illness", "disability"},
		func(w string) string {
			return projections.ZhKeyChildFlag(parsed(domain.ParseKeyChildFlags([]string{w}))[0])
		})
	check("sex", []string{"male", "female"},
		func(w string) string { return projections.ZhSex(parsed(domain.ParseSex(w))) })
	check("role", []string{"child_director", "child_supervisor", "caseworker", "partner", "inspector", "analyst", "admin"},
		func(w string) string { return projections.ZhRole(parsed(domain.ParseRole(w))) })

	events := []domain.Event{
		domain.ReportReceived{}, domain.ReportForwardedToPolice{}, domain.EmergencyResponseRecorded{}, domain.CaseAssigned{},
		domain.AssessmentCompleted{}, domain.CaseConferenceHeld{}, domain.ReferralMade{}, domain.ReferralAccepted{},
		domain.ReferralDeclined{}, domain.ReferralCompleted{}, domain.TemporaryGuardianshipStarted{},
		domain.TemporaryGuardianshipEnded{}, domain.GuardianshipInterventionRecorded{}, domain.FollowUpRecorded{},
		domain.MajorIncidentDeclared{}, domain.CaseClosed{}, domain.CaseReopened{}, domain.ChildRegistered{},
		domain.ChildProfileUpdated{}, domain.VisitRecorded{}, domain.GuardianshipEntrustmentConfirmed{},
		domain.ChildDataErased{}, domain.WorkerRegistered{}, domain.WorkerTrainingRecorded{}, domain.InquiryOpened{},
		domain.DeadlinePolicyChanged{}, domain.EntryCorrected{},
	}
	for _, e := range events {
		assert.Regexp(t, han, projections.ZhEventType(e.EventType()), e.EventType())
	}
	assert.Equal(t, "case.from_the_future", projections.ZhEventType("case.from_the_future"), "an unknown word comes back as itself")
}
