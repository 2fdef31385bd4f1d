package api

// registerReportRoutes registers the accountability reports: the inquiry
// report of API.md, and the same report for a case or a child without an
// inquiry, which the inspectors' page reads.
func (s *Server) registerReportRoutes() {
	s.route("GET /v1/inquiries/{id}/report", inspectors, s.inquiryReport)
	s.route("GET /v1/cases/{id}/trace", inspectors, s.caseTrace)
	s.route("GET /v1/children/{id}/trace", inspectors, s.childTrace)
	s.Handle("GET /inspect/", s.inspectPage())
}
