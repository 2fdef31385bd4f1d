package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Rule   string       `json:"rule,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// public: the detail of a 5xx names no internals and is sent as is.
	public bool
	// retryAfter is the Retry-After of a 503, in seconds (default 1).
	retryAfter int
}

// FieldError names a request field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Errors the api itself raises, beside the domain's, the commands' and the
// store's; writeError turns each into its status.
var (
	// ErrMalformed: the body is not the JSON the route takes (400).
	ErrMalformed = errors.New("malformed request")
	// ErrTooLarge: the body exceeds the limit (413).
	ErrTooLarge = errors.New("request body too large")
	// ErrNotReady: min_position was not reached in time (503).
	ErrNotReady = errors.New("read models not caught up")
)

// storageFullRetry is the Retry-After, in seconds, of a command refused for
// a full disk: space comes back when someone frees it, not in a second.
const storageFullRetry = 30

// problemOf classifies an error into a problem, by errors.Is / errors.As.
func problemOf(err error) Problem {
	var (
		inv  *domain.InvalidError
		imp  *domain.ImpossibleError
		rule *domain.RuleError
	)
	switch {
	case errors.As(err, &inv):
		return Problem{Type: "urn:careledger:problem:invalid", Title: "请求无效 Invalid request", Status: http.StatusBadRequest,
			Detail: err.Error(), Errors: []FieldError{{Field: inv.Field, Message: inv.Message}}}
	case errors.Is(err, ErrMalformed):
		return Problem{Type: "urn:careledger:problem:malformed", Title: "请求格式错误 Malformed request", Status: http.StatusBadRequest, Detail: err.Error()}
	case errors.Is(err, ErrUnauthenticated):
		return Problem{Type: "urn:careledger:problem:unauthenticated", Title: "未认证 Unauthenticated", Status: http.StatusUnauthorized, Detail: err.Error()}
	case errors.Is(err, domain.ErrForbidden):
		return Problem{Type: "urn:careledger:problem:forbidden", Title: "无权操作 Forbidden", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, domain.ErrNotFound):
		return Problem{Type: "urn:careledger:problem:not-found", Title: "未找到 Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.As(err, &rule):
		return Problem{Type: "urn:careledger:problem:rule", Title: "违反个案规则 Rule of the case broken", Status: http.StatusConflict,
			Detail: err.Error(), Rule: rule.Rule}
	case errors.Is(err, commands.ErrConflict):
		return Problem{Type: "urn:careledger:problem:conflict", Title: "版本冲突 Conflict", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, commands.ErrPreconditionFailed):
		return Problem{Type: "urn:careledger:problem:precondition-failed", Title: "版本已变 Precondition failed", Status: http.StatusPreconditionFailed, Detail: err.Error()}
	case errors.As(err, &imp):
		return Problem{Type: "urn:careledger:problem:impossible", Title: "请求不可能成立 Unprocessable", Status: http.StatusUnprocessableEntity,
			Detail: err.Error(), Errors: []FieldError{{Field: imp.Field, Message: imp.Message}}}
	case errors.Is(err, domain.ErrImpossible), errors.Is(err, commands.ErrIdempotencyKeyReused):
		return Problem{Type: "urn:careledger:problem:impossible", Title: "请求不可能成立 Unprocessable", Status: http.StatusUnprocessableEntity, Detail: err.Error()}
	case errors.Is(err, ErrTooLarge):
		return Problem{Type: "urn:careledger:problem:too-large", Title: "请求过大 Request too large", Status: http.StatusRequestEntityTooLarge, Detail: err.Error()}
	case errors.Is(err, commands.ErrStorageFull):
		return Problem{Type: "urn:careledger:problem:storage-full", Title: "存储空间已满 Storage full", Status: http.StatusServiceUnavailable,
			Detail: "the database's disk is full, so nothing was recorded; retry once space is freed, the server needs no restart",
			public: true, retryAfter: storageFullRetry}
	case errors.Is(err, ErrNotReady):
		return Problem{Type: "urn:careledger:problem:not-ready", Title: "读模型尚未追上 Not caught up", Status: http.StatusServiceUnavailable, Detail: err.Error()}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Problem{Type: "urn:careledger:problem:unavailable", Title: "服务暂不可用 Unavailable", Status: http.StatusServiceUnavailable, Detail: "the request was cut short"}
	}
	// Anything else is ours: its detail may name internals, so it is only logged.
	return Problem{Type: "urn:careledger:problem:internal", Title: "内部错误 Internal error", Status: http.StatusInternalServerError}
}

// writeError answers with the problem an error amounts to. Internal errors
// are logged with the request id; their text is not sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()), "error", err)
		if p.public {
			p.Detail += " (request id " + requestID(r.Context()) + ")"
		} else {
			p.Detail = "request id " + requestID(r.Context())
		}
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="careledger"`)
	}
	if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(max(p.retryAfter, 1)))
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
