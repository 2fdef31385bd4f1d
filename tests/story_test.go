package tests

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The places of the story: a village of county 370902, its township, and
// a county next door.
const (
	village    = "370902101201"
	township   = "370902101"
	county     = "370902"
	otherPlace = "370911"
)

// cst is China Standard Time, in which the people of the story write their
// times.
var cst = time.FixedZone("CST", 8*3600)

// Shapes of API.md that the story reads.
type (
	deadline struct {
		Kind       string     `json:"kind"`
		SubjectID  string     `json:"subject_id"`
		CaseID     string     `json:"case_id"`
		ReferralID string     `json:"referral_id"`
		Owner      string     `json:"owner"`
		DueAt      time.Time  `json:"due_at"`
		Status     string     `json:"status"`
		MetAt      *time.Time `json:"met_at"`
	}
	referral struct {
		ID      string `json:"id"`
		Agency  string `json:"agency"`
		Service string `json:"service"`
		Status  string `json:"status"`
	}
	guardianship struct {
		Active    bool       `json:"active"`
		Ground    string     `json:"ground"`
		Placement string     `json:"placement"`
		StartedAt time.Time  `json:"started_at"`
		EndedAt   *time.Time `json:"ended_at"`
	}
	caseView struct {
		ID                    string          `json:"id"`
		ChildID               string          `json:"child_id"`
		Status                string          `json:"status"`
		Source                string          `json:"source"`
		Concerns              []string        `json:"concerns"`
		Risk                  string          `json:"risk"`
		ReceivedAt            time.Time       `json:"received_at"`
		Assignee              json.RawMessage `json:"assignee"`
		Referrals             []referral      `json:"referrals"`
		TemporaryGuardianship *guardianship   `json:"temporary_guardianship"`
		Deadlines             []deadline      `json:"deadlines"`
		Version               int64           `json:"version"`
	}
	childFile struct {
		ID           string   `json:"id"`
		Name         *string  `json:"name"`
		BirthDate    string   `json:"birth_date"`
		Sex          string   `json:"sex"`
		Jurisdiction string   `json:"jurisdiction"`
		Categories   []string `json:"categories"`
		Guardian     *struct {
			Name     string `json:"name"`
			Relation string `json:"relation"`
			Phone    string `json:"phone"`
		} `json:"guardian"`
		LivingSituation *string `json:"living_situation"`
		HukouRegistered bool    `json:"hukou_registered"`
		Version         int64   `json:"version"`
	}
	timelineItem struct {
		Type           string          `json:"type"`
		OccurredAt     time.Time       `json:"occurred_at"`
		RecordedAt     time.Time       `json:"recorded_at"`
		Actor          json.RawMessage `json:"actor"`
		GlobalPosition int64           `json:"global_position"`
		Summary        string          `json:"summary"`
	}
	timeline struct {
		AsOf  time.Time      `json:"as_of"`
		Items []timelineItem `json:"items"`
	}
	caseloadItem struct {
		WorkerID string         `json:"worker_id"`
		Open     int            `json:"open"`
		ByStatus map[string]int `json:"by_status"`
		ByRisk   map[string]int `json:"by_risk"`
	}
	integrity struct {
		OK                  bool   `json:"ok"`
		Checked             int64  `json:"checked"`
		FirstBrokenPosition *int64 `json:"first_broken_position"`
	}
)

// assignee reads the case's assignee, a worker id (or an object naming one).
func (c caseView) assignee() string {
	var id string
	if json.Unmarshal(c.Assignee, &id) == nil {
		return id
	}
	var obj struct {
		ID       string `json:"id"`
		WorkerID string `json:"worker_id"`
	}
	if json.Unmarshal(c.Assignee, &obj) == nil {
		return obj.WorkerID + obj.ID
	}
	return ""
}

// deadline finds the case's obligation of a kind.
func (c caseView) deadline(t *testing.T, kind string) deadline {
	t.Helper()
	for _, d := range c.Deadlines {
		if d.Kind == kind {
			return d
		}
	}
	require.Failf(t, "no deadline", "case %s has no %s deadline: %+v", c.ID, kind, c.Deadlines)
	return deadline{}
}

