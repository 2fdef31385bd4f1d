package api

import (
	"context"
	"sync"
	"time"

	"github.com/careledger/careledger/domain"
)

// registerCacheLife is how long the server trusts what it read of a
// worker's register entry when authenticating. The server forgets a
// worker as soon as it records a change to it; another server of the same
// deployment sees the change within this time.
const registerCacheLife = 2 * time.Second

// registerCacheSize bounds the entries kept; when full, the cache starts
// over (an entry costs one read of the worker's stream to make again).
const registerCacheSize = 10_000

// registerCache keeps, for a short while, what the register says of the
// workers whose tokens the server has seen, so that authenticating a
// request does not read the worker's stream each time.
type registerCache struct {
	mu      sync.Mutex
	entries map[string]cachedWorker
	// forgets counts forget calls: an entry read while a change was being
	// recorded is not kept, as it may be older than the change.
	forgets uint64
}

type cachedWorker struct {
	facts domain.WorkerFacts
	read  time.Time
}

// worker answers the worker's facts, read through load when the cache has
// none younger than registerCacheLife.
func (c *registerCache) worker(ctx context.Context, id string, load func(context.Context, string) (domain.WorkerFacts, error)) (domain.WorkerFacts, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[id]
	forgets := c.forgets
	c.mu.Unlock()
	if ok && now.Sub(e.read) < registerCacheLife {
		return e.facts, nil
	}
	facts, err := load(ctx, id)
	if err != nil {
		return domain.WorkerFacts{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.forgets != forgets {
		return facts, nil
	}
	if c.entries == nil || len(c.entries) >= registerCacheSize {
		c.entries = make(map[string]cachedWorker)
	}
	c.entries[id] = cachedWorker{facts: facts, read: now}
	return facts, nil
}

// forget drops what the cache knows of a worker; the next request reads
// the worker's stream.
func (c *registerCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	delete(c.entries, id)
}
