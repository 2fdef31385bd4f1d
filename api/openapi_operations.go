package api

import (
	"net/http"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/analytics"
)

// commandDoc documents a command: its body, its answer with an ETag, the
// If-Match and Idempotency-Key headers and the problems commands meet
// (503: the database's disk is full).
func commandDoc(method, path, id, tag, summary string, act domain.Act, body string, status int) operationDoc {
	return operationDoc{method: method, path: path, id: id, tag: tag, summary: summary, roles: roleWords(act), body: body,
		status: status, answer: "CommandAnswer", etag: true, headers: true, problems: []int{404, 409, 412, 413, 422, 503}}
}

// queryDoc documents a read.
func queryDoc(path, id, tag, summary string, act domain.Act, answer string, params ...paramDoc) operationDoc {
	return operationDoc{method: http.MethodGet, path: path, id: id, tag: tag, summary: summary, roles: roleWords(act),
		status: http.StatusOK, answer: answer, query: params, problems: []int{404, 503}}
}

func (op operationDoc) withETag() operationDoc { op.etag = true; return op }
func (op operationDoc) asList() operationDoc   { op.list = true; return op }
func (op operationDoc) withHTML() operationDoc { op.html = true; return op }

// streamed: the answer is a stream of server-sent events whose data lines
// are the answer's schema.
func (op operationDoc) streamed() operationDoc { op.answerType = "text/event-stream"; return op }

// who says which principals of the roles may, where the role alone does
// not.
func (op operationDoc) who(note string) operationDoc { op.whoNote = note; return op }

func param(name, description string, schema map[string]any) paramDoc {
	return paramDoc{name: name, description: description, schema: schema}
}

var (
	asOfDoc = param("as_of", "Show the record as it stood at this moment: only entries recorded at or before it (RFC 3339). Default: now.",
		map[string]any{"type": "string", "format": "date-time"})
	jurisdictionDoc = param("jurisdiction", "Only what lies within this division code (2, 4, 6, 9 or 12 digits); it must lie within "+
		"the caller's own, else 404. Default: the caller's jurisdiction.", map[string]any{"type": "string", "pattern": `^(all|\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$`})
)

