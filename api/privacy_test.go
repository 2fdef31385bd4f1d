package api_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
)

// secrets are the personal values the data-protection tests seed: none may
// be found in clear in the database, nor in any answer after an erasure.
var secrets = []string{"欧阳小雨", "370902201604051236", "13912340000", "欧阳大山", "15800001111", "邻居赵阿姨", "独自在家已三天", "母亲在外务工",
	"泰公刑受字2026第0405号", "到外婆王秀芝家中探望"}

// seedPersonal registers a child and a report about it carrying every
// secret, and a visit; it returns the child's and the case's ids.
func seedPersonal(t *testing.T, f *fixture) (childID, caseID string) {
	t.Helper()
	child := childBody()
	child["name"], child["id_number"], child["birth_date"] = "欧阳小雨", "370902201604051236", "2016-04-05"
	child["guardian"] = map[string]any{"name": "欧阳大山", "relation": "祖父", "phone": "13912340000"}
	child["living_situation"] = "母亲在外务工"
	childID = answer(t, f.do("POST", "/v1/children", f.caseworker, child), http.StatusCreated).ID
	caseID = answer(t, f.do("POST", "/v1/cases", f.caseworker, map[string]any{
		"child_id": childID, "source": "hotline_12355", "reporter": map[string]any{"type": "neighbour", "name": "邻居赵阿姨", "phone": "15800001111"},
		"concerns": []string{"living_alone"}, "risk": "high", "received_at": at(-2 * time.Hour), "summary": "欧阳小雨独自在家已三天",
	}), http.StatusCreated).ID
	answer(t, f.do("POST", "/v1/children/"+childID+"/visits", f.caseworker, map[string]any{
		"occurred_at": at(-time.Hour), "findings": "独自在家已三天", "concerns": []string{"living_alone"},
	}), http.StatusOK)
	// A police reference and a follow-up's method can name the child's
	// people too (#14, finding 3).
	answer(t, f.do("POST", "/v1/cases/"+caseID+"/police-report", f.caseworker, map[string]any{
		"occurred_at": at(-90 * time.Minute), "police_unit": "邱家店派出所", "reference": "泰公刑受字2026第0405号",
	}), http.StatusOK)
	answer(t, f.do("POST", "/v1/cases/"+caseID+"/follow-ups", f.caseworker, map[string]any{
		"occurred_at": at(-30 * time.Minute), "note": "孩子已由外婆照看", "method": "到外婆王秀芝家中探望",
	}), http.StatusOK)
	return childID, caseID
}

// databaseDump is every byte of the databases as someone with their files
// (both SQLite files, or pg_dump) sees them.
func databaseDump(t *testing.T, env *apitest.Env) string {
	t.Helper()
	if env.SQLitePath != "" {
		var all strings.Builder
		for _, path := range []string{env.SQLitePath, env.ReadModelsPath} {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if b, err := os.ReadFile(path + suffix); err == nil {
					all.Write(b)
				}
			}
		}
		return all.String()
	}
	out, err := exec.Command("pg_dump", "--no-owner", env.PostgresURL).Output()
	require.NoError(t, err, "pg_dump")
	return string(out)
}

// TestNoPersonalDataInClearAtRest: after a child, a report and a visit are
// recorded and every read model is up to date, neither the SQLite files nor
// a pg_dump of the PostgreSQL database hold a name, ID number, phone or note
// in clear — while the child's file still reads them.
func TestNoPersonalDataInClearAtRest(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		childID, caseID := seedPersonal(t, f)
		head, err := env.Store.Head(context.Background())
		require.NoError(t, err)
		inspector := env.Token("inspector", county, "insp-1", "")
		min := "?min_position=" + itoa(int(head.Position))
		file := f.do("GET", "/v1/children/"+childID+min, f.caseworker, nil)
		require.Equal(t, http.StatusOK, file.Status, string(file.Body))
		assert.Contains(t, string(file.Body), "欧阳小雨")
		assert.Contains(t, string(file.Body), "13912340000")
		assert.Contains(t, string(file.Body), "2016-04-05")
		require.Equal(t, http.StatusOK, f.do("GET", "/v1/cases/"+caseID+"/timeline"+min, inspector, nil).Status)
		require.Equal(t, http.StatusOK, f.do("GET", "/v1/access-log", inspector, nil).Status) // flushes the access log

		dump := databaseDump(t, env)
		require.Contains(t, dump, childID, "the dump is of the right database")
		for _, s := range secrets {
			assert.NotContains(t, dump, s, "in clear in the database")
		}
	})
}

// TestErasureThroughTheAPI: after POST /v1/children/{id}/erasure every
// answer shows the child's personal fields as null with erased: true and
// the birth date's year only; the raw events of its case still count and
// their notes read null; the hash chain still verifies.
func TestErasureThroughTheAPI(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		childID, caseID := seedPersonal(t, f)
		erasure := map[string]any{"reason": "监护人依法申请删除"}
		held := f.do("POST", "/v1/children/"+childID+"/erasure", f.admin, erasure)
		require.Equal(t, http.StatusConflict, held.Status, "legal hold while the case is open: %s", held.Body)
		assert.Contains(t, string(held.Body), `"rule":"legal_hold"`)
		assert.Contains(t, string(held.Body), "case "+caseID+" is open")
		answer(t, f.do("POST", "/v1/cases/"+caseID+"/closure", f.caseworker, map[string]any{"occurred_at": at(-time.Minute), "reason": "resolved"}), http.StatusOK)
		erased := answer(t, f.do("POST", "/v1/children/"+childID+"/erasure", f.admin, map[string]any{"reason": "监护人依法申请删除"}), http.StatusOK)
		min := "?min_position=" + itoa(int(erased.Events[len(erased.Events)-1].GlobalPosition))
		inspector := env.Token("inspector", county, "insp-1", "")

		var child map[string]any
		res := f.do("GET", "/v1/children/"+childID+min, f.caseworker, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &child)
		assert.Equal(t, true, child["erased"])
		for _, field := range []string{"name", "id_number", "guardian", "entrusted_guardian", "living_situation", "schooling"} {
			assert.Nil(t, child[field], field)
		}
		assert.Equal(t, "2016-01-01", child["birth_date"])

		events := f.do("GET", "/v1/cases/"+caseID+"/events", inspector, nil)
		require.Equal(t, http.StatusOK, events.Status)
		var list struct {
			Items []map[string]any `json:"items"`
		}
		events.JSON(t, &list)
		require.NotEmpty(t, list.Items, "the case's events stay, countable")
		for _, answer := range []apitest.Response{
			res, events,
			f.do("GET", "/v1/children?jurisdiction="+village, f.caseworker, nil),
			f.do("GET", "/v1/cases/"+caseID+"/timeline", inspector, nil),
			f.do("GET", "/v1/children/"+childID+"/timeline", inspector, nil),
			f.do("GET", "/v1/cases/"+caseID+"/trace", inspector, nil),
		} {
			require.Equal(t, http.StatusOK, answer.Status, string(answer.Body))
			for _, s := range secrets {
				assert.NotContains(t, string(answer.Body), s)
			}
		}

		var integrity struct {
			OK      bool  `json:"ok"`
			Checked int64 `json:"checked"`
		}
		f.do("GET", "/v1/integrity", inspector, nil).JSON(t, &integrity)
		assert.True(t, integrity.OK)
		head, err := env.Store.Head(context.Background())
		require.NoError(t, err)
		assert.Equal(t, head.Position, integrity.Checked)
	})
}
