package api

import "github.com/careledger/careledger/domain"

// Role sets of API.md used only by commands.
var (
	trainingRecorders = []domain.Role{domain.RoleAdmin, domain.RoleChildSupervisor}
	entrustmentActors = []domain.Role{domain.RoleChildDirector, domain.RoleChildSupervisor}
	incidentDeclarers = []domain.Role{domain.RoleCaseworker, domain.RoleInspector}
)

// registerCommandRoutes registers the commands of API.md.
func (s *Server) registerCommandRoutes() {
	s.route("POST /v1/workers", admins, s.registerWorker)
	s.route("POST /v1/workers/{id}/training", trainingRecorders, s.recordTraining)

	s.route("POST /v1/children", caseActors, s.registerChild)
	s.route("POST /v1/children/{id}/profile", caseActors, s.updateChildProfile)
	s.route("POST /v1/children/{id}/visits", caseActors, s.recordVisit)
	s.route("POST /v1/children/{id}/entrusted-guardianship", entrustmentActors, s.confirmEntrustment)
	s.route("POST /v1/children/{id}/erasure", admins, s.eraseChild)

	s.route("POST /v1/cases", caseActors, s.receiveReport)
	s.route("POST /v1/cases/{id}/police-report", caseActors, s.forwardToPolice)
	s.route("POST /v1/cases/{id}/emergency-response", caseActors, s.recordEmergencyResponse)
	s.route("POST /v1/cases/{id}/assignment", caseworkers, s.assignCase)
	s.route("POST /v1/cases/{id}/assessments", caseworkers, s.completeAssessment)
	s.route("POST /v1/cases/{id}/conferences", caseworkers, s.holdConference)
	s.route("POST /v1/cases/{id}/referrals", caseworkers, s.makeReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/acceptance", referralAnswers, s.acceptReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/decline", referralAnswers, s.declineReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/completion", referralAnswers, s.completeReferral)
	s.route("POST /v1/cases/{id}/temporary-guardianship", caseworkers, s.startTemporaryGuardianship)
	s.route("POST /v1/cases/{id}/temporary-guardianship/end", caseworkers, s.endTemporaryGuardianship)
	s.route("POST /v1/cases/{id}/guardianship-intervention", caseworkers, s.recordIntervention)
	s.route("POST /v1/cases/{id}/follow-ups", caseActors, s.recordFollowUp)
	s.route("POST /v1/cases/{id}/major-incident", incidentDeclarers, s.declareMajorIncident)
	s.route("POST /v1/cases/{id}/closure", caseworkers, s.closeCase)
	s.route("POST /v1/cases/{id}/reopening", caseworkers, s.reopenCase)

	s.route("POST /v1/inquiries", inspectors, s.openInquiry)
	s.route("PUT /v1/policy", admins, s.changePolicy)
}
