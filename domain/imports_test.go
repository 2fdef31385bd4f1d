package domain

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDomainImportsNoFramework keeps the domain free of I/O frameworks:
// its non-test files import only the standard library and
// github.com/google/uuid.
func TestDomainImportsNoFramework(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/google/uuid": true}
	forbidden := map[string]bool{"net/http": true, "database/sql": true, "os": true, "net": true}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if forbidden[path] || (strings.Contains(first, ".") && !allowed[path]) {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
