package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
)

func TestRegisterCache(t *testing.T) {
	ctx := context.Background()
	reads := 0
	stored := domain.WorkerFacts{ID: "w-1", Role: domain.RoleChildDirector}
	load := func(context.Context, string) (domain.WorkerFacts, error) {
		reads++
		return stored, nil
	}
	var c registerCache

	t.Run("a fresh entry is answered without reading the stream", func(t *testing.T) {
		for range 3 {
			w, err := c.worker(ctx, "w-1", load)
			require.NoError(t, err)
			assert.Equal(t, stored, w)
		}
		assert.Equal(t, 1, reads)
	})

	t.Run("a forgotten worker is read again", func(t *testing.T) {
		stored.Role = domain.RoleChildSupervisor
		c.forget("w-1")
		w, err := c.worker(ctx, "w-1", load)
		require.NoError(t, err)
		assert.Equal(t, domain.RoleChildSupervisor, w.Role)
		assert.Equal(t, 2, reads)
	})

	t.Run("what was read while a change was recorded is not kept", func(t *testing.T) {
		c.forget("w-2")
		racing := func(context.Context, string) (domain.WorkerFacts, error) {
			reads++
			c.forget("w-2") // the change lands while the stream is read
			return domain.WorkerFacts{ID: "w-2"}, nil
		}
		_, err := c.worker(ctx, "w-2", racing)
		require.NoError(t, err)
		_, err = c.worker(ctx, "w-2", load)
		require.NoError(t, err)
		assert.Equal(t, 4, reads, "the second request read the stream again")
	})

	t.Run("an entry older than its life is read again", func(t *testing.T) {
		c.mu.Lock()
		e := c.entries["w-1"]
		e.read = e.read.Add(-registerCacheLife)
		c.entries["w-1"] = e
		c.mu.Unlock()
		_, err := c.worker(ctx, "w-1", load)
		require.NoError(t, err)
		assert.Equal(t, 5, reads)
	})
}
