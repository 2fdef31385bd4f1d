package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// inquirySecrets are what an inspector writes about the child in an
// inquiry: its reason, findings, a responsibility's finding, an item's
// description, a completion's note and the conclusion.
var inquirySecrets = []string{"走失前三天无人探视", "祖父外出务工未托付他人", "未按期探视该儿童", "为该儿童联系外婆王秀芝", "已联系外婆王秀芝每周探视",
	"该儿童已由外婆照看，倒查结束"}

// inquiryReport is the part of an accountability report these tests read.
type inquiryReport struct {
	Reason   *string `json:"reason"`
	Findings *struct {
		Findings         *string `json:"findings"`
		Responsibilities []struct {
			WorkerID string  `json:"worker_id"`
			Name     string  `json:"name"`
			Finding  *string `json:"finding"`
		} `json:"responsibilities"`
	} `json:"findings"`
	Rectifications []struct {
		ID          string  `json:"id"`
		Description *string `json:"description"`
		Owner       string  `json:"owner"`
		DueOn       string  `json:"due_on"`
		Status      string  `json:"status"`
	} `json:"rectifications"`
	Closed *struct {
		Conclusion *string `json:"conclusion"`
	} `json:"closed"`
	Deadlines []struct {
		Kind   string `json:"kind"`
		Owner  string `json:"owner"`
		Status string `json:"status"`
	} `json:"deadlines"`
}

// TestInquiryTextsGoWithTheErasure (#14, finding 3): an inquiry's texts —
// its reason, findings, each responsibility's finding, each item's
// description, a completion's note and the conclusion — are the child's
// personal data: never in clear in the database, and null in the report
// once the child's data is erased, for an inquiry into the child's case
// and one into the child. What accountability needs stays: who was
// responsible, each item's owner, due date and status, the obligations.
func TestInquiryTextsGoWithTheErasure(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		childID, caseID := seedPersonal(t, f)
		directorID, director := f.trainedWorker("child_director", village)
		inspector := env.Token("inspector", county, "insp-1", "")
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"}), http.StatusOK)

		due := time.Now().In(chinaTime).AddDate(0, 1, 0).Format(time.DateOnly)
		var inquiries []string
		for _, into := range []map[string]any{{"case_id": caseID}, {"child_id": childID}} {
			q := answer(t, f.do("POST", "/v1/inquiries", inspector, with(with(into, "incident_at", at(-time.Hour)), "reason", inquirySecrets[0])), http.StatusCreated).ID
			on := func(suffix string) string { return "/v1/inquiries/" + q + suffix }
			answer(t, f.do("POST", on("/findings"), inspector, map[string]any{"occurred_at": at(time.Second), "findings": inquirySecrets[1],
				"responsibilities": []any{map[string]any{"worker_id": directorID, "finding": inquirySecrets[2]}},
				"rectifications":   []any{map[string]any{"description": inquirySecrets[3], "owner": directorID, "due_on": due}},
			}), http.StatusCreated)
			answer(t, f.do("POST", on("/rectifications/r1/completion"), director, map[string]any{"occurred_at": at(2 * time.Second), "note": inquirySecrets[4]}), http.StatusOK)
			closed := answer(t, f.do("POST", on("/closure"), inspector, map[string]any{"occurred_at": at(3 * time.Second), "conclusion": inquirySecrets[5]}), http.StatusOK)
			inquiries = append(inquiries, q)

			before := readInquiryReport(t, f, inspector, q, closed.Events[0].GlobalPosition)
			require.NotNil(t, before.Reason)
			assert.Equal(t, inquirySecrets[0], *before.Reason, "the texts read as written before the erasure")
			require.NotNil(t, before.Closed)
			require.NotNil(t, before.Closed.Conclusion)
			assert.Equal(t, inquirySecrets[5], *before.Closed.Conclusion)
		}
		// The texts' events name the child whose key seals them.
		events, err := env.Store.ReadStream(context.Background(), domain.InquiryStream(inquiries[0]).String(), 0, 1)
		require.NoError(t, err)
		var opened map[string]any
		require.NoError(t, json.Unmarshal(events[0].Data, &opened))
		assert.Equal(t, childID, opened["data_subject_id"], "an inquiry into a case names the case's child")

		dump := databaseDump(t, env)
		require.Contains(t, dump, inquiries[0], "the dump is of the right database")
		for _, s := range inquirySecrets {
			assert.False(t, strings.Contains(dump, s), "%s is in clear in the database", s)
		}

		erased := answer(t, f.do("POST", "/v1/children/"+childID+"/erasure", f.admin, map[string]any{"reason": "监护人依法申请删除"}), http.StatusOK)
		for _, q := range inquiries {
			rep := readInquiryReport(t, f, inspector, q, erased.Events[0].GlobalPosition)
			assert.Nil(t, rep.Reason, "reason")
			require.NotNil(t, rep.Findings)
			assert.Nil(t, rep.Findings.Findings, "findings")
			require.Len(t, rep.Findings.Responsibilities, 1)
			assert.Nil(t, rep.Findings.Responsibilities[0].Finding, "a responsibility's finding")
			assert.Equal(t, directorID, rep.Findings.Responsibilities[0].WorkerID, "who was responsible stays")
			assert.Equal(t, "王芳", rep.Findings.Responsibilities[0].Name)
			require.Len(t, rep.Rectifications, 1)
			item := rep.Rectifications[0]
			assert.Nil(t, item.Description, "an item's description")
			assert.Equal(t, "r1", item.ID)
			assert.Equal(t, directorID, item.Owner, "an item's owner stays")
			assert.Equal(t, due, item.DueOn, "and its due date")
			assert.Equal(t, "met", item.Status, "and whether it was met in time")
			require.NotNil(t, rep.Closed)
			assert.Nil(t, rep.Closed.Conclusion, "the conclusion")
			assert.NotEmpty(t, rep.Deadlines, "the obligations stay")

			for _, res := range []apitest.Response{
				f.do("GET", "/v1/inquiries/"+q+"/report", inspector, nil),
				f.do("GET", "/v1/inquiries/"+q+"/report", inspector, nil, "Accept", "text/html"),
				f.do("GET", "/v1/inquiries/"+q+"/report?lang=en", inspector, nil, "Accept", "text/html"),
			} {
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
				for _, s := range append(inquirySecrets, secrets...) {
					assert.False(t, strings.Contains(string(res.Body), s), "%s in the report after the erasure", s)
				}
			}
			page := f.do("GET", "/v1/inquiries/"+q+"/report", inspector, nil, "Accept", "text/html")
			assert.Contains(t, string(page.Body), "已随删除一并销毁", "the printed report says the text was erased")
		}
		dump = databaseDump(t, env)
		for _, s := range inquirySecrets {
			assert.False(t, strings.Contains(dump, s), "%s is in clear in the database", s)
		}
	})
}

