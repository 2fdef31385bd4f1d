package privacy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// findingsFields are an inquiry's findings as the tests' catalog has them:
// the texts sealed, each item's owner and due date in clear.
var findingsFields = []Field{{Path: "findings"}, {Path: "responsibilities[].finding"}, {Path: "rectifications[].description"}}

const findings = `{"jurisdiction":"370902","findings":"王小明独自在家三天无人过问",
 "responsibilities":[{"worker_id":"w-1","finding":"未按时家访王小明"},{"worker_id":"w-2","finding":null},{"worker_id":"w-3"}],
 "rectifications":[{"id":"r1","description":"给王小明的祖父打电话","owner":"w-1","due_on":"2026-05-01"},
  {"id":"r2","description":"补录家访","owner":"w-2","due_on":"2026-06-01"}],"empty":[]}`

// TestArrayFieldsSealEachElement: a path with "[]" seals the field in each
// element of the array, and nothing beside it: who was responsible, the
// items' owners and due dates stay in clear. Each sealed value is bound to
// its element, so that texts moved between items do not open; erased, each
// reads null.
func TestArrayFieldsSealEachElement(t *testing.T) {
	t.Parallel()
	key, err := newSealer(make([]byte, 32))
	require.NoError(t, err)
	id := uuid.MustParse("01a224fb-0150-770e-b9ee-8c549d163648")
	sealed, err := sealFields(json.RawMessage(findings), findingsFields, key, id)
	require.NoError(t, err)
	require.True(t, json.Valid(sealed), "%s", sealed)
	assert.NotContains(t, string(sealed), "王小明")
	assert.NotContains(t, string(sealed), "补录家访")

	var at struct {
		Findings         string `json:"findings"`
		Responsibilities []struct {
			WorkerID string  `json:"worker_id"`
			Finding  *string `json:"finding"`
		} `json:"responsibilities"`
		Rectifications []struct {
			ID, Description, Owner string
			DueOn                  string `json:"due_on"`
		} `json:"rectifications"`
	}
	require.NoError(t, json.Unmarshal(sealed, &at))
	assert.True(t, strings.HasPrefix(at.Findings, sealPrefix))
	require.Len(t, at.Responsibilities, 3)
	assert.Equal(t, "w-1", at.Responsibilities[0].WorkerID)
	assert.True(t, strings.HasPrefix(*at.Responsibilities[0].Finding, sealPrefix))
	assert.Nil(t, at.Responsibilities[1].Finding, "null stays null")
	require.Len(t, at.Rectifications, 2)
	for i, want := range []struct{ id, owner, due string }{{"r1", "w-1", "2026-05-01"}, {"r2", "w-2", "2026-06-01"}} {
		assert.Equal(t, want.id, at.Rectifications[i].ID)
		assert.Equal(t, want.owner, at.Rectifications[i].Owner)
		assert.Equal(t, want.due, at.Rectifications[i].DueOn)
		assert.True(t, strings.HasPrefix(at.Rectifications[i].Description, sealPrefix))
	}

	opened, err := openFields(sealed, findingsFields, key, id)
	require.NoError(t, err)
	assert.Equal(t, findings, string(opened), "opening gives back every byte")

	erased, err := openFields(sealed, findingsFields, nil, id)
	require.NoError(t, err)
	assert.JSONEq(t, `{"jurisdiction":"370902","findings":null,
	 "responsibilities":[{"worker_id":"w-1","finding":null},{"worker_id":"w-2","finding":null},{"worker_id":"w-3"}],
	 "rectifications":[{"id":"r1","description":null,"owner":"w-1","due_on":"2026-05-01"},
	  {"id":"r2","description":null,"owner":"w-2","due_on":"2026-06-01"}],"empty":[]}`, string(erased))

	// The first item's sealed description given to the second does not open.
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(sealed, &doc))
	var items []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(doc["rectifications"], &items))
	items[1]["description"] = items[0]["description"]
	doc["rectifications"], _ = json.Marshal(items)
	swapped, _ := json.Marshal(doc)
	_, err = openFields(swapped, findingsFields, key, id)
	assert.ErrorIs(t, err, ErrTampered)
}

