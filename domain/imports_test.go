package domain

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDomainImportsNoFramework keeps the domain free of I/O frameworks:
// its non-test files, and those of the register of divisions it reads
// (but for that register's generator), import only the standard library,
// github.com/google/uuid and the register.
func TestDomainImportsNoFramework(t *testing.T) {
	allowed := map[string]bool{"github.com/google/uuid": true, "github.com/careledger/careledger/domain/divisions": true}
	forbidden := map[string]bool{"net/http": true, "database/sql": true, "os": true, "net": true}
	for _, dir := range []string{".", "divisions"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			checkImports(t, dir, e.Name(), allowed, forbidden)
		}
	}
}

func checkImports(t *testing.T, dir, name string, allowed, forbidden map[string]bool) {
	t.Helper()
	if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
		return
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		first, _, _ := strings.Cut(path, "/")
		if forbidden[path] || (strings.Contains(first, ".") && !allowed[path]) {
			t.Errorf("%s imports %s", filepath.Join(dir, name), path)
		}
	}
}
