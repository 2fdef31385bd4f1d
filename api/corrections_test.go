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
// both entries, and the correction's with each field's original and
// corrected value and the delay — after an erasure, that they are erased;
// a bad correction is refused naming its field.
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

		type change struct{ Field, Original, Corrected string }
		var tl struct {
			Items []struct {
				Type       string `json:"type"`
				Summary    string `json:"summary"`
				Correction *struct {
					CorrectsPosition int64    `json:"corrects_position"`
					DelayHours       *float64 `json:"delay_hours"`
					Changes          []change `json:"changes"`
					Erased           bool     `json:"erased"`
				} `json:"correction"`
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
				// Both values, to a reader of the child's file, with the delay.
				assert.Contains(t, it.Summary, "情况摘要由「邻居来电：孩子独自在家三天」改为「邻居来电：孩子独自在家两天」")
				assert.Regexp(t, `原条目登记 \d+\.\d 小时后更正`, it.Summary)
				require.NotNil(t, it.Correction)
				assert.Equal(t, report, it.Correction.CorrectsPosition)
				assert.Equal(t, []change{{"summary", "邻居来电：孩子独自在家三天", "邻居来电：孩子独自在家两天"}}, it.Correction.Changes)
				require.NotNil(t, it.Correction.DelayHours)
				assert.GreaterOrEqual(t, *it.Correction.DelayHours, 0.0)
				assert.NotContains(t, it.Summary, "天数记错", "the reason stays out")
			} else {
				assert.Nil(t, it.Correction)
			}
		}
		assert.Equal(t, []string{"case.report_received", "record.entry_corrected"}, types)

		childPath := "/v1/children/" + other + "/corrections"
		child := answer(t, f.do("POST", childPath, f.caseworker, map[string]any{"corrects_position": firstPosition(f, domain.ChildStream(other)),
			"fields": map[string]any{"schooling": "小学四年级"}, "reason": "年级录错"}), http.StatusOK)
		assert.Equal(t, []string{"record.entry_corrected"}, eventTypes(child))
		childTimeline := func(min int64) (string, *change, bool) {
			t.Helper()
			res := f.do("GET", "/v1/children/"+other+"/timeline?min_position="+itoa(int(min)), f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &tl)
			for _, it := range tl.Items {
				if it.Type == "record.entry_corrected" {
					require.NotNil(t, it.Correction)
					if len(it.Correction.Changes) == 0 {
						return it.Summary, nil, it.Correction.Erased
					}
					return it.Summary, &it.Correction.Changes[0], it.Correction.Erased
				}
			}
			t.Fatalf("no correction on the child's timeline: %s", res.Body)
			return "", nil, false
		}
		summary, ch, erased := childTimeline(child.Events[0].GlobalPosition)
		require.NotNil(t, ch)
		assert.Equal(t, change{"schooling", "小学三年级", "小学四年级"}, *ch)
		assert.Contains(t, summary, "就学情况由「小学三年级」改为「小学四年级」")
		assert.False(t, erased)

		// Erased, the values are gone: the entry says so, and reads without error.
		gone := answer(t, f.do("POST", "/v1/children/"+other+"/erasure", f.admin, map[string]any{"reason": "监护人依法申请删除"}), http.StatusOK)
		summary, ch, erased = childTimeline(gone.Events[len(gone.Events)-1].GlobalPosition)
		assert.Nil(t, ch)
		assert.True(t, erased)
		assert.Contains(t, summary, "更正内容已随儿童个人信息删除")
		assert.NotContains(t, summary, "小学")
		trace := f.do("GET", "/v1/children/"+other+"/trace", env.Token("inspector", county, "insp-1", ""), nil)
		require.Equal(t, http.StatusOK, trace.Status, string(trace.Body))
		assert.NotContains(t, string(trace.Body), "小学四年级")
		assert.Contains(t, string(trace.Body), `"erased":true`)
	})
}
