package domain

import (
	"reflect"
	"strings"
	"testing"
)

// TestPersonalFieldsNameRealFields: every personal path is a field of its
// event's JSON (a rename must not silently leave a field in clear), and
// only the birth date keeps its year.
func TestPersonalFieldsNameRealFields(t *testing.T) {
	r := NewRegistry()
	for typ, fields := range personalFields {
		ev, err := r.Decode(typ, r.byName[typ].version, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		for _, f := range fields {
			if !hasJSONPath(reflect.TypeOf(ev), strings.Split(f.Path, ".")) {
				t.Errorf("%s: no JSON field %q", typ, f.Path)
			}
			if f.KeepYear != (f.Path == "birth_date") {
				t.Errorf("%s: only birth_date keeps its year, not %q", typ, f.Path)
			}
		}
	}
	if len(PersonalFields("case.assigned")) != 0 {
		t.Error("an assignment holds no personal data")
	}
}

// hasJSONPath reports whether a path names a field of t's JSON: each
// "[]" after a name must stand for a slice.
func hasJSONPath(t reflect.Type, path []string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	want, arrays := path[0], 0
	for strings.HasSuffix(want, "[]") {
		want, arrays = strings.TrimSuffix(want, "[]"), arrays+1
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != want {
			continue
		}
		ft := t.Field(i).Type
		for range arrays {
			if ft.Kind() != reflect.Slice {
				return false
			}
			ft = ft.Elem()
		}
		if len(path) == 1 {
			return true
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		return hasJSONPath(ft, path[1:])
	}
	return false
}

// clearTexts are the plain strings of the events that are not a child's
// personal data, and why. Every other string of an event must be personal
// (TestEveryTextIsPersonalOrClear).
var clearTexts = map[string]string{
	"case.assigned worker_id":                                "an id",
	"case.police_acknowledged officer":                       "the police officer who acknowledged, not the child's",
	"case.referral_accepted referral_id":                     "an id",
	"case.referral_completed referral_id":                    "an id",
	"case.referral_declined referral_id":                     "an id",
	"case.referral_made referral_id":                         "an id",
	"case.report_forwarded_to_police police_unit":            "an institution",
	"case.report_received case_id":                           "an id",
	"case.report_received child_id":                          "an id",
	"child.data_erased reason":                               "stays readable for audit",
	"child.registered child_id":                              "an id",
	"divisions.edition_imported edition":                     "the register of divisions",
	"divisions.edition_imported entries[].code":              "the register of divisions",
	"divisions.edition_imported entries[].name":              "the register of divisions",
	"inquiry.findings_recorded rectifications[].id":          "an item's id, named in its completion's path",
	"inquiry.findings_recorded rectifications[].owner":       "a worker id: who must rectify outlives an erasure",
	"inquiry.findings_recorded responsibilities[].worker_id": "a worker id: who was responsible outlives an erasure",
	"inquiry.opened case_id":                                 "an id",
	"inquiry.opened child_id":                                "an id",
	"inquiry.opened data_subject_id":                         "an id",
	"inquiry.opened inquiry_id":                              "an id",
	"inquiry.rectification_completed rectification_id":       "an id",
	"record.entry_corrected corrected_type":                  "an event type",
	"webhook.registered kinds[]":                             "event kinds",
	"webhook.registered url":                                 "a receiver's address",
	"webhook.registered webhook_id":                          "an id",
	"worker.deactivated reason":                              "about a worker, not a child",
	"worker.registered name":                                 "the real-name register (实名制)",
	"worker.registered worker_id":                            "an id",
}

// TestEveryTextIsPersonalOrClear: every plain string of every event (free
// text: vocabulary words, codes, dates and times have their own types) is
// a personal field, lies within one, or is named in clearTexts — so that a
// new free text about a child cannot slip into the log in clear.
func TestEveryTextIsPersonalOrClear(t *testing.T) {
	r := NewRegistry()
	seen := map[string]bool{}
	for typ, reg := range r.byName {
		ev, err := r.Decode(typ, reg.version, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		texts(reflect.TypeOf(ev), "", func(path string) {
			seen[typ+" "+path] = true
			for _, f := range personalFields[typ] {
				if path == f.Path || strings.HasPrefix(path, f.Path+".") || strings.HasPrefix(path, f.Path+"[]") {
					return
				}
			}
			if clearTexts[typ+" "+path] == "" {
				t.Errorf("%s: %q is free text, neither personal nor named clear", typ, path)
			}
		})
	}
	for name := range clearTexts {
		if !seen[name] {
			t.Errorf("clearTexts names %q, which no event has", name)
		}
	}
}

// texts calls fn with the path of every plain string (or list of them) in
// t's JSON, spelled as PersonalField.Path spells it. A map's members are
// not known: its path is given as a whole.
func texts(t reflect.Type, path string, fn func(string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[string]():
		fn(path)
	case t.Kind() == reflect.Slice:
		texts(t.Elem(), path+"[]", fn)
	case t.Kind() == reflect.Map:
		fn(path)
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			texts(f.Type, name, fn)
		}
	}
}
