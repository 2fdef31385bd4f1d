package api

import (
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
)

// Vocabularies of API.md, as the schemas list them: the domain's own.
var (
	vocabRole          = domain.Words[domain.Role]()
	vocabSource        = domain.Words[domain.Source]()
	vocabReporter      = domain.Words[domain.ReporterType]()
	vocabConcern       = domain.Words[domain.Concern]()
	vocabAgency        = domain.Words[domain.Agency]()
	vocabService       = domain.Words[domain.Service]()
	vocabGround        = domain.Words[domain.GuardianshipGround]()
	vocabPlacement     = domain.Words[domain.Placement]()
	vocabOutcome       = domain.Words[domain.GuardianshipOutcome]()
	vocabClosure       = domain.Words[domain.ClosureReason]()
	vocabCategory      = domain.Words[domain.Category]()
	vocabKeyChild      = domain.Words[domain.KeyChildFlag]()
	vocabReason        = domain.Words[domain.DifficultyReason]()
	vocabRisk          = domain.Words[domain.Risk]()
	vocabSex           = domain.Words[domain.Sex]()
	vocabDeadline      = domain.Words[domain.DeadlineKind]()
	vocabStatus        = domain.Words[domain.DeadlineStatus]()
	vocabCase          = domain.Words[domain.CaseStatus]()
	vocabReferral      = domain.Words[domain.ReferralStatus]()
	vocabQualification = domain.Words[domain.Qualification]()
	vocabAccess        = accesslog.Actions()
)

type props = map[string]any

