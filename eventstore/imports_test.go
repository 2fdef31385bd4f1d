package eventstore_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLogKnowsNoDomain keeps the log below the domain. No Go file under
// eventstore/, tests included, imports the domain, the use cases, the read
// models, the API, the commands or eventlog (which binds the domain to the
// log). What the log must know about events (privacy.Catalog) is passed in.
func TestLogKnowsNoDomain(t *testing.T) {
	const module = "github.com/careledger/careledger/"
	above := []string{"domain", "commands", "projections", "api", "cmd", "eventlog"}
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, pkg := range above {
				if p == module+pkg || strings.HasPrefix(p, module+pkg+"/") {
					t.Errorf("eventstore/%s imports %s", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d Go files found under eventstore/", files)
	}
}
