package api

import "github.com/careledger/careledger/domain"

// registerReportRoutes registers the accountability reports: the inquiry
// report of API.md, and the same report for a case or a child without an
// inquiry, which the inspectors' page reads.
func (s *Server) registerReportRoutes() {
	s.route("GET /v1/inquiries/{id}/report", domain.ActReadReports, s.inquiryReport)
	s.route("GET /v1/inquiries", domain.ActReadReports, s.listInquiries)
	s.route("GET /v1/cases/{id}/trace", domain.ActReadReports, s.caseTrace)
	s.route("GET /v1/children/{id}/trace", domain.ActReadReports, s.childTrace)
	s.Handle("GET /inspect/", s.inspectPage())
}
