package divisions

import (
	"bytes"
	"compress/gzip"
	"testing"
	"testing/fstest"
)

// tiny is a valid set of source files: one line of each level, and a
// second county and township to give Children something to list.
var tiny = map[string]string{
	"provinces.csv": "code,name\n37,\"山东省\"\n",
	"cities.csv":    "code,name,provinceCode\n3709,\"泰安市\",37\n",
	"areas.csv":     "code,name,cityCode,provinceCode\n370902,\"泰山区\",3709,37\n370911,\"岱岳区\",3709,37\n",
	"streets.csv":   "code,name,areaCode,provinceCode,cityCode\n370902101,\"邱家店镇\",370902,37,3709\n370902001,\"岱庙街道\",370902,37,3709\n",
	"villages.csv":  "code,name,streetCode,provinceCode,cityCode,areaCode\n370902101201,\"邱家店村委会\",370902101,37,3709,370902\n",
}

// sourceFS is files as a file system, villages.csv gzipped into
// villages.csv.gz; with changes applied (an empty content removes a file).
func sourceFS(t testing.TB, files map[string]string, changes map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	put := func(name, content string) {
		if content == "" {
			delete(fsys, name)
			return
		}
		if name == "villages.csv" {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write([]byte(content))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			name, content = "villages.csv.gz", b.String()
		}
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	for name, content := range files {
		put(name, content)
	}
	for name, content := range changes {
		if name == "villages.csv" {
			delete(fsys, "villages.csv.gz")
		}
		put(name, content)
	}
	return fsys
}

// parseTiny parses tiny with changes applied, failing the test on error.
func parseTiny(t testing.TB, edition string, changes map[string]string) *Register {
	t.Helper()
	r, err := Parse(sourceFS(t, tiny, changes), edition)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameContent fails the test unless a and b hold the same edition and
// divisions.
func sameContent(t testing.TB, a, b *Register) {
	t.Helper()
	if a.Edition() != b.Edition() || a.Len() != b.Len() {
		t.Fatalf("edition %s with %d divisions, want %s with %d", a.Edition(), a.Len(), b.Edition(), b.Len())
	}
	if d := a.Diff(b); len(d) > 0 {
		t.Fatalf("%d divisions differ, first %v", len(d), d[0])
	}
	if d := b.Diff(a); len(d) > 0 {
		t.Fatalf("%d divisions differ, first %v", len(d), d[0])
	}
}
