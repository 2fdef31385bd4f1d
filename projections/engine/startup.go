package engine

import (
	"context"
	"time"
)

// DefaultRebuildBehind is Options.RebuildBehind's default.
const DefaultRebuildBehind = 50000

// rebuildFarBehind rebuilds, before Run follows the log, the projections
// that are so far behind that the rebuild path (a page of the log read and
// decoded once for all of them, applied in large transactions, indexes
// made after the load) reaches the head sooner than catching up event by
// event would: at least Options.RebuildBehind events behind, and at least a
// quarter of the log (the live path runs at about a sixth of the rebuild
// rate, and a rebuild starts from position 1). A server started on a large
// log with empty read models — a new deployment, or a build that changed a
// read model's schema — is ready at the rebuild rate. A rebuild that fails
// (another process rebuilding the same projection, say) is logged and the
// projections catch up live as before: the live tables are left as they
// were.
func (e *Engine) rebuildFarBehind(ctx context.Context) {
	if e.opts.RebuildBehind < 0 {
		return
	}
	threshold := e.opts.RebuildBehind
	if threshold == 0 {
		threshold = DefaultRebuildBehind
	}
	head, err := e.log.Head(ctx)
	if err != nil {
		return // the followers will report it
	}
	var names []string
	for _, p := range e.projections {
		behind := head.Position - e.position(p.Name())
		if behind >= threshold && behind*4 >= head.Position {
			names = append(names, p.Name())
		}
	}
	if len(names) == 0 {
		return
	}
	e.opts.Logger.Info("projections: far behind the log, rebuilding instead of catching up event by event",
		"projections", names, "head", head.Position)
	began := time.Now()
	if err := e.Rebuild(ctx, nil, names...); err != nil {
		if ctx.Err() == nil {
			e.opts.Logger.Warn("projections: rebuild at start failed, catching up live", "error", err)
		}
		return
	}
	e.opts.Logger.Info("projections: rebuilt at start", "projections", names, "head", head.Position,
		"seconds", time.Since(began).Seconds())
}
