package api

import "github.com/careledger/careledger/domain"

// registerQueryRoutes registers the queries of API.md, each with the act
// of the domain it is (and so the roles that may call it).
func (s *Server) registerQueryRoutes() {
	s.route("GET /v1/cases/{id}", domain.ActReadCases, s.readCase)
	s.route("GET /v1/cases/{id}/events", domain.ActReadEvents, s.readCaseEvents)
	s.route("GET /v1/cases/{id}/timeline", domain.ActReadCases, s.readCaseTimeline)
	s.route("GET /v1/workers", domain.ActReadRegister, s.listWorkers)
	s.route("GET /v1/coverage", domain.ActReadRegister, s.coverage)
	s.route("GET /v1/children", domain.ActReadCases, s.listChildren)
	s.route("GET /v1/children/{id}", domain.ActReadCases, s.readChildFile)
	s.route("GET /v1/children/{id}/timeline", domain.ActReadCases, s.readChildTimeline)
	s.route("GET /v1/caseload", domain.ActReadCaseload, s.readCaseload)
	s.route("GET /v1/deadlines", domain.ActReadCases, s.listDeadlines)
	s.route("GET /v1/inbox", domain.ActReadInbox, s.inbox)
	s.route("GET /v1/notifications", domain.ActReadInbox, s.notifications)
	s.route("GET /v1/referrals", domain.ActReadReferrals, s.listReferrals)
	s.route("GET /v1/referrals/{id}", domain.ActReadReferrals, s.readReferral)
	s.route("GET /v1/stats/cases", domain.ActReadStats, s.readCaseStats)
	s.route("GET /v1/access-log", domain.ActReadAccessLog, s.readAccessLog)
	s.route("GET /v1/integrity", domain.ActVerifyIntegrity, s.integrity)
	s.route("GET /v1/webhooks/{id}/deliveries", domain.ActReadWebhooks, s.webhookDeliveries)
}
