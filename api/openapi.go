package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// openAPI is GET /openapi.json: the OpenAPI 3.1 document of every route
// (no token needed).
func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIJSON())
}

var openAPIOnce = sync.OnceValue(func() []byte {
	raw, err := marshalIndent(OpenAPIDocument())
	if err != nil {
		panic("api: encode the OpenAPI document: " + err.Error())
	}
	return raw
})

func openAPIJSON() []byte { return openAPIOnce() }

// operationDoc documents one operation.
type operationDoc struct {
	method, path string
	id           string // operationId
	tag          string
	summary      string
	roles        []string // none: no token
	query        []paramDoc
	body         string // the request body's schema, "" for none
	status       int    // the success status
	answer       string // the success body's schema, "" for none
	answerType   string // its media type (default application/json)
	etag         bool   // the answer carries an ETag
	headers      bool   // a command: If-Match and Idempotency-Key
	problems     []int
	html         bool   // Accept: text/html gives a page too
	list         bool   // a list: limit and cursor
	whoNote      string // who among the roles may, when the role alone does not say
}

// paramDoc documents a query parameter.
type paramDoc struct {
	name, description string
	schema            map[string]any
}

// OpenAPIDocument is the OpenAPI 3.1 document of the API, as data.
func OpenAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, op := range operationDocs() {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			if params := pathParams(op.path); len(params) > 0 {
				item["parameters"] = params
			}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.operation()
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "careledger",
			"version": "1",
			"summary": "Case management for rural left-behind children and children in difficulty (民发〔2019〕34号).",
			"description": "Event-sourced case-management core. Every /v1 call takes `Authorization: Bearer <token>`. " +
				"Errors are application/problem+json (RFC 9457). Queries read eventually consistent read models; " +
				"pass `min_position` (the `global_position` a command answered) to read your own writes. " +
				"Lists take `limit` (1–500, default 50) and the opaque `cursor` the previous page gave as `next_cursor`.",
		},
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"servers":           []any{map[string]any{"url": "/"}},
		"tags": []any{
			map[string]any{"name": "workers", "description": "Real-name register of workers and their training."},
			map[string]any{"name": "children", "description": "The child's file (一人一档案)."},
			map[string]any{"name": "cases", "description": "Cases (个案), from the report to closure."},
			map[string]any{"name": "referrals", "description": "Referrals (服务转介) as the receiving agencies read them."},
			map[string]any{"name": "oversight", "description": "Inquiries (倒查), access log, integrity, policy."},
			map[string]any{"name": "statistics", "description": "De-identified aggregates."},
			map[string]any{"name": "operations", "description": "Health, readiness, metrics, this document."},
		},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "careledger token",
					"description": "Issued by `careledger token issue --role R --jurisdiction J --subject S [--agency A]`."},
			},
			"schemas":    schemaDocs(),
			"parameters": sharedParams(),
			"responses":  problemResponses(),
			"headers": map[string]any{
				"ETag":        map[string]any{"description": "The stream's version, quoted: \"N\".", "schema": map[string]any{"type": "string", "example": `"3"`}},
				"Retry-After": map[string]any{"description": "Seconds to wait before retrying.", "schema": map[string]any{"type": "integer", "minimum": 1}},
			},
		},
	}
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// pathParams documents the path parameters a pattern names.
func pathParams(path string) []any {
	var out []any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		desc := "The resource's id."
		switch {
		case m[1] == "rid" && strings.Contains(path, "/rectifications/"):
			desc = "The rectification item's id (the findings' answer gives them as rectification_ids)."
		case m[1] == "rid":
			desc = "The referral's id (the referral command's answer gives it as referral_id)."
		}
		out = append(out, map[string]any{"name": m[1], "in": "path", "required": true, "description": desc,
			"schema": map[string]any{"type": "string"}})
	}
	return out
}

