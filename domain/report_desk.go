package domain

// The 12355 desk: the Communist Youth League's 12355 youth service line
// (共青团 12355 青少年服务台) is where many reports about children come in. Its
// liaison, a partner of agency youth_league, receives the reports of the
// line (POST /v1/cases with source hotline_12355) and nothing else of a
// case: the center takes the case on from there. A partner of any other
// agency receives no report.

// AgencyYouthLeague is the Communist Youth League, which runs the 12355 line.
var AgencyYouthLeague = term[agencyWords]("youth_league")

// SourceHotline12355 is a report that came in on the 12355 line.
var SourceHotline12355 = term[sourceWords]("hotline_12355")

// checkReportDesk refuses a partner who may not receive this report: only
// the Youth League's 12355 desk receives reports among partners, and only
// those of the 12355 line. A source not given is left to the report's
// validation (400), not refused here. Other roles pass.
func checkReportDesk(by Principal, source Source) error {
	if by.Role != RolePartner {
		return nil
	}
	if by.Agency != AgencyYouthLeague {
		return forbidden("a partner of %s may not %s: among partners only the 12355 desk (agency %s) receives reports",
			agencyLabel(by.Agency), ActReceiveReport, AgencyYouthLeague)
	}
	if !source.IsZero() && source != SourceHotline12355 {
		return forbidden("the 12355 desk receives only reports of the 12355 line (source %s), not source %s",
			SourceHotline12355, source)
	}
	return nil
}

// agencyLabel names an agency in a message ("no agency" for none).
func agencyLabel(a Agency) string {
	if a.IsZero() {
		return "no agency"
	}
	return a.String()
}
