package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

// The places the query tests read in: two villages of county 370902, and
// a county beside it that covers neither.
const (
	homeVillage = "370902101201"
	nextVillage = "370902101202"
	homeCounty  = "370902"
	farCounty   = "370911"
)

// Personal values of the world's child and report: no analyst may ever
// see one of them.
var personalValues = []string{"张小明", "13800000000", "张德福", "李婶", "13911112222", "与祖父同住", "110101201503020010"}

// readWorld is a county with a caseworker, two children and a case about
// the first, made through the commands.
type readWorld struct {
	t            *testing.T
	env          *apitest.Env
	admin        string
	caseworker   string
	caseworkerID string
	inspector    string
	analyst      string
	childID      string // 张小明, a left-behind child of homeVillage
	otherChildID string // a key child in difficulty of nextVillage
	caseID       string // the report about 张小明
	last         int64  // the global position of the latest write
}

func newReadWorld(t *testing.T, env *apitest.Env) *readWorld {
	t.Helper()
	w := &readWorld{t: t, env: env, admin: env.Token("admin", "all", "admin-1", ""),
		inspector: env.Token("inspector", homeCounty, "insp-1", ""), analyst: env.Token("analyst", homeCounty, "ana-1", "")}
	w.caseworkerID = w.write("POST", "/v1/workers", w.admin, map[string]any{"name": "王芳", "role": "caseworker", "jurisdiction": homeCounty}).ID
	w.caseworker = env.Token("caseworker", homeCounty, w.caseworkerID, "")
	w.childID = w.write("POST", "/v1/children", w.caseworker, map[string]any{
		"name": "张小明", "id_number": "110101201503020010", "birth_date": "2015-03-02", "sex": "male", "jurisdiction": homeVillage,
		"categories": []string{"left_behind"}, "key_child_flags": []string{},
		"guardian":         map[string]any{"name": "张德福", "relation": "祖父", "phone": "13800000000"},
		"living_situation": "与祖父同住", "schooling": "小学三年级", "hukou_registered": true,
	}).ID
	w.otherChildID = w.write("POST", "/v1/children", w.caseworker, map[string]any{
		"name": "李小红", "birth_date": "2012-07-09", "sex": "female", "jurisdiction": nextVillage,
		"categories": []string{"in_difficulty"}, "difficulty_reasons": []string{"disability"}, "key_child_flags": []string{"disability"},
		"guardian":         map[string]any{"name": "李大山", "relation": "父亲"},
		"living_situation": "与父亲同住", "schooling": "特殊教育学校", "hukou_registered": true,
	}).ID
	w.caseID = w.write("POST", "/v1/cases", w.caseworker, map[string]any{
		"child_id": w.childID, "source": "hotline_12355",
		"reporter": map[string]any{"type": "neighbour", "name": "李婶", "phone": "13911112222"},
		"concerns": []string{"living_alone", "neglect"}, "risk": "high",
		"received_at": time.Now().Add(-2 * time.Hour).Format(time.RFC3339), "summary": "邻居来电：孩子独自在家三天",
	}).ID
	return w
}

// write sends a command, requires it to succeed and remembers its position.
func (w *readWorld) write(method, path, token string, body any) api.Answer {
	w.t.Helper()
	res := w.env.Do(method, path, token, body)
	require.Contains(w.t, []int{http.StatusOK, http.StatusCreated}, res.Status, "%s %s: %s", method, path, res.Body)
	var ans api.Answer
	res.JSON(w.t, &ans)
	if n := len(ans.Events); n > 0 {
		w.last = max(w.last, ans.Events[n-1].GlobalPosition)
	}
	return ans
}

// get reads path as token, once the read models have every write so far.
func (w *readWorld) get(path, token string) apitest.Response {
	w.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return w.env.Do("GET", path+sep+"min_position="+strconv.FormatInt(w.last, 10), token, nil)
}

// getJSON reads path, requires 200 and decodes the answer into v.
func (w *readWorld) getJSON(path, token string, v any) apitest.Response {
	w.t.Helper()
	res := w.get(path, token)
	require.Equal(w.t, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
	res.JSON(w.t, v)
	return res
}

// walk reads every page of a list (limit per page) and returns the items'
// keys, as key gives them, in order.
func walk[T any](w *readWorld, path, token string, limit int, key func(T) string) []string {
	w.t.Helper()
	var keys []string
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for pages := 0; ; pages++ {
		require.Less(w.t, pages, 1000, "the list never ends")
		p := path + sep + "limit=" + strconv.Itoa(limit)
		if cursor != "" {
			p += "&cursor=" + cursor
		}
		var page api.List[T]
		w.getJSON(p, token, &page)
		require.LessOrEqual(w.t, len(page.Items), limit)
		for _, it := range page.Items {
			keys = append(keys, key(it))
		}
		if page.NextCursor == nil {
			return keys
		}
		cursor = *page.NextCursor
	}
}
