package api

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
)

func TestTextRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body, field string
	}{
		{`{"name":"张三"}`, ""},
		{`{"note":"第一行\n第二行\t缩进"}`, ""},
		{`{"name":"张\u0000三"}`, "name"},
		{`{"name":"abc\u202Efdp.exe"}`, "name"},
		{`{"child":{"guardian":{"name":"\u2066王"}}}`, "child.guardian.name"},
		{`{"rectifications":[{"description":"ok"},{"description":"bell\u0007"}]}`, "rectifications[1].description"},
		{`{"concerns":["neglect","\r"]}`, "concerns[1]"},
		{`{"a":"\u0001","b":"\u0001"}`, "a"},
		{`"\u0085"`, "body"},
	} {
		err := checkText([]byte(tc.body))
		if tc.field == "" {
			assert.NoError(t, err, tc.body)
			continue
		}
		var inv *domain.InvalidError
		require.True(t, errors.As(err, &inv), "%s: %v", tc.body, err)
		assert.Equal(t, tc.field, inv.Field, tc.body)
	}
}

// FuzzTextRules: a string in a body is refused, naming its field, exactly
// when it holds a character the text rules refuse.
func FuzzTextRules(f *testing.F) {
	for _, s := range []string{"", "张三", "a\nb\tc", "\x00", "\u202e", "\u2069", "\r", "\u200f", "\u0085", "ok\u202aok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body, err := json.Marshal(map[string]any{"outer": map[string]any{"list": []any{"fine", s}}})
		require.NoError(t, err)
		err = checkText(body)
		refused := strings.ContainsFunc(s, func(r rune) bool {
			return bidiControl(r) || (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f)
		})
		if !refused {
			assert.NoError(t, err)
			return
		}
		var inv *domain.InvalidError
		require.True(t, errors.As(err, &inv), "%q: %v", s, err)
		assert.Equal(t, "outer.list[1]", inv.Field)
	})
}
