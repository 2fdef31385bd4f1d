package divisions

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The embedded register holds the rows of the 2023 source files:
// provinces.csv 31, cities.csv 342, areas.csv 2,978, streets.csv 41,352,
// villages.csv.gz 620,573.
func TestEmbeddedCounts(t *testing.T) {
	r := Embedded()
	assert.Same(t, r, Embedded(), "loaded once")
	assert.Equal(t, "2023", r.Edition())
	want := map[Level]int{Province: 31, City: 342, County: 2978, Township: 41352, Village: 620573}
	total := 0
	for l, n := range want {
		assert.Equal(t, n, r.Count(l), l.String())
		total += n
	}
	assert.Equal(t, total, r.Len())
	assert.Zero(t, r.Count(0))
	assert.Zero(t, r.Count(Village+1))
}

func TestEmbeddedIsConsistent(t *testing.T) {
	r := Embedded()
	require.NoError(t, r.checkParents())
	for _, l := range levels {
		tb := &r.tables[l]
		assert.True(t, slices.IsSorted(tb.codes), l.String())
		for i := range tb.len() {
			if msg := checkName(tb.name(i)); msg != "" {
				t.Fatalf("%s: %s", formatCode(tb.codes[i], widths[l]), msg)
			}
		}
	}
}

// 泰山区 of 泰安市, 山东省: eight townships; 邱家店镇 has 44 villages.
func TestTaishan(t *testing.T) {
	r := Embedded()
	name, ok := r.Name("370902")
	require.True(t, ok)
	assert.Equal(t, "泰山区", name)

	townships := r.Children("370902")
	assert.Equal(t, []string{"370902001", "370902002", "370902003", "370902004", "370902005", "370902100", "370902101", "370902202"}, townships)
	var names []string
	for _, c := range townships {
		n, _ := r.Name(c)
		names = append(names, n)
	}
	assert.Equal(t, []string{"岱庙街道", "财源街道", "泰前街道", "上高街道", "徐家楼街道", "省庄镇", "邱家店镇", "大津口乡"}, names)
	assert.Equal(t, townships, slices.Collect(r.Under("370902", Township)))

	name, ok = r.Name("370902101201")
	require.True(t, ok)
	assert.Equal(t, "邱家店村委会", name)
	full, ok := r.FullName("370902101201")
	require.True(t, ok)
	assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", full)

	villages := slices.Collect(r.Under("370902", Village))
	assert.Len(t, villages, 214)
	assert.True(t, slices.IsSorted(villages))
	assert.Len(t, r.Children("370902101"), 44)
	assert.Equal(t, "370902101201", r.Children("370902101")[0])
	assert.Equal(t, "370902101244", r.Children("370902101")[43])

	parent, ok := r.Parent("370902101201")
	assert.True(t, ok)
	assert.Equal(t, "370902101", parent)
	parent, ok = r.Parent("3709")
	assert.True(t, ok)
	assert.Equal(t, "37", parent)
	_, ok = r.Parent("37")
	assert.False(t, ok, "a province has no parent")
}

func TestNotContained(t *testing.T) {
	r := Embedded()
	for _, code := range []string{"370902124", "370902101299", "99", "3799", "", "370902x", "37090210120", "３７"} {
		assert.False(t, r.Contains(code), "%q", code)
		_, ok := r.Name(code)
		assert.False(t, ok, "%q", code)
		_, ok = r.FullName(code)
		assert.False(t, ok, "%q", code)
		_, ok = r.Parent(code)
		assert.False(t, ok, "%q", code)
		assert.Nil(t, r.Children(code), "%q", code)
	}
	assert.True(t, r.Contains("370902101201"))
	assert.Nil(t, r.Children("370902101201"), "a village has no children")
}

func TestFullNameLeavesOutPlaceholders(t *testing.T) {
	r := Embedded()
	for code, want := range map[string]string{
		"110101001001": "北京市东城区东华门街道多福巷社区居委会", // city 1101 is 市辖区
		"500229":       "重庆市城口县",              // city 5002 is 县
		"419001001":    "河南省济源市济源市沁园街道",       // city 4190 is 省直辖县级行政区划
		"659001":       "新疆维吾尔自治区石河子市",        // city 6590 is 自治区直辖县级行政区划
		"441900003001": "广东省东莞市东城街道岗贝社区居民委员会", // county 441900 is 东莞市 again
		"441900":       "广东省东莞市",
		"350527000000": "福建省泉州市金门县", // township and village repeat 金门县
		"1101":         "北京市市辖区",    // a placeholder's own name is kept
		"37":           "山东省",
	} {
		got, ok := r.FullName(code)
		assert.True(t, ok, code)
		assert.Equal(t, want, got, code)
	}
}

func TestUnder(t *testing.T) {
	r := Embedded()
	provinces := slices.Collect(r.Under("", Province))
	assert.Len(t, provinces, 31)
	assert.Equal(t, "11", provinces[0])
	assert.Equal(t, "65", provinces[30])
	n := 0
	for range r.Under("", Village) {
		n++
	}
	assert.Equal(t, 620573, n)
	assert.Len(t, slices.Collect(r.Under("37", City)), 16)
	assert.Equal(t, []string{"370902101201"}, slices.Collect(r.Under("370902101201", Village)))
	assert.Len(t, slices.Collect(r.Under("3709021012", Village)), 44, "any prefix, not only a code")
	assert.Empty(t, slices.Collect(r.Under("370902101201", Township)), "prefix longer than the level's codes")
	assert.Empty(t, slices.Collect(r.Under("37a", Village)))
	assert.Empty(t, slices.Collect(r.Under("37", 0)))
	assert.Empty(t, slices.Collect(r.Under("99", County)))

	// Stopping early.
	var first []string
	for c := range r.Under("37", Village) {
		first = append(first, c)
		if len(first) == 3 {
			break
		}
	}
	assert.Len(t, first, 3)
}

// FuzzLookup feeds arbitrary strings to every lookup: none panics, and
// they agree with each other.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"", "37", "370902", "370902101201", "370902124", "99", "1101", "441900", "\xff", "3709021012011"} {
		f.Add(s)
	}
	r := Embedded()
	f.Fuzz(func(t *testing.T, code string) {
		ok := r.Contains(code)
		name, nameOK := r.Name(code)
		full, fullOK := r.FullName(code)
		parent, parentOK := r.Parent(code)
		children := r.Children(code)
		for l := Province - 1; l <= Village+1; l++ {
			for c := range r.Under(code, l) {
				if !r.Contains(c) {
					t.Fatalf("Under(%q, %v) yields %s, not in the register", code, l, c)
				}
			}
		}
		if nameOK != ok || fullOK != ok {
			t.Fatalf("%q: Contains %v, Name %v, FullName %v", code, ok, nameOK, fullOK)
		}
		if !ok {
			if name != "" || full != "" || parentOK || children != nil {
				t.Fatalf("%q is not in the register but has a name, parent or children", code)
			}
			return
		}
		if _, valid := LevelOf(code); !valid {
			t.Fatalf("%q is in the register but is no code", code)
		}
		if parentOK && !r.Contains(parent) {
			t.Fatalf("%q has parent %s, not in the register", code, parent)
		}
		for _, c := range children {
			if p, _ := r.Parent(c); p != code {
				t.Fatalf("child %s of %s has parent %s", c, code, p)
			}
		}
	})
}
