package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
	"github.com/careledger/careledger/eventlog"
)

// notInRegister: 泰山区 has no township 124 nor a village 245 in 邱家店镇.
const (
	fakeTownship = "370902124"
	fakeVillage  = "370902101245"
)

// TestJurisdictionCodesAreReal: a code the register of divisions does not
// hold is 400 naming the field and the edition, wherever a command takes
// one; nothing is recorded.
func TestJurisdictionCodesAreReal(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		refused := func(res apitest.Response, field string) {
			t.Helper()
			assert.Equal(t, field, problemField(t, res, http.StatusBadRequest))
			var p api.Problem
			res.JSON(t, &p)
			require.NotEmpty(t, p.Errors)
			assert.Contains(t, p.Errors[0].Message, "edition 2023")
		}
		refused(f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "赵敏", "role": "child_supervisor", "jurisdiction": fakeTownship}), "jurisdiction")
		refused(f.do("POST", "/v1/children", f.caseworker, with(childBody(), "jurisdiction", fakeVillage)), "jurisdiction")
		refused(f.do("POST", "/v1/cases", f.caseworker, with(reportBody(), "child", with(childBody(), "jurisdiction", fakeVillage))), "child.jurisdiction")
		childID := f.registerChild()
		refused(f.do("POST", "/v1/children/"+childID+"/profile", f.caseworker, map[string]any{"jurisdiction": fakeVillage}), "jurisdiction")
		id := f.registerWorker("child_director", village)
		refused(f.do("POST", "/v1/workers/"+id+"/transfer", f.admin, map[string]any{"occurred_at": at(time.Second), "jurisdiction": fakeVillage}), "jurisdiction")

		for _, path := range []string{"/v1/deadlines", "/v1/workers", "/v1/caseload", "/v1/children"} {
			refused(f.do("GET", path+"?jurisdiction="+fakeTownship, f.caseworker, nil), "jurisdiction")
		}

		res := f.do("GET", "/v1/children?jurisdiction="+county, f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		assert.NotContains(t, string(res.Body), fakeVillage, "no child was registered in a made-up village")
	})
}

// TestJurisdictionNames: every answer that carries a jurisdiction code
// carries its full Chinese name beside it.
func TestJurisdictionNames(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		ans := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		wait := "?min_position=" + strconv.FormatInt(ans.Events[len(ans.Events)-1].GlobalPosition, 10)

		var c struct {
			Jurisdiction     string `json:"jurisdiction"`
			JurisdictionName string `json:"jurisdiction_name"`
			Deadlines        []struct {
				JurisdictionName string `json:"jurisdiction_name"`
			} `json:"deadlines"`
		}
		res := f.do("GET", "/v1/cases/"+ans.ID+wait, f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &c)
		assert.Equal(t, village, c.Jurisdiction)
		assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", c.JurisdictionName)
		require.NotEmpty(t, c.Deadlines)
		assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", c.Deadlines[0].JurisdictionName)

		var tl struct {
			Items []struct {
				Actor struct {
					Jurisdiction     string `json:"jurisdiction"`
					JurisdictionName string `json:"jurisdiction_name"`
				} `json:"actor"`
			} `json:"items"`
		}
		res = f.do("GET", "/v1/cases/"+ans.ID+"/timeline"+wait, f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &tl)
		require.NotEmpty(t, tl.Items)
		assert.Equal(t, county, tl.Items[0].Actor.Jurisdiction)
		assert.Equal(t, "山东省泰安市泰山区", tl.Items[0].Actor.JurisdictionName)
	})
}

// TestRenamedPlaceIsNamedAnew: an edition of the register loaded while the
// server runs (careledger divisions import, another process) that renames
// a village the server already named: within a few seconds the server's
// answers carry the new name, not the one it read first.
func TestRenamedPlaceIsNamedAnew(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		ans := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		name := func() string {
			var c struct {
				JurisdictionName string `json:"jurisdiction_name"`
			}
			res := f.do("GET", "/v1/cases/"+ans.ID+"?min_position="+strconv.FormatInt(ans.Events[len(ans.Events)-1].GlobalPosition, 10), f.caseworker, nil)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			res.JSON(t, &c)
			return c.JurisdictionName
		}
		require.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", name())

		newer, err := divisions.Embedded().With("2024", []divisions.Entry{{Code: village, Name: "邱家店新村村委会"}})
		require.NoError(t, err)
		admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
		_, err = commands.New(env.Store).ImportDivisions(context.Background(), admin, commands.ImportDivisions{Register: newer})
		require.NoError(t, err)

		assert.Eventually(t, func() bool { return name() == "山东省泰安市泰山区邱家店镇邱家店新村村委会" },
			3*eventlog.PlacesRefresh, 100*time.Millisecond, "the village is named anew; still %s", name())
	})
}