// readInquiryReport reads an inquiry's report once the read models have
// reached position.
func readInquiryReport(t *testing.T, f *fixture, token, inquiryID string, position int64) inquiryReport {
	t.Helper()
	res := f.do("GET", "/v1/inquiries/"+inquiryID+"/report?min_position="+itoa(int(position)), token, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var rep inquiryReport
	res.JSON(t, &rep)
	return rep
}

var hexFingerprint = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestFingerprintGoesWithTheErasure (#14, finding 6): the fingerprint that
// tells an idempotent retry from another request is a keyed hash of a body
// with the child's data, so it is not stored in clear; a retry replays
// while the child's data is kept, and once it is erased the same key with
// the very same body is no longer confirmed (422, not the first answer).
// The erasure itself still replays.
func TestFingerprintGoesWithTheErasure(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		ctx := context.Background()
		body := childBody()
		body["name"], body["living_situation"] = "欧阳小雨", "母亲在外务工"
		first := answer(t, f.do("POST", "/v1/children", f.caseworker, body, "Idempotency-Key", "register-1"), http.StatusCreated)
		retry := answer(t, f.do("POST", "/v1/children", f.caseworker, body, "Idempotency-Key", "register-1"), http.StatusCreated)
		assert.Equal(t, first, retry, "a retry answers as the first time")
		assert.Equal(t, http.StatusUnprocessableEntity, f.do("POST", "/v1/children", f.caseworker, with(body, "name", "欧阳小雪"),
			"Idempotency-Key", "register-1").Status, "the key with another body")

		stream := domain.ChildStream(first.ID).String()
		opened, err := env.Store.ReadStream(ctx, stream, 0, 0)
		require.NoError(t, err)
		meta, err := opened[0].Meta()
		require.NoError(t, err)
		fingerprint := meta.RequestHash
		require.Regexp(t, hexFingerprint, fingerprint, "the store gives the fingerprint back to the command")
		raw, err := env.Raw.ReadStream(ctx, stream, 0, 0)
		require.NoError(t, err)
		stored, err := raw[0].Meta()
		require.NoError(t, err)
		assert.NotContains(t, string(raw[0].Metadata), fingerprint, "the row's metadata")
		assert.Regexp(t, `^sealed:v1:`, stored.RequestHash)
		assert.False(t, strings.Contains(databaseDump(t, env), fingerprint), "the fingerprint is in clear in the database")

		erasure := map[string]any{"reason": "监护人依法申请删除"}
		erased := answer(t, f.do("POST", "/v1/children/"+first.ID+"/erasure", f.admin, erasure, "Idempotency-Key", "erase-1"), http.StatusOK)
		again := answer(t, f.do("POST", "/v1/children/"+first.ID+"/erasure", f.admin, erasure, "Idempotency-Key", "erase-1"), http.StatusOK)
		assert.Equal(t, erased, again, "a retried erasure answers as the first")

		replay := f.do("POST", "/v1/children", f.caseworker, body, "Idempotency-Key", "register-1")
		require.Equal(t, http.StatusUnprocessableEntity, replay.Status, "the erased request is not confirmed: %s", replay.Body)
		var p api.Problem
		replay.JSON(t, &p)
		assert.Contains(t, p.Detail, "erasure")
		assert.Equal(t, http.StatusUnprocessableEntity, f.do("POST", "/v1/children", f.caseworker, with(body, "name", "欧阳小雪"),
			"Idempotency-Key", "register-1").Status, "nor told apart from another body")
		assert.Equal(t, []string{"child.registered", "child.data_erased"}, streamTypes(t, env, domain.ChildStream(first.ID)))

		opened, err = env.Store.ReadStream(ctx, stream, 0, 0)
		require.NoError(t, err)
		meta, err = opened[0].Meta()
		require.NoError(t, err)
		assert.Empty(t, meta.RequestHash, "the fingerprint went with the child's key")
	})
}

