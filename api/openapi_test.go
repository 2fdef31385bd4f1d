package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api/apitest"
)

// mountServeRoutes mounts what `careledger serve` mounts beside the API.
func mountServeRoutes(env *apitest.Env) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "{}") })
	for _, p := range []string{"GET /healthz", "GET /readyz", "GET /metrics"} {
		env.Server.Handle(p, ok)
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, "sqlite")
	mountServeRoutes(env)
	res := env.Do("GET", "/openapi.json", "", nil)
	require.Equal(t, http.StatusOK, res.Status)
	assert.Contains(t, res.Header.Get("Content-Type"), "application/json")
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
			Schemas         map[string]any            `json:"schemas"`
		} `json:"components"`
	}
	res.JSON(t, &doc)
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	assert.Equal(t, "bearer", doc.Components.SecuritySchemes["bearer"]["scheme"])
	for _, name := range []string{"Problem", "Child", "Case", "Deadline", "Event", "Timeline", "Caseload", "Stats", "AccessLog", "CommandAnswer"} {
		assert.Contains(t, doc.Components.Schemas, name)
	}

	registered := map[string][]string{}
	for _, r := range env.Server.Routes() {
		registered[r.Method+" "+r.Pattern] = roleNames(r.Roles())
	}
	documented := map[string]map[string]any{}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths {
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = op.(map[string]any)
		}
		var want []string
		for _, m := range param.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		assert.Equal(t, want, pathParamNames(t, res.Body, path), "the path parameters of %s are named as the route names them", path)
	}
	for route, roles := range registered {
		op, ok := documented[route]
		if !assert.True(t, ok, "%s is registered but not documented", route) {
			continue
		}
		if len(roles) == 0 {
			assert.Equal(t, []any{}, op["security"], "%s needs no token", route)
			continue
		}
		var documentedRoles []string
		for _, r := range op["x-roles"].([]any) {
			documentedRoles = append(documentedRoles, r.(string))
		}
		sort.Strings(documentedRoles)
		assert.Equal(t, roles, documentedRoles, "the roles of %s", route)
		responses := op["responses"].(map[string]any)
		for _, st := range []string{"401", "403"} {
			assert.Contains(t, responses, st, "%s documents its %s problem", route, st)
		}
	}
	for route := range documented {
		_, ok := registered[route]
		assert.True(t, ok, "%s is documented but not registered", route)
	}
	assertRefsResolve(t, res.Body)
}

func roleNames[R interface{ String() string }](roles []R) []string {
	out := []string{}
	for _, r := range roles {
		out = append(out, r.String())
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// pathParamNames reads the names of a path's parameters from the document.
func pathParamNames(t *testing.T, raw []byte, path string) []string {
	t.Helper()
	var doc struct {
		Paths map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	var names []string
	for _, p := range doc.Paths[path].Parameters {
		if p.In == "path" {
			names = append(names, p.Name)
		}
	}
	return names
}

// assertRefsResolve checks that every $ref names a component that exists.
func assertRefsResolve(t *testing.T, raw []byte) {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	components := doc["components"].(map[string]any)
	var refs []string
	var visit func(v any)
	visit = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				refs = append(refs, r)
			}
			for _, y := range x {
				visit(y)
			}
		case []any:
			for _, y := range x {
				visit(y)
			}
		}
	}
	visit(doc)
	require.NotEmpty(t, refs)
	for _, r := range slices.Compact(slices.Sorted(slices.Values(refs))) {
		parts := strings.Split(strings.TrimPrefix(r, "#/components/"), "/")
		require.Len(t, parts, 2, r)
		kind, _ := components[parts[0]].(map[string]any)
		assert.Contains(t, kind, parts[1], "%s resolves", r)
	}
}
