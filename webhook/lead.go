package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// leaderLock is the PostgreSQL advisory lock the dispatching process
// holds for its session ("careledger webhook dispatch").
const leaderLock = 0x63_6c_77_68_6b // "clwhk"

// lead waits until this process holds the dispatch lock, on a connection
// of its own kept for the session; release gives it up. A nil release
// with a nil error means ctx ended first.
func (d *Dispatcher) lead(ctx context.Context) (release func(), err error) {
	conn, err := d.state.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, int64(leaderLock)).Scan(&got); err != nil {
			conn.Close()
			if ctx.Err() != nil {
				return nil, nil
			}
			return nil, err
		}
		if got {
			return func() {
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(leaderLock))
				conn.Close()
			}, nil
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, nil
		case <-time.After(5 * time.Second):
		}
	}
}

func marshalPayload(p Payload) ([]byte, error) { return json.Marshal(p) }

// watermillLog passes watermill's errors to the server's log and drops its
// chatter.
type watermillLog struct {
	log    interface{ Error(msg string, args ...any) }
	fields watermill.LogFields
}

func (w watermillLog) Error(msg string, err error, fields watermill.LogFields) {
	if errors.Is(err, context.Canceled) || errors.Is(err, errNotYet) {
		return
	}
	args := []any{"error", err}
	for k, v := range w.fields.Add(fields) {
		args = append(args, k, v)
	}
	w.log.Error("webhook delivery: "+msg, args...)
}

func (watermillLog) Info(string, watermill.LogFields)  {}
func (watermillLog) Debug(string, watermill.LogFields) {}
func (watermillLog) Trace(string, watermill.LogFields) {}

func (w watermillLog) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return watermillLog{log: w.log, fields: w.fields.Add(fields)}
}
