package tests

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The layers of the house (../shared/STYLE.md, "From our own house"; the
// issue "One fold, one codec, layers that hold"): who may depend on whom.
// Each rule names packages by their path in the module (a prefix names a
// package and everything under it) and the packages they must not depend
// on, directly or through others. Only non-test files count; test support
// packages keep the rules of their layer too, but for api/apitest, which
// wires the whole server over a real store as `serve` does (what drives
// the write side to check the read side lives in tests/readtest).
var layerRules = []struct {
	packages string
	forbid   []string
	why      string
}{
	{"eventstore", []string{"domain", "eventlog", "commands", "projections", "api", "cmd"},
		"the log knows no domain: the domain's catalog of personal data is passed in"},
	{"eventlog", []string{"commands", "projections", "api", "cmd"}, "the codec sits below both sides"},
	{"projections", []string{"commands", "api", "cmd"}, "the read side does not depend on the write side or on HTTP"},
	{"commands", []string{"api", "projections", "cmd"}, "the write side does not depend on the read side or on HTTP"},
	{"api", []string{"eventstore/sqlite", "eventstore/postgres", "eventstore/kurrent", "eventstore/privacy", "cmd"},
		"HTTP reaches the log only through commands and the read side"},
}

// TestLayersHold fails when a package depends on a layer it must not.
func TestLayersHold(t *testing.T) {
	t.Parallel()
	root, module := moduleRoot(t)
	graph := importGraph(t, root, module)
	require.NotEmpty(t, graph["domain"], "the graph was read")
	for _, rule := range layerRules {
		for pkg := range graph {
			if !under(pkg, rule.packages) || testSupport(pkg) {
				continue
			}
			for _, dep := range dependencies(graph, pkg) {
				for _, forbidden := range rule.forbid {
					assert.False(t, under(dep, forbidden), "%s depends on %s: %s", pkg, dep, rule.why)
				}
			}
		}
	}
	// api does not import the store itself either: it reads through the
	// read side (record) and writes through commands.
	for pkg, imports := range graph {
		if under(pkg, "api") && !testSupport(pkg) {
			for _, imp := range imports.internal {
				assert.False(t, under(imp, "eventstore"), "%s imports %s directly", pkg, imp)
			}
		}
	}
}

// TestDomainImportsOnlyTheStandardLibraryAndUUID: the domain does no I/O
// and knows no framework; it reads its own packages only (the register of
// divisions).
func TestDomainImportsOnlyTheStandardLibraryAndUUID(t *testing.T) {
	t.Parallel()
	root, module := moduleRoot(t)
	graph := importGraph(t, root, module)
	for pkg, imports := range graph {
		if !under(pkg, "domain") {
			continue
		}
		for _, imp := range imports.internal {
			assert.True(t, under(imp, "domain"), "%s imports %s, outside the domain", pkg, imp)
		}
		for _, imp := range imports.external {
			std := !strings.Contains(strings.Split(imp, "/")[0], ".")
			assert.True(t, std || imp == "github.com/google/uuid", "%s imports %s", pkg, imp)
		}
	}
}

// TestNoFileOver500Lines: files are small, by concern.
func TestNoFileOver500Lines(t *testing.T) {
	t.Parallel()
	root, _ := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		n, err := countLines(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		assert.LessOrEqual(t, n, 500, "%s has %d lines: split it by concern", rel, n)
		return nil
	})
	require.NoError(t, err)
}

// imports are a package's imports: those within the module (by path
// within it) and the others.
type imports struct {
	internal, external []string
}

// moduleRoot finds go.mod above the test's directory and the module path.
func moduleRoot(t *testing.T) (root, module string) {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					return dir, strings.TrimSpace(m)
				}
			}
			t.Fatal("go.mod names no module")
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the tests")
		dir = parent
	}
}

// importGraph reads the imports of every package of the module from its
// non-test Go files, keyed by the package's path within the module.
func importGraph(t *testing.T, root, module string) map[string]imports {
	t.Helper()
	graph := map[string]imports{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		im := graph[pkg]
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if inner, ok := strings.CutPrefix(p, module+"/"); ok {
				if !slices.Contains(im.internal, inner) {
					im.internal = append(im.internal, inner)
				}
			} else if !slices.Contains(im.external, p) {
				im.external = append(im.external, p)
			}
		}
		graph[pkg] = im
		return nil
	})
	require.NoError(t, err)
	return graph
}

// dependencies are the module's packages pkg depends on, directly or not.
func dependencies(graph map[string]imports, pkg string) []string {
	seen := map[string]bool{}
	var visit func(p string)
	visit = func(p string) {
		for _, dep := range graph[p].internal {
			if !seen[dep] {
				seen[dep] = true
				visit(dep)
			}
		}
	}
	visit(pkg)
	out := make([]string, 0, len(seen))
	for dep := range seen {
		out = append(out, dep)
	}
	sort.Strings(out)
	return out
}

// testSupport reports whether pkg is a package tests share (its name ends
// in "test": apitest, enginetest, storetest…), not part of the product.
func testSupport(pkg string) bool {
	return strings.HasSuffix(pkg[strings.LastIndex(pkg, "/")+1:], "test")
}

// under reports whether pkg is prefix or lies under it.
func under(pkg, prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		n++
	}
	return n, s.Err()
}
