package api

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testPlaceName(code string) string {
	return map[string]string{
		"370902101201": "山东省泰安市泰山区邱家店镇邱家店村委会",
		"370902":       "山东省泰安市泰山区",
	}[code]
}

func TestWithPlaceNames(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"no jurisdiction", `{"id":"a"}`, `{"id":"a"}`},
		{"a member", `{"id":"a","jurisdiction":"370902","x":1}`,
			`{"id":"a","jurisdiction":"370902","jurisdiction_name":"山东省泰安市泰山区","x":1}`},
		{"first member, nested and in a list", `{"jurisdiction":"370902101201","actor":{"jurisdiction":"370902"},"items":[{"jurisdiction":"370902"}]}`,
			`{"jurisdiction":"370902101201","jurisdiction_name":"山东省泰安市泰山区邱家店镇邱家店村委会","actor":{"jurisdiction":"370902","jurisdiction_name":"山东省泰安市泰山区"},"items":[{"jurisdiction":"370902","jurisdiction_name":"山东省泰安市泰山区"}]}`},
		{"a code the register lacks", `{"jurisdiction":"370902124"}`, `{"jurisdiction":"370902124"}`},
		{"already named", `{"jurisdiction":"370902","jurisdiction_name":"x"}`, `{"jurisdiction":"370902","jurisdiction_name":"x"}`},
		{"inside a string", `{"note":"{\"jurisdiction\":\"370902\"}"}`, `{"note":"{\"jurisdiction\":\"370902\"}"}`},
		{"a key-like value", `{"a":"\"jurisdiction\":\"370902\""}`, `{"a":"\"jurisdiction\":\"370902\""}`},
		{"not a string", `{"jurisdiction":null}`, `{"jurisdiction":null}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := withPlaceNames([]byte(c.in), testPlaceName)
			assert.Equal(t, c.want, string(got))
			assert.True(t, json.Valid(got))
		})
	}
}

// FuzzWithPlaceNames: whatever compact JSON encoding/json writes, the
// answer stays valid JSON and holds the same data but for the names added.
func FuzzWithPlaceNames(f *testing.F) {
	f.Add(`{"jurisdiction":"370902","a":"x"}`)
	f.Add(`[{"jurisdiction":"370902101201"},{"b":"\"jurisdiction\":\"370902\""}]`)
	f.Add(`{"x":{"jurisdiction":"370902\\"},"jurisdiction":"370902"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		doc, err := json.Marshal(v)
		require.NoError(t, err)
		got := withPlaceNames(doc, testPlaceName)
		require.True(t, json.Valid(got), "%s", got)
		var back any
		require.NoError(t, json.Unmarshal(got, &back))
		assert.Equal(t, v, dropNames(back, v))
	})
}

// dropNames removes the jurisdiction_name members the input did not have.
func dropNames(v, orig any) any {
	switch x := v.(type) {
	case map[string]any:
		o, _ := orig.(map[string]any)
		if _, had := o["jurisdiction_name"]; !had {
			delete(x, "jurisdiction_name")
		}
		for k := range x {
			x[k] = dropNames(x[k], o[k])
		}
	case []any:
		o, _ := orig.([]any)
		for i := range x {
			var oi any
			if i < len(o) {
				oi = o[i]
			}
			x[i] = dropNames(x[i], oi)
		}
	}
	return v
}
