package api

import "github.com/careledger/careledger/projections/accesslog"

// SetAccessLog replaces the server's access log (nil: reads are not
// logged), for the benchmark that measures what logging costs.
func SetAccessLog(s *Server, l *accesslog.Log) { s.accessLog = l }

// AccessLogOf is the server's access log.
func AccessLogOf(s *Server) *accesslog.Log { return s.accessLog }
