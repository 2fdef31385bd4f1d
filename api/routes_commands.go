package api

import "github.com/careledger/careledger/domain"

// registerCommandRoutes registers the commands of API.md, each with the
// act of the domain it is (and so the roles that may call it).
func (s *Server) registerCommandRoutes() {
	s.route("POST /v1/workers", domain.ActRegisterWorker, s.registerWorker)
	s.route("POST /v1/workers/{id}/training", domain.ActRecordTraining, s.recordTraining)
	s.route("POST /v1/workers/{id}/deactivation", domain.ActDeactivateWorker, s.deactivateWorker)
	s.route("POST /v1/workers/{id}/transfer", domain.ActTransferWorker, s.transferWorker)

	s.route("POST /v1/children", domain.ActRegisterChild, s.registerChild)
	s.route("POST /v1/children/{id}/profile", domain.ActUpdateChildProfile, s.updateChildProfile)
	s.route("POST /v1/children/{id}/visits", domain.ActRecordVisit, s.recordVisit)
	s.route("POST /v1/children/{id}/entrusted-guardianship", domain.ActConfirmEntrustment, s.confirmEntrustment)
	s.route("POST /v1/children/{id}/erasure", domain.ActEraseChildData, s.eraseChild)

	s.route("POST /v1/cases", domain.ActReceiveReport, s.receiveReport)
	s.route("POST /v1/cases/{id}/police-report", domain.ActForwardToPolice, s.forwardToPolice)
	s.route("POST /v1/cases/{id}/police-report/acknowledgment", domain.ActAcknowledgePolice, s.acknowledgePolice)
	s.route("POST /v1/cases/{id}/emergency-response", domain.ActRecordEmergencyResponse, s.recordEmergencyResponse)
	s.route("POST /v1/cases/{id}/assignment", domain.ActAssignCase, s.assignCase)
	s.route("POST /v1/cases/{id}/assessments", domain.ActCompleteAssessment, s.completeAssessment)
	s.route("POST /v1/cases/{id}/conferences", domain.ActHoldConference, s.holdConference)
	s.route("POST /v1/cases/{id}/referrals", domain.ActMakeReferral, s.makeReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/acceptance", domain.ActAcceptReferral, s.acceptReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/decline", domain.ActDeclineReferral, s.declineReferral)
	s.route("POST /v1/cases/{id}/referrals/{rid}/completion", domain.ActCompleteReferral, s.completeReferral)
	s.route("POST /v1/cases/{id}/temporary-guardianship", domain.ActStartTemporaryGuardianship, s.startTemporaryGuardianship)
	s.route("POST /v1/cases/{id}/temporary-guardianship/end", domain.ActEndTemporaryGuardianship, s.endTemporaryGuardianship)
	s.route("POST /v1/cases/{id}/guardianship-intervention", domain.ActRecordIntervention, s.recordIntervention)
	s.route("POST /v1/cases/{id}/follow-ups", domain.ActRecordFollowUp, s.recordFollowUp)
	s.route("POST /v1/cases/{id}/major-incident", domain.ActDeclareMajorIncident, s.declareMajorIncident)
	s.route("POST /v1/cases/{id}/closure", domain.ActCloseCase, s.closeCase)
	s.route("POST /v1/cases/{id}/reopening", domain.ActReopenCase, s.reopenCase)
	s.route("POST /v1/cases/{id}/transfer", domain.ActTransferCase, s.transferCase)
	s.route("POST /v1/cases/{id}/corrections", domain.ActCorrectEntry, s.correctCaseEntry)
	s.route("POST /v1/children/{id}/corrections", domain.ActCorrectEntry, s.correctChildEntry)

	s.route("POST /v1/inquiries", domain.ActOpenInquiry, s.openInquiry)
	s.route("POST /v1/inquiries/{id}/findings", domain.ActRecordFindings, s.recordFindings)
	s.route("POST /v1/inquiries/{id}/rectifications/{rid}/completion", domain.ActCompleteRectification, s.completeRectification)
	s.route("POST /v1/inquiries/{id}/closure", domain.ActCloseInquiry, s.closeInquiry)
	s.route("PUT /v1/policy", domain.ActChangePolicy, s.changePolicy)
	s.route("POST /v1/webhooks", domain.ActRegisterWebhook, s.registerWebhook)
	s.route("POST /v1/webhooks/{id}/removal", domain.ActRemoveWebhook, s.removeWebhook)
}
