package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
)

// TestReadingAReportIsLogged: an accountability report shows a child's
// record, so reading it leaves a trace in the access log.
func TestReadingAReportIsLogged(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		caseID := f.openCase()
		inspector := env.Token("inspector", county, "insp-7", "")
		res := f.do("GET", "/v1/cases/"+caseID+"/trace", inspector, nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var report struct {
			Subject struct {
				Child, Jurisdiction string
			} `json:"subject"`
		}
		res.JSON(t, &report)
		require.NotEmpty(t, report.Subject.Child)
		assert.Equal(t, village, report.Subject.Jurisdiction)

		var log struct {
			Items []struct {
				Subject, Action string
				ChildID         string `json:"child_id"`
			} `json:"items"`
		}
		f.do("GET", "/v1/access-log?child_id="+report.Subject.Child, inspector, nil).JSON(t, &log)
		found := false
		for _, e := range log.Items {
			found = found || (e.Subject == "insp-7" && e.Action == "read_accountability_report")
		}
		assert.True(t, found, "the report's reading is in the access log: %+v", log.Items)
	})
}