// TestInquiryOpenedBeforeItNamedItsChild: an inquiry whose opening was
// recorded before inquiries named their child (no data_subject_id) keeps
// working — findings are recorded on it and its report reads — with its
// texts stored as before, in clear: the store finds no subject for it and
// does not refuse it.
func TestInquiryOpenedBeforeItNamedItsChild(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		f := newFixture(t, env)
		_, caseID := seedPersonal(t, f)
		directorID, _ := f.trainedWorker("child_director", village)
		inspector := env.Token("inspector", county, "insp-1", "")
		j, err := domain.ParseJurisdiction(county)
		require.NoError(t, err)
		const inquiryID = "01900000-0000-7000-8000-000000000001"
		codec := eventlog.New()
		opened, err := codec.Encode([]domain.Change{{
			Event:      domain.InquiryOpened{InquiryID: inquiryID, CaseID: caseID, IncidentAt: time.Now().Add(-time.Hour), Reason: "旧倒查原因"},
			Actor:      domain.Actor{Subject: "insp-1", Role: domain.RoleInspector, Jurisdiction: j},
			OccurredAt: time.Now().Add(-time.Minute),
		}}, eventlog.Envelope{})
		require.NoError(t, err)
		_, err = env.Store.Append(ctx, eventlog.StreamRef(domain.InquiryStream(inquiryID)), eventstore.NoStream, opened...)
		require.NoError(t, err, "an opening without data_subject_id, as older builds wrote it")

		due := time.Now().In(chinaTime).AddDate(0, 1, 0).Format(time.DateOnly)
		findings := map[string]any{"occurred_at": at(time.Second),
			"findings": "旧倒查认定", "responsibilities": []any{map[string]any{"worker_id": directorID, "finding": "旧认定内容"}},
			"rectifications": []any{map[string]any{"description": "旧整改内容", "owner": directorID, "due_on": due}},
		}
		found := answer(t, f.do("POST", "/v1/inquiries/"+inquiryID+"/findings", inspector, findings, "Idempotency-Key", "old-findings"), http.StatusCreated)
		rep := readInquiryReport(t, f, inspector, inquiryID, found.Events[0].GlobalPosition)
		require.NotNil(t, rep.Reason)
		assert.Equal(t, "旧倒查原因", *rep.Reason)
		require.NotNil(t, rep.Findings)
		require.NotNil(t, rep.Findings.Findings)
		assert.Equal(t, "旧倒查认定", *rep.Findings.Findings)
		require.Len(t, rep.Rectifications, 1)
		require.NotNil(t, rep.Rectifications[0].Description)
		assert.Equal(t, "旧整改内容", *rep.Rectifications[0].Description)

		raw, err := env.Raw.ReadStream(ctx, domain.InquiryStream(inquiryID).String(), 0, 0)
		require.NoError(t, err)
		require.Len(t, raw, 2)
		assert.Contains(t, string(raw[1].Data), "旧倒查认定", "no subject, so stored as before")
		retry := answer(t, f.do("POST", "/v1/inquiries/"+inquiryID+"/findings", inspector, findings, "Idempotency-Key", "old-findings"), http.StatusCreated)
		assert.Equal(t, found, retry, "and its fingerprint, in clear, replays as before")
	})
}
