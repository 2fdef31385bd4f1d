package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// referralView is GET /v1/referrals/{id} as a client decodes it.
type referralView struct {
	api.ReferralListing
	JurisdictionName string `json:"jurisdiction_name"`
	Child            struct {
		ID               string  `json:"id"`
		Name             *string `json:"name"`
		BirthYear        int     `json:"birth_year"`
		Sex              string  `json:"sex"`
		Jurisdiction     string  `json:"jurisdiction"`
		JurisdictionName string  `json:"jurisdiction_name"`
	} `json:"child"`
	Guardian *struct {
		Name  string  `json:"name"`
		Phone *string `json:"phone"`
	} `json:"guardian"`
}

// referralWorld is the read world with the case about 张小明 referred to
// education (for school) and to the police, and the partners who read
// them.
type referralWorld struct {
	*readWorld
	education, police string // the referrals' ids
	partner           string // education's liaison of the county (edu-1)
	policePartner     string // the police's liaison of the county
	farPartner        string // education's liaison of the far county
}

func newReferralWorld(t *testing.T, env *apitest.Env) *referralWorld {
	w := &referralWorld{readWorld: newReadWorld(t, env),
		partner:       env.Token("partner", homeCounty, "edu-1", "education"),
		policePartner: env.Token("partner", homeCounty, "police-1", "police"),
		farPartner:    env.Token("partner", farCounty, "edu-far", "education"),
	}
	w.education = w.write("POST", "/v1/cases/"+w.caseID+"/referrals", w.caseworker, map[string]any{
		"agency": "education", "service": "return_to_school", "note": "协助返校"}).ReferralID
	w.police = w.write("POST", "/v1/cases/"+w.caseID+"/referrals", w.caseworker, map[string]any{
		"agency": "police", "service": "other", "note": "请派出所上门"}).ReferralID
	return w
}

// problem reads a problem answer of the status: its detail and the field
// it names.
func (w *referralWorld) problem(path, token string, status int) (detail, field string) {
	w.t.Helper()
	res := w.get(path, token)
	require.Equal(w.t, status, res.Status, "GET %s: %s", path, res.Body)
	var p api.Problem
	res.JSON(w.t, &p)
	if len(p.Errors) > 0 {
		field = p.Errors[0].Field
	}
	return p.Detail, field
}

func TestPartnerListsItsAgencysReferralsWithoutPersonalData(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReferralWorld(t, env)

		var page api.List[api.ReferralListing]
		res := w.getJSON("/v1/referrals", w.partner, &page)
		require.Len(t, page.Items, 1, "education's only: %s", res.Body)
		got := page.Items[0]
		assert.Equal(t, w.caseID, got.CaseID)
		assert.Equal(t, w.education, got.ReferralID)
		assert.Equal(t, "education", got.Agency.String())
		assert.Equal(t, "return_to_school", got.Service.String())
		assert.Equal(t, "pending", got.Status.String())
		require.NotNil(t, got.DueAt, "the answer's clock")
		assert.Equal(t, got.MadeAt.AddDate(0, 0, 5), *got.DueAt, "five days by the default policy")
		assert.Equal(t, w.childID, got.Child.ID)
		assert.Equal(t, 2015, got.Child.BirthYear)
		assert.Equal(t, "male", got.Child.Sex.String())
		assert.Equal(t, homeVillage, got.Child.Jurisdiction.String())
		assert.Contains(t, string(res.Body), `"jurisdiction_name":"山东省泰安市泰山区邱家店镇`)
		for _, v := range append(personalValues, "2015-03-02", `"name"`, `"guardian"`, `"phone"`, "协助返校") {
			assert.NotContains(t, string(res.Body), v, "the list holds no personal data, nor the referral's note")
		}

		// Its own agency named is the same list; another's is refused.
		w.getJSON("/v1/referrals?agency=education&status=pending", w.partner, &page)
		assert.Len(t, page.Items, 1)
		detail, _ := w.problem("/v1/referrals?agency=police", w.partner, http.StatusForbidden)
		assert.Contains(t, detail, "education")
		assert.Contains(t, detail, "police")
		w.getJSON("/v1/referrals", w.policePartner, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, w.police, page.Items[0].ReferralID)

		// Accepted, the list still names no one.
		w.write("POST", "/v1/cases/"+w.caseID+"/referrals/"+w.education+"/acceptance", w.partner, map[string]any{})
		res = w.getJSON("/v1/referrals?status=accepted", w.partner, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "accepted", page.Items[0].Status.String())
		assert.NotNil(t, page.Items[0].AnsweredAt)
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}
		w.getJSON("/v1/referrals?status=pending", w.partner, &page)
		assert.Empty(t, page.Items)

		// Invalid filters name their field.
		_, field := w.problem("/v1/referrals?status=open", w.partner, http.StatusBadRequest)
		assert.Equal(t, "status", field)
		_, field = w.problem("/v1/referrals?agency=fire_brigade", w.caseworker, http.StatusBadRequest)
		assert.Equal(t, "agency", field)
		_, field = w.problem("/v1/referrals?agency=fire_brigade", w.partner, http.StatusBadRequest)
		assert.Equal(t, "agency", field, "an invalid agency is invalid before it is another's")

		// Jurisdiction: the caller's, or narrower; outside is 404.
		w.getJSON("/v1/referrals?jurisdiction="+nextVillage, w.partner, &page)
		assert.Empty(t, page.Items, "the case lies in the other village")
		w.getJSON("/v1/referrals?jurisdiction="+homeVillage, w.partner, &page)
		assert.Len(t, page.Items, 1)
		w.problem("/v1/referrals?jurisdiction="+farCounty, w.partner, http.StatusNotFound)
		w.getJSON("/v1/referrals", w.farPartner, &page)
		assert.Empty(t, page.Items, "another county's liaison sees none of this county's")

		// A caseworker lists every agency's, a page at a time.
		ids := walk(w.readWorld, "/v1/referrals", w.caseworker, 1, func(l api.ReferralListing) string { return l.ReferralID })
		assert.ElementsMatch(t, []string{w.education, w.police}, ids)
		assert.IsIncreasing(t, ids, "in referral-id order")
		w.getJSON("/v1/referrals?agency=police", w.caseworker, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, w.police, page.Items[0].ReferralID)
	})
}

