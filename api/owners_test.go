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

// TestNamedOwners: a village's obligations are owned by the director
// holding the post at each moment, by name; while nobody holds it the post
// owns them, vacant; a new director takes them over (责有人负).
func TestNamedOwners(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		li, _ := f.trainedWorker("child_director", village)
		child := f.registerChild() // a left-behind child: a visit is due
		visit := func(pos int64) Deadline {
			t.Helper()
			var page api.List[Deadline]
			res := f.do("GET", "/v1/deadlines?status=open&jurisdiction="+village+"&min_position="+itoa(int(pos)), f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			for _, d := range page.Items {
				if d.Kind == "visit" {
					return d
				}
			}
			require.FailNow(t, "no open visit", string(res.Body))
			return Deadline{}
		}
		last := func(ans api.Answer) int64 { return ans.Events[len(ans.Events)-1].GlobalPosition }

		held := visit(last(answer(t, f.do("POST", "/v1/workers/"+li+"/training", f.admin, map[string]any{
			"passed": true, "completed_on": time.Now().In(chinaTime).Format(time.DateOnly)}), http.StatusOK)))
		assert.Equal(t, li, held.Owner)
		assert.Equal(t, "王芳", held.OwnerName)
		assert.False(t, held.Vacant)

		gone := answer(t, f.do("POST", "/v1/workers/"+li+"/deactivation", f.admin,
			map[string]any{"occurred_at": time.Now().Format(time.RFC3339Nano), "reason": "外出务工"}), http.StatusOK)
		vacant := visit(last(gone))
		assert.Equal(t, "child_director:"+village, vacant.Owner)
		assert.Empty(t, vacant.OwnerName)
		assert.True(t, vacant.Vacant)

		res := f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "赵丽", "role": "child_director", "jurisdiction": village})
		zhao := answer(t, res, http.StatusCreated)
		taken := visit(last(zhao))
		assert.Equal(t, zhao.ID, taken.Owner)
		assert.Equal(t, "赵丽", taken.OwnerName)
		assert.False(t, taken.Vacant)

		// ?owner= a worker finds the post's obligations while the worker holds it.
		byOwner := func(id string) []Deadline {
			var page api.List[Deadline]
			res := f.do("GET", "/v1/deadlines?status=open&owner="+id+"&jurisdiction="+village, f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &page)
			return page.Items
		}
		mine := byOwner(zhao.ID)
		require.NotEmpty(t, mine)
		for _, d := range mine {
			assert.Equal(t, zhao.ID, d.Owner)
		}
		assert.Empty(t, byOwner(li), "the open obligations are no longer the departed director's")

		// The report names both directors and the vacancy between them.
		var rep struct {
			Deadlines []struct {
				Kind   string `json:"kind"`
				Owner  string `json:"owner"`
				Owners []struct {
					Owner  string `json:"owner"`
					Vacant bool   `json:"vacant"`
				} `json:"owners"`
			} `json:"deadlines"`
			Workers map[string]struct{ Name string } `json:"workers"`
		}
		res = f.do("GET", "/v1/children/"+child+"/trace", f.tokenOf("inspector"), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &rep)
		var owners []string
		for _, d := range rep.Deadlines {
			if d.Kind == "visit" {
				assert.Equal(t, zhao.ID, d.Owner)
				for _, o := range d.Owners {
					owners = append(owners, o.Owner+map[bool]string{true: " vacant"}[o.Vacant])
				}
			}
		}
		assert.Equal(t, []string{li, "child_director:" + village + " vacant", zhao.ID}, owners)
		assert.Equal(t, "王芳", rep.Workers[li].Name)
		assert.Equal(t, "赵丽", rep.Workers[zhao.ID].Name)

		page := f.do("GET", "/v1/children/"+child+"/trace", f.tokenOf("inspector"), nil, "Accept", "text/html")
		require.Equal(t, http.StatusOK, page.Status)
		// Named, with the id's short form (its last 8 characters); the full
		// id is in the report's table of ids.
		assert.Contains(t, string(page.Body), "赵丽 …"+zhao.ID[len(zhao.ID)-8:])
		assert.Contains(t, string(page.Body), "<code>"+zhao.ID+"</code></td><td>赵丽</td>")
	})
}

// Deadline is an obligation as the API answers it.
type Deadline struct {
	Kind      string `json:"kind"`
	Owner     string `json:"owner"`
	OwnerName string `json:"owner_name"`
	Vacant    bool   `json:"vacant"`
}
