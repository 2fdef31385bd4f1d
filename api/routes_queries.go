package api

import "github.com/careledger/careledger/domain"

// registerQueryRoutes registers the queries of API.md.
func (s *Server) registerQueryRoutes() {
	s.route("GET /v1/integrity", []domain.Role{domain.RoleInspector, domain.RoleAdmin}, s.integrity)
}
