package api

import (
	"embed"
	"fmt"
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/report"
)

// webFiles are the pages the server renders and serves: the printable
// report and the inspectors' page.
//
//go:embed web
var webFiles embed.FS

// inquiryReport is GET /v1/inquiries/{id}/report?as_of=T: the inquiry's
// accountability report, as JSON or (Accept: text/html) a printable page.
func (s *Server) inquiryReport(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	asOf, err := timeParam(r, "as_of")
	if err != nil {
		return err
	}
	if err := s.flushAccessLog(r); err != nil {
		return err
	}
	rep, err := report.BuildInquiryReport(r.Context(), s.record, s.reads(r.Context()), s.state, r.PathValue("id"), asOf, p.Jurisdiction)
	if err != nil {
		return err
	}
	return s.writeReport(w, r, p, rep)
}

// caseTrace is GET /v1/cases/{id}/trace?as_of=T: the same report for a
// case without an inquiry (the inspectors' page reads it).
func (s *Server) caseTrace(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return s.trace(w, r, p, report.Subject{CaseID: r.PathValue("id")})
}

// childTrace is GET /v1/children/{id}/trace?as_of=T: the report for a
// child's file and every case about the child.
func (s *Server) childTrace(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return s.trace(w, r, p, report.Subject{ChildID: r.PathValue("id")})
}

func (s *Server) trace(w http.ResponseWriter, r *http.Request, p domain.Principal, subject report.Subject) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	asOf, err := timeParam(r, "as_of")
	if err != nil {
		return err
	}
	if err := s.flushAccessLog(r); err != nil {
		return err
	}
	rep, err := report.BuildTraceReport(r.Context(), s.record, s.reads(r.Context()), s.state, subject, asOf, p.Jurisdiction)
	if err != nil {
		return err
	}
	return s.writeReport(w, r, p, rep)
}

// flushAccessLog writes what the access log still buffers, so that a
// report's reads hold every read served before it.
func (s *Server) flushAccessLog(r *http.Request) error {
	if s.accessLog == nil {
		return nil
	}
	if err := s.accessLog.Flush(r.Context()); err != nil {
		return fmt.Errorf("flush access log: %w", err)
	}
	return nil
}

// writeReport answers JSON, or the printable page when HTML is preferred
// (Chinese by default, English with ?lang=en; see writeReportPage).
// Reading it is recorded in the access log: it shows the child's record.
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, p domain.Principal, rep *report.Report) error {
	s.recordRead(r, p, accesslog.ActionReadReport, rep.Subject.Child, rep.Subject.CaseID, rep.Subject.Jurisdiction)
	report.NamePlaces(rep, s.placeName(r.Context()))
	if !prefersHTML(r) {
		s.writeAnswer(r.Context(), w, http.StatusOK, rep)
		return nil
	}
	return writeReportPage(w, r, rep)
}
