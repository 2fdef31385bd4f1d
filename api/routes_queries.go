package api

import "github.com/careledger/careledger/domain"

// Role sets of the queries (API.md "Queries").
var (
	eventReaders    = []domain.Role{domain.RoleInspector, domain.RoleCaseworker}
	caseloadReaders = []domain.Role{domain.RoleCaseworker, domain.RoleChildSupervisor, domain.RoleInspector}
	statsReaders    = []domain.Role{domain.RoleAnalyst, domain.RoleInspector}
)

// registerQueryRoutes registers the queries of API.md.
func (s *Server) registerQueryRoutes() {
	s.route("GET /v1/cases/{id}", caseReaders, s.readCase)
	s.route("GET /v1/cases/{id}/events", eventReaders, s.readCaseEvents)
	s.route("GET /v1/cases/{id}/timeline", caseReaders, s.readCaseTimeline)
	s.route("GET /v1/children", caseReaders, s.listChildren)
	s.route("GET /v1/children/{id}", caseReaders, s.readChildFile)
	s.route("GET /v1/children/{id}/timeline", caseReaders, s.readChildTimeline)
	s.route("GET /v1/caseload", caseloadReaders, s.readCaseload)
	s.route("GET /v1/deadlines", caseReaders, s.listDeadlines)
	s.route("GET /v1/stats/cases", statsReaders, s.readCaseStats)
	s.route("GET /v1/access-log", inspectors, s.readAccessLog)
	s.route("GET /v1/integrity", []domain.Role{domain.RoleInspector, domain.RoleAdmin}, s.integrity)
}
