package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
)

// TestCorrections: an entry of a case or a child's file is corrected by
// its global position and fields; the original stays, the timeline shows
// both, and a bad correction is refused naming its field.
func TestCorrections(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		caseID := f.openCase()
		report := firstPosition(f, domain.CaseStream(caseID))
		path := "/v1/cases/" + caseID + "/corrections"
		body := map[string]any{"corrects_position": report, "fields": map[string]any{"summary": "邻居来电：孩子独自在家两天"}, "reason": "天数记错"}

		for _, field := range []string{"corrects_position", "fields", "reason"} {
			assert.Equal(t, field, problemField(t, f.do("POST", path, f.caseworker, without(body, field)), http.StatusBadRequest))
		}
		assert.Equal(t, "fields.weather", problemField(t, f.do("POST", path, f.caseworker, with(body, "fields", map[string]any{"weather": "晴"})), http.StatusBadRequest))
		assert.Equal(t, "fields.risk", problemField(t, f.do("POST", path, f.caseworker, with(body, "fields", map[string]any{"risk": "extreme"})), http.StatusBadRequest))
		other := f.registerChild()
		assert.Equal(t, "corrects_position", problemField(t, f.do("POST", path, f.caseworker,
			with(body, "corrects_position", firstPosition(f, domain.ChildStream(other)))), http.StatusBadRequest), "an entry of another record")
		problemField(t, f.do("POST", path, f.tokenOf("inspector"), body), http.StatusForbidden)

		ans := answer(t, f.do("POST", path, f.caseworker, body), http.StatusOK)
		assert.Equal(t, []string{"record.entry_corrected"}, eventTypes(ans))
		assert.Equal(t, []string{"case.report_received", "record.entry_corrected"}, streamTypes(t, env, domain.CaseStream(caseID)), "the original stays")

		var tl struct {
			Items []struct {
				Type    string `json:"type"`
				Summary string `json:"summary"`
			} `json:"items"`
		}
		res := f.do("GET", "/v1/cases/"+caseID+"/timeline?min_position="+itoa(int(ans.Events[0].GlobalPosition)), f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &tl)
		var types []string
		for _, it := range tl.Items {
			types = append(types, it.Type)
			if it.Type == "record.entry_corrected" {
				assert.Contains(t, it.Summary, "日志位置 "+itoa(int(report)))
			}
		}
		assert.Equal(t, []string{"case.report_received", "record.entry_corrected"}, types)

		childPath := "/v1/children/" + other + "/corrections"
		child := answer(t, f.do("POST", childPath, f.caseworker, map[string]any{"corrects_position": firstPosition(f, domain.ChildStream(other)),
			"fields": map[string]any{"schooling": "小学四年级"}, "reason": "年级录错"}), http.StatusOK)
		assert.Equal(t, []string{"record.entry_corrected"}, eventTypes(child))
	})
}