func (op operationDoc) operation() map[string]any {
	o := map[string]any{"operationId": op.id, "summary": op.summary, "tags": []any{op.tag}}
	if len(op.roles) == 0 {
		o["security"] = []any{}
		o["description"] = "No token needed."
	} else {
		o["description"] = "Roles: " + strings.Join(op.roles, ", ") + "."
		switch {
		case op.whoNote != "":
			o["description"] = "Roles: " + strings.Join(op.roles, ", ") + " (" + op.whoNote + ")."
		case slices.Contains(op.roles, "partner"):
			o["description"] = "Roles: " + strings.Join(op.roles, ", ") + " (a partner only for referrals to its own agency)."
		}
		o["x-roles"] = op.roles
	}
	var params []any
	for _, q := range op.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "required": false,
			"description": q.description, "schema": q.schema})
	}
	if strings.HasPrefix(op.path, "/v1/") && op.method == http.MethodGet {
		params = append(params, ref("parameters", "min_position"))
	}
	if op.list {
		params = append(params, ref("parameters", "limit"), ref("parameters", "cursor"))
	}
	if op.headers {
		params = append(params, ref("parameters", "If-Match"), ref("parameters", "Idempotency-Key"))
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.body != "" {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": ref("schemas", op.body)}}}
	}
	ok := map[string]any{"description": http.StatusText(op.status)}
	if op.answer != "" {
		mt := op.answerType
		if mt == "" {
			mt = "application/json"
		}
		content := map[string]any{mt: map[string]any{"schema": ref("schemas", op.answer)}}
		if op.html {
			content["text/html"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		ok["content"] = content
	} else if op.answerType != "" {
		ok["content"] = map[string]any{op.answerType: map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	if op.etag {
		ok["headers"] = map[string]any{"ETag": ref("headers", "ETag")}
	}
	responses := map[string]any{strconv.Itoa(op.status): ok}
	problems := op.problems
	if len(op.roles) > 0 {
		problems = append([]int{400, 401, 403}, problems...)
	}
	for _, st := range problems {
		responses[strconv.Itoa(st)] = ref("responses", strconv.Itoa(st))
	}
	o["responses"] = responses
	return o
}

func ref(kind, name string) map[string]any {
	return map[string]any{"$ref": "#/components/" + kind + "/" + name}
}

func problemResponses() map[string]any {
	out := map[string]any{}
	for _, st := range []int{400, 401, 403, 404, 409, 412, 413, 422, 503} {
		out[strconv.Itoa(st)] = map[string]any{
			"description": problemMeaning[st],
			"content": map[string]any{"application/problem+json": map[string]any{
				"schema": ref("schemas", "Problem")}},
		}
	}
	out["503"].(map[string]any)["headers"] = map[string]any{"Retry-After": ref("headers", "Retry-After")}
	return out
}

var problemMeaning = map[int]string{
	400: "Malformed JSON, an unknown field, a missing or invalid value (errors names the field).",
	401: "No token, a bad signature, or an expired token.",
	403: "Authenticated, but the role may not do this.",
	404: "No such resource, or it lies outside the caller's jurisdiction.",
	409: "The action breaks a rule of the case, or the stream kept changing.",
	412: "If-Match names a version that is no longer current.",
	413: "The body is too large.",
	422: "Well-formed but impossible (e.g. occurred_at in the future), or an Idempotency-Key reused with another body.",
	503: "Read models did not reach min_position in time, the request was cut short, or the database's disk is full " +
		"(type urn:careledger:problem:storage-full: nothing was recorded; retry once space is freed). Retry-After says when to retry.",
}

func sharedParams() map[string]any {
	return map[string]any{
		"min_position": map[string]any{"name": "min_position", "in": "query", "required": false,
			"description": "Wait (up to 5 s) until the read models have applied the log up to this global position.",
			"schema":      map[string]any{"type": "integer", "minimum": 0}},
		"If-Match": map[string]any{"name": "If-Match", "in": "header", "required": false,
			"description": "Apply only if the stream is still at this version (its ETag), else 412.",
			"schema":      map[string]any{"type": "string", "example": `"3"`}},
		"Idempotency-Key": map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "The same key from the same subject within 24 h answers as the first time and appends nothing; with another body, 422. " +
				"A request about a child is told from another by a fingerprint sealed under the child's key: once the child's data is erased " +
				"a retry can no longer be confirmed, and the key answers 422 too (except the erasure's own).",
			"schema": map[string]any{"type": "string", "maxLength": 200}},
		"limit": map[string]any{"name": "limit", "in": "query", "required": false, "description": "Items per page.",
			"schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
		"cursor": map[string]any{"name": "cursor", "in": "query", "required": false,
			"description": "Where the page starts: the next_cursor of the previous page.", "schema": map[string]any{"type": "string"}},
	}
}

// marshalIndent encodes v as indented JSON, leaving <, > and & as they are.
func marshalIndent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
