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

func hasJSONPath(t reflect.Type, path []string) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != path[0] {
			continue
		}
		return len(path) == 1 || hasJSONPath(t.Field(i).Type, path[1:])
	}
	return false
}
