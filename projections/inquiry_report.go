package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
)

// Record is what an inquiry report reads of the event store: the streams it
// rests on, and the hash chain that proves them unaltered.
type Record interface {
	ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error)
	Verify(ctx context.Context, anchors ...eventstore.Anchor) (eventstore.Verification, error)
}

// InquiryReport is the accountability report of an inquiry (重大事件倒查):
// what was known, when and by whom; every obligation with its owner at the
// time and its status judged by the policy then in force; the entries
// recorded late; the whole timeline; and the policies that applied — all
// as the record stood at AsOf, with the verification of the hash chain the
// events rest on.
type InquiryReport struct {
	InquiryID  string        `json:"inquiry_id"`
	Subject    ReportSubject `json:"subject"`
	IncidentAt time.Time     `json:"incident_at"`
	Reason     string        `json:"reason"`
	OpenedBy   TimelineActor `json:"opened_by"`
	OpenedAt   time.Time     `json:"opened_at"`
	// AsOf is the moment the record is shown as it stood: entries recorded
	// later are left out and obligations are judged at it.
	AsOf      time.Time       `json:"as_of"`
	Integrity ReportIntegrity `json:"integrity"`
	// Streams are the streams the report rests on, with their versions as
	// of AsOf.
	Streams        []ReportStream   `json:"streams"`
	Deadlines      []ReportDeadline `json:"deadlines"`
	LateEntries    []LateEntry      `json:"late_entries"`
	Timeline       []TimelineItem   `json:"timeline"`
	PolicyVersions []ReportPolicy   `json:"policy_versions"`
	// Workers names the registered workers the report mentions (owners and
	// actors), by id, from the real-name register as it stood at AsOf.
	Workers map[string]ReportWorker `json:"workers"`
}

// ReportWorker is a worker of the real-name register (实名制).
type ReportWorker struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Jurisdiction string `json:"jurisdiction"`
}

// ReportSubject is what the inquiry looks into: a case (and its child's
// file) or a child (its file and every case about it).
type ReportSubject struct {
	CaseID  string   `json:"case_id,omitempty"`
	ChildID string   `json:"child_id,omitempty"`
	CaseIDs []string `json:"case_ids"`
	// Child is the child the report is about (for a case, the case's
	// child), and Jurisdiction its place (for a case, the case's).
	Child        string `json:"child"`
	Jurisdiction string `json:"jurisdiction"`
}

// ReportIntegrity is the verification of the whole log's hash chain and
// seal, made when the report was produced.
type ReportIntegrity struct {
	OK                  bool      `json:"ok"`
	Checked             int64     `json:"checked"`
	FirstBrokenPosition *int64    `json:"first_broken_position"`
	Reason              string    `json:"reason,omitempty"`
	VerifiedAt          time.Time `json:"verified_at"`
}

// ReportStream names a stream the report rests on and its last event as of
// AsOf: its version, position and hash, so that the report can be checked
// against the log later.
type ReportStream struct {
	StreamID     string `json:"stream_id"`
	Version      int64  `json:"version"`
	LastPosition int64  `json:"last_position"`
	LastHash     string `json:"last_hash"`
}

// ReportDeadline is a deadline (API.md's shape) with what an inquiry needs:
// who owned it when the incident happened, every owner over time, when its
// clock started, and the policy version that judges it.
type ReportDeadline struct {
	Kind            string             `json:"kind"`
	SubjectID       string             `json:"subject_id"`
	CaseID          string             `json:"case_id,omitempty"`
	ReferralID      string             `json:"referral_id,omitempty"`
	Owner           string             `json:"owner"`
	OwnerAtIncident string             `json:"owner_at_incident"`
	Owners          []domain.OwnerSpan `json:"owners"`
	StartedAt       time.Time          `json:"started_at"`
	DueAt           time.Time          `json:"due_at"`
	Status          string             `json:"status"`
	MetAt           *time.Time         `json:"met_at,omitempty"`
	PolicyVersion   int64              `json:"policy_version"`
}

// LateEntry is an entry recorded more than the policy's late-entry
// threshold (in force when it occurred) after it occurred.
type LateEntry struct {
	Type           string        `json:"type"`
	OccurredAt     time.Time     `json:"occurred_at"`
	RecordedAt     time.Time     `json:"recorded_at"`
	DelayHours     float64       `json:"delay_hours"`
	ThresholdHours float64       `json:"threshold_hours"`
	Actor          TimelineActor `json:"actor"`
	GlobalPosition int64         `json:"global_position"`
	Summary        string        `json:"summary"`
	CaseID         string        `json:"case_id,omitempty"`
}

