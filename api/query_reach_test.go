package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// getRoutes are the token-guarded reads the server registers, with their
// path parameters filled from the world; an inquiry is opened for the
// inquiry report, and the case is referred to education (pending) for the
// referral.
func getRoutes(t *testing.T, w *readWorld) map[string]api.Route {
	t.Helper()
	inquiry := w.write("POST", "/v1/inquiries", w.inspector, map[string]any{
		"case_id": w.caseID, "incident_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "reason": "倒查"}).ID
	referral := w.write("POST", "/v1/cases/"+w.caseID+"/referrals", w.caseworker, map[string]any{
		"agency": "education", "service": "return_to_school", "note": "协助返校"}).ReferralID
	hook := w.write("POST", "/v1/webhooks", w.admin, map[string]any{"url": "https://platform.example/hooks", "jurisdiction": homeCounty,
		"kinds": []string{"obligation.opened"}}).ID
	out := map[string]api.Route{}
	for _, r := range w.env.Server.Routes() {
		if r.Method != http.MethodGet || len(r.Roles()) == 0 {
			continue
		}
		path := r.Pattern
		switch {
		case strings.HasPrefix(path, "/v1/cases/{id}"):
			path = strings.Replace(path, "{id}", w.caseID, 1)
		case strings.HasPrefix(path, "/v1/children/{id}"):
			path = strings.Replace(path, "{id}", w.childID, 1)
		case strings.HasPrefix(path, "/v1/inquiries/{id}"):
			path = strings.Replace(path, "{id}", inquiry, 1)
		case strings.HasPrefix(path, "/v1/referrals/{id}"):
			path = strings.Replace(path, "{id}", referral, 1)
		case strings.HasPrefix(path, "/v1/webhooks/{id}"):
			path = strings.Replace(path, "{id}", hook, 1)
		}
		require.NotContains(t, path, "{", "the test knows no id for %s", r.Pattern)
		if r.Pattern == "/v1/stats/cases" {
			path += "?group_by=jurisdiction"
		}
		out[path] = r
	}
	require.Contains(t, out, "/v1/cases/"+w.caseID)
	return out
}

func allows(r api.Route, role string) bool {
	for _, x := range r.Roles() {
		if x.String() == role {
			return true
		}
	}
	return false
}

func TestAnalystsAndPartnersReadNoPersonalData(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		partner := env.Token("partner", homeCounty, "edu-1", "education")
		for path, r := range getRoutes(t, w) {
			res := w.get(path, w.analyst)
			if allows(r, "analyst") {
				assert.Equal(t, http.StatusOK, res.Status, "analyst GET %s: %s", path, res.Body)
			} else {
				assert.Equal(t, http.StatusForbidden, res.Status, "analyst GET %s", path)
			}
			for _, v := range personalValues {
				assert.NotContains(t, string(res.Body), v, "analyst GET %s", path)
			}
			res = w.get(path, partner)
			switch {
			case r.Pattern == "/v1/referrals/{id}":
				// The one read that gives a partner personal data, and only
				// once its agency has accepted the referral: this one is
				// pending.
				assert.Equal(t, http.StatusForbidden, res.Status, "partner GET %s before acceptance: %s", path, res.Body)
			case allows(r, "partner"):
				assert.Equal(t, http.StatusOK, res.Status, "partner GET %s: %s", path, res.Body)
			default:
				assert.Equal(t, http.StatusForbidden, res.Status, "partner GET %s", path)
			}
			for _, v := range personalValues {
				assert.NotContains(t, string(res.Body), v, "partner GET %s", path)
			}
		}
	})
}

func TestReadsOutsideTheJurisdictionAreNotFound(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		w := newReadWorld(t, env)
		farVillage := farCounty + "101201"
		director := w.write("POST", "/v1/workers", w.admin, map[string]any{"name": "赵敏", "role": "child_director", "jurisdiction": farVillage}).ID
		supervisor := w.write("POST", "/v1/workers", w.admin, map[string]any{"name": "钱进", "role": "child_supervisor", "jurisdiction": farCounty + "101"}).ID
		far := map[string]string{
			"child_director":   env.Token("child_director", farVillage, director, ""),
			"child_supervisor": env.Token("child_supervisor", farCounty+"101", supervisor, ""),
			"caseworker":       env.Token("caseworker", farCounty, "cw-far", ""),
			"inspector":        env.Token("inspector", farCounty, "insp-far", ""),
			"analyst":          env.Token("analyst", farCounty, "ana-far", ""),
			"admin":            env.Token("admin", farCounty, "admin-far", ""),
			"partner":          env.Token("partner", farCounty, "edu-far", "education"),
		}
		checked := 0
		for path, r := range getRoutes(t, w) {
			for _, role := range r.Roles() {
				token := far[role.String()]
				require.NotEmpty(t, token, "no far token for %s", role)
				if strings.Contains(r.Pattern, "{id}") {
					assert.Equal(t, http.StatusNotFound, w.get(path, token).Status, "%s of another county GET %s", role, path)
					checked++
				}
				if r.Pattern != "/v1/integrity" && !strings.Contains(r.Pattern, "{id}") {
					sep := "?"
					if strings.Contains(path, "?") {
						sep = "&"
					}
					assert.Equal(t, http.StatusNotFound, w.get(path+sep+"jurisdiction="+homeCounty, token).Status,
						"%s of another county GET %s filtered to this one", role, path)
					checked++
				}
			}
		}
		assert.Greater(t, checked, 20)
	})
}