// object is a JSON object schema with its required fields; unknown fields
// are refused in request bodies (400), so bodies set additionalProperties.
// An answer's object with a jurisdiction code carries its name beside it
// (writeAnswer).
func object(required []string, p props) map[string]any {
	if _, ok := p["jurisdiction"]; ok {
		if _, named := p["jurisdiction_name"]; !named {
			p["jurisdiction_name"] = placeName()
		}
	}
	o := map[string]any{"type": "object", "properties": p}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// closed is a request body's schema: no field beyond its own, and no
// jurisdiction_name (that is an answer's).
func closed(o map[string]any) map[string]any {
	if p, ok := o["properties"].(props); ok && p["jurisdiction_name"] != nil {
		if name, _ := p["jurisdiction_name"].(map[string]any); name["x-answer-only"] == true {
			delete(p, "jurisdiction_name")
		}
	}
	o["additionalProperties"] = false
	return o
}

// placeName is jurisdiction_name: the full Chinese name of the code from
// the register of administrative divisions.
func placeName() map[string]any {
	return map[string]any{"type": "string", "x-answer-only": true,
		"description": "The full Chinese name of the jurisdiction code from the register of administrative divisions, e.g. 山东省泰安市泰山区邱家店镇邱家店村委会; absent when the register does not hold the code."}
}

func text() map[string]any              { return map[string]any{"type": "string"} }
func dateTime() map[string]any          { return map[string]any{"type": "string", "format": "date-time"} }
func fullDate() map[string]any          { return map[string]any{"type": "string", "format": "date"} }
func integer() map[string]any           { return map[string]any{"type": "integer"} }
func number() map[string]any            { return map[string]any{"type": "number"} }
func boolean() map[string]any           { return map[string]any{"type": "boolean"} }
func list(items any) map[string]any     { return map[string]any{"type": "array", "items": items} }
func schema(name string) map[string]any { return ref("schemas", name) }
func words(ws []string) map[string]any  { return map[string]any{"type": "string", "enum": ws} }
func described(d string, s map[string]any) map[string]any {
	s["description"] = d
	return s
}

// orNull lets a schema be null too.
func orNull(s map[string]any) map[string]any {
	return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
}

func nullableText() map[string]any { return map[string]any{"type": []any{"string", "null"}} }
func nullableDateTime() map[string]any {
	return map[string]any{"type": []any{"string", "null"}, "format": "date-time"}
}

// jurisdiction is an administrative division code.
func jurisdiction() map[string]any {
	return map[string]any{"type": "string", "pattern": `^(all|\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$`,
		"description": "Administrative division code (行政区划代码) or a prefix of one.", "example": "370902101201"}
}

// schemaDocs are the document's component schemas.
func schemaDocs() map[string]any {
	actor := object([]string{"subject", "role", "jurisdiction"}, props{"subject": text(), "role": words(vocabRole), "jurisdiction": jurisdiction(),
		"qualification": described("Where the actor's training stood at the act (absent on entries recorded before it was kept).", words(vocabQualification))})
	guardian := object([]string{"name", "relation"}, props{"name": text(), "relation": text(), "phone": text()})
	page := func(item string) map[string]any {
		return object([]string{"items", "next_cursor"}, props{"items": list(schema(item)),
			"next_cursor": described("Pass as cursor for the next page; null on the last.", nullableText())})
	}
	return map[string]any{
		"Problem": object([]string{"type", "title", "status"}, props{
			"type": text(), "title": text(), "status": integer(), "detail": text(),
			"rule":   described("The rule of the case broken (409).", text()),
			"errors": list(schema("FieldError")),
		}),
		"FieldError": object([]string{"field", "message"}, props{"field": text(), "message": text()}),
		"CommandAnswer": object([]string{"id", "version", "events"}, props{
			"id": text(), "version": integer(),
			"events":      list(object([]string{"type", "global_position"}, props{"type": text(), "global_position": integer()})),
			"referral_id": described("Set by referral commands.", text()),
			"rectification_ids": described("Set by the inquiry's findings: the ids of its rectification items, in order (absent when it has none).",
				list(text())),
			"child_id": described("The child a report registered or concerns.", text()),
			"secret": described("Set by POST /v1/webhooks: the webhook's signing secret, told only here. A delivery's header "+
				"Careledger-Signature is t=<unix>,v1=<hex HMAC-SHA256 of \"<unix>.<body>\" keyed with this secret's text>.", text()),
		}),
		"Actor":    actor,
		"Guardian": guardian,

		// Command bodies.
		"WorkerRegistration": closed(object([]string{"name", "role", "jurisdiction"}, props{
			"name": text(), "role": words(vocabRole), "jurisdiction": jurisdiction(), "agency": words(vocabAgency)})),
		"TrainingRecord": closed(object([]string{"passed", "completed_on"}, props{"passed": boolean(), "completed_on": fullDate()})),
		"WebhookRegistration": closed(object([]string{"url", "jurisdiction", "kinds"}, props{
			"url": described("An absolute http or https URL.", text()), "jurisdiction": jurisdiction(),
			"kinds": list(words(domain.NoticeKinds()))})),
		"WebhookDelivery": object([]string{"event_id", "kind", "at", "attempts", "status"}, props{
			"event_id": text(), "kind": words(domain.NoticeKinds()), "at": dateTime(), "attempts": integer(),
			"status": words([]string{"pending", "delivered", "failed"}), "last_error": text()}),
		"WebhookDeliveryList": page("WebhookDelivery"),
		"WorkerDeactivation":  closed(object([]string{"occurred_at", "reason"}, props{"occurred_at": dateTime(), "reason": text()})),
		"WorkerTransfer":      closed(object([]string{"occurred_at", "jurisdiction"}, props{"occurred_at": dateTime(), "jurisdiction": jurisdiction()})),
		"ChildRegistration": closed(object([]string{"name", "birth_date", "sex", "jurisdiction", "categories", "key_child_flags", "guardian", "living_situation", "schooling", "hukou_registered"}, func() props {
			p := childFields(guardian)
			p["id"] = described("An id the client chooses: a UUID in its canonical lower-case spelling, so that no id carries personal data; "+
				"left out, the server makes one. An id already in use is 409 with the same problem wherever the file that has it lies; "+
				"a jurisdiction outside the caller's is 403 before the id is looked up.",
				map[string]any{"type": "string", "format": "uuid", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"})
			p["version"] = described("A new file has no version: left out, or 0.", map[string]any{"type": "integer", "const": 0})
			return p
		}())),
		"ChildProfileUpdate": closed(described("Only the fields sent change.", object(nil, func() props {
			p := childFields(guardian)
			return p
		}()))),
		"Visit":       closed(object([]string{"occurred_at", "findings", "concerns"}, props{"occurred_at": dateTime(), "findings": text(), "concerns": list(words(vocabConcern))})),
		"Entrustment": closed(object([]string{"occurred_at", "entrusted_guardian", "parents_notified"}, props{"occurred_at": dateTime(), "entrusted_guardian": guardian, "parents_notified": boolean()})),
		"Erasure":     closed(object([]string{"reason"}, props{"reason": text()})),
		"Report": closed(described("Give child_id (a known file) or child (a new one).", object([]string{"source", "reporter", "concerns", "risk", "received_at", "summary"}, props{
			"child_id": text(), "child": schema("ChildRegistration"), "source": words(vocabSource),
			"reporter": closed(object([]string{"type"}, props{"type": words(vocabReporter), "name": text(), "phone": text()})),
			"concerns": list(words(vocabConcern)), "risk": words(vocabRisk), "received_at": dateTime(), "summary": text(),
		}))),
		"PoliceReport":      closed(object([]string{"occurred_at", "police_unit"}, props{"occurred_at": dateTime(), "police_unit": text(), "reference": text()})),
		"EmergencyResponse": closed(object([]string{"occurred_at", "action"}, props{"occurred_at": dateTime(), "action": text(), "note": text()})),
		"Assignment":        closed(object([]string{"worker_id"}, props{"worker_id": text()})),
		"Assessment": closed(object([]string{"occurred_at", "risk", "needs"}, props{"occurred_at": dateTime(), "risk": words(vocabRisk),
			"needs": list(text()), "guardianship_assessment": text()})),
		"Conference":      closed(object([]string{"occurred_at", "agencies", "decisions"}, props{"occurred_at": dateTime(), "agencies": list(words(vocabAgency)), "decisions": text()})),
		"ReferralRequest": closed(object([]string{"agency", "service", "note"}, props{"agency": words(vocabAgency), "service": words(vocabService), "note": text()})),
		"ReferralOutcome": closed(described("occurred_at defaults to now.", object(nil, props{"occurred_at": dateTime(), "note": text()}))),
		"ReferralDecline": closed(object([]string{"reason"}, props{"reason": text()})),
		"GuardianshipStart": closed(object([]string{"occurred_at", "ground", "placement"}, props{"occurred_at": dateTime(),
			"ground": words(vocabGround), "placement": words(vocabPlacement)})),
		"GuardianshipEnd": closed(object([]string{"occurred_at", "outcome"}, props{"occurred_at": dateTime(), "outcome": words(vocabOutcome)})),
		"Intervention":    closed(object([]string{"occurred_at", "measure"}, props{"occurred_at": dateTime(), "measure": text(), "note": text()})),
		"FollowUp":        closed(object([]string{"occurred_at", "note"}, props{"occurred_at": dateTime(), "note": text(), "method": text()})),
		"MajorIncident":   closed(object([]string{"occurred_at", "description"}, props{"occurred_at": dateTime(), "description": text()})),
		"Closure":         closed(object([]string{"occurred_at", "reason"}, props{"occurred_at": dateTime(), "reason": words(vocabClosure)})),
		"Reopening":       closed(object([]string{"reason"}, props{"reason": text()})),
		"Correction": closed(object([]string{"corrects_position", "fields", "reason"}, props{
			"corrects_position": described("The global position of the entry corrected, an event of this case or child's file.", integer()),
			"fields": described("The corrected fields of that entry, by their JSON names, with the values it should have had.",
				map[string]any{"type": "object", "minProperties": 1}),
			"reason": text()})),
		"CaseTransfer": closed(object([]string{"occurred_at", "jurisdiction", "reason"}, props{
			"occurred_at": dateTime(), "jurisdiction": described("The 12-digit code of the village or community the case moves to.", jurisdiction()),
			"reason": text()})),
		"Inquiry": closed(described("Give case_id or child_id.", object([]string{"incident_at", "reason"}, props{
			"case_id": text(), "child_id": text(), "incident_at": dateTime(), "reason": text()}))),
		"PoliceAcknowledgment": closed(object([]string{"occurred_at", "action"}, props{"occurred_at": dateTime(),
			"officer": described("The officer who took the report up.", text()), "action": described("What the police did (出警, 立案…).", text())})),
		"InquiryFindings": closed(object([]string{"occurred_at", "findings", "responsibilities", "rectifications"}, props{
			"occurred_at": dateTime(), "findings": text(),
			"responsibilities": described("The workers held responsible (may be empty); a worker_id not in the register is 400 naming responsibilities[i].worker_id.",
				list(closed(object([]string{"worker_id", "finding"}, props{"worker_id": text(), "finding": text()})))),
			"rectifications": described("The rectification items (may be empty); an owner not in the register is 400 naming rectifications[i].owner, "+
				"a due_on before the findings 422.",
				list(closed(object([]string{"description", "owner", "due_on"}, props{
					"id":          described("Up to 64 characters, unique among the items; left out, the item is numbered r1, r2… by its place in the list.", text()),
					"description": text(), "owner": described("The worker id of the item's owner, a worker of the real-name register.", text()),
					"due_on": described("The last day (China Standard Time) the item is due.", fullDate())})))),
		})),
		"RectificationCompletion": closed(object([]string{"occurred_at", "note"}, props{"occurred_at": dateTime(), "note": text()})),
		"InquiryClosure":          closed(object([]string{"occurred_at", "conclusion"}, props{"occurred_at": dateTime(), "conclusion": text()})),
		"DeadlinePolicy": described("The whole deadline policy. Durations are Go durations (\"1h\", \"90m\") or days (\"7d\").", object(nil, props{
			"police_report": text(), "first_response": schema("RiskDurations"), "assignment": schema("RiskDurations"),
			"assessment": text(), "guardianship_assessment": text(), "referral_answer": text(), "key_child_visit": text(),
			"left_behind_visit": text(), "info_verification": object([]string{"month", "day"}, props{"month": integer(), "day": integer()}),
			"retraining_months": integer(), "post_closure_follow_up": text(), "late_entry": text(),
			"min_cell":           described("A statistics group of fewer cases is suppressed (count null).", integer()),
			"report_after_visit": text(), "police_acknowledgment": text(), "inquiry": text(),
			"due_soon":       described("An open obligation due within this is due soon (the inbox flags it).", text()),
			"escalate_after": described("A missed obligation reaches the inspectors this long after it fell due.", text()),
		})),
		"RiskDurations": object([]string{"high", "medium", "low"}, props{"high": text(), "medium": text(), "low": text()}),

		// Answers.
		"Child": described("After erasure the personal fields are null, birth_date keeps only its year (YYYY-01-01) and erased is true.",
			object([]string{"id", "name", "birth_date", "sex", "jurisdiction", "categories", "key_child_flags", "guardian", "living_situation", "schooling", "hukou_registered", "erased", "version"}, props{
				"id": text(), "name": nullableText(), "id_number": nullableText(), "birth_date": fullDate(), "sex": words(vocabSex),
				"jurisdiction": jurisdiction(), "categories": list(words(vocabCategory)), "difficulty_reasons": list(text()),
				"key_child_flags": list(words(vocabKeyChild)), "key_child": boolean(), "guardian": orNull(guardian),
				"entrusted_guardian": orNull(guardian), "living_situation": nullableText(), "schooling": nullableText(),
				"hukou_registered": boolean(), "registered_at": dateTime(), "last_visit_at": nullableDateTime(),
				"erased": boolean(), "version": integer(),
			})),
		"ChildListing": object([]string{"id", "name", "birth_date", "sex", "jurisdiction", "categories", "key_child_flags", "erased", "version"}, props{
			"id": text(), "name": nullableText(), "birth_date": fullDate(), "sex": text(), "jurisdiction": jurisdiction(),
			"categories": list(words(vocabCategory)), "key_child_flags": list(words(vocabKeyChild)), "key_child": boolean(),
			"last_visit_at": nullableDateTime(), "erased": boolean(), "version": integer(),
		}),
		"ChildList": page("ChildListing"),
		"WorkerListing": object([]string{"id", "name", "role", "jurisdiction", "active", "qualification"}, props{
			"id": text(), "name": text(), "role": words(vocabRole), "jurisdiction": jurisdiction(), "agency": words(vocabAgency),
			"active": boolean(), "deactivated_at": dateTime(),
			"qualification":    described("Where the worker's training stands now, by the deadline policy in force.", words(vocabQualification)),
			"last_training_on": described("The day of the worker's last passed training.", fullDate()),
		}),
		"WorkerList": page("WorkerListing"),
		"CoverageItem": object([]string{"jurisdiction", "jurisdiction_name", "role", "vacant"}, props{
			"jurisdiction": jurisdiction(), "role": words([]string{"child_director", "child_supervisor"}),
			"worker_id":     described("The active worker holding the post; absent when vacant.", text()),
			"worker_name":   described("That worker's name in the real-name register.", text()),
			"qualification": described("That worker's qualification now.", words(vocabQualification)),
			"vacant":        described("No active worker holds the post.", boolean()),
		}),
		"CoverageList": page("CoverageItem"),
		"ReferralListing": object([]string{"case_id", "referral_id", "agency", "service", "status", "made_at", "jurisdiction", "child"}, props{
			"case_id": text(), "referral_id": text(), "agency": words(vocabAgency), "service": words(vocabService),
			"status": words(vocabReferral), "made_at": dateTime(),
			"due_at":       described("When the agency's answer is due (the referral_answer obligation).", dateTime()),
			"answered_at":  described("The agency's earliest answer: acceptance, decline or completion.", dateTime()),
			"jurisdiction": described("The case's.", jurisdiction()),
			"child": described("What finds the child, and nothing personal.", object([]string{"id", "jurisdiction"}, props{
				"id": text(), "birth_year": integer(), "sex": words(vocabSex),
				"jurisdiction": described("Where the child lives.", jurisdiction()),
			})),
		}),
		"ReferralList": page("ReferralListing"),
		"Referral": map[string]any{"allOf": []any{schema("ReferralListing"), object([]string{"child", "guardian"}, props{
			"child": object([]string{"id", "name", "jurisdiction"}, props{
				"id": text(), "birth_year": integer(), "sex": words(vocabSex), "jurisdiction": jurisdiction(),
				"name": described("The child's name; null after erasure.", nullableText()),
			}),
			"guardian": described("How the agency reaches the child's guardian; null after erasure.",
				orNull(object([]string{"name", "phone"}, props{"name": text(), "phone": nullableText()}))),
		})}},
		"InquiryListing": object([]string{"id", "jurisdiction", "status", "incident_at", "opened_at", "opened_by"}, props{
			"id": text(), "case_id": text(), "child_id": text(),
			"jurisdiction": described("That of the case or child the inquiry looks into.", jurisdiction()),
			"status":       words([]string{"open", "closed"}), "incident_at": dateTime(), "opened_at": dateTime(), "opened_by": text(),
			"findings_at": described("When the findings were recorded; absent before.", dateTime()),
			"closed_at":   described("When the inquiry was closed; absent while open.", dateTime()),
		}),
		"InquiryList": page("InquiryListing"),
		"Case": object([]string{"id", "child_id", "status", "source", "concerns", "risk", "received_at", "referrals", "deadlines", "version"}, props{
			"id": text(), "child_id": text(), "jurisdiction": jurisdiction(), "status": words(vocabCase),
			"source": words(vocabSource), "concerns": list(words(vocabConcern)), "risk": words(vocabRisk), "received_at": dateTime(),
			"received_by": text(), "assignee": nullableText(), "police_reported_at": nullableDateTime(),
			"first_response_at": nullableDateTime(), "assessed_at": nullableDateTime(),
			"referrals": list(object([]string{"id", "agency", "service", "status"}, props{"id": text(), "agency": words(vocabAgency),
				"service": words(vocabService), "status": words(vocabReferral),
				"made_at": dateTime(), "answered_at": dateTime()})),
			"temporary_guardianship": orNull(object([]string{"active", "ground", "placement", "started_at"}, props{"active": boolean(),
				"ground": words(vocabGround), "placement": words(vocabPlacement), "started_at": dateTime(), "ended_at": dateTime()})),
			"major_incident": boolean(), "closed_at": nullableDateTime(), "closure_reason": orNull(words(vocabClosure)),
			"deadlines": list(schema("Deadline")), "version": integer(), "last_position": integer(),
		}),
		"Deadline": object([]string{"kind", "subject_id", "owner", "due_at", "status"}, props{
			"key": text(), "kind": words(vocabDeadline),
			"subject_id": described("The case for case obligations, the child for visit, info_verification and report_after_visit, "+
				"the worker for training, the inquiry for rectification.", text()),
			"case_id":          text(),
			"referral_id":      text(),
			"inquiry_id":       described("The inquiry of a rectification.", text()),
			"rectification_id": described("The rectification item (整改事项) of its inquiry.", text()),
			"jurisdiction":     jurisdiction(),
			"owner": described("The worker who owned it at the moment that decided its status (met: the met time; missed: the due time; open: now) — "+
				"a village's or township's post resolves to the active registered worker holding it then — or an agency / role and jurisdiction "+
				"when no person owns it (an unassigned case: the center; a post nobody held: the post, vacant).", text()),
			"owner_name": described("The owner's name in the real-name register (实名制).", text()),
			"vacant":     described("The owner is a post no active registered worker held at that moment.", boolean()),
			"started_at": dateTime(), "due_at": dateTime(), "status": words(vocabStatus), "met_at": dateTime(), "policy_version": integer(),
		}),
		"DeadlineList": page("Deadline"),
		"InboxItem": map[string]any{"allOf": []any{schema("Deadline"), object([]string{"due_soon", "escalated"}, props{
			"due_soon":  described("Open and due within the policy's due_soon.", boolean()),
			"escalated": described("Missed, and another's: escalated to the caller.", boolean()),
		})}},
		"InboxList": page("InboxItem"),
		"Notification": object([]string{"id", "kind", "at", "deadline"}, props{
			"id":       described("The event's id (as its SSE id: line).", text()),
			"kind":     words([]string{"obligation.opened", "obligation.due_soon", "obligation.missed", "obligation.escalated", "referral.received"}),
			"at":       described("When it happened: the obligation's start, or the moment the clock reached.", dateTime()),
			"deadline": schema("Deadline"),
		}),
		"Event": object([]string{"event_id", "type", "stream_version", "global_position", "occurred_at", "recorded_at", "actor", "prev_hash", "hash", "data"}, props{
			"event_id": map[string]any{"type": "string", "format": "uuid"}, "type": text(), "schema_version": integer(), "stream_id": text(),
			"stream_version": integer(), "global_position": integer(), "occurred_at": dateTime(), "recorded_at": dateTime(),
			"actor": schema("Actor"), "correlation_id": text(),
			"prev_hash": described("SHA-256, hex.", text()), "hash": described("SHA-256, hex.", text()),
			"data": described("The event's data as stored.", map[string]any{"type": "object"}),
		}),
		"EventList": page("Event"),
		"TimelineItem": object([]string{"type", "occurred_at", "recorded_at", "actor", "global_position", "summary"}, props{
			"type": text(), "occurred_at": dateTime(), "recorded_at": dateTime(), "actor": schema("Actor"), "global_position": integer(),
			"summary": described("One line in Simplified Chinese, made of vocabulary words; a correction's also says how long the entry "+
				"stood and each field from its original to its corrected value.", text()),
			"case_id":    described("In a child's timeline, the case the entry belongs to.", text()),
			"correction": schema("CorrectionShown"),
		}),
		"CorrectionShown": described("What a correction's entry corrected, read from the log for readers of the child's file: the entry "+
			"corrected (which stays), how long it stood, and each field's original and corrected value (the child's personal data "+
			"where the field is; gone once the child's data is erased: erased true, no changes).",
			object([]string{"corrects_position", "corrected_type", "changes"}, props{
				"corrects_position": integer(), "corrected_type": text(), "corrected_occurred_at": dateTime(), "corrected_recorded_at": dateTime(),
				"delay_hours": described("From the corrected entry's recording to the correction's.", number()),
				"changes":     list(schema("CorrectedField")), "text": described("A correction recorded before corrections named fields.", text()),
				"erased": boolean(),
			})),
		"CorrectedField": object([]string{"field", "original", "corrected", "text"}, props{
			"field":     text(),
			"original":  described("The field's value in the entry as recorded (JSON; null when it had none or once erased).", map[string]any{}),
			"corrected": described("The corrected value (JSON).", map[string]any{}),
			"text":      described("Said for people, in Chinese: 就学情况：「小学三年级」→「小学四年级」.", text()),
		}),
		"Timeline": object([]string{"as_of", "items"}, props{"as_of": dateTime(), "items": list(schema("TimelineItem"))}),
		"Caseload": object([]string{"items"}, props{"items": list(object([]string{"worker_id", "open", "by_status", "by_risk"}, props{
			"worker_id": described("\"\" for the cases no one is assigned yet.", text()), "open": integer(),
			"by_status": object(nil, props{"unassigned": integer(), "assigned": integer(), "in_guardianship": integer()}),
			"by_risk":   object(nil, props{"high": integer(), "medium": integer(), "low": integer()}),
		}))}),
		"Stats": object([]string{"group_by", "groups"}, props{"group_by": text(), "groups": list(object([]string{"key", "count"}, props{
			"key":                         described("The group; for an analyst a place is cut to its township (9 digits).", text()),
			"count":                       described("null when the group is suppressed.", map[string]any{"type": []any{"integer", "null"}}),
			"suppressed":                  described("The group has fewer cases than the policy's min_cell: its count and times are withheld.", boolean()),
			"median_first_response_hours": number(), "median_police_report_hours": number(),
			"median_assessment_hours": number(), "p90_first_response_hours": number(),
		}))}),
		"Integrity": described("The hash chain and seal of the whole log, verified up to head: from the head the server verified before, "+
			"or from position 1 when a full walk was due (full). An event before that earlier head rewritten since the last full walk "+
			"shows at the next full walk.",
			object([]string{"ok", "checked", "first_broken_position"}, props{"ok": boolean(),
				"checked":               described("Events covered: the whole log up to head when ok.", integer()),
				"first_broken_position": map[string]any{"type": []any{"integer", "null"}},
				"reason":                text(),
				"verified_at":           described("When the walk behind this answer ended.", dateTime()),
				"head":                  schema("ChainAnchor"),
				"walked":                described("Events re-hashed for this answer.", integer()),
				"full":                  described("This answer walked the log from position 1.", boolean()),
				"last_full_walk": described("The server's latest walk of the whole log.", object([]string{"ended_at", "head", "ok"}, props{
					"ended_at": dateTime(), "head": schema("ChainAnchor"), "ok": boolean()})),
			})),
		"ChainAnchor": described("A point of the hash chain: a position and the hash of the event there ('careledger verify --anchor POSITION:HASH').",
			object([]string{"position", "hash"}, props{"position": integer(), "hash": text()})),
		"AccessLogEntry": object([]string{"subject", "role", "child_id", "at", "action"}, props{
			"id": text(), "subject": text(), "role": words(vocabRole), "actor_jurisdiction": jurisdiction(), "child_id": text(),
			"case_id": text(), "jurisdiction": jurisdiction(), "at": dateTime(),
			"action":     words(vocabAccess),
			"request_id": text(),
		}),
		"AccessLog": page("AccessLogEntry"),
		"AccountabilityReport": object([]string{"subject", "integrity", "deadlines", "late_entries", "timeline", "policy_versions"}, props{
			"inquiry_id": text(), "subject": object(nil, props{"case_id": text(), "child_id": text()}), "incident_at": dateTime(),
			"reason": described("Why the inquiry was opened. The inquiry's texts are the child's personal data: "+
				"null once the child's data is erased, as are the findings, each finding, each item's description and the conclusion.", nullableText()),
			"integrity": schema("Integrity"),
			"deadlines": list(map[string]any{"allOf": []any{schema("Deadline"), object(nil, props{"owner_at_incident": text()})}}),
			"late_entries": list(object([]string{"type", "occurred_at", "recorded_at", "delay_hours", "actor"}, props{
				"type": text(), "occurred_at": dateTime(), "recorded_at": dateTime(), "delay_hours": number(), "actor": schema("Actor")})),
			"timeline": list(schema("TimelineItem")), "policy_versions": list(map[string]any{"type": "object"}),
			"streams": described("The streams the report rests on, each named by its version, last position and last hash as of as_of, "+
				"so that the report can be checked against the log.",
				list(object([]string{"stream_id", "version", "last_position", "last_hash"}, props{
					"stream_id": text(), "version": integer(), "last_position": integer(), "last_hash": text(),
					"withheld": described("Set when the reader may not see every entry of the stream (属地管理): the case's child has left the "+
						"reader's jurisdiction. Entries recorded while the child lay within it are shown, each move out as 迁出本辖区 without "+
						"where to, nothing after; version, last_position and last_hash are then those of the last entry shown in full.", boolean()),
				}))),
			"cases_withheld": described("Set when a report on a child leaves out cases of the child that lie outside the reader's "+
				"jurisdiction; it names none of them.", boolean()),
			"people": described("Every registered worker who acted on the record covered, owned one of its obligations, was held responsible "+
				"by the findings or owns a rectification item, in the order they first appear.",
				list(object([]string{"worker_id", "name", "role", "jurisdiction", "qualification_at_incident", "involvement"}, props{
					"worker_id": text(), "name": described("From the real-name register (实名制) as it stood at as_of.", text()),
					"role":         words(vocabRole),
					"jurisdiction": described("The post held at the incident (at as_of for a report without an incident); the last post when none was held then.", jurisdiction()),
					"in_post":      described("Whether the worker held a post at that moment.", boolean()),
					"qualification_at_incident": described("Where the worker's training stood at the incident (at as_of without one), by the policy then in force.",
						words(vocabQualification)),
					"involvement": list(words([]string{"actor", "owner", "responsible", "rectification_owner"})),
				}))),
			"reads": described("Who read the child's file and the cases covered, from reads_from to as_of, oldest first (the access log).",
				list(object([]string{"subject", "role", "at", "action"}, props{
					"subject": text(), "role": words(vocabRole), "at": dateTime(), "action": words(vocabAccess),
					"case_id": described("The case read, when a case was read.", text()),
				}))),
			"reads_from": described("Where the period of reads begins: the child's registration.", dateTime()),
			"corrections": described("Corrections (EntryCorrected) of the child's and the cases' entries recorded by as_of, in log order, "+
				"each field with its original and corrected value (the child's personal data, gone once erased); the reason is not shown.",
				list(object([]string{"position", "stream_id", "corrects_position", "corrected_type", "fields", "by", "occurred_at", "recorded_at", "delay_hours"}, props{
					"position": integer(), "stream_id": text(), "case_id": text(), "corrects_position": integer(), "corrected_type": text(),
					"fields": list(text()), "by": schema("Actor"), "occurred_at": dateTime(), "recorded_at": dateTime(),
					"corrected_occurred_at": dateTime(), "corrected_recorded_at": dateTime(),
					"delay_hours": described("How long the corrected entry stood: from its recording to the correction's.", number()),
					"summary":     text(),
					"changes":     list(schema("CorrectedField")), "erased": boolean(),
				}))),
			"findings": described("The inquiry's findings, once recorded by as_of.", object([]string{"occurred_at", "findings", "responsibilities", "recorded_by"}, props{
				"occurred_at": dateTime(), "recorded_at": dateTime(), "findings": nullableText(), "recorded_by": schema("Actor"),
				"responsibilities": list(object([]string{"worker_id", "name", "finding"}, props{"worker_id": text(), "name": text(), "finding": nullableText()})),
			})),
			"rectifications": described("The findings' rectification items (整改事项), with the findings; status as of as_of.",
				list(object([]string{"id", "description", "owner", "due_on", "status"}, props{
					"id": text(), "description": nullableText(), "owner": text(), "owner_name": text(), "due_on": fullDate(),
					"due_at": dateTime(), "status": words(vocabStatus), "completed_at": dateTime(),
				}))),
			"closed": described("The inquiry's closing, once recorded by as_of.", object([]string{"at", "conclusion"}, props{
				"at": dateTime(), "recorded_at": dateTime(), "conclusion": nullableText(), "by": schema("Actor"),
			})),
		}),
		"Health":          object([]string{"status"}, props{"status": text()}),
		"OpenAPIDocument": map[string]any{"type": "object", "description": "An OpenAPI 3.1 document."},
	}
}

// childFields are the fields of a child's file a client sends.
func childFields(guardian map[string]any) props {
	return props{
		"name": text(), "id_number": text(), "birth_date": fullDate(), "sex": words(vocabSex),
		"jurisdiction": jurisdiction(), "categories": list(words(vocabCategory)), "difficulty_reasons": list(words(vocabReason)),
		"key_child_flags": list(words(vocabKeyChild)), "guardian": guardian, "entrusted_guardian": guardian,
		"living_situation": text(), "schooling": text(), "hukou_registered": boolean(),
	}
}