// ReportPolicy is a deadline policy version: 0 is the default policy, in
// force until the first recorded change.
type ReportPolicy struct {
	Version    int64                 `json:"version"`
	From       *time.Time            `json:"from,omitempty"`
	RecordedAt *time.Time            `json:"recorded_at,omitempty"`
	Policy     domain.DeadlinePolicy `json:"policy"`
	// Applied says whether a deadline of the report is judged by it.
	Applied bool `json:"applied"`
}

// ErrNoInquiry: no inquiry has the id (or none was recorded by the as-of
// moment).
var ErrNoInquiry = fmt.Errorf("inquiry: %w", commands.ErrNotFound)

// BuildInquiryReport makes the report of an inquiry as the record stood at
// asOf (zero: now). It reads the events themselves, not the read models,
// except to list a child's cases (rm_cases), and verifies the hash chain.
// scope is the jurisdiction of the reader: a subject outside it is
// ErrNoInquiry, as if it did not exist.
func BuildInquiryReport(ctx context.Context, rec Record, db *sql.DB, inquiryID string, asOf, now time.Time, scope domain.Jurisdiction) (*InquiryReport, error) {
	asOf = clampAsOf(asOf, now)
	r := newRecordReader(ctx, rec, asOf)
	first, err := r.read(domain.InquiryStream(inquiryID))
	if err != nil {
		return nil, err
	}
	if len(first[domain.InquiryStream(inquiryID)]) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoInquiry, inquiryID)
	}
	q := domain.LoadInquiry(first[domain.InquiryStream(inquiryID)])
	report := &InquiryReport{
		InquiryID: inquiryID, IncidentAt: q.IncidentAt(), Reason: q.Reason(), OpenedAt: q.OpenedAt(),
		OpenedBy: actorOf(q.OpenedBy()), Subject: ReportSubject{CaseID: q.CaseID(), ChildID: q.ChildID()},
	}
	if err := r.fill(ctx, db, report, now, scope); err != nil {
		if errors.Is(err, commands.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s", ErrNoInquiry, inquiryID)
		}
		return nil, err
	}
	return report, nil
}

// BuildTraceReport makes the same report for a case or a child (subject
// names one) without an inquiry: what an inspector looks at before, or
// instead of, opening one. The incident time is left zero, so each
// obligation's owner at the incident is empty.
func BuildTraceReport(ctx context.Context, rec Record, db *sql.DB, subject ReportSubject, asOf, now time.Time, scope domain.Jurisdiction) (*InquiryReport, error) {
	if (subject.CaseID == "") == (subject.ChildID == "") {
		return nil, &domain.InvalidError{Field: "subject", Message: "name exactly one of a case and a child"}
	}
	asOf = clampAsOf(asOf, now)
	report := &InquiryReport{Subject: ReportSubject{CaseID: subject.CaseID, ChildID: subject.ChildID}}
	if err := newRecordReader(ctx, rec, asOf).fill(ctx, db, report, now, scope); err != nil {
		return nil, err
	}
	return report, nil
}

func clampAsOf(asOf, now time.Time) time.Time {
	if asOf.IsZero() || asOf.After(now) {
		return now
	}
	return asOf
}

// recordReader reads streams as they stood at asOf, decoded, remembering
// each one's last hash.
type recordReader struct {
	ctx      context.Context
	rec      Record
	asOf     time.Time
	reg      *domain.Registry
	lastHash map[string]string
}

func newRecordReader(ctx context.Context, rec Record, asOf time.Time) *recordReader {
	return &recordReader{ctx: ctx, rec: rec, asOf: asOf, reg: domain.NewRegistry(), lastHash: map[string]string{}}
}

func (rr *recordReader) read(ids ...string) (map[string][]domain.Recorded, error) {
	stored, err := rr.rec.ReadStreams(rr.ctx, ids, 0)
	if err != nil {
		return nil, fmt.Errorf("report: read %s: %w", strings.Join(ids, ", "), err)
	}
	out := map[string][]domain.Recorded{}
	for id, events := range stored {
		visible := events[:0:0]
		for _, e := range events {
			if !e.RecordedAt.After(rr.asOf) {
				visible = append(visible, e)
			}
		}
		if len(visible) > 0 {
			rr.lastHash[id] = visible[len(visible)-1].Hash.String()
		}
		decoded, err := commands.DecodeEvents(rr.reg, visible)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		out[id] = decoded
	}
	return out, nil
}

