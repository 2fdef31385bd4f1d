// Package deadlines is the deadline view behind GET /v1/deadlines and the
// obligations of the case page: one row per obligation of every case, child
// file and worker (rm_deadlines), so that "what is due, missed or met, and
// whose is it" is a query rather than a replay of the log.
//
// The view computes no clock of its own. Each stream with obligations keeps
// its facts — domain.CaseFacts, ChildFacts, WorkerFacts, the one fold of
// each aggregate — as a snapshot (rm_deadline_streams), and the deadline
// policy its history (rm_deadline_policies). A batch of events is applied to
// the snapshots of the streams it touches, and each such stream's rows are
// derived again by the domain's own functions (domain.CaseDeadlines,
// ChildDeadlines, WorkerDeadlines) and replace the old ones; so the view
// cannot disagree with the case page, the statistics or the trace-back
// report, and it needs no event store: the engine hands it the decoded log.
// A change of the policy may change any obligation, so it derives every
// stream again from the stored snapshots.
//
// Rows depend on the record alone, never on the wall clock, so that a
// rebuild gives the same rows: a stream is judged at its horizon, the
// latest business time among its events. What the domain finds missed there
// is missed for good; what is open there may since have fallen due, and the
// yearly information verification stops at the first verification day after
// the horizon. Time enters through Tick (engine.Clocked), which the engine
// runs under the projection's own lock: it marks overdue obligations missed
// and adds the yearly verifications that have come due since, so that the
// projection stays the only writer of its tables. Queries judge statuses at
// their own "now" as well, so a row that Tick has not reached yet never
// reads wrong.
//
// No table holds personal data: the facts hold none (a worker's name, which
// the deadlines do not read, is dropped from the worker's snapshot).
package deadlines
