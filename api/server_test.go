package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/api/apitest"
)

func TestRegisterWorkerAndCloseUnknownCase(t *testing.T) {
	apitest.Backends(t, func(t *testing.T, env *apitest.Env) {
		admin := env.Token("admin", "all", "admin-1", "")
		res := env.Do("POST", "/v1/workers", admin, map[string]any{
			"name": "王芳", "role": "child_director", "jurisdiction": "370902101201",
		}, "Idempotency-Key", "w-1")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var ans api.Answer
		res.JSON(t, &ans)
		assert.NotEmpty(t, ans.ID)
		assert.Equal(t, int64(1), ans.Version)
		assert.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Len(t, ans.Events, 1)

		again := env.Do("POST", "/v1/workers", admin, `{"role":"child_director", "name":"王芳","jurisdiction":"370902101201"}`, "Idempotency-Key", "w-1")
		require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
		var ans2 api.Answer
		again.JSON(t, &ans2)
		assert.Equal(t, ans, ans2, "a retry answers as the first time did")

		other := env.Do("POST", "/v1/workers", admin, map[string]any{"name": "李明", "role": "child_director", "jurisdiction": "370902101201"}, "Idempotency-Key", "w-1")
		assert.Equal(t, http.StatusUnprocessableEntity, other.Status, string(other.Body))

		bad := env.Do("POST", "/v1/workers", admin, `{"name":"x","role":"chief","jurisdiction":"370902101201"}`)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		var p api.Problem
		bad.JSON(t, &p)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "role", p.Errors[0].Field)

		unknown := env.Do("POST", "/v1/workers", admin, `{"name":"x","role":"caseworker","jurisdiction":"370902","color":"red"}`)
		assert.Equal(t, http.StatusBadRequest, unknown.Status)
		unknown.JSON(t, &p)
		assert.Equal(t, "color", p.Errors[0].Field)

		missing := env.Do("POST", "/v1/workers", admin, `{"role":"caseworker","jurisdiction":"370902"}`)
		assert.Equal(t, http.StatusBadRequest, missing.Status)
		missing.JSON(t, &p)
		assert.Equal(t, "name", p.Errors[0].Field)

		assert.Equal(t, http.StatusUnauthorized, env.Do("POST", "/v1/workers", "", `{}`).Status)
		assert.Equal(t, http.StatusUnauthorized, env.Do("POST", "/v1/workers", admin+"x", `{}`).Status)
		caseworker := env.Token("caseworker", "370902", "cw-1", "")
		assert.Equal(t, http.StatusForbidden, env.Do("POST", "/v1/workers", caseworker, `{}`).Status)
		closeRes := env.Do("POST", "/v1/cases/nope/closure", caseworker, map[string]any{"occurred_at": "2026-01-01T10:00:00+08:00", "reason": "resolved"})
		assert.Equal(t, http.StatusNotFound, closeRes.Status, string(closeRes.Body))
		assert.Equal(t, "application/problem+json", closeRes.Header.Get("Content-Type"))

		inspector := env.Token("inspector", "all", "insp-1", "")
		integrity := env.Do("GET", "/v1/integrity", inspector, nil)
		require.Equal(t, http.StatusOK, integrity.Status)
		var v struct {
			OK                  bool   `json:"ok"`
			Checked             int64  `json:"checked"`
			FirstBrokenPosition *int64 `json:"first_broken_position"`
			Head                struct {
				Position int64  `json:"position"`
				Hash     string `json:"hash"`
			} `json:"head"`
			Walked       int64 `json:"walked"`
			Full         bool  `json:"full"`
			LastFullWalk struct {
				EndedAt time.Time `json:"ended_at"`
				Head    struct {
					Position int64 `json:"position"`
				} `json:"head"`
				OK bool `json:"ok"`
			} `json:"last_full_walk"`
			VerifiedAt time.Time `json:"verified_at"`
		}
		integrity.JSON(t, &v)
		assert.Contains(t, string(integrity.Body), `"first_broken_position":null`)
		assert.True(t, v.OK)
		assert.Nil(t, v.FirstBrokenPosition)
		assert.Equal(t, int64(1), v.Checked, "the one event, the worker registered")
		assert.Equal(t, int64(1), v.Head.Position)
		assert.Len(t, v.Head.Hash, 64)
		assert.Equal(t, int64(1), v.LastFullWalk.Head.Position)
		assert.True(t, v.LastFullWalk.OK)
		assert.False(t, v.VerifiedAt.IsZero())
		assert.False(t, v.LastFullWalk.EndedAt.After(v.VerifiedAt))
	})
}
