// Package timeline is what happened to a case or a child: one row per
// event of the case and child streams (rm_timeline), behind
// GET /v1/cases/{id}/timeline and GET /v1/children/{id}/timeline, and the
// one-line summary of an event that the trace-back report prints too.
//
// Why bitemporal: each row keeps both times of its event — when it
// happened (occurred_at) and when the record learned it (recorded_at) — so
// that a timeline is read in business-time order as the record stood at
// any past moment (as-of view: only rows with recorded_at ≤ T). An inquiry
// must see what workers could have known then, and where a late entry
// belongs.
//
// Why summaries are made of vocabulary words only: a timeline may be read,
// printed and handed on, and must stay anonymous after a child's data is
// erased. Summary builds one Simplified-Chinese line from the event's type
// and vocabulary words through the domain's labels, never from a name, an
// ID number, a phone, a place or free text.
//
// A case's rows carry its child's id, and the answers to a referral name
// its agency and service: the projection keeps two small lookups for them
// (rm_timeline_cases, rm_timeline_referrals), filled by the same rules as
// domain.CaseFacts — a stream's first report names the child, a referral
// is the first one made with its id, nothing counts before the report — so
// that the timeline and every other view of a case agree. They are
// lookups, not the case's state: nothing else of a case is kept here.
package timeline
