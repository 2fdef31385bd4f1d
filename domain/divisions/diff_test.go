package divisions

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newer is tiny a year on: a township renamed, a township and two villages
// added.
var newer = map[string]string{
	"streets.csv": "code,name,areaCode,provinceCode,cityCode\n" +
		"370902101,\"邱家店街道\",370902,37,3709\n" +
		"370902001,\"岱庙街道\",370902,37,3709\n" +
		"370911001,\"粥店街道\",370911,37,3709\n",
	"villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n" +
		"370902101201,\"邱家店村委会\",370902101,37,3709,370902\n" +
		"370902101202,\"徐家庄村委会\",370902101,37,3709,370902\n" +
		"370911001001,\"粥店社区居委会\",370911001,37,3709,370911\n",
}

func TestDiffWithRoundTrip(t *testing.T) {
	old, next := parseTiny(t, "2023", nil), parseTiny(t, "2024", newer)
	diff := old.Diff(next)
	assert.Equal(t, []Entry{
		{"370902101", "邱家店街道"},
		{"370911001", "粥店街道"},
		{"370902101202", "徐家庄村委会"},
		{"370911001001", "粥店社区居委会"},
	}, diff, "parents first")
	assert.Empty(t, next.Diff(next))

	replayed, err := old.With("2024", diff)
	require.NoError(t, err)
	sameContent(t, replayed, next)

	// Order does not matter; old is unchanged.
	reversed := []Entry{diff[3], diff[2], diff[1], diff[0]}
	replayed, err = old.With("2024", reversed)
	require.NoError(t, err)
	sameContent(t, replayed, next)
	name, _ := old.Name("370902101")
	assert.Equal(t, "邱家店镇", name)
	assert.False(t, old.Contains("370911001"))
	assert.Equal(t, "2023", old.Edition())
}

func TestDiffListsNoRemovals(t *testing.T) {
	old, next := parseTiny(t, "2023", newer), parseTiny(t, "2024", nil)
	// next lacks 370911001 and two villages, and has the township's old name.
	assert.Equal(t, []Entry{{"370902101", "邱家店镇"}}, old.Diff(next))
}

func TestWithRefuses(t *testing.T) {
	old := parseTiny(t, "2023", nil)
	for _, tc := range []struct {
		name    string
		edition string
		entries []Entry
		msg     string
	}{
		{"bad edition", "", nil, "edition"},
		{"bad code", "2024", []Entry{{"3709021", "x"}}, `entry "3709021": a code has 2, 4, 6, 9 or 12 digits`},
		{"no parent", "2024", []Entry{{"370911001001", "粥店社区居委会"}}, "entry 370911001001: no parent township 370911001"},
		{"parent of a parent", "2024", []Entry{{"3710", "济宁市"}, {"371001", "济宁某区"}, {"371001001001", "某村"}}, "entry 371001001001: no parent township 371001001"},
		{"twice", "2024", []Entry{{"370911001", "粥店街道"}, {"370911001", "粥店镇"}}, "entry 370911001 given twice"},
		{"empty name", "2024", []Entry{{"370911001", ""}}, "entry 370911001: empty name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := old.With(tc.edition, tc.entries)
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

// On the embedded register: a renamed village and a new one make a diff of
// two entries, and replaying it gives the same register.
func TestDiffWithEmbedded(t *testing.T) {
	r := Embedded()
	changes := []Entry{{"370902101245", "新村委会"}, {"370902101201", "邱家店社区居委会"}}
	next, err := r.With("2024", changes)
	require.NoError(t, err)
	assert.Equal(t, r.Len()+1, next.Len())
	assert.Equal(t, r.Count(Province), next.Count(Province))
	full, _ := next.FullName("370902101201")
	assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店社区居委会", full)
	name, _ := r.Name("370902101201")
	assert.Equal(t, "邱家店村委会", name, "the embedded register is unchanged")

	diff := r.Diff(next)
	assert.Equal(t, []Entry{{"370902101201", "邱家店社区居委会"}, {"370902101245", "新村委会"}}, diff)
	replayed, err := r.With("2024", diff)
	require.NoError(t, err)
	sameContent(t, replayed, next)
}