func TestPartnerReadsAReferralOnceAccepted(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReferralWorld(t, env)
		path := "/v1/referrals/" + w.education

		// Before acceptance: refused, saying why; nothing is logged.
		detail, _ := w.problem(path, w.partner, http.StatusForbidden)
		assert.Contains(t, detail, "accepted")
		res := w.get(path, w.partner)
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}

		w.write("POST", "/v1/cases/"+w.caseID+"/referrals/"+w.education+"/acceptance", w.partner, map[string]any{"note": "已联系学校"})
		var got referralView
		res = w.getJSON(path, w.partner, &got)
		assert.Equal(t, w.education, got.ReferralID)
		assert.Equal(t, "accepted", got.Status.String())
		require.NotNil(t, got.Child.Name)
		assert.Equal(t, "张小明", *got.Child.Name)
		assert.Equal(t, 2015, got.Child.BirthYear)
		assert.Equal(t, homeVillage, got.Child.Jurisdiction)
		assert.NotEmpty(t, got.Child.JurisdictionName)
		require.NotNil(t, got.Guardian)
		assert.Equal(t, "张德福", got.Guardian.Name)
		require.NotNil(t, got.Guardian.Phone)
		assert.Equal(t, "13800000000", *got.Guardian.Phone)
		for _, v := range []string{"110101201503020010", "与祖父同住", "小学三年级", "李婶", "13911112222", "协助返校"} {
			assert.NotContains(t, string(res.Body), v, "only what the agency needs")
		}

		// Another agency's liaison and another county's learn nothing.
		w.problem(path, w.policePartner, http.StatusNotFound)
		w.problem(path, w.farPartner, http.StatusNotFound)
		w.problem("/v1/referrals/"+w.police, w.partner, http.StatusNotFound)
		w.problem(path, env.Token("caseworker", farCounty, "cw-far", ""), http.StatusNotFound)
		w.problem("/v1/referrals/no-such-referral", w.partner, http.StatusNotFound)

		// A caseworker reads any referral in reach, pending too.
		w.getJSON("/v1/referrals/"+w.police, w.caseworker, &got)
		require.NotNil(t, got.Child.Name)
		assert.Equal(t, "police", got.Agency.String())

		// Every read is in the access log, as action referral.
		var entries api.List[api.AccessLogEntry]
		w.getJSON("/v1/access-log?child_id="+w.childID, w.inspector, &entries)
		var reads []api.AccessLogEntry
		for _, e := range entries.Items {
			if e.Action == "referral" {
				reads = append(reads, e)
			}
		}
		require.Len(t, reads, 2, "the partner's read and the caseworker's; not the refused ones: %+v", entries.Items)
		assert.Equal(t, "edu-1", reads[0].Subject)
		assert.Equal(t, "partner", reads[0].Role)
		assert.Equal(t, w.caseID, reads[0].CaseID)
		assert.Equal(t, homeVillage, reads[0].Jurisdiction)
		assert.Equal(t, w.caseworkerID, reads[1].Subject)

		// Completed, the agency still reads it; once the child's data is
		// erased, the name and the guardian are null.
		w.write("POST", "/v1/cases/"+w.caseID+"/referrals/"+w.education+"/completion", w.partner, map[string]any{})
		w.write("POST", "/v1/cases/"+w.caseID+"/referrals/"+w.police+"/decline", w.caseworker, map[string]any{"reason": "不属本部门职责"})
		w.write("POST", "/v1/cases/"+w.caseID+"/closure", w.caseworker, map[string]any{"occurred_at": at(0), "reason": "resolved"})
		w.write("POST", "/v1/children/"+w.childID+"/erasure", w.admin, map[string]any{"reason": "依法删除"})
		got = referralView{}
		res = w.getJSON(path, w.partner, &got)
		assert.Equal(t, "completed", got.Status.String())
		assert.Nil(t, got.Child.Name)
		assert.Nil(t, got.Guardian)
		assert.Equal(t, 2015, got.Child.BirthYear, "the birth year stays")
		assert.Contains(t, string(res.Body), `"name":null`)
		assert.Contains(t, string(res.Body), `"guardian":null`)
		for _, v := range personalValues {
			assert.NotContains(t, string(res.Body), v)
		}
		w.problem("/v1/referrals/"+w.police, w.policePartner, http.StatusForbidden) // declined: never
	})
}

