package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/report"
)

// TestReportOfAMovedChild: a child whose case lies in the county moves to
// a village of another county (属地管理), where its new director visits
// and reads its file. An inspector of the county still reads the case's
// trace and an inquiry's report, but no longer the child: the child's
// entries stop where it left the county — the move shown as 迁出本辖区,
// with no destination — the child's stream is named up to its last entry
// shown and marked as withheld beyond, and nothing of the report (timeline,
// deadlines and their owners, people, workers, reads, places, the printed
// page) names the new village, its director or anything of the other
// county. An inspector of the city, which covers both, sees it all.
func TestReportOfAMovedChild(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		opened := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		caseID, childID := opened.ID, opened.ChildID
		child := "/v1/children/" + childID
		_, director := f.trainedWorker("child_director", village)
		visited := answer(t, f.do("POST", child+"/visits", director, map[string]any{"occurred_at": at(-90 * time.Minute), "findings": "在家", "concerns": []string{}}), http.StatusOK)

		city := env.Token("caseworker", county[:4], "cw-city", "")
		moved := answer(t, f.do("POST", child+"/profile", city, map[string]any{"jurisdiction": otherVillage}), http.StatusOK)
		newDirector := answer(t, f.do("POST", "/v1/workers", f.admin, map[string]any{"name": "孙丽娜", "role": "child_director", "jurisdiction": otherVillage}), http.StatusCreated).ID
		answer(t, f.do("POST", "/v1/workers/"+newDirector+"/training", f.admin, map[string]any{"passed": true,
			"completed_on": time.Now().In(chinaTime).AddDate(0, 0, -1).Format(time.DateOnly)}), http.StatusOK)
		newToken := env.Token("child_director", otherVillage, newDirector, "")
		there := answer(t, f.do("POST", child+"/visits", newToken, map[string]any{"occurred_at": at(0), "findings": "随母居住", "concerns": []string{}}), http.StatusOK)
		read := f.do("GET", child+"?min_position="+strconv.FormatInt(position(there), 10), newToken, nil)
		require.Equal(t, http.StatusOK, read.Status, "%s", read.Body)

		inspector := env.Token("inspector", county, "insp-county", "")
		inquiry := answer(t, f.do("POST", "/v1/inquiries", inspector, map[string]any{"case_id": caseID, "incident_at": at(-time.Hour), "reason": "倒查"}), http.StatusCreated)
		wait := "?min_position=" + strconv.FormatInt(inquiry.Events[len(inquiry.Events)-1].GlobalPosition, 10)
		moveAt, thereAt := position(moved), position(there)

		// What of the other county no report to the county may name: the
		// new village's code and name, its county's name, its director.
		secrets := []string{otherVillage, "祝阳", "岱岳", newDirector, "孙丽娜"}
		for _, path := range []string{"/v1/cases/" + caseID + "/trace", "/v1/inquiries/" + inquiry.ID + "/report"} {
			res := f.do("GET", path+wait, inspector, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", path, res.Body)
			for _, s := range secrets {
				assert.NotContains(t, string(res.Body), s, "%s names the child's new place", path)
			}
			var rep report.Report
			res.JSON(t, &rep)
			ref := streamRef(t, rep, domain.ChildStream(childID))
			assert.Equal(t, int64(2), ref.Version, "%s: the child's stream up to its last entry shown (registration, visit)", path)
			assert.Equal(t, position(visited), ref.LastPosition, path)
			assert.True(t, ref.Withheld, "%s: and marked as withheld beyond", path)
			var movedOut bool
			for _, it := range rep.Timeline {
				assert.NotEqual(t, thereAt, it.GlobalPosition, "%s: the visit in the new village is withheld", path)
				if it.GlobalPosition == moveAt {
					movedOut = true
					assert.Equal(t, "迁出本辖区", it.Summary, path)
				}
			}
			assert.True(t, movedOut, "%s: the move out of the county is shown", path)
			assert.Equal(t, village, rep.Subject.Jurisdiction, path)

			page := f.do("GET", path+wait, inspector, nil, "Accept", "text/html")
			require.Equal(t, http.StatusOK, page.Status, "%s: %s", path, page.Body)
			for _, s := range secrets {
				assert.NotContains(t, string(page.Body), s, "%s, printed, names the child's new place", path)
			}
			assert.Contains(t, string(page.Body), "迁出本辖区", path)
			assert.Contains(t, string(page.Body), "迁出本辖区后的记录不予显示", "%s, printed, says that entries are withheld", path)
		}

		// The city covers both places: its inspector sees the whole record.
		res := f.do("GET", "/v1/cases/"+caseID+"/trace"+wait, env.Token("inspector", county[:4], "insp-city", ""), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var whole report.Report
		res.JSON(t, &whole)
		ref := streamRef(t, whole, domain.ChildStream(childID))
		assert.Equal(t, int64(4), ref.Version)
		assert.False(t, ref.Withheld)
		assert.Contains(t, string(res.Body), otherVillage)
		assert.Contains(t, string(res.Body), "孙丽娜")
	})
}

// position is the global position of an answer's last event.
func position(ans api.Answer) int64 { return ans.Events[len(ans.Events)-1].GlobalPosition }

// streamRef finds a stream the report rests on.
func streamRef(t *testing.T, rep report.Report, id domain.StreamID) report.StreamRef {
	t.Helper()
	for _, s := range rep.Streams {
		if s.StreamID == id.String() {
			return s
		}
	}
	require.Failf(t, "no stream", "the report rests on no stream %s: %+v", id, rep.Streams)
	return report.StreamRef{}
}

// TestChildTraceLeavesOutCasesElsewhere: a case of a child of the county
// moves to another county (属地管理) while the child's file stays. The
// county's inspector still reads the child's trace, but it no longer lists
// the case — whose clocks now name the other county's center — and says
// that cases of the child lying elsewhere are left out, without naming
// them or where they lie.
func TestChildTraceLeavesOutCasesElsewhere(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		f := newFixture(t, env)
		opened := answer(t, f.do("POST", "/v1/cases", f.caseworker, reportBody()), http.StatusCreated)
		moved := answer(t, f.do("POST", "/v1/cases/"+opened.ID+"/transfer", f.caseworker,
			map[string]any{"occurred_at": at(-time.Minute), "jurisdiction": otherVillage, "reason": "随母迁居"}), http.StatusOK)
		wait := "?min_position=" + strconv.FormatInt(position(moved), 10)

		inspector := env.Token("inspector", county, "insp-county", "")
		res := f.do("GET", "/v1/children/"+opened.ChildID+"/trace"+wait, inspector, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		for _, s := range []string{opened.ID, otherVillage, "caseworker:" + otherCounty, "岱岳"} {
			assert.NotContains(t, string(res.Body), s)
		}
		var rep report.Report
		res.JSON(t, &rep)
		assert.Empty(t, rep.Subject.CaseIDs)
		assert.True(t, rep.CasesWithheld)
		page := f.do("GET", "/v1/children/"+opened.ChildID+"/trace"+wait, inspector, nil, "Accept", "text/html")
		require.Equal(t, http.StatusOK, page.Status)
		assert.NotContains(t, string(page.Body), "岱岳")
		assert.Contains(t, string(page.Body), "该儿童另有个案现不在本辖区")

		res = f.do("GET", "/v1/children/"+opened.ChildID+"/trace"+wait, env.Token("inspector", county[:4], "insp-city", ""), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var whole report.Report
		res.JSON(t, &whole)
		assert.Equal(t, []string{opened.ID}, whole.Subject.CaseIDs, "the city covers both")
		assert.False(t, whole.CasesWithheld)
	})
}