// fill completes a report whose subject (and, for an inquiry, incident) is
// set: streams, deadlines, timeline, late entries, policies, integrity. A
// subject that does not exist or lies outside scope is ErrNotFound.
func (rr *recordReader) fill(ctx context.Context, db *sql.DB, report *InquiryReport, now time.Time, scope domain.Jurisdiction) error {
	report.AsOf = rr.asOf
	report.Subject.CaseIDs = []string{}
	policyStreams, err := rr.read(domain.PolicyStream)
	if err != nil {
		return err
	}
	policies := domain.LoadPolicyHistory(policyStreams[domain.PolicyStream])
	incident := report.IncidentAt
	// The streams the report rests on: the case and its child, or the
	// child and its cases. The subject must lie within scope: the case's
	// jurisdiction, or the child's.
	caseID, childID, caseIDs := report.Subject.CaseID, report.Subject.ChildID, []string{}
	if caseID != "" {
		caseIDs = append(caseIDs, caseID)
		streams, err := rr.read(domain.CaseStream(caseID))
		if err != nil {
			return err
		}
		r, ok := firstReport(streams[domain.CaseStream(caseID)])
		if !ok || !scope.Covers(r.Jurisdiction) {
			return fmt.Errorf("case %s: %w", caseID, commands.ErrNotFound)
		}
		childID = r.ChildID
		defer func() { report.Subject.Jurisdiction = r.Jurisdiction.String() }()
	} else if caseIDs, err = casesOfChild(ctx, db, childID); err != nil {
		return err
	}
	ids := []string{domain.ChildStream(childID)}
	for _, c := range caseIDs {
		ids = append(ids, domain.CaseStream(c))
	}
	streams, err := rr.read(ids...)
	if err != nil {
		return err
	}
	child := domain.LoadChild(streams[domain.ChildStream(childID)])
	if caseID == "" && (len(streams[domain.ChildStream(childID)]) == 0 || !scope.Covers(child.Jurisdiction())) {
		return fmt.Errorf("child %s: %w", childID, commands.ErrNotFound)
	}
	report.Subject.Child, report.Subject.Jurisdiction = childID, child.Jurisdiction().String()
	for _, c := range caseIDs {
		if len(streams[domain.CaseStream(c)]) > 0 {
			report.Subject.CaseIDs = append(report.Subject.CaseIDs, c)
		}
	}

	referrals := map[string][2]string{}
	var all []domain.Recorded
	for _, id := range ids {
		history := streams[id]
		if len(history) == 0 {
			continue
		}
		last := history[len(history)-1]
		report.Streams = append(report.Streams, ReportStream{StreamID: id, Version: last.Version, LastPosition: last.Position, LastHash: rr.lastHash[id]})
		for _, r := range history {
			if e, ok := r.Event.(domain.ReferralMade); ok {
				referrals[strings.TrimPrefix(id, "case-")+"/"+e.ReferralID] = [2]string{e.Agency.String(), e.Service.String()}
			}
		}
		all = append(all, history...)
		var deadlines []domain.Deadline
		if strings.HasPrefix(id, "case-") {
			deadlines = domain.CaseDeadlines(history, policies, rr.asOf)
		} else {
			deadlines = domain.ChildDeadlines(history, policies, rr.asOf)
		}
		for _, d := range deadlines {
			report.Deadlines = append(report.Deadlines, reportDeadline(d, incident))
		}
	}
	sort.SliceStable(report.Deadlines, func(i, j int) bool { return report.Deadlines[i].StartedAt.Before(report.Deadlines[j].StartedAt) })

	// The timeline and the late entries, in business-time order.
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].OccurredAt.Equal(all[j].OccurredAt) {
			return all[i].OccurredAt.Before(all[j].OccurredAt)
		}
		return all[i].Position < all[j].Position
	})
	report.Timeline, report.LateEntries = []TimelineItem{}, []LateEntry{}
	for _, r := range all {
		caseID := strings.TrimPrefix(r.StreamID, "case-")
		if caseID == r.StreamID {
			caseID = ""
		}
		summary := timelineSummary(r.Event, func(id string) (string, string, bool) {
			v, ok := referrals[caseID+"/"+id]
			return v[0], v[1], ok
		})
		item := TimelineItem{Type: r.Event.EventType(), OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
			Actor: actorOf(r.Actor), GlobalPosition: r.Position, Summary: summary, CaseID: caseID}
		report.Timeline = append(report.Timeline, item)
		p, _ := policies.InForce(r.OccurredAt)
		if delay := r.RecordedAt.Sub(r.OccurredAt); delay > p.LateEntry.D {
			report.LateEntries = append(report.LateEntries, LateEntry{Type: item.Type, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
				DelayHours: hours(delay), ThresholdHours: hours(p.LateEntry.D), Actor: item.Actor, GlobalPosition: r.Position,
				Summary: summary, CaseID: caseID})
		}
	}

	applied := map[int64]bool{}
	for _, d := range report.Deadlines {
		applied[d.PolicyVersion] = true
	}
	report.PolicyVersions = []ReportPolicy{{Version: 0, Policy: domain.DefaultPolicy(), Applied: applied[0]}}
	for _, v := range policies.Versions() {
		report.PolicyVersions = append(report.PolicyVersions, ReportPolicy{Version: v.Version, From: ptrTo(v.From), RecordedAt: ptrTo(v.RecordedAt),
			Policy: v.Policy, Applied: applied[v.Version]})
	}

	if report.Workers, err = rr.workers(report); err != nil {
		return err
	}
	v, err := rr.rec.Verify(ctx)
	if err != nil {
		return fmt.Errorf("report: verify the log: %w", err)
	}
	report.Integrity = ReportIntegrity{OK: v.OK, Checked: v.Checked, FirstBrokenPosition: v.FirstBrokenPosition, Reason: v.Reason, VerifiedAt: now}
	report.Deadlines = nonNil(report.Deadlines)
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func reportDeadline(d domain.Deadline, incident time.Time) ReportDeadline {
	ownerAtIncident := ""
	if !incident.IsZero() {
		ownerAtIncident = d.OwnerAt(incident)
	}
	owners := slices.Clone(d.Owners)
	if owners == nil {
		owners = []domain.OwnerSpan{}
	}
	return ReportDeadline{
		Kind: d.Kind.String(), SubjectID: d.SubjectID, CaseID: d.CaseID, ReferralID: d.ReferralID, Owner: d.Owner,
		OwnerAtIncident: ownerAtIncident, Owners: owners, StartedAt: d.StartedAt, DueAt: d.DueAt,
		Status: d.Status.String(), MetAt: d.MetAt, PolicyVersion: d.PolicyVersion,
	}
}

