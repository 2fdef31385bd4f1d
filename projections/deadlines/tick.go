package deadlines

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// tick is Projection.Tick: one piece of it, which extends the yearly
// verifications of at most extendBound streams or, once none is left to
// extend, marks at most bound obligations missed. On PostgreSQL it first
// locks rm_deadline_streams against writers, so that an Apply in another
// process (a projection worker) waits for it, or it for the Apply, before
// either touches rm_deadlines; in this process the engine's lock already
// keeps them apart, and SQLite's transactions take the database's write
// lock at BEGIN.
func tick(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time, extendBound, bound int) (more bool, err error) {
	if d == readdb.Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE rm_deadline_streams IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return false, fmt.Errorf("lock deadline streams: %w", err)
		}
	}
	more, err = extendYearly(ctx, tx, d, now, extendBound)
	if err != nil || more {
		return more, err
	}
	return sweepMissed(ctx, tx, d, now, bound)
}

// sweepBound is how many obligations one transaction of Tick marks
// missed (Projection.sweepBound); it says more when others are left. A
// minute of 8 writers at 1M events on PostgreSQL left 13,636 open
// obligations past due (375 owners): marked in one transaction, 2.2 s in
// which the view applied nothing (its lag p99 1.7–2.6 s under that load);
// 1,000 a transaction, lag p99 0.95 s; 250, 0.34 s (one run each).
const sweepBound = 250

// extendBound is how many streams one transaction of Tick extends by
// their yearly verifications (Projection.extendBound).
const extendBound = group

// extendYearly adds the yearly information verifications that have come
// due since a child's file last changed. The view judges a stream at its
// horizon, where the series stops at the first verification day after it;
// for every child whose last verification in the view is due before now,
// the child's obligations are derived from its stored facts at now, and
// the verifications the view lacks are added (those it has stay as they
// are: Tick's sweep judges them). The next change of the child's file
// derives its rows from the record again; the next Tick adds them back.
//
// It extends at most bound streams, the earliest due first, and says more
// when it took that many: each stream it extends leaves the range it
// looks in (its verify_due moves after now, or to none), so the next
// piece takes the next ones. The streams are found through the index on
// verify_due: ordered by stream_id instead, SQLite walked the primary key
// through every stream (128,416 at 1M events) to find none due, 61 MB of
// pages read in each piece of the minute's Tick while the database's
// write lock was held.
func extendYearly(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time, bound int) (more bool, err error) {
	page := map[string]*stream{}
	err = scanStreams(ctx, tx, page, `SELECT `+streamColumns+` FROM rm_deadline_streams
		WHERE verify_due < $1 ORDER BY verify_due LIMIT `+fmt.Sprint(bound), d.Time(now))
	if err != nil {
		return false, fmt.Errorf("extend yearly verifications: %w", err)
	}
	if len(page) == 0 {
		return false, nil
	}
	policies, err := loadPolicies(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("extend yearly verifications: %w", err)
	}
	seq, err := loadSequence(ctx, tx)
	if err != nil {
		return false, err
	}
	ids := make([]string, 0, len(page))
	for id := range page {
		ids = append(ids, id)
	}
	sort.Strings(ids) // a stable lock order, as Apply's
	var rows [][]any
	due := map[dueAt][]string{} // the new verify_due → the streams that take it
	var dues []dueAt
	for _, id := range ids {
		s := page[id]
		ds := s.deadlines(policies, now)
		keys := Keys(ds)
		place := s.jurisdiction().String()
		for i, dl := range ds {
			if dl.Kind != domain.KindInfoVerification {
				continue
			}
			row, err := deadlineRow(d, keys[i], s, place, dl, seq.take())
			if err != nil {
				return false, err
			}
			rows = append(rows, row)
		}
		// Only the snapshot's verify_due moves, after now or to none (so
		// the stream leaves the range above): the facts are as stored.
		next := dueAtOf(verificationDue(ds, now))
		if _, ok := due[next]; !ok {
			dues = append(dues, next)
		}
		due[next] = append(due[next], id)
	}
	if err := insertDeadlines(ctx, tx, d, rows, ` ON CONFLICT (deadline_key) DO NOTHING`); err != nil {
		return false, fmt.Errorf("extend yearly verifications: %w", err)
	}
	for _, next := range dues {
		at := d.TimePtr(next.time())
		err := readdb.Chunks(due[next], func(ids []string) error {
			in, args := readdb.InList(ids)
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE rm_deadline_streams SET verify_due = $%d WHERE stream_id IN (%s)`,
				len(args)+1, in), append(args, at)...)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("extend yearly verifications: %w", err)
		}
	}
	return len(page) == bound, seq.save(ctx, tx)
}

// sweepMissed marks the open obligations due before now missed, owned by
// their owner at the due time (who missed it), at most bound of them, as
// the index on (status, due_at) gives them (no ORDER BY: SQLite sorted
// every overdue row for each piece); more is true when others are left.
// Each piece takes rows the pieces before it left open, so the sweep
// ends. The statuses of rm_deadlines are then right for readers of the
// SQL tables; Query needs no sweep. A later change of the stream derives
// its rows again (open, as the record alone judges them) until the next
// Tick.
func sweepMissed(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time, bound int) (more bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT deadline_key, owner, owners, due_at FROM rm_deadlines
		WHERE status = 'open' AND due_at < $1 LIMIT `+fmt.Sprint(bound+1), d.Time(now))
	if err != nil {
		return false, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	byOwner := map[string][]string{}
	var owners []string
	swept := 0
	for rows.Next() {
		if swept == bound {
			more = true
			break
		}
		swept++
		var key, owner string
		var spans []byte
		var due readdb.Timestamp
		if err := rows.Scan(&key, &owner, &spans, &due); err != nil {
			rows.Close()
			return false, fmt.Errorf("sweep missed deadlines: %w", err)
		}
		if owner, err = ownerAtDue(owner, spans, due.T); err != nil {
			rows.Close()
			return false, fmt.Errorf("sweep missed deadline %s: %w", key, err)
		}
		if _, ok := byOwner[owner]; !ok {
			owners = append(owners, owner)
		}
		byOwner[owner] = append(byOwner[owner], key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("sweep missed deadlines: %w", err)
	}
	sort.Strings(owners)
	for _, owner := range owners {
		err := readdb.Chunks(byOwner[owner], func(keys []string) error {
			in, args := readdb.InList(keys)
			// The row no longer says what its stream derives: its
			// fingerprint goes, so that the stream's next change writes it.
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE rm_deadlines SET status = 'missed', owner = $%d, fingerprint = ''
				WHERE deadline_key IN (%s)`, len(args)+1, in), append(args, owner)...)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("sweep missed deadlines of %s: %w", owner, err)
		}
	}
	return more, nil
}

// dueAt is a verify_due as a map key: a moment, or none.
type dueAt struct {
	set  bool
	nano int64
}

func dueAtOf(t *time.Time) dueAt {
	if t == nil {
		return dueAt{}
	}
	return dueAt{set: true, nano: t.UnixNano()}
}

func (k dueAt) time() *time.Time {
	if !k.set {
		return nil
	}
	t := time.Unix(0, k.nano).UTC()
	return &t
}