// operationDocs documents every route the server registers, commands,
// queries, reports and the routes `careledger serve` mounts.
func operationDocs() []operationDoc {
	const post, put = http.MethodPost, http.MethodPut
	created, ok := http.StatusCreated, http.StatusOK
	return []operationDoc{
		// Commands (API.md "Commands").
		commandDoc(post, "/v1/workers", "registerWorker", "workers", "Register a worker (WorkerRegistered)", domain.ActRegisterWorker, "WorkerRegistration", created),
		commandDoc(post, "/v1/workers/{id}/training", "recordTraining", "workers", "Record a worker's training (WorkerTrainingRecorded)",
			domain.ActRecordTraining, "TrainingRecord", ok),
		commandDoc(post, "/v1/workers/{id}/deactivation", "deactivateWorker", "workers",
			"Deactivate a worker: from occurred_at the worker holds no post and its tokens answer 401 (WorkerDeactivated)",
			domain.ActDeactivateWorker, "WorkerDeactivation", ok),
		commandDoc(post, "/v1/workers/{id}/transfer", "transferWorker", "workers",
			"Move a worker to another post from occurred_at; tokens for the old post answer 401 (WorkerTransferred)",
			domain.ActTransferWorker, "WorkerTransfer", ok),
		commandDoc(post, "/v1/children", "registerChild", "children", "Open a child's file (ChildRegistered)", domain.ActRegisterChild, "ChildRegistration", created),
		commandDoc(post, "/v1/children/{id}/profile", "updateChildProfile", "children", "Update a child's file; only the fields sent change (ChildProfileUpdated)",
			domain.ActUpdateChildProfile, "ChildProfileUpdate", ok),
		commandDoc(post, "/v1/children/{id}/visits", "recordVisit", "children", "Record a visit (VisitRecorded)", domain.ActRecordVisit, "Visit", ok),
		commandDoc(post, "/v1/children/{id}/entrusted-guardianship", "confirmEntrustment", "children",
			"Confirm the entrusted guardianship (GuardianshipEntrustmentConfirmed)", domain.ActConfirmEntrustment, "Entrustment", ok),
		commandDoc(post, "/v1/children/{id}/erasure", "eraseChild", "children", "Erase a child's personal data: destroys the child's key (ChildDataErased); 409 (rule legal_hold) while one of the child's cases is open or in temporary guardianship, or an inquiry into the child or one of its cases is open",
			domain.ActEraseChildData, "Erasure", ok),
		commandDoc(post, "/v1/cases", "receiveReport", "cases", "Receive a report; opens a case (ReportReceived). The 12355 desk, a partner "+
			"of agency youth_league, receives reports of source hotline_12355 only (another source, or a partner of another agency: 403) "+
			"and does nothing else of a case", domain.ActReceiveReport, "Report", created).
			who("a case actor; or a partner of agency youth_league (the 12355 desk), with source hotline_12355"),
		commandDoc(post, "/v1/cases/{id}/police-report", "forwardToPolice", "cases", "Forward the report to the police (ReportForwardedToPolice)",
			domain.ActForwardToPolice, "PoliceReport", ok),
		commandDoc(post, "/v1/cases/{id}/police-report/acknowledgment", "acknowledgePolice", "cases",
			"The police acknowledge the report forwarded to them and say what they did; 409 (rule not_forwarded) when it never was, "+
				"422 for an occurred_at before the forward (PoliceAcknowledged)", domain.ActAcknowledgePolice, "PoliceAcknowledgment", ok).
			who("a partner of agency police whose jurisdiction reaches the case"),
		commandDoc(post, "/v1/cases/{id}/emergency-response", "recordEmergencyResponse", "cases", "Record an emergency response (EmergencyResponseRecorded)",
			domain.ActRecordEmergencyResponse, "EmergencyResponse", ok),
		commandDoc(post, "/v1/cases/{id}/assignment", "assignCase", "cases", "Assign the case (CaseAssigned)", domain.ActAssignCase, "Assignment", ok),
		commandDoc(post, "/v1/cases/{id}/assessments", "completeAssessment", "cases", "Complete an assessment (AssessmentCompleted)", domain.ActCompleteAssessment, "Assessment", ok),
		commandDoc(post, "/v1/cases/{id}/conferences", "holdConference", "cases", "Hold a case conference (CaseConferenceHeld)", domain.ActHoldConference, "Conference", ok),
		commandDoc(post, "/v1/cases/{id}/referrals", "makeReferral", "cases", "Refer to an agency (ReferralMade); the answer carries referral_id",
			domain.ActMakeReferral, "ReferralRequest", created),
		commandDoc(post, "/v1/cases/{id}/referrals/{rid}/acceptance", "acceptReferral", "cases", "Accept a referral (ReferralAccepted)",
			domain.ActAcceptReferral, "ReferralOutcome", ok),
		commandDoc(post, "/v1/cases/{id}/referrals/{rid}/decline", "declineReferral", "cases", "Decline a referral (ReferralDeclined)",
			domain.ActDeclineReferral, "ReferralDecline", ok),
		commandDoc(post, "/v1/cases/{id}/referrals/{rid}/completion", "completeReferral", "cases", "Complete a referral (ReferralCompleted)",
			domain.ActCompleteReferral, "ReferralOutcome", ok),
		commandDoc(post, "/v1/cases/{id}/temporary-guardianship", "startTemporaryGuardianship", "cases",
			"Start temporary guardianship (TemporaryGuardianshipStarted)", domain.ActStartTemporaryGuardianship, "GuardianshipStart", ok),
		commandDoc(post, "/v1/cases/{id}/temporary-guardianship/end", "endTemporaryGuardianship", "cases",
			"End temporary guardianship (TemporaryGuardianshipEnded)", domain.ActEndTemporaryGuardianship, "GuardianshipEnd", ok),
		commandDoc(post, "/v1/cases/{id}/guardianship-intervention", "recordIntervention", "cases",
			"Record a guardianship intervention (GuardianshipInterventionRecorded)", domain.ActRecordIntervention, "Intervention", ok),
		commandDoc(post, "/v1/cases/{id}/follow-ups", "recordFollowUp", "cases", "Record a follow-up (FollowUpRecorded)", domain.ActRecordFollowUp, "FollowUp", ok),
		commandDoc(post, "/v1/cases/{id}/major-incident", "declareMajorIncident", "cases", "Declare a major incident (MajorIncidentDeclared)",
			domain.ActDeclareMajorIncident, "MajorIncident", ok),
		commandDoc(post, "/v1/cases/{id}/closure", "closeCase", "cases", "Close the case (CaseClosed)", domain.ActCloseCase, "Closure", ok),
		commandDoc(post, "/v1/cases/{id}/reopening", "reopenCase", "cases", "Reopen the case (CaseReopened)", domain.ActReopenCase, "Reopening", ok),
		commandDoc(post, "/v1/cases/{id}/corrections", "correctCaseEntry", "cases", "Correct fields of an entry of the case, named by its global "+
			"position; the original entry stays and the timeline shows both (EntryCorrected)", domain.ActCorrectEntry, "Correction", ok),
		commandDoc(post, "/v1/children/{id}/corrections", "correctChildEntry", "children", "Correct fields of an entry of the child's file, named by its "+
			"global position; the original entry stays and the timeline shows both (EntryCorrected)", domain.ActCorrectEntry, "Correction", ok),
		commandDoc(post, "/v1/cases/{id}/transfer", "transferCase", "cases", "Move the open case to another village or community, perhaps "+
			"in another county, whose center takes it over; its assignee is cleared (CaseTransferred, 属地管理)", domain.ActTransferCase, "CaseTransfer", ok),
		commandDoc(post, "/v1/inquiries", "openInquiry", "oversight", "Open an accountability inquiry, 倒查 (InquiryOpened)", domain.ActOpenInquiry, "Inquiry", created),
		commandDoc(post, "/v1/inquiries/{id}/findings", "recordInquiryFindings", "oversight",
			"Record the inquiry's findings once: who was responsible for what, and the rectification items (督促整改) with their owners, "+
				"workers of the real-name register, and due dates; the answer carries rectification_ids (InquiryFindingsRecorded)",
			domain.ActRecordFindings, "InquiryFindings", created),
		commandDoc(post, "/v1/inquiries/{id}/rectifications/{rid}/completion", "completeRectification", "oversight",
			"Complete a rectification item (RectificationCompleted)", domain.ActCompleteRectification, "RectificationCompletion", ok).
			who("the item's owner, whatever its post now, or an inspector whose jurisdiction reaches what the inquiry looks into"),
		commandDoc(post, "/v1/inquiries/{id}/closure", "closeInquiry", "oversight",
			"Close the inquiry with its conclusion: 409 (rule no_findings) before the findings, (rule rectification_open) while an item is "+
				"not completed; a closed inquiry accepts nothing more (rule inquiry_closed) and no longer holds the child's record against erasure (InquiryClosed)",
			domain.ActCloseInquiry, "InquiryClosure", ok),
		commandDoc(post, "/v1/webhooks", "registerWebhook", "webhooks", "Register another system to be told, by signed POSTs, the "+
			"notifications of every obligation within a jurisdiction, of the kinds given; the answer carries the signing secret, once "+
			"(WebhookRegistered)", domain.ActRegisterWebhook, "WebhookRegistration", created),
		commandDoc(post, "/v1/webhooks/{id}/removal", "removeWebhook", "webhooks", "End a webhook's deliveries; a removed webhook answers "+
			"409 (rule webhook_removed) (WebhookRemoved)", domain.ActRemoveWebhook, "", ok),
		commandDoc(put, "/v1/policy", "changePolicy", "oversight", "Change the deadline policy (DeadlinePolicyChanged)", domain.ActChangePolicy, "DeadlinePolicy", ok),

		// Queries (API.md "Queries").
		queryDoc("/v1/cases/{id}", "readCase", "cases", "The case as it stands; recorded in the access log", domain.ActReadCases, "Case").withETag(),
		queryDoc("/v1/cases/{id}/events", "readCaseEvents", "cases", "The case's raw events with metadata, positions and hashes, from the store; "+
			"recorded in the access log", domain.ActReadEvents, "EventList").asList(),
		queryDoc("/v1/cases/{id}/timeline", "readCaseTimeline", "cases", "What happened, in business-time order, as the record stood at as_of; "+
			"recorded in the access log", domain.ActReadCases, "Timeline", asOfDoc),
		queryDoc("/v1/workers", "listWorkers", "workers", "The real-name register within the caller's jurisdiction, with each worker's qualification now",
			domain.ActReadRegister, "WorkerList", jurisdictionDoc,
			param("role", "Only workers of this role.", words(vocabRole)),
			param("active", "Only active workers (true) or only deactivated ones (false).", map[string]any{"type": "boolean"})).asList(),
		queryDoc("/v1/coverage", "listCoverage", "workers", "Every township (child supervisor's post) and village (child director's post) "+
			"of the register of divisions under the caller's jurisdiction (or the prefix given), in code order, with the active worker holding "+
			"each post and that worker's qualification now, or vacant (事有人干)",
			domain.ActReadRegister, "CoverageList", jurisdictionDoc).asList(),
		queryDoc("/v1/children", "listChildren", "children", "Children within the caller's jurisdiction", domain.ActReadCases, "ChildList",
			jurisdictionDoc,
			param("category", "Only children of this category.", words(vocabCategory)),
			param("key_child", "Only key children (true) or only the others (false).", map[string]any{"type": "boolean"})).asList(),
		queryDoc("/v1/children/{id}", "readChildFile", "children", "The child's file; recorded in the access log", domain.ActReadCases, "Child").withETag(),
		queryDoc("/v1/children/{id}/timeline", "readChildTimeline", "children", "Every case, visit and update of the child, as the record stood "+
			"at as_of; recorded in the access log", domain.ActReadCases, "Timeline", asOfDoc),
		queryDoc("/v1/caseload", "readCaseload", "cases", "Open cases per worker with counts by status and risk",
			domain.ActReadCaseload, "Caseload",
			jurisdictionDoc, param("worker_id", "Only this worker's cases.", map[string]any{"type": "string"})),
		queryDoc("/v1/deadlines", "listDeadlines", "cases", "Obligations with owner, due time and status (judged now)", domain.ActReadCases, "DeadlineList",
			param("status", "Only obligations with this status.", words(vocabStatus)),
			jurisdictionDoc,
			param("owner", "Only obligations this worker id (or agency/role) owns.", map[string]any{"type": "string"}),
			param("due_before", "Only obligations due before this moment.", map[string]any{"type": "string", "format": "date-time"})).asList(),
		queryDoc("/v1/inbox", "readInbox", "cases", "The caller's work, due first: the open obligations it owns by name, by the post it holds "+
			"or by its role in its jurisdiction (due_soon within the policy's due_soon), and, escalated, those missed in its jurisdiction "+
			"in the last 30 days — at once to a township's supervisor, to the inspectors once the policy's escalate_after has passed",
			domain.ActReadInbox, "InboxList").asList(),
		queryDoc("/v1/notifications", "streamNotifications", "cases", "The caller's inbox as server-sent events (text/event-stream): "+
			"obligation.opened, obligation.due_soon, obligation.missed, obligation.escalated, referral.received; each data line is a "+
			"Notification and each event has an id that, sent back as Last-Event-ID (or ?last_event_id=), resumes right after it, "+
			"on any server and across restarts (the stream is read from the log's read models, not from memory); without one the "+
			"stream tells what happens from now. A comment line every 15 s keeps the connection",
			domain.ActReadInbox, "Notification", jurisdictionDoc,
			param("last_event_id", "The id of the last event received, for clients that cannot send the Last-Event-ID header.",
				map[string]any{"type": "string"})).streamed(),
		queryDoc("/v1/referrals", "listReferrals", "referrals", "Referrals of cases within the caller's jurisdiction, in referral-id order: "+
			"a partner's are those to its own agency (agency naming another is 403), a caseworker's any agency's. No name or other "+
			"personal data: the child's id, birth year, sex and place only", domain.ActReadReferrals, "ReferralList",
			param("status", "Only referrals with this status.", words(vocabReferral)),
			param("agency", "Only referrals to this agency; a partner may name only its own.", words(vocabAgency)),
			jurisdictionDoc).asList().
			who("a partner, for its own agency; a caseworker"),
		queryDoc("/v1/referrals/{id}", "readReferral", "referrals", "A referral with what the agency needs to deliver the service: the "+
			"child's name and the guardian's name and phone (null after erasure); recorded in the access log (action referral). "+
			"The agency's partner reads it once the referral is accepted or completed (before: 403); a partner of another agency, "+
			"and anyone outside the case's jurisdiction, gets 404", domain.ActReadReferrals, "Referral").
			who("the partner of the referral's agency, once accepted; a caseworker whose jurisdiction reaches the case"),
		queryDoc("/v1/inquiries", "listInquiries", "oversight", "Inquiries (倒查) into cases and children within the caller's jurisdiction",
			domain.ActReadReports, "InquiryList", jurisdictionDoc,
			param("status", "Only open or only closed inquiries.", words([]string{"open", "closed"}))).asList(),
		queryDoc("/v1/inquiries/{id}/report", "readInquiryReport", "oversight", "The inquiry's accountability report; Accept: text/html gives a printable page",
			domain.ActReadReports, "AccountabilityReport", asOfDoc).withHTML(),
		queryDoc("/v1/cases/{id}/trace", "readCaseTrace", "oversight", "The accountability report of a case without an inquiry; "+
			"Accept: text/html gives a printable page", domain.ActReadReports, "AccountabilityReport", asOfDoc).withHTML(),
		queryDoc("/v1/children/{id}/trace", "readChildTrace", "oversight", "The accountability report of a child's file and every case "+
			"of the child, without an inquiry; Accept: text/html gives a printable page", domain.ActReadReports, "AccountabilityReport", asOfDoc).withHTML(),
		queryDoc("/v1/access-log", "readAccessLog", "oversight", "Who read which child's file, case or timeline, when (oldest first)",
			domain.ActReadAccessLog, "AccessLog",
			param("child_id", "Only reads about this child.", map[string]any{"type": "string"}), jurisdictionDoc).asList(),
		queryDoc("/v1/stats/cases", "readCaseStats", "statistics", "Case counts and response-time percentiles; no personal data; "+
			"a group of fewer cases than the policy's min_cell (5) is suppressed; an analyst's places go no finer than townships",
			domain.ActReadStats, "Stats",
			param("group_by", "Required. How cases are grouped (county, risk too).", words(analytics.Groupings())),
			param("from", "Only cases received on or after this day (China Standard Time).", map[string]any{"type": "string", "format": "date"}),
			param("to", "Only cases received on or before this day (China Standard Time).", map[string]any{"type": "string", "format": "date"}),
			jurisdictionDoc),
		queryDoc("/v1/webhooks/{id}/deliveries", "listWebhookDeliveries", "webhooks", "The webhook's deliveries, the latest first: "+
			"each message's id (the payload's id), kind, attempts, status (pending, delivered, failed) and last error",
			domain.ActReadWebhooks, "WebhookDeliveryList").asList(),
		queryDoc("/v1/integrity", "verifyIntegrity", "oversight", "Hash-chain verification of the whole store", domain.ActVerifyIntegrity, "Integrity"),

		// No token (careledger serve mounts all but /openapi.json).
		{method: http.MethodGet, path: "/healthz", id: "health", tag: "operations", summary: "Liveness: answers as soon as the process serves",
			status: ok, answer: "Health"},
		{method: http.MethodGet, path: "/readyz", id: "readiness", tag: "operations",
			summary: "Readiness: the store is reachable and projections have caught up (else 503)", status: ok, answer: "Health", problems: nil},
		{method: http.MethodGet, path: "/metrics", id: "metrics", tag: "operations", summary: "Prometheus metrics", status: ok,
			answerType: "text/plain; version=0.0.4"},
		{method: http.MethodGet, path: "/inspect/", id: "inspectorsPage", tag: "oversight",
			summary: "The inspectors' page: static HTML, CSS and JavaScript (and /inspect/words.json) that call the trace routes " +
				"with the token its user signs in with", status: ok, answerType: "text/html"},
		{method: http.MethodGet, path: "/openapi.json", id: "openapi", tag: "operations", summary: "This OpenAPI 3.1 document", status: ok,
			answer: "OpenAPIDocument"},
	}
}

// roleWords names the roles that may do an act, as the document lists them.
func roleWords(act domain.Act) []string {
	roles := act.Roles()
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r.String()
	}
	return out
}
