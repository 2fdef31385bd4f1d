package api

// registerRoutes registers every operation of API.md.
func (s *Server) registerRoutes() {
	s.registerCommandRoutes()
	s.registerQueryRoutes()
	s.registerReportRoutes()
}