// actorSubject reads the subject of a timeline entry's actor.
func actorSubject(raw json.RawMessage) string {
	var a struct {
		Subject string `json:"subject"`
	}
	if json.Unmarshal(raw, &a) == nil && a.Subject != "" {
		return a.Subject
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// people are the story's tokens and worker ids.
type people struct {
	admin, director, supervisor, caseworker, partner, inspector, analyst actor
	otherCaseworker, otherInspector                                      actor
	directorID, supervisorID, caseworkerID                               string
}

// rfc writes a time as people of the story do: RFC 3339 in China Standard
// Time (with the microseconds the record keeps).
func rfc(t time.Time) string { return t.In(cst).Format(time.RFC3339Nano) }

// now is the time, to the microsecond the record keeps.
func now() time.Time { return time.Now().Truncate(time.Microsecond) }

// TestChildLivingAloneStory drives, over HTTP against the real server on
// each backend (KurrentDB too, on the in-process double), the story of a child found living alone — from the
// director's visit to the follow-up after the case closed — checking every
// read model and deadline on the way; then every error status of API.md,
// an idempotent retry, and a restart that loses nothing.
func TestChildLivingAloneStory(t *testing.T) {
	for _, b := range append(backends[:len(backends):len(backends)], kurrentBackend) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, b)
			p := setUp(t, s)
			caseID, childID := story(t, s, p)
			errorStatuses(t, s, p, caseID, childID)
			idempotentRetry(t, s, p, caseID)
			restartLosesNothing(t, s, p, caseID, childID)
		})
	}
}

// setUp: the admin registers the director, supervisor and caseworker,
// records the director's and supervisor's training, and tokens are issued
// with the CLI.
func setUp(t *testing.T, s *server) people {
	var seen int64
	p := people{admin: actor{s: s, token: s.token("admin", "all", "admin"), seen: &seen}}

	// Before registration, a director's token is refused by the CLI.
	_, err := s.tryToken("child_director", village, "no-such-director")
	require.Error(t, err, "a director's token names a registered worker")

	register := func(name, role, place string) string {
		c := p.admin.command(http.MethodPost, "/v1/workers", map[string]any{"name": name, "role": role, "jurisdiction": place}, http.StatusCreated)
		require.Len(t, c.Events, 1)
		assert.True(t, isEvent(c.Events[0].Type, "WorkerRegistered"), c.Events[0].Type)
		assert.Equal(t, int64(1), c.Version)
		return c.ID
	}
	p.directorID = register("李秀兰", "child_director", village)
	p.supervisorID = register("张建国", "child_supervisor", township)
	p.caseworkerID = register("王芳", "caseworker", county)
	require.NotEqual(t, p.directorID, p.caseworkerID)

	yesterday := time.Now().In(cst).AddDate(0, 0, -1).Format(time.DateOnly)
	for _, id := range []string{p.directorID, p.supervisorID} {
		c := p.admin.post("/v1/workers/"+id+"/training", map[string]any{"passed": true, "completed_on": yesterday})
		assert.Equal(t, id, c.ID)
		assert.Equal(t, int64(2), c.Version)
		assert.True(t, isEvent(c.Events[0].Type, "WorkerTrainingRecorded"), c.Events[0].Type)
	}

	as := func(role, place, subject string, extra ...string) actor {
		return actor{s: s, token: s.token(role, place, subject, extra...), seen: &seen}
	}
	p.director = as("child_director", village, p.directorID)
	p.supervisor = as("child_supervisor", township, p.supervisorID)
	p.caseworker = as("caseworker", county, p.caseworkerID)
	p.partner = as("partner", county, "edu-liaison-1", "--agency", "education")
	p.inspector = as("inspector", county, "inspector-zhao")
	p.analyst = as("analyst", county, "analyst-sun")
	p.otherCaseworker = as("caseworker", otherPlace, "caseworker-next-county")
	p.otherInspector = as("inspector", otherPlace, "inspector-next-county")
	return p
}