func TestTheTwelve355DeskReceivesHotlineReports(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		desk := env.Token("partner", homeCounty, "desk-1", "youth_league")
		report := func(source string) map[string]any {
			return map[string]any{"child_id": w.otherChildID, "source": source,
				"reporter": map[string]any{"type": "relative", "name": "李大山"},
				"concerns": []string{"living_alone"}, "risk": "high", "received_at": at(-30 * time.Minute), "summary": "12355来电"}
		}
		post := func(token string, body map[string]any, status int) apitest.Response {
			t.Helper()
			res := env.Do("POST", "/v1/cases", token, body)
			require.Equal(t, status, res.Status, "%s", res.Body)
			return res
		}
		detail := func(res apitest.Response) string {
			var p api.Problem
			res.JSON(t, &p)
			return p.Detail
		}

		// The desk opens a case on a report of the line.
		res := post(desk, report("hotline_12355"), http.StatusCreated)
		var opened api.Answer
		res.JSON(t, &opened)
		w.last = opened.Events[len(opened.Events)-1].GlobalPosition
		var c api.CaseView
		w.getJSON("/v1/cases/"+opened.ID, w.caseworker, &c)
		assert.Equal(t, "hotline_12355", c.Source)
		assert.Equal(t, "desk-1", c.ReceivedBy)
		owners := map[string]string{}
		for _, d := range c.Deadlines {
			owners[d.Kind] = d.Owner
		}
		assert.Equal(t, "caseworker:"+homeCounty, owners["police_report"], "the desk may not forward it: the center must (%v)", owners)

		// And on a report about a child it registers with it.
		withChild := report("hotline_12355")
		delete(withChild, "child_id")
		withChild["child"] = map[string]any{"name": "王小花", "birth_date": "2016-05-01", "sex": "female", "jurisdiction": nextVillage,
			"categories": []string{"left_behind"}, "key_child_flags": []string{},
			"guardian":         map[string]any{"name": "王奶奶", "relation": "祖母"},
			"living_situation": "与祖母同住", "schooling": "小学二年级", "hukou_registered": true}
		res = post(desk, withChild, http.StatusCreated)
		var registered api.Answer
		res.JSON(t, &registered)
		assert.NotEmpty(t, registered.ChildID)

		// Any other source is refused, and so is any other agency's liaison.
		res = post(desk, report("walk_in"), http.StatusForbidden)
		assert.Contains(t, detail(res), "hotline_12355")
		assert.Contains(t, detail(res), "walk_in")
		post(desk, report("mandatory_report"), http.StatusForbidden)
		res = post(env.Token("partner", homeCounty, "edu-1", "education"), report("hotline_12355"), http.StatusForbidden)
		assert.Contains(t, detail(res), "12355")
		outside := with(withChild, "child", with(withChild["child"].(map[string]any), "jurisdiction", farCounty+"101201"))
		post(desk, outside, http.StatusForbidden)
		post(env.Token("partner", farCounty, "desk-far", "youth_league"), report("hotline_12355"), http.StatusNotFound)

		// It does nothing else of a case, nor reads one.
		caseworker := w.caseworkerID
		for _, cmd := range []struct {
			path string
			body map[string]any
		}{
			{"/assignment", map[string]any{"worker_id": caseworker}},
			{"/police-report", map[string]any{"occurred_at": at(0), "police_unit": "城关派出所"}},
			{"/emergency-response", map[string]any{"occurred_at": at(0), "action": "上门查看"}},
			{"/follow-ups", map[string]any{"occurred_at": at(0), "note": "电话回访"}},
			{"/closure", map[string]any{"occurred_at": at(0), "reason": "resolved"}},
		} {
			res := env.Do("POST", "/v1/cases/"+opened.ID+cmd.path, desk, cmd.body)
			assert.Equal(t, http.StatusForbidden, res.Status, "%s: %s", cmd.path, res.Body)
		}
		assert.Equal(t, http.StatusForbidden, w.get("/v1/cases/"+opened.ID, desk).Status)
		assert.Equal(t, http.StatusForbidden, w.get("/v1/children/"+w.otherChildID, desk).Status)
		assert.Equal(t, http.StatusForbidden, env.Do("POST", "/v1/children", desk, withChild["child"]).Status)

		// The center takes it on.
		w.write("POST", "/v1/cases/"+opened.ID+"/assignment", w.caseworker, map[string]any{"worker_id": caseworker})
		assert.Equal(t, http.StatusOK, w.get("/v1/cases/"+opened.ID, w.caseworker).Status)
	})
}
