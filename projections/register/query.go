package register

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Filter selects workers for List; its zero value selects everything.
type Filter struct {
	// Within keeps workers whose post lies within it (zero or domain.All:
	// everywhere).
	Within domain.Jurisdiction
	// Role keeps workers of that role (zero: any).
	Role domain.Role
	// Active, when set, keeps the active workers (true) or the
	// deactivated ones (false).
	Active *bool
	// After is a cursor: the id of the last worker of the previous page.
	After string
	// Limit bounds the workers returned (default 50).
	Limit int
}

// List lists the register's entries in id order.
func List(ctx context.Context, db readdb.DB, f Filter) ([]domain.WorkerFacts, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var a readdb.Args
	where := []string{"worker_id > " + a.Arg(f.After), db.Dialect.PrefixOf(&a, "jurisdiction", f.Within.String())}
	if !f.Role.IsZero() {
		where = append(where, "role = "+a.Arg(f.Role.String()))
	}
	if f.Active != nil {
		where = append(where, "active = "+a.Arg(readdb.Flag(*f.Active)))
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT worker_id, facts FROM rm_workers WHERE `+strings.Join(where, " AND ")+
		` ORDER BY worker_id LIMIT `+a.Arg(f.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	defer rows.Close()
	out := []domain.WorkerFacts{}
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("list workers: %w", err)
		}
		var w domain.WorkerFacts
		if err := w.UnmarshalBinary(raw); err != nil {
			return nil, fmt.Errorf("list workers: facts of worker %s: %w", id, err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	return out, nil
}

// Holding is a post held by a worker for a span: [From, Until), Until zero
// while it is still held.
type Holding struct {
	WorkerID     string
	Name         string
	Role         domain.Role
	Jurisdiction domain.Jurisdiction
	From, Until  time.Time
}

// Holds reports whether the holding covers time at.
func (h Holding) Holds(at time.Time) bool {
	return !at.Before(h.From) && (h.Until.IsZero() || at.Before(h.Until))
}

// Holders are the holdings of the posts named — a role at a jurisdiction
// exactly — over all time, by post, then start, then worker.
func Holders(ctx context.Context, q readdb.Querier, role domain.Role, jurisdictions ...string) ([]Holding, error) {
	var out []Holding
	err := readdb.Chunks(jurisdictions, func(piece []string) error {
		in, args := readdb.InList(piece)
		args = append(args, role.String())
		rows, err := q.QueryContext(ctx, `SELECT worker_id, name, jurisdiction, from_at, until_at FROM rm_worker_posts
			WHERE jurisdiction IN (`+in+`) AND role = $`+fmt.Sprint(len(args))+` ORDER BY from_at, worker_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h := Holding{Role: role}
			var j string
			var from, until readdb.Timestamp
			if err := rows.Scan(&h.WorkerID, &h.Name, &j, &from, &until); err != nil {
				return err
			}
			if h.Jurisdiction, err = domain.ParseJurisdiction(j); err != nil {
				return err
			}
			h.From, h.Until = from.T, until.T
			out = append(out, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("holders of %s posts: %w", role, err)
	}
	slices.SortStableFunc(out, func(a, b Holding) int { return strings.Compare(a.Jurisdiction.String(), b.Jurisdiction.String()) })
	return out, nil
}

// Serving are the active workers of a role whose post is one of the
// jurisdictions named exactly, by post then id.
func Serving(ctx context.Context, db readdb.DB, role domain.Role, jurisdictions ...string) ([]domain.WorkerFacts, error) {
	var out []domain.WorkerFacts
	err := readdb.Chunks(jurisdictions, func(piece []string) error {
		in, args := readdb.InList(piece)
		args = append(args, role.String(), readdb.Flag(true))
		rows, err := db.SQL.QueryContext(ctx, `SELECT worker_id, facts FROM rm_workers
			WHERE jurisdiction IN (`+in+`) AND role = $`+fmt.Sprint(len(args)-1)+` AND active = $`+fmt.Sprint(len(args))+
			` ORDER BY jurisdiction, worker_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var raw []byte
			if err := rows.Scan(&id, &raw); err != nil {
				return err
			}
			var w domain.WorkerFacts
			if err := w.UnmarshalBinary(raw); err != nil {
				return fmt.Errorf("facts of worker %s: %w", id, err)
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("workers serving %s posts: %w", role, err)
	}
	return out, nil
}

// PostHoldings are the tenures of the posts named — owners spelled
// "role:jurisdiction" — over all time, with the holders' names by worker
// id. Owners that name no post of one person are ignored.
func PostHoldings(ctx context.Context, q readdb.Querier, posts ...string) ([]domain.PostHolding, map[string]string, error) {
	byRole := map[domain.Role][]string{}
	for _, p := range posts {
		if role, ok := domain.PostOwner(p); ok {
			_, j, _ := strings.Cut(p, ":")
			byRole[role] = append(byRole[role], j)
		}
	}
	var out []domain.PostHolding
	names := map[string]string{}
	for role, places := range byRole {
		held, err := Holders(ctx, q, role, places...)
		if err != nil {
			return nil, nil, err
		}
		for _, h := range held {
			out = append(out, domain.PostHolding{WorkerID: h.WorkerID, Post: role.String() + ":" + h.Jurisdiction.String(), From: h.From, Until: h.Until})
			names[h.WorkerID] = h.Name
		}
	}
	return out, names, nil
}

// Names are the registered names of the workers named, by id; an id the
// register lacks is left out.
func Names(ctx context.Context, q readdb.Querier, ids ...string) (map[string]string, error) {
	names := map[string]string{}
	err := readdb.Chunks(ids, func(piece []string) error {
		in, args := readdb.InList(piece)
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT worker_id, name FROM rm_worker_posts WHERE worker_id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			names[id] = name
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("names of workers: %w", err)
	}
	return names, nil
}

// PostsOf are the posts a worker has held, spelled as owners
// ("role:jurisdiction"), oldest first.
func PostsOf(ctx context.Context, q readdb.Querier, workerID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, jurisdiction FROM rm_worker_posts WHERE worker_id = $1 ORDER BY seq`, workerID)
	if err != nil {
		return nil, fmt.Errorf("posts of worker %s: %w", workerID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var role, j string
		if err := rows.Scan(&role, &j); err != nil {
			return nil, fmt.Errorf("posts of worker %s: %w", workerID, err)
		}
		out = append(out, role+":"+j)
	}
	return out, rows.Err()
}
