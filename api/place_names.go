package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/careledger/careledger/domain"
)

// jurisdictionKey is how encoding/json writes a member "jurisdiction"
// whose value is a string; preceded by '{' or ',' it can only be an
// object's key (inside a string value its quotes would be escaped).
var (
	jurisdictionKey  = []byte(`"jurisdiction":"`)
	jurisdictionName = []byte(`,"jurisdiction_name":`)
)

var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeAnswer answers with v as JSON in which every object that carries a
// jurisdiction code also carries jurisdiction_name, its full Chinese name
// from the register of divisions (API.md), right after it. An object that
// names its place itself is left as it is.
func (s *Server) writeAnswer(ctx context.Context, w http.ResponseWriter, status int, v any) {
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer answerBuffers.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.ErrorContext(ctx, "encode an answer", "error", err)
		http.Error(w, "encode the answer", http.StatusInternalServerError)
		return
	}
	out := withPlaceNames(buf.Bytes(), s.placeName(ctx))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// withPlaceNames inserts "jurisdiction_name":NAME after each member
// "jurisdiction":"CODE" of the compact JSON document doc, where name(CODE)
// is not empty and the object names no place of its own there. doc is
// returned as it is when it holds no jurisdiction.
func withPlaceNames(doc []byte, name func(code string) string) []byte {
	i := bytes.Index(doc, jurisdictionKey)
	if i < 0 {
		return doc
	}
	out := make([]byte, 0, len(doc)+len(doc)/4)
	names := map[string][]byte{}
	for i >= 0 {
		start := i + len(jurisdictionKey)
		end := bytes.IndexByte(doc[start:], '"')
		if end < 0 {
			break
		}
		end += start
		out = append(out, doc[:end+1]...)
		isKey := i > 0 && (doc[i-1] == '{' || doc[i-1] == ',')
		if isKey && !bytes.HasPrefix(doc[end+1:], jurisdictionName) {
			code := string(doc[start:end])
			quoted, ok := names[code]
			if !ok {
				if n := name(code); n != "" {
					quoted, _ = json.Marshal(n)
				}
				names[code] = quoted
			}
			if quoted != nil {
				out = append(out, jurisdictionName...)
				out = append(out, quoted...)
			}
		}
		doc = doc[end+1:]
		i = bytes.Index(doc, jurisdictionKey)
	}
	return append(out, doc...)
}

// placeName names a jurisdiction code from the register of divisions in
// use ("" for a code it lacks, or no code).
func (s *Server) placeName(ctx context.Context) func(code string) string {
	return func(code string) string {
		j, err := domain.ParseJurisdiction(code)
		if err != nil {
			return ""
		}
		return s.handlers.Places().Name(ctx, j)
	}
}
