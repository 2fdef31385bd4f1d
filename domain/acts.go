package domain

import (
	"slices"
	"strings"
)

// Act is something a principal may do, with the roles that may do it. The
// acts below are the one table of who may do what (DOMAIN.md "Who acts",
// API.md's role columns): the aggregates check them before deciding, and
// the HTTP routes are registered with them, so the two cannot drift apart.
// Jurisdiction, agency and training are checked where the act is decided.
type Act struct {
	what  string
	roles []Role
	// mandatory: a mandatory report's act (强制报告), which is everyone's
	// duty and never refused for want of training.
	mandatory bool
}

func act(what string, roles ...Role) Act { return Act{what: what, roles: roles} }

// mandatoryAct is an act of the mandatory report (强制报告).
func mandatoryAct(what string, roles ...Role) Act {
	return Act{what: what, roles: roles, mandatory: true}
}

// String says what the act is, in words ("close a case").
func (a Act) String() string { return a.what }

// Roles are the roles that may do the act.
func (a Act) Roles() []Role { return slices.Clone(a.roles) }

// Allows reports whether the role may do the act.
func (a Act) Allows(r Role) bool { return slices.Contains(a.roles, r) }

// Check refuses, with a *ForbiddenError, a principal that names no one,
// whose role may not do the act, or who is an untrained director or
// supervisor: a newly appointed one may act only after passing training
// (初任…经培训考核合格后方可开展工作), except for a mandatory report — receiving
// it, forwarding it to the police, responding in an emergency — which is
// everyone's duty. A lapsed retraining is flagged on the act (the actor's
// qualification), never refused. A principal whose qualification was not
// looked up (zero) is not refused for it.
func (a Act) Check(by Principal) error {
	if !a.Allows(by.Role) {
		names := make([]string, len(a.roles))
		for i, r := range a.roles {
			names[i] = r.String()
		}
		return forbidden("a %s may not %s; only %s may", roleLabel(by.Role), a.what, strings.Join(names, ", "))
	}
	if by.Subject == "" {
		return forbidden("no one is named to %s", a.what)
	}
	if by.Qualification == Untrained && !a.mandatory {
		return forbidden("%s %s has not yet passed training; a newly appointed %s may act only after passing it "+
			"(初任…经培训考核合格后方可开展工作), but for a mandatory report", by.Role, by.Subject, by.Role)
	}
	return nil
}

// caseActors are the roles that work a case and keep children's files: the
// village's child director, the township's child supervisor and the
// center's caseworker.
var caseActors = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker}

// caseReaders read what case actors work on; inspectors read everything.
var caseReaders = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RoleInspector}

// The register and the deadline policy.
var (
	ActRegisterWorker   = act("register workers", RoleAdmin)
	ActRecordTraining   = act("record training", RoleAdmin, RoleChildSupervisor)
	ActDeactivateWorker = act("deactivate a worker", RoleAdmin)
	ActTransferWorker   = act("transfer a worker", RoleAdmin)
	ActChangePolicy     = act("change the deadline policy", RoleAdmin)
)

// A child's file (一人一档案).
var (
	ActRegisterChild      = act("register a child", caseActors...)
	ActUpdateChildProfile = act("update a child's file", caseActors...)
	ActRecordVisit        = act("record a visit", caseActors...)
	ActConfirmEntrustment = act("confirm an entrusted guardianship", RoleChildDirector, RoleChildSupervisor)
	ActEraseChildData     = act("erase a child's data", RoleAdmin)
	ActCorrectEntry       = act("correct the record", caseActors...)
)

// A case, step by step (DOMAIN.md "The case, step by step").
var (
	// ActReceiveReport: any case actor, and the 12355 desk — a partner of
	// the Youth League, for reports of the 12355 line only (checkReportDesk).
	ActReceiveReport              = mandatoryAct("receive a report", RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RolePartner)
	ActForwardToPolice            = mandatoryAct("forward a report to the police", caseActors...)
	ActRecordEmergencyResponse    = mandatoryAct("record an emergency response", caseActors...)
	ActAssignCase                 = act("assign a case", RoleCaseworker)
	ActCompleteAssessment         = act("complete an assessment", RoleCaseworker)
	ActHoldConference             = act("hold a case conference", RoleCaseworker)
	ActMakeReferral               = act("make a referral", RoleCaseworker)
	ActAcceptReferral             = act("accept a referral", RolePartner, RoleCaseworker)
	ActDeclineReferral            = act("decline a referral", RolePartner, RoleCaseworker)
	ActCompleteReferral           = act("complete a referral", RolePartner, RoleCaseworker)
	ActStartTemporaryGuardianship = act("start temporary guardianship", RoleCaseworker)
	ActEndTemporaryGuardianship   = act("end temporary guardianship", RoleCaseworker)
	ActRecordIntervention         = act("record a guardianship intervention", RoleCaseworker)
	ActRecordFollowUp             = act("record a follow-up", caseActors...)
	ActDeclareMajorIncident       = act("declare a major incident", RoleCaseworker, RoleInspector)
	ActCloseCase                  = act("close a case", RoleCaseworker)
	ActReopenCase                 = act("reopen a case", RoleCaseworker)
	ActOpenInquiry                = act("open an inquiry", RoleInspector)
)

// Reading.
var (
	// ActReadCases: cases, children's files, timelines and deadlines.
	ActReadCases       = act("read cases and children's files", caseReaders...)
	ActReadEvents      = act("read a case's raw events", RoleInspector, RoleCaseworker)
	ActReadCaseload    = act("read the caseload", RoleCaseworker, RoleChildSupervisor, RoleInspector)
	ActReadStats       = act("read case statistics", RoleAnalyst, RoleInspector)
	ActReadAccessLog   = act("read the access log", RoleInspector)
	ActReadReports     = act("read accountability reports", RoleInspector)
	ActVerifyIntegrity = act("verify the log's integrity", RoleInspector, RoleAdmin)
	// ActReadInbox: one's own work (GET /v1/inbox).
	ActReadInbox = act("read one's inbox", RoleChildDirector, RoleChildSupervisor, RoleCaseworker, RolePartner, RoleInspector, RoleAdmin)
	// ActReadRegister: the worker register and the coverage of posts.
	ActReadRegister = act("read the worker register", RoleAdmin, RoleCaseworker, RoleChildSupervisor, RoleInspector)
)

// Reaches reports whether a place (or any division code) lies within the
// principal's jurisdiction: the one test of "is this mine to see or act
// on". Outside it, a resource does not exist for the principal.
func (p Principal) Reaches(place Jurisdiction) bool { return p.Jurisdiction.Covers(place) }
