package privacy

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCatalog is the catalog of this package's tests. It is shaped like
// careledger's domain, but the package imports no domain, not even in
// tests. A "child-" stream holds its child's data. A "case-" stream holds
// the data of the child its report ("case.report_received") names in
// "child_id". An "inquiry-" stream holds the data of the child its opening
// ("inquiry.opened") names in "data_subject_id", if it names one.
// "child.data_erased" erases. The tests of package privacy_test
// use it too (a _test.go file of package privacy exports to them).
type TestCatalog struct{}

// childFields are the personal fields of a child's registration.
var childFields = []Field{
	{Path: "name"}, {Path: "id_number"}, {Path: "birth_date", KeepYear: true}, {Path: "guardian"},
	{Path: "entrusted_guardian"}, {Path: "living_situation"}, {Path: "schooling"},
}

var testPersonal = map[string][]Field{
	"child.registered":        childFields,
	"child.visit_recorded":    {{Path: "findings"}},
	"case.report_received":    {{Path: "reporter.name"}, {Path: "reporter.phone"}, {Path: "summary"}},
	"case.follow_up_recorded": {{Path: "note"}},
	"inquiry.opened":          {{Path: "reason"}},
	"inquiry.findings_recorded": {{Path: "findings"}, {Path: "responsibilities[].finding"},
		{Path: "rectifications[].description"}},
}

// Personal implements Catalog.
func (TestCatalog) Personal(eventType string) []Field { return testPersonal[eventType] }

// Subject implements Catalog.
func (TestCatalog) Subject(streamID string) Subject {
	if child, ok := strings.CutPrefix(streamID, "child-"); ok {
		return Subject{ID: child}
	}
	if strings.HasPrefix(streamID, "case-") {
		return Subject{OpenedBy: "case.report_received", Member: "child_id"}
	}
	if strings.HasPrefix(streamID, "inquiry-") {
		return Subject{OpenedBy: "inquiry.opened", Member: "data_subject_id", Optional: true}
	}
	return Subject{}
}

// Erases implements Catalog.
func (TestCatalog) Erases(eventType string) bool { return eventType == "child.data_erased" }

// FuzzSubjectIn: subjectIn reads a subject's id exactly as encoding/json
// decodes the data into a struct with one string field of that name. This
// is how the store read a report's "child_id" before it took the member
// name from a catalog.
func FuzzSubjectIn(f *testing.F) {
	for _, seed := range []string{
		`{"child_id":"c1"}`, `{"case_id":"k1","child_id":"c1","reporter":{"child_id":"x"}}`, `{"child_id":""}`,
		`{"child_id":null}`, `{"child_id":7}`, `{"CHILD_ID":"c2"}`, `{"child_id":"c1","Child_ID":"c2"}`,
		`{"child_id":"c1","child_id":null}`, `{"child_id":"c1","child_id":3}`, `{"child\u005fid":"c3"}`,
		`{"child_id":"c\u00e9"}`, `{"child_id":"c1"} x`, `{"child_id":`, `[{"child_id":"c1"}]`, `"c1"`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want struct {
			ChildID string `json:"child_id"`
		}
		wantOK := json.Unmarshal(data, &want) == nil && want.ChildID != ""
		got, ok := subjectIn(data, "child_id")
		if ok != wantOK || (ok && got != want.ChildID) {
			t.Fatalf("%q: subjectIn gives %q, %v; encoding/json %q, %v", data, got, ok, want.ChildID, wantOK)
		}
	})
}
