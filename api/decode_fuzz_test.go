package api

import (
	"net/http"
	"testing"

	"github.com/careledger/careledger/domain"
)

// FuzzDecodeJSON: the strict decoder never panics and refuses every body it
// cannot take with a 400 (saying what is wrong with a field it names),
// never a 500.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{}`, ``, `null`, `[]`, `"x"`, `{"a":1}`, `{"child":{"name":"张"}}`, `{"child_id":"c","child":{}}`,
		`{"received_at":"2026-01-01T10:00:00+08:00","concerns":["neglect"],"risk":"high"}`,
		`{"received_at":"2026-01-01"}`, `{"risk":"extreme"}`, `{"concerns":"neglect"}`, `{"concerns":[1]}`,
		`{"reporter":{"type":"school","extra":1}}`, `{"child":{"birth_date":"2015-02-30"}}`, `{"child":{"guardian":[]}}`,
		`{"police_report":"1h","first_response":{"high":"1d"},"info_verification":{"month":13}}`, `{"retraining_months":1e99}`,
		`{"passed":"yes"}`, `{"completed_on":"2026-13-01"}`, `{"hukou_registered":null}`, `{} {}`, `{"a":`, "\xff",
		`{"sex":"male","sex":"female"}`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(name string, err error) {
			if err == nil {
				return
			}
			p := problemOf(err)
			if p.Status != http.StatusBadRequest {
				t.Fatalf("%s: %q gives status %d (%v), want 400", name, body, p.Status, err)
			}
			for _, e := range p.Errors {
				if e.Message == "" {
					t.Fatalf("%s: %q gives a field error that says nothing: %v", name, body, err)
				}
			}
		}
		var report receiveReportBody
		check("report", decodeJSON(body, &report))
		var policy domain.DeadlinePolicy
		check("policy", decodeJSON(body, &policy))
		var profile domain.ChildProfileUpdated
		check("profile", decodeJSON(body, &profile))
		var training recordTrainingBody
		check("training", decodeJSON(body, &training))
		var conference holdConferenceBody
		check("conference", decodeJSON(body, &conference))
	})
}
