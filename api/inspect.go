package api

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"reflect"
	"strings"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/accesslog"
)

// inspectPage serves the inspectors' page (/inspect/): static HTML, CSS and
// JavaScript embedded in the binary, and /inspect/words.json, the domain's
// Chinese words the page shows. The page holds no data and needs no token;
// it calls the /v1 trace routes, the inbox and the notification stream
// with the token its user signs in with.
// ServeMux redirects /inspect to /inspect/.
func (s *Server) inspectPage() http.Handler {
	page, err := fs.Sub(webFiles, "web/inspect")
	if err != nil {
		panic("api: inspectors' page: " + err.Error())
	}
	files := http.StripPrefix("/inspect/", http.FileServerFS(page))
	words := inspectWords()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", inspectPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if r.URL.Path == "/inspect/words.json" {
			writeJSON(w, http.StatusOK, words)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// inspectPolicy lets the page run only its own script and style, and talk
// only to its own server. The printable report, fetched with the token and
// opened from a blob (which inherits this policy), is allowed its one
// inline style block by hash.
var inspectPolicy = "default-src 'none'; script-src 'self'; style-src 'self' " + reportStyleHash() +
	"; connect-src 'self'; img-src 'self' data: blob:; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// reportStyleHash is the CSP source ('sha256-…') of the printable report's
// inline <style> block, which holds no template action and so is fixed.
func reportStyleHash() string {
	page, err := fs.ReadFile(webFiles, "web/report.html")
	if err != nil {
		panic("api: report page: " + err.Error())
	}
	_, rest, ok := strings.Cut(string(page), "<style>")
	style, _, ok2 := strings.Cut(rest, "</style>")
	if !ok || !ok2 || strings.Contains(style, "{{") {
		panic("api: the report page's <style> block must be fixed text")
	}
	sum := sha256.Sum256([]byte(style))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// inspectWords are the Chinese words for what the trace report carries as
// codes: obligation kinds and statuses, roles and agencies (an owner no
// person holds yet is a role or an agency), qualifications — the domain's
// own labels —, the access log's actions, and the fields of a child's file
// a correction names.
func inspectWords() map[string]map[string]string {
	return map[string]map[string]string{
		"kinds":          domain.Labels[domain.DeadlineKind](),
		"statuses":       domain.Labels[domain.DeadlineStatus](),
		"roles":          domain.Labels[domain.Role](),
		"agencies":       domain.Labels[domain.Agency](),
		"qualifications": domain.Labels[domain.Qualification](),
		"actions":        accesslog.ZhActions(),
		"fields":         profileFieldWords(),
	}
}

// profileFieldWords name in Chinese the fields of a child's file (by their
// JSON names, as a correction names them) that the domain has words for.
func profileFieldWords() map[string]string {
	out := map[string]string{}
	for f := range reflect.TypeFor[domain.ChildRegistered]().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if zh := domain.ZhProfileField(name); name != "" && zh != name {
			out[name] = zh
		}
	}
	return out
}