// story: a director's visit finds a child living alone and files a report;
// the center assigns, forwards to police, takes temporary guardianship,
// refers to education, the partner accepts and completes, guardianship
// ends with return home, the case closes and is followed up.
func story(t *testing.T, s *server, p people) (caseID, childID string) {
	t.Log("the director registers the child's file")
	child := p.director.command(http.MethodPost, "/v1/children", map[string]any{
		"name": "王小明", "birth_date": "2015-03-02", "sex": "male", "jurisdiction": village,
		"categories": []string{"left_behind"}, "key_child_flags": []string{},
		"guardian":         map[string]any{"name": "王大山", "relation": "father", "phone": "13800000001"},
		"living_situation": "父母在外务工，与祖母同住", "schooling": "在校，四年级", "hukou_registered": true,
	}, http.StatusCreated)
	childID = child.ID
	assert.True(t, isEvent(child.Events[0].Type, "ChildRegistered"), child.Events[0].Type)

	t.Log("the director's visit finds the child living alone")
	start := now()
	visit := p.director.post("/v1/children/"+childID+"/visits", map[string]any{
		"occurred_at": rfc(start), "findings": "祖母住院，孩子独自在家", "concerns": []string{"living_alone"},
	})
	assert.Equal(t, childID, visit.ID)
	assert.Equal(t, int64(2), visit.Version)

	var childDeadlines struct {
		Items []deadline `json:"items"`
	}
	p.director.get("/v1/deadlines?status=open&jurisdiction="+village, &childDeadlines)
	next := slices.IndexFunc(childDeadlines.Items, func(d deadline) bool { return d.Kind == "visit" && d.SubjectID == childID })
	if assert.GreaterOrEqual(t, next, 0, "the next visit is due: %+v", childDeadlines.Items) {
		assert.WithinDuration(t, start.Add(90*24*time.Hour), childDeadlines.Items[next].DueAt, time.Second,
			"a left-behind child is visited again within 90 days")
	}
	training := slices.IndexFunc(childDeadlines.Items, func(d deadline) bool { return d.Kind == "training" && d.SubjectID == p.directorID })
	if assert.GreaterOrEqual(t, training, 0, "the director's retraining is due: %+v", childDeadlines.Items) {
		assert.True(t, childDeadlines.Items[training].DueAt.After(time.Now().AddDate(0, 11, 0)), "retraining within 12 months of training")
	}

	t.Log("the director files a report")
	receivedAt := now()
	report := p.director.command(http.MethodPost, "/v1/cases", map[string]any{
		"child_id": childID, "source": "visit",
		"reporter": map[string]any{"type": "child_director", "name": "李秀兰"},
		"concerns": []string{"living_alone"}, "risk": "high", "received_at": rfc(receivedAt),
		"summary": "走访发现儿童独自居住，祖母住院",
	}, http.StatusCreated)
	caseID = report.ID
	assert.Equal(t, int64(1), report.Version)
	assert.True(t, isEvent(report.Events[0].Type, "ReportReceived"), report.Events[0].Type)

	var c caseView
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, caseID, c.ID)
	assert.Equal(t, childID, c.ChildID)
	assert.Equal(t, "open", c.Status)
	assert.Equal(t, "visit", c.Source)
	assert.Equal(t, []string{"living_alone"}, c.Concerns)
	assert.Equal(t, "high", c.Risk)
	assert.True(t, c.ReceivedAt.Equal(receivedAt), "received_at %s", c.ReceivedAt)
	assert.Empty(t, c.assignee())
	assert.Equal(t, int64(1), c.Version)
	police := c.deadline(t, "police_report")
	assert.Equal(t, "open", police.Status, "living alone is a mandatory-report concern")
	assert.Equal(t, p.directorID, police.Owner, "the receiver of the report owns the police report")
	assert.True(t, police.DueAt.Equal(receivedAt.Add(time.Hour)), "police report due 1 h after receipt: %s", police.DueAt)
	assert.Equal(t, "open", c.deadline(t, "first_response").Status)
	assignment := c.deadline(t, "assignment")
	assert.Equal(t, "open", assignment.Status)
	assert.True(t, assignment.DueAt.Equal(receivedAt.Add(time.Hour)), "a high-risk case is assigned within 1 h: %s", assignment.DueAt)
	assert.True(t, c.deadline(t, "first_response").DueAt.Equal(receivedAt.Add(24*time.Hour)), "first response to high risk within 24 h")

	var open struct {
		Items []deadline `json:"items"`
	}
	p.caseworker.get("/v1/deadlines?status=open&jurisdiction="+county, &open)
	assert.True(t, slices.ContainsFunc(open.Items, func(d deadline) bool {
		return d.Kind == "police_report" && d.SubjectID == caseID && d.Owner == p.directorID
	}), "the open police report is listed: %+v", open.Items)
	p.director.get("/v1/deadlines?status=open&owner="+p.directorID, &open)
	assert.True(t, slices.ContainsFunc(open.Items, func(d deadline) bool { return d.Kind == "police_report" && d.CaseID == caseID }),
		"the director finds the obligation under the director's own name: %+v", open.Items)

	t.Log("the center assigns the case")
	assigned := p.caseworker.post("/v1/cases/"+caseID+"/assignment", map[string]any{"worker_id": p.caseworkerID})
	assert.Equal(t, int64(2), assigned.Version)
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, p.caseworkerID, c.assignee())
	assert.Equal(t, "met", c.deadline(t, "assignment").Status)
	assert.Equal(t, "open", c.deadline(t, "assessment").Status)
	assert.Equal(t, p.caseworkerID, c.deadline(t, "assessment").Owner, "later deadlines are the assignee's")
	assert.Equal(t, p.caseworkerID, c.deadline(t, "first_response").Owner)

	var load struct {
		Items []caseloadItem `json:"items"`
	}
	p.supervisor.get("/v1/caseload?worker_id="+p.caseworkerID, &load)
	require.Len(t, load.Items, 1, "%+v", load.Items)
	assert.Equal(t, p.caseworkerID, load.Items[0].WorkerID)
	assert.Equal(t, 1, load.Items[0].Open)
	assert.Equal(t, 1, load.Items[0].ByRisk["high"])
	assert.Equal(t, 1, sum(load.Items[0].ByStatus))

	t.Log("the center forwards the report to the police")
	forwardedAt := now()
	p.caseworker.post("/v1/cases/"+caseID+"/police-report", map[string]any{
		"occurred_at": rfc(forwardedAt), "police_unit": "城关派出所", "reference": "JQ-2026-0417",
	})
	t.Log("the caseworker makes the child safe")
	p.caseworker.post("/v1/cases/"+caseID+"/emergency-response", map[string]any{
		"occurred_at": rfc(now()), "action": "taken_in_by_center", "note": "接至救助保护中心",
	})
	p.caseworker.get("/v1/cases/"+caseID, &c)
	police = c.deadline(t, "police_report")
	assert.Equal(t, "met", police.Status)
	require.NotNil(t, police.MetAt)
	assert.True(t, police.MetAt.Equal(forwardedAt), "met when it happened: %s, forwarded %s", police.MetAt, forwardedAt)
	assert.Equal(t, "met", c.deadline(t, "first_response").Status)

	t.Log("the center takes temporary guardianship")
	p.caseworker.post("/v1/cases/"+caseID+"/temporary-guardianship", map[string]any{
		"occurred_at": rfc(now()), "ground": "guardian_unable_emergency", "placement": "center",
	})
	p.caseworker.get("/v1/cases/"+caseID, &c)
	require.NotNil(t, c.TemporaryGuardianship)
	assert.True(t, c.TemporaryGuardianship.Active)
	assert.Equal(t, "guardian_unable_emergency", c.TemporaryGuardianship.Ground)
	assert.Equal(t, "center", c.TemporaryGuardianship.Placement)
	assert.Nil(t, c.TemporaryGuardianship.EndedAt)
	ga := c.deadline(t, "guardianship_assessment")
	assert.Equal(t, "open", ga.Status)
	assert.Equal(t, p.caseworkerID, ga.Owner)
	assert.WithinDuration(t, c.TemporaryGuardianship.StartedAt.Add(30*24*time.Hour), ga.DueAt, time.Second, "guardianship assessed within 30 days")

	t.Log("the caseworker assesses the child and the guardianship")
	p.caseworker.post("/v1/cases/"+caseID+"/assessments", map[string]any{
		"occurred_at": rfc(now()), "risk": "high", "needs": []string{"care", "schooling"},
		"guardianship_assessment": "父亲同意返乡照料，具备监护能力",
	})
	t.Log("the caseworker refers the child to education")
	ref := p.caseworker.command(http.MethodPost, "/v1/cases/"+caseID+"/referrals", map[string]any{
		"agency": "education", "service": "return_to_school", "note": "协助复学",
	}, http.StatusCreated) // a referral is created
	require.NotEmpty(t, ref.ReferralID, "a referral command answers the referral id")
	rid := ref.ReferralID
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, "met", c.deadline(t, "assessment").Status)
	assert.Equal(t, "met", c.deadline(t, "guardianship_assessment").Status)
	require.Len(t, c.Referrals, 1)
	assert.Equal(t, referral{ID: rid, Agency: "education", Service: "return_to_school", Status: "pending"}, c.Referrals[0])
	answer := c.deadline(t, "referral_answer")
	assert.Equal(t, "open", answer.Status)
	assert.Equal(t, rid, answer.ReferralID)
	assert.Contains(t, answer.Owner, "education", "the receiving agency owns the answer")

	t.Log("the education partner accepts and completes the referral")
	p.partner.post("/v1/cases/"+caseID+"/referrals/"+rid+"/acceptance", map[string]any{"note": "已接收，安排复学"})
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, "accepted", c.Referrals[0].Status)
	assert.Equal(t, "met", c.deadline(t, "referral_answer").Status)
	p.partner.post("/v1/cases/"+caseID+"/referrals/"+rid+"/completion", map[string]any{"note": "已返校就读"})

	t.Log("guardianship ends with return home; the case closes")
	p.caseworker.post("/v1/cases/"+caseID+"/temporary-guardianship/end", map[string]any{
		"occurred_at": rfc(now()), "outcome": "returned_to_family",
	})
	closed := p.caseworker.post("/v1/cases/"+caseID+"/closure", map[string]any{
		"occurred_at": rfc(now()), "reason": "returned_to_family",
	})
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, "closed", c.Status)
	assert.Equal(t, closed.Version, c.Version)
	assert.Equal(t, "completed", c.Referrals[0].Status)
	require.NotNil(t, c.TemporaryGuardianship)
	assert.False(t, c.TemporaryGuardianship.Active)
	assert.NotNil(t, c.TemporaryGuardianship.EndedAt)
	follow := c.deadline(t, "post_closure_follow_up")
	assert.Equal(t, "open", follow.Status)
	assert.Equal(t, p.caseworkerID, follow.Owner)
	for _, d := range c.Deadlines {
		if d.Kind != "post_closure_follow_up" {
			assert.Equal(t, "met", d.Status, "every obligation of the case was met in time: %+v", d)
		}
	}
	p.caseworker.get("/v1/caseload?worker_id="+p.caseworkerID, &load)
	for _, it := range load.Items {
		assert.Zero(t, it.Open, "a closed case leaves the caseload: %+v", it)
	}

	t.Log("the director follows the child up at home")
	followed := p.director.post("/v1/cases/"+caseID+"/follow-ups", map[string]any{
		"occurred_at": rfc(now()), "note": "回访：已随父亲生活，按时上学", "method": "home_visit",
	})
	p.caseworker.get("/v1/cases/"+caseID, &c)
	assert.Equal(t, "met", c.deadline(t, "post_closure_follow_up").Status)
	assert.Equal(t, followed.Version, c.Version)
	var missed struct {
		Items []deadline `json:"items"`
	}
	p.inspector.get("/v1/deadlines?status=missed&jurisdiction="+county, &missed)
	assert.Empty(t, missed.Items, "nothing of the story was missed")
	var met struct {
		Items []deadline `json:"items"`
	}
	p.inspector.get("/v1/deadlines?status=met&limit=500", &met)
	for _, kind := range []string{"police_report", "first_response", "assignment", "assessment", "guardianship_assessment", "referral_answer", "post_closure_follow_up"} {
		assert.True(t, slices.ContainsFunc(met.Items, func(d deadline) bool { return d.Kind == kind && d.CaseID == caseID }), "%s met", kind)
	}
	var owed struct {
		Items []deadline `json:"items"`
	}
	p.director.get("/v1/deadlines?status=open&owner="+p.directorID, &owed)
	assert.False(t, slices.ContainsFunc(owed.Items, func(d deadline) bool { return d.CaseID == caseID }), "the director owes the case nothing more: %+v", owed.Items)
	assert.True(t, slices.ContainsFunc(owed.Items, func(d deadline) bool { return d.Kind == "visit" && d.SubjectID == childID }),
		"but the village's child is hers to visit: %+v", owed.Items)

	t.Log("the case's timeline tells the story in business-time order")
	var tl timeline
	p.inspector.get("/v1/cases/"+caseID+"/timeline", &tl)
	want := []string{"ReportReceived", "CaseAssigned", "ReportForwardedToPolice", "EmergencyResponseRecorded",
		"TemporaryGuardianshipStarted", "AssessmentCompleted", "ReferralMade", "ReferralAccepted", "ReferralCompleted",
		"TemporaryGuardianshipEnded", "CaseClosed", "FollowUpRecorded"}
	require.Len(t, tl.Items, len(want), "%+v", tl.Items)
	for i, it := range tl.Items {
		assert.True(t, isEvent(it.Type, want[i]), "item %d is %s, want %s", i, it.Type, want[i])
		assert.NotEmpty(t, it.Summary)
		assert.Positive(t, it.GlobalPosition)
		assert.False(t, it.RecordedAt.IsZero())
		if i > 0 {
			assert.False(t, it.OccurredAt.Before(tl.Items[i-1].OccurredAt), "business-time order at %d", i)
		}
	}
	assert.Equal(t, p.directorID, actorSubject(tl.Items[0].Actor), "the director received the report")
	assert.Equal(t, "edu-liaison-1", actorSubject(tl.Items[7].Actor), "the partner accepted")

	// As the record stood before the closure was recorded.
	closure := tl.Items[10]
	var before timeline
	p.inspector.get("/v1/cases/"+caseID+"/timeline?as_of="+urlTime(closure.RecordedAt.Add(-time.Microsecond)), &before)
	assert.Len(t, before.Items, 10, "as of before the closure: neither closure nor follow-up")
	for _, it := range before.Items {
		assert.False(t, isEvent(it.Type, "CaseClosed") || isEvent(it.Type, "FollowUpRecorded"), it.Type)
	}

	t.Log("the case's raw events, chained")
	res := p.inspector.get("/v1/cases/"+caseID+"/events", nil)
	var events []struct {
		EventID        string          `json:"event_id"`
		Type           string          `json:"type"`
		StreamVersion  int64           `json:"stream_version"`
		GlobalPosition int64           `json:"global_position"`
		OccurredAt     time.Time       `json:"occurred_at"`
		RecordedAt     time.Time       `json:"recorded_at"`
		Actor          json.RawMessage `json:"actor"`
		PrevHash       string          `json:"prev_hash"`
		Hash           string          `json:"hash"`
		Data           json.RawMessage `json:"data"`
	}
	var page struct {
		Items json.RawMessage `json:"items"`
	}
	if json.Unmarshal(res.body, &page) == nil && page.Items != nil {
		require.NoError(t, json.Unmarshal(page.Items, &events))
	} else {
		res.json(t, &events)
	}
	require.Len(t, events, len(want), "%s", res.body)
	positions := map[int64]bool{}
	for _, it := range tl.Items {
		positions[it.GlobalPosition] = true
	}
	for i, e := range events {
		assert.Equal(t, int64(i+1), e.StreamVersion)
		assert.True(t, positions[e.GlobalPosition], "event %d is on the timeline", e.GlobalPosition)
		assert.NotEmpty(t, e.EventID)
		assert.NotEmpty(t, e.Hash)
		assert.NotEmpty(t, e.PrevHash)
		assert.NotEqual(t, e.Hash, e.PrevHash)
		assert.NotEmpty(t, e.Data)
		assert.NotEmpty(t, actorSubject(e.Actor))
	}
	assert.True(t, isEvent(events[0].Type, "ReportReceived"), events[0].Type)
	assert.Equal(t, p.directorID, actorSubject(events[0].Actor))

	t.Log("the child's file and timeline")
	var file childFile
	p.director.get("/v1/children/"+childID, &file)
	assert.Equal(t, childID, file.ID)
	require.NotNil(t, file.Name)
	assert.Equal(t, "王小明", *file.Name, "Chinese text round-trips")
	assert.Equal(t, "2015-03-02", file.BirthDate)
	assert.Equal(t, "male", file.Sex)
	assert.Equal(t, village, file.Jurisdiction)
	assert.Equal(t, []string{"left_behind"}, file.Categories)
	require.NotNil(t, file.Guardian)
	assert.Equal(t, "王大山", file.Guardian.Name)
	assert.Equal(t, "13800000001", file.Guardian.Phone)
	assert.True(t, file.HukouRegistered)
	assert.Equal(t, int64(2), file.Version, "registered and visited")

	var childTL timeline
	p.director.get("/v1/children/"+childID+"/timeline", &childTL)
	require.Len(t, childTL.Items, 2+len(want), "the file's own entries and every entry of the case")
	assert.True(t, isEvent(childTL.Items[0].Type, "ChildRegistered"), childTL.Items[0].Type)
	assert.True(t, isEvent(childTL.Items[1].Type, "VisitRecorded"), childTL.Items[1].Type)
	for i, it := range childTL.Items[2:] {
		assert.True(t, isEvent(it.Type, want[i]), "child timeline item %d is %s, want %s", i+2, it.Type, want[i])
	}

	var children struct {
		Items []childFile `json:"items"`
	}
	p.inspector.get("/v1/children?jurisdiction="+village+"&category=left_behind", &children)
	assert.True(t, slices.ContainsFunc(children.Items, func(f childFile) bool { return f.ID == childID }), "%+v", children.Items)

	t.Log("the inspector sees who read the child's file")
	var access struct {
		Items []struct {
			Subject string    `json:"subject"`
			Role    string    `json:"role"`
			ChildID string    `json:"child_id"`
			At      time.Time `json:"at"`
			Action  string    `json:"action"`
		} `json:"items"`
	}
	p.inspector.get("/v1/access-log?child_id="+childID, &access)
	require.NotEmpty(t, access.Items)
	i := slices.IndexFunc(access.Items, func(e struct {
		Subject string    `json:"subject"`
		Role    string    `json:"role"`
		ChildID string    `json:"child_id"`
		At      time.Time `json:"at"`
		Action  string    `json:"action"`
	}) bool {
		return e.Subject == p.directorID
	})
	require.GreaterOrEqual(t, i, 0, "the director's reading of the file is logged: %+v", access.Items)
	assert.Equal(t, "child_director", access.Items[i].Role)
	assert.Equal(t, childID, access.Items[i].ChildID)
	assert.WithinDuration(t, time.Now(), access.Items[i].At, 5*time.Minute)
	assert.NotEmpty(t, access.Items[i].Action)

	t.Log("the analyst's statistics carry no personal data, and a group of one case is withheld")
	type statsGroup struct {
		Key                      string   `json:"key"`
		Count                    *int     `json:"count"`
		Suppressed               bool     `json:"suppressed"`
		MedianFirstResponseHours *float64 `json:"median_first_response_hours"`
	}
	var stats struct {
		GroupBy string       `json:"group_by"`
		Groups  []statsGroup `json:"groups"`
	}
	res = p.analyst.get("/v1/stats/cases?group_by=source", &stats)
	assert.Equal(t, "source", stats.GroupBy)
	g := slices.IndexFunc(stats.Groups, func(g statsGroup) bool { return g.Key == "visit" })
	require.GreaterOrEqual(t, g, 0, "%s", res.body)
	assert.Equal(t, statsGroup{Key: "visit", Suppressed: true}, stats.Groups[g], "one case is under the minimum cell (5)")
	for _, secret := range []string{"王小明", "王大山", "13800000001", p.directorID, childID} {
		assert.NotContains(t, string(res.body), secret, "no personal data reaches the analyst")
	}
	p.analyst.get("/v1/stats/cases?group_by=concern", &stats)
	assert.True(t, slices.ContainsFunc(stats.Groups, func(g statsGroup) bool {
		return g.Key == "living_alone" && g.Suppressed && g.Count == nil
	}), "%+v", stats.Groups)

	t.Log("the log is intact")
	var v integrity
	p.inspector.get("/v1/integrity", &v)
	assert.True(t, v.OK)
	assert.Nil(t, v.FirstBrokenPosition)
	assert.Equal(t, *p.inspector.seen, v.Checked, "positions run without gaps: the last one counts every event")
	return caseID, childID
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// urlTime writes a time for a query string (RFC 3339, offset escaped).
func urlTime(t time.Time) string {
	return strings.ReplaceAll(t.UTC().Format(time.RFC3339Nano), "+", "%2B")
}
