package domain

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEveryWordHasAChineseName: each word of API.md's vocabularies (the
// lists are API.md's, so the vocabularies cannot drift from it), and each
// event type, has a Chinese name, not the word itself.
func TestEveryWordHasAChineseName(t *testing.T) {
	t.Parallel()
	han := regexp.MustCompile(`\p{Han}`)
	check := func(name string, want, words []string, labels map[string]string) {
		assert.Equal(t, want, words, "the words of %s", name)
		for _, w := range words {
			assert.Regexp(t, han, labels[w], "%s %q", name, w)
		}
	}
	check("concerns", []string{"living_alone", "missing", "guardian_incapacity", "neglect", "domestic_violence", "abuse",
		"begging", "trafficking", "dropout", "no_hukou", "illness", "disability"}, Words[Concern](), Labels[Concern]())
	check("risk", []string{"high", "medium", "low"}, Words[Risk](), Labels[Risk]())
	check("source", []string{"hotline_12355", "mandatory_report", "police", "walk_in", "visit", "inspection", "other"},
		Words[Source](), Labels[Source]())
	check("reporter.type", []string{"school", "hospital", "child_director", "child_supervisor", "neighbour", "relative",
		"child_self", "police", "anonymous", "other"}, Words[ReporterType](), Labels[ReporterType]())
	check("agency", []string{"police", "education", "justice", "hr_social_security", "womens_federation", "youth_league",
		"disabled_persons_federation", "welfare_institution", "health", "social_organization"}, Words[Agency](), Labels[Agency]())
	check("service", []string{"legal_aid", "return_to_school", "rehabilitation", "psychological_support", "social_assistance",
		"hukou_registration", "employment_support", "medical_care", "other"}, Words[Service](), Labels[Service]())
	check("ground", []string{"street_or_unidentified", "guardian_missing", "guardian_unable_emergency",
		"guardian_refuses_or_neglects", "used_in_crime", "serious_harm_by_guardian", "other"},
		Words[GuardianshipGround](), Labels[GuardianshipGround]())
	check("placement", []string{"kin", "foster_family", "center", "welfare_institution"}, Words[Placement](), Labels[Placement]())
	check("outcome", []string{"returned_to_family", "long_term_guardianship", "transferred", "other"},
		Words[GuardianshipOutcome](), Labels[GuardianshipOutcome]())
	check("closure reason", []string{"resolved", "returned_to_family", "transferred", "long_term_guardianship",
		"reached_adulthood", "unfounded", "other"}, Words[ClosureReason](), Labels[ClosureReason]())
	check("categories", []string{"left_behind", "in_difficulty", "scattered_orphan"}, Words[Category](), Labels[Category]())
	check("difficulty_reasons", []string{"poverty", "disability", "serious_illness", "guardianship_lacking", "other"},
		Words[DifficultyReason](), Labels[DifficultyReason]())
	check("key_child_flags", []string{"poor_guardianship", "dropout", "no_hukou", "illness", "disability"},
		Words[KeyChildFlag](), Labels[KeyChildFlag]())
	check("sex", []string{"male", "female"}, Words[Sex](), Labels[Sex]())
	check("role", []string{"child_director", "child_supervisor", "caseworker", "partner", "inspector", "analyst", "admin"},
		Words[Role](), Labels[Role]())
	check("case status", []string{"open", "closed"}, Words[CaseStatus](), Labels[CaseStatus]())
	check("referral status", []string{"pending", "accepted", "declined", "completed"}, Words[ReferralStatus](), Labels[ReferralStatus]())
	check("deadline status", []string{"open", "met", "met_late", "missed"}, Words[DeadlineStatus](), Labels[DeadlineStatus]())
	check("qualification", []string{"qualified", "lapsed", "untrained"}, Words[Qualification](), Labels[Qualification]())
	assert.Regexp(t, han, KindPoliceReport.Zh())
	assert.Equal(t, "高", RiskHigh.Zh())
	assert.Equal(t, "公安机关", term[agencyWords]("police").Zh(), "a word in its own vocabulary")
	assert.Equal(t, "公安民警", term[reporterWords]("police").Zh(), "the same word in another")
	assert.Equal(t, "独自在家、疏于照料", ZhList([]Concern{term[concernWords]("living_alone"), term[concernWords]("neglect")}))

	for _, e := range []Event{
		ReportReceived{}, ReportForwardedToPolice{}, EmergencyResponseRecorded{}, CaseAssigned{},
		AssessmentCompleted{}, CaseConferenceHeld{}, ReferralMade{}, ReferralAccepted{},
		ReferralDeclined{}, ReferralCompleted{}, TemporaryGuardianshipStarted{},
		TemporaryGuardianshipEnded{}, GuardianshipInterventionRecorded{}, FollowUpRecorded{},
		MajorIncidentDeclared{}, CaseClosed{}, CaseReopened{}, ChildRegistered{},
		ChildProfileUpdated{}, VisitRecorded{}, GuardianshipEntrustmentConfirmed{},
		ChildDataErased{}, WorkerRegistered{}, WorkerTrainingRecorded{}, InquiryOpened{},
		DeadlinePolicyChanged{}, EntryCorrected{},
	} {
		assert.Regexp(t, han, ZhEventType(e.EventType()), e.EventType())
	}
	assert.Equal(t, "case.from_the_future", ZhEventType("case.from_the_future"), "an unknown word comes back as itself")
	assert.Equal(t, "救助保护机构工作人员（370902）", ZhOwner("caseworker:370902"))
	assert.Equal(t, "教育部门", ZhOwner("agency:education"))
	assert.Equal(t, "w-1", ZhOwner("w-1"))
}
