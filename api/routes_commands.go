package api

// registerCommandRoutes registers the commands of API.md.
func (s *Server) registerCommandRoutes() {
	s.route("POST /v1/workers", admins, s.registerWorker)
	s.route("POST /v1/cases/{id}/closure", caseworkers, s.closeCase)
}
