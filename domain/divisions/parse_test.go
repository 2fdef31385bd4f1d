package divisions

import (
	"errors"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	r := parseTiny(t, "test", nil)
	assert.Equal(t, "test", r.Edition())
	assert.Equal(t, 7, r.Len())
	assert.Equal(t, 2, r.Count(County))
	assert.Equal(t, []string{"370902001", "370902101"}, r.Children("370902"), "sorted though the file is not")
	full, ok := r.FullName("370902101201")
	assert.True(t, ok)
	assert.Equal(t, "山东省泰安市泰山区邱家店镇邱家店村委会", full)
	assert.Nil(t, r.Children("370911"), "a county without townships")
}

func TestParseReadsPlainVillages(t *testing.T) {
	fsys := sourceFS(t, tiny, nil)
	delete(fsys, "villages.csv.gz")
	fsys["villages.csv"] = &fstest.MapFile{Data: []byte(tiny["villages.csv"])}
	r, err := Parse(fsys, "plain")
	require.NoError(t, err)
	assert.True(t, r.Contains("370902101201"))
}

func TestParseErrors(t *testing.T) {
	const (
		villagesHeader = "code,name,streetCode,provinceCode,cityCode,areaCode\n"
		streetsHeader  = "code,name,areaCode,provinceCode,cityCode\n"
	)
	for _, tc := range []struct {
		name    string
		changes map[string]string
		file    string
		line    int
		msg     string
	}{
		{"missing file", map[string]string{"areas.csv": ""}, "areas.csv", 0, "cannot open"},
		{"missing villages", map[string]string{"villages.csv": ""}, "villages.csv.gz", 0, "cannot open"},
		{"empty file", map[string]string{"cities.csv": "\n"}, "cities.csv", 0, "empty file; want the header code,name,provinceCode"},
		{"wrong header", map[string]string{"cities.csv": "code,name\n3709,泰安市\n"}, "cities.csv", 1, "header code,name; want code,name,provinceCode"},
		{"too few columns", map[string]string{"streets.csv": streetsHeader + "370902101,\"邱家店镇\",370902,37\n"}, "streets.csv", 2, "4 columns; want 5"},
		{"too many columns", map[string]string{"provinces.csv": "code,name\n37,\"山东省\",x\n"}, "provinces.csv", 2, "3 columns; want 2"},
		{"short code", map[string]string{"streets.csv": streetsHeader + "37090210,\"邱家店镇\",370902,37,3709\n"}, "streets.csv", 2, `code "37090210": a township code has 9 digits`},
		{"letter in code", map[string]string{"cities.csv": "code,name,provinceCode\n37o9,\"泰安市\",37\n"}, "cities.csv", 2, `code "37o9": a city code has 4 digits`},
		{"ancestor disagrees", map[string]string{"villages.csv": villagesHeader + "370902101201,\"邱家店村委会\",370902101,37,3710,370902\n"}, "villages.csv.gz", 2, `cityCode "3710" disagrees with code 370902101201 (want 3709)`},
		{"parent missing", map[string]string{"villages.csv": villagesHeader + "370902101201,\"邱家店村委会\",370902101,37,3709,370902\n370902102201,\"无镇村委会\",370902102,37,3709,370902\n"}, "villages.csv.gz", 3, "village 370902102201 has no parent: township 370902102 is not in streets.csv"},
		{"duplicate code", map[string]string{"areas.csv": "code,name,cityCode,provinceCode\n370902,\"泰山区\",3709,37\n370911,\"岱岳区\",3709,37\n370902,\"泰山区\",3709,37\n"}, "areas.csv", 4, "code 370902 given twice (first on line 2)"},
		{"empty name", map[string]string{"provinces.csv": "code,name\n37,\"\"\n"}, "provinces.csv", 2, "code 37: empty name"},
		{"spaces around name", map[string]string{"provinces.csv": "code,name\n37,\" 山东省\"\n"}, "provinces.csv", 2, "surrounding spaces"},
		{"bad UTF-8", map[string]string{"provinces.csv": "code,name\n37,\"\xff\"\n"}, "provinces.csv", 2, "not valid UTF-8"},
		{"bare quote", map[string]string{"provinces.csv": "code,name\n37,山\"东省\n"}, "provinces.csv", 2, "bare \""},
		{"not gzip", map[string]string{"villages.csv": ""}, "villages.csv.gz", 0, "not gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := sourceFS(t, tiny, tc.changes)
			if tc.msg == "not gzip" {
				fsys["villages.csv.gz"] = &fstest.MapFile{Data: []byte(tiny["villages.csv"])}
			}
			_, err := Parse(fsys, "2023")
			var se *SourceError
			require.True(t, errors.As(err, &se), "want a *SourceError, got %v", err)
			assert.Equal(t, tc.file, se.File)
			assert.Equal(t, tc.line, se.Line)
			assert.Contains(t, se.Msg, tc.msg)
		})
	}
}

func TestSourceErrorText(t *testing.T) {
	assert.Equal(t, "divisions: areas.csv:4: code 370902 given twice (first on line 2)",
		(&SourceError{File: "areas.csv", Line: 4, Msg: "code 370902 given twice (first on line 2)"}).Error())
	assert.Equal(t, "divisions: areas.csv: cannot open", (&SourceError{File: "areas.csv", Msg: "cannot open"}).Error())
}

func TestParseRefusesBadEdition(t *testing.T) {
	for _, edition := range []string{"", " 2023", "20\n23"} {
		_, err := Parse(sourceFS(t, tiny, nil), edition)
		assert.ErrorContains(t, err, "edition", "%q", edition)
	}
}

func TestParseAcceptsBOM(t *testing.T) {
	r := parseTiny(t, "bom", map[string]string{"provinces.csv": "\ufeffcode,name\n37,\"山东省\"\n"})
	assert.Equal(t, []string{"37"}, slices.Collect(r.Under("", Province)))
}
