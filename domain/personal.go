package domain

// PersonalField is a field of an event's JSON that holds a child's personal
// information (个人信息保护法 art. 28, 31): names, ID numbers, addresses,
// phone numbers, and free text that may hold them. Path names the field by
// its JSON names, nested with dots ("reporter.phone"); "[]" after a name
// reaches into each element of the array it holds
// ("rectifications[].description"). Such fields are
// stored encrypted under the child's key; once the key is destroyed
// (ChildDataErased) they read as null — except a birth date, which keeps
// its year (KeepYear: "2015-03-04" reads "2015-01-01").
type PersonalField struct {
	Path     string
	KeepYear bool
}

// personalFields lists, per event type, the fields that are personal.
// Vocabulary words, ids, times and flags are not: they keep a case's course
// readable and countable after an erasure. Worker names stay in clear (the
// real-name register); the reason for an erasure stays readable for audit.
// An inquiry's texts are the child's (InquiryOpened.DataSubjectID); who it
// held responsible, and each rectification item's owner and due date, stay
// in clear, so that its accountability outlives the erasure.
// AssessmentCompleted's needs and CaseConferenceHeld's decisions are free
// text (no vocabulary), so they are personal.
var personalFields = map[string][]PersonalField{
	ChildRegistered{}.EventType(): {
		{Path: "name"}, {Path: "id_number"}, {Path: "birth_date", KeepYear: true}, {Path: "guardian"},
		{Path: "entrusted_guardian"}, {Path: "living_situation"}, {Path: "schooling"},
	},
	ChildProfileUpdated{}.EventType(): {
		{Path: "name"}, {Path: "id_number"}, {Path: "birth_date", KeepYear: true}, {Path: "guardian"},
		{Path: "entrusted_guardian"}, {Path: "living_situation"}, {Path: "schooling"},
	},
	VisitRecorded{}.EventType():                    {{Path: "findings"}},
	ReportForwardedToPolice{}.EventType():          {{Path: "reference"}},
	GuardianshipEntrustmentConfirmed{}.EventType(): {{Path: "entrusted_guardian"}},
	ReportReceived{}.EventType():                   {{Path: "reporter.name"}, {Path: "reporter.phone"}, {Path: "summary"}},
	EmergencyResponseRecorded{}.EventType():        {{Path: "action"}, {Path: "note"}},
	PoliceAcknowledged{}.EventType():               {{Path: "action"}},
	AssessmentCompleted{}.EventType():              {{Path: "needs"}, {Path: "guardianship_assessment"}},
	CaseConferenceHeld{}.EventType():               {{Path: "decisions"}},
	ReferralMade{}.EventType():                     {{Path: "note"}},
	ReferralAccepted{}.EventType():                 {{Path: "note"}},
	ReferralDeclined{}.EventType():                 {{Path: "reason"}},
	ReferralCompleted{}.EventType():                {{Path: "note"}},
	GuardianshipInterventionRecorded{}.EventType(): {{Path: "measure"}, {Path: "note"}},
	FollowUpRecorded{}.EventType():                 {{Path: "note"}, {Path: "method"}},
	MajorIncidentDeclared{}.EventType():            {{Path: "description"}},
	CaseReopened{}.EventType():                     {{Path: "reason"}},
	CaseTransferred{}.EventType():                  {{Path: "reason"}},
	EntryCorrected{}.EventType():                   {{Path: "fields"}, {Path: "correction"}, {Path: "reason"}},
	InquiryOpened{}.EventType():                    {{Path: "reason"}},
	InquiryFindingsRecorded{}.EventType(): {
		{Path: "findings"}, {Path: "responsibilities[].finding"}, {Path: "rectifications[].description"},
	},
	RectificationCompleted{}.EventType(): {{Path: "note"}},
	InquiryClosed{}.EventType():          {{Path: "conclusion"}},
}

// PersonalFields lists the personal fields of an event type (none for a
// type without any).
func PersonalFields(eventType string) []PersonalField {
	return append([]PersonalField(nil), personalFields[eventType]...)
}