func actorOf(a domain.Actor) TimelineActor {
	return TimelineActor{Subject: a.Subject, Role: a.Role.String(), Jurisdiction: a.Jurisdiction.String()}
}

func hours(d time.Duration) float64 { return float64(d.Round(time.Minute)) / float64(time.Hour) }

// firstReport is the ReportReceived that opened a case.
func firstReport(history []domain.Recorded) (domain.ReportReceived, bool) {
	for _, r := range history {
		if e, ok := r.Event.(domain.ReportReceived); ok {
			return e, true
		}
	}
	return domain.ReportReceived{}, false
}

// casesOfChild lists the cases about a child, oldest first, from the case
// view.
func casesOfChild(ctx context.Context, db *sql.DB, childID string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT case_id FROM rm_cases WHERE child_id = $1 ORDER BY received_at, case_id`, childID)
	if err != nil {
		return nil, fmt.Errorf("inquiry report: cases of child %s: %w", childID, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// workers reads from the register every worker the report names: owners
// over time, actors of the timeline, the inquiry's inspector.
func (rr *recordReader) workers(report *InquiryReport) (map[string]ReportWorker, error) {
	seen := map[string]bool{}
	var ids []string
	note := func(id string) {
		if id != "" && !strings.Contains(id, ":") && !seen[id] {
			seen[id] = true
			ids = append(ids, domain.WorkerStream(id))
		}
	}
	for _, d := range report.Deadlines {
		note(d.Owner)
		for _, o := range d.Owners {
			note(o.Owner)
		}
	}
	for _, it := range report.Timeline {
		note(it.Actor.Subject)
	}
	note(report.OpenedBy.Subject)
	out := map[string]ReportWorker{}
	if len(ids) == 0 {
		return out, nil
	}
	streams, err := rr.read(ids...)
	if err != nil {
		return nil, err
	}
	for stream, history := range streams {
		if len(history) == 0 {
			continue
		}
		w := domain.LoadWorker(history)
		out[strings.TrimPrefix(stream, "worker-")] = ReportWorker{Name: w.Name(), Role: w.Role().String(), Jurisdiction: w.Jurisdiction().String()}
	}
	return out, nil
}
