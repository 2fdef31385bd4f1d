package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// page is the payload of a watermill message, a notice that the log holds
// events From to To. It carries no events: a projection takes them from
// the events this process's feeder decoded (recent) or reads them from the
// log.
type page struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// Run applies events until ctx ends: every projection first catches up
// from the log (those far behind by a rebuild, see rebuildFarBehind), then
// follows the notices the feeder publishes. It is Feed and Follow in one
// process.
func (e *Engine) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.rebuildFarBehind(ctx)
	wait, err := e.startFollowing(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	err = e.feed(ctx)
	cancel()
	wait()
	if e.inProcess != nil {
		_ = e.inProcess.Close()
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Feed publishes a notice of each new page of the log until ctx ends, for
// projections that run in other processes (see Follow). Meanwhile it
// mirrors their checkpoints from the read-model database, so that WaitFor,
// Statuses and Lags tell where those projections stand. It needs
// Options.Publisher.
func (e *Engine) Feed(ctx context.Context) error {
	if e.inProcess != nil {
		return errors.New("projections: Feed needs Options.Publisher, a pub/sub other processes follow")
	}
	if e.opts.Publisher == nil {
		return errors.New("projections: Feed needs Options.Publisher")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mirrored := make(chan struct{})
	go func() {
		defer close(mirrored)
		e.mirror(ctx)
	}()
	err := e.feed(ctx)
	cancel()
	<-mirrored
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Follow applies events until ctx ends, without feeding: every projection
// catches up from the log, then applies what the notices of a feeder in
// another process (see Feed) announce. It needs Options.Subscriber. A
// projection that stops on an event stops alone; Follow returns when ctx
// ends.
func (e *Engine) Follow(ctx context.Context) error {
	if e.inProcess != nil {
		return errors.New("projections: Follow needs Options.Subscriber, a pub/sub another process feeds")
	}
	wait, err := e.startFollowing(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	wait()
	return nil
}

// startFollowing subscribes every projection and starts following; wait
// returns once every projection has stopped following, after ctx ends.
// Each projection receives as soon as it is subscribed: a durable
// subscription holds a connection until its notice is taken.
func (e *Engine) startFollowing(ctx context.Context) (wait func(), err error) {
	if e.opts.Subscriber == nil {
		return nil, errors.New("projections: following needs Options.Subscriber")
	}
	e.startedOnce.Do(func() { close(e.started) })
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if e.together() {
		sub, err := e.opts.Subscriber(groupName)
		var msgs <-chan *message.Message
		if err == nil {
			msgs, err = sub.Subscribe(ctx, topic)
		}
		if err != nil {
			cancel()
			return nil, fmt.Errorf("subscribe: %w", err)
		}
		wg.Go(func() { e.followTogether(ctx, msgs) })
		return func() {
			wg.Wait()
			cancel()
		}, nil
	}
	for _, p := range e.projections {
		sub, err := e.opts.Subscriber(p.Name())
		var msgs <-chan *message.Message
		if err == nil {
			msgs, err = sub.Subscribe(ctx, topic)
			if err != nil {
				_ = sub.Close()
			}
		}
		if err != nil {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("subscribe %s: %w", p.Name(), err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.follow(ctx, p, msgs)
			if err := sub.Close(); err != nil {
				e.opts.Logger.Warn("projections: close subscription", "projection", p.Name(), "error", err)
			}
		}()
	}
	return func() {
		wg.Wait()
		cancel()
	}, nil
}

// feed tails the log from its head and publishes a notice of each new
// page. Its first notice names the head itself, so that projections
// following elsewhere learn of events written while no feeder ran. A
// notice that cannot be published is logged and the page tried again.
func (e *Engine) feed(ctx context.Context) error {
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	pos := head.Position
	// Everything up to the head is announced, without its events: a
	// follower that caught up before an event the head counts (its first
	// catch-up ran before that append, this read after it) would otherwise
	// never hear of it, since the feeder announces only what comes after
	// the head — and would wait for the next event, perhaps forever.
	e.publish(ctx, page{From: pos, To: pos})
	ticker := time.NewTicker(e.opts.Poll)
	defer ticker.Stop()
	for {
		events, err := e.log.ReadLog(ctx, pos, e.opts.Batch)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.opts.Logger.Error("projections: read log", "after", pos, "error", err)
		}
		if len(events) > 0 {
			pg := page{From: events[0].GlobalPosition, To: events[len(events)-1].GlobalPosition}
			if e.inProcess != nil {
				// Decoded once here for every projection of this process;
				// a page that cannot be decoded is left to each
				// projection's own read, which stops on the bad event.
				if decoded, err := e.codec.Decode(events); err == nil {
					e.recent.add(decoded)
				}
			}
			if e.publish(ctx, pg) {
				pos = pg.To
				continue
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.wake:
		case <-ticker.C:
		}
	}
}

// publish publishes one notice and reports whether it went out.
func (e *Engine) publish(ctx context.Context, pg page) bool {
	body, err := json.Marshal(pg)
	if err != nil {
		e.opts.Logger.Error("projections: encode notice", "error", err)
		return false
	}
	msg := message.NewMessage(watermill.NewUUID(), body)
	msg.SetContext(ctx)
	if err := e.opts.Publisher.Publish(topic, msg); err != nil {
		if ctx.Err() == nil {
			e.opts.Logger.Error("projections: publish notice", "from", pg.From, "to", pg.To, "error", err)
		}
		return false
	}
	return true
}

// follow runs one projection: catch up from the log, then apply what the
// notices announce, skipping what is applied and catching up from the log
// over any gap.
func (e *Engine) follow(ctx context.Context, p Projection, msgs <-chan *message.Message) {
	notices := make(chan page)
	go e.receive(p.Name(), msgs, notices)
	if err := e.catchUp(ctx, p, 0); err != nil {
		e.stop(ctx, p, err)
		drain(notices)
		return
	}
	for pg := range notices {
		cp := e.position(p.Name())
		var err error
		if pg.To > cp {
			err = e.catchUp(ctx, p, pg.To)
		}
		if err != nil {
			e.stop(ctx, p, err)
			drain(notices)
			return
		}
	}
}

// receive acknowledges each message as it arrives — the checkpoint, not the
// acknowledgement, records what is applied — and hands the notices on.
// While the projection is busy, notices that arrive are merged into one
// that names every position they name and carries no events, so that the
// projection reads them from the log. It closes notices when msgs closes.
func (e *Engine) receive(name string, msgs <-chan *message.Message, notices chan<- page) {
	defer close(notices)
	var pending *page
	for {
		var out chan<- page
		var next page
		if pending != nil {
			out, next = notices, *pending
		}
		select {
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			msg.Ack()
			var pg page
			if err := json.Unmarshal(msg.Payload, &pg); err != nil {
				e.opts.Logger.Error("projections: bad notice", "projection", name, "error", err)
				continue
			}
			if pending != nil {
				pg = page{From: min(pending.From, pg.From), To: max(pending.To, pg.To)}
			}
			pending = &pg
		case out <- next:
			pending = nil
		}
	}
}

func drain(notices <-chan page) {
	for range notices {
	}
}

// Mirror copies, until ctx ends, the checkpoints and stops that the
// process applying the projections records, so that WaitFor, Statuses and
// Lags tell where they stand: what a server that does not apply them (a
// standby, see cmd/careledger's lease) runs instead of Run.
func (e *Engine) Mirror(ctx context.Context) { e.mirror(ctx) }

// mirror copies the checkpoints and stops that projections running
// elsewhere record, every poll interval, until ctx ends.
func (e *Engine) mirror(ctx context.Context) {
	ticker := time.NewTicker(e.opts.Poll)
	defer ticker.Stop()
	for {
		if err := e.refresh(ctx); err != nil && ctx.Err() == nil {
			e.opts.Logger.Warn("projections: read checkpoints", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// refresh reads every projection's checkpoint and status as recorded.
func (e *Engine) refresh(ctx context.Context) error {
	rows, err := e.db.QueryContext(ctx, `SELECT name, position, status, coalesce(error, '') FROM projection_checkpoints`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type recorded struct {
		position int64
		stopped  error
	}
	found := map[string]recorded{}
	for rows.Next() {
		var name, status, reason string
		var r recorded
		if err := rows.Scan(&name, &r.position, &status, &reason); err != nil {
			return err
		}
		if status == "stopped" {
			r.stopped = errors.New(reason)
		}
		found[name] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := false
	for _, p := range e.projections {
		r := found[p.Name()]
		if e.applied[p.Name()] != r.position {
			e.applied[p.Name()] = r.position
			changed = true
		}
		if (e.stopped[p.Name()] == nil) != (r.stopped == nil) {
			changed = true
		}
		if r.stopped != nil {
			e.stopped[p.Name()] = r.stopped
		} else {
			delete(e.stopped, p.Name())
		}
	}
	if changed {
		e.advancedLocked()
	}
	return nil
}
