package privacy

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

// FuzzMembers: the member scanner never panics; on a valid JSON object it
// finds exactly the members encoding/json finds, with the same values.
func FuzzMembers(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":1}`, `{"name":"王","guardian":{"name":"x","phone":"1"},"n":[1,{"a":"}"}],"e":"\"\\"}`,
		` { "a" : null , "b" : true } `, `{"a":"sealed:v1:AAA:BBB"}`, `{"a":`, `[1]`, `{"a\u00e9":2}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := members(data)
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil {
			return // not an object: an error or anything, never a panic
		}
		if err != nil {
			t.Fatalf("a valid object %q: %v", data, err)
		}
		got := map[string]json.RawMessage{}
		for _, m := range ms {
			got[m.key] = json.RawMessage(data[m.start:m.end])
		}
		if len(got) != len(want) {
			t.Fatalf("%q: members %v, want %d", data, ms, len(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Fatalf("%q: member %q is %q, want %q", data, k, got[k], v)
			}
		}
	})
}

// FuzzOpenFields: opening arbitrary data never panics, and sealing then
// opening gives the data back, field for field.
func FuzzOpenFields(f *testing.F) {
	f.Add([]byte(`{"name":"王小明","id_number":"1","birth_date":"2015-03-04","guardian":{"name":"a"},"sex":"male"}`))
	f.Add([]byte(`{"name":"sealed:v1:AAAA:BBBB"}`))
	f.Add([]byte(`{"name":"sealed:v1::IjIwMTUtMDEtMDEi"}`))
	fields := childFields
	key, err := newSealer(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	id := uuid.MustParse("01a224fb-0150-770e-b9ee-8c549d163648")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = openFields(data, fields, key, id)
		_, _ = openFields(data, fields, nil, id)
		var before map[string]json.RawMessage
		if json.Unmarshal(data, &before) != nil {
			return
		}
		sealed, err := sealFields(data, fields, key, id)
		if err != nil {
			t.Fatalf("seal %q: %v", data, err)
		}
		if !json.Valid(sealed) {
			t.Fatalf("sealed %q is not JSON: %q", data, sealed)
		}
		opened, err := openFields(sealed, fields, key, id)
		if err != nil {
			t.Fatalf("open %q: %v", sealed, err)
		}
		var after map[string]json.RawMessage
		if err := json.Unmarshal(opened, &after); err != nil {
			t.Fatalf("opened %q: %v", opened, err)
		}
		for k, v := range before {
			if string(after[k]) != string(v) {
				t.Fatalf("field %q: %q after sealing and opening, want %q", k, after[k], v)
			}
		}
	})
}
