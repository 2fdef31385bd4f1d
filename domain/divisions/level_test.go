package divisions

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLevelOf(t *testing.T) {
	for code, want := range map[string]Level{
		"37":           Province,
		"3709":         City,
		"370902":       County,
		"370902101":    Township,
		"370902101201": Village,
		"00":           Province, // form only: LevelOf does not look codes up
	} {
		l, ok := LevelOf(code)
		assert.True(t, ok, code)
		assert.Equal(t, want, l, code)
	}
	for _, code := range []string{"", "3", "370", "37090", "3709021", "37090210", "3709021012", "37090210120", "3709021012011", "37a902", "３７", "37 ", "-37", "+3709", "370902101201\n"} {
		_, ok := LevelOf(code)
		assert.False(t, ok, "%q", code)
	}
}

func TestLevelString(t *testing.T) {
	assert.Equal(t, "province", Province.String())
	assert.Equal(t, "township", Township.String())
	assert.Equal(t, "village", Village.String())
	assert.Equal(t, "Level(invalid)", Level(0).String())
	assert.Equal(t, "Level(invalid)", Level(6).String())
}

// FuzzLevelOf checks LevelOf against its definition.
func FuzzLevelOf(f *testing.F) {
	for _, s := range []string{"", "37", "3709", "370902", "370902101", "370902101201", "37a9", "３７", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := LevelOf(s)
		want := allDigits(s) && (len(s) == 2 || len(s) == 4 || len(s) == 6 || len(s) == 9 || len(s) == 12)
		if ok != want {
			t.Fatalf("LevelOf(%q) ok = %v, want %v", s, ok, want)
		}
		if ok && l.width() != len(s) {
			t.Fatalf("LevelOf(%q) = %v of width %d", s, l, l.width())
		}
	})
}