// TestArrayPaths: each element of an array of scalars ("needs[]"), arrays
// within arrays, and values that are not the array or object a path
// expects (left as they are).
func TestArrayPaths(t *testing.T) {
	t.Parallel()
	mark := func(path string, _ Field, value json.RawMessage) (json.RawMessage, error) {
		return json.Marshal(path)
	}
	for _, tc := range []struct {
		name, fields, data, want string
	}{
		{"each element", "needs[]", `{"needs":["a",null,{"x":1}],"n":1}`, `{"needs":["needs[0]",null,"needs[2]"],"n":1}`},
		{"the whole array", "needs", `{"needs":["a","b"]}`, `{"needs":"needs"}`},
		{"nested arrays", "grid[][].t", `{"grid":[[{"t":1},{"u":2}],[],[{"t":3}]]}`, `{"grid":[[{"t":"grid[0][0].t"},{"u":2}],[],[{"t":"grid[2][0].t"}]]}`},
		{"inside an object", "a.items[].t", `{"a":{"items":[{"t":"x"}]}}`, `{"a":{"items":[{"t":"a.items[0].t"}]}}`},
		{"not an array", "items[].t", `{"items":{"t":"x"}}`, `{"items":{"t":"x"}}`},
		{"elements not objects", "items[].t", `{"items":["t",1,true]}`, `{"items":["t",1,true]}`},
		{"null array", "items[].t", `{"items":null}`, `{"items":null}`},
		{"spaces kept", "items[].t", "{ \"items\" : [ {\"t\": 1} , 2 ] }", "{ \"items\" : [ {\"t\": \"items[0].t\"} , 2 ] }"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rewrite(json.RawMessage(tc.data), []Field{{Path: tc.fields}}, mark)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	_, err := rewrite(json.RawMessage(`{"items":[1 2]}`), []Field{{Path: "items[]"}}, mark)
	assert.Error(t, err, "a malformed array")
}

// FuzzArrayFields: sealing arbitrary data with array paths never panics;
// on a valid object the sealed data is valid JSON, every value the paths
// name (as encoding/json reads the data) is sealed or null, and opening
// gives back the data byte for byte.
func FuzzArrayFields(f *testing.F) {
	for _, seed := range []string{findings, `{"needs":["a","b"]}`, `{"grid":[[{"t":1}],[{"t":"x"}]]}`, `{"items":[{"t":"]"},"[",{"t":{"t":1}}]}`,
		`{"needs":[]}`, `{"needs":[1,]}`, `{"items":[{"t":1},{"t":2,"t":3}]}`, `[{"t":1}]`} {
		f.Add([]byte(seed))
	}
	fields := []Field{{Path: "needs[]"}, {Path: "items[].t"}, {Path: "grid[][].t"}, {Path: "findings"}, {Path: "rectifications[].description"}}
	key, err := newSealer(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	id := uuid.MustParse("01a224fb-0150-770e-b9ee-8c549d163648")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = openFields(data, fields, key, id)
		sealed, err := sealFields(data, fields, key, id)
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		if err != nil {
			t.Fatalf("seal %q: %v", data, err)
		}
		if !json.Valid(sealed) {
			t.Fatalf("sealed %q is not JSON: %q", data, sealed)
		}
		var after map[string]any
		if err := json.Unmarshal(sealed, &after); err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			for _, v := range at(after, strings.Split(f.Path, ".")) {
				if s, ok := v.(string); v != nil && (!ok || !strings.HasPrefix(s, sealPrefix)) {
					t.Fatalf("%q: %s is %v in %q", data, f.Path, v, sealed)
				}
			}
		}
		opened, err := openFields(sealed, fields, key, id)
		if err != nil {
			t.Fatalf("open %q: %v", sealed, err)
		}
		if string(opened) != string(data) {
			t.Fatalf("sealed and opened %q, want %q", opened, data)
		}
	})
}

// at lists the values a path (split at dots) names in a document as
// encoding/json decodes it.
func at(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	name, rest := path[0], path[1:]
	arrays := 0
	for strings.HasSuffix(name, "[]") {
		name, arrays = strings.TrimSuffix(name, "[]"), arrays+1
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	found, ok := obj[name]
	if !ok {
		return nil
	}
	values := []any{found}
	for range arrays {
		var elems []any
		for _, v := range values {
			if list, ok := v.([]any); ok {
				elems = append(elems, list...)
			}
		}
		values = elems
	}
	var out []any
	for _, v := range values {
		out = append(out, at(v, rest)...)
	}
	return out
}
