package record

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
)

// Personal is what no read model holds of a child's file: its personal
// data (个人信息保护法 art. 28, 31), read from the child's own events,
// whose personal fields the store opens with the child's key. Once the
// child's data is erased every field is nil and the birth date keeps only
// its year ("2015-01-01").
type Personal struct {
	Name              *string
	IDNumber          *string
	BirthDate         string
	Guardian          *domain.Guardian
	EntrustedGuardian *domain.Guardian
	LivingSituation   *string
	Schooling         *string
}

// Personal reads the personal data of children by id, now. A child with
// no file is absent from the map.
func (r *Reader) Personal(ctx context.Context, childIDs ...string) (map[string]Personal, error) {
	out := make(map[string]Personal, len(childIDs))
	if len(childIDs) == 0 {
		return out, nil
	}
	ids := make([]domain.StreamID, len(childIDs))
	for i, id := range childIDs {
		ids[i] = domain.ChildStream(id)
	}
	stored, err := r.log.ReadStreams(ctx, eventlog.StreamIDs(ids...), 0)
	if err != nil {
		return nil, fmt.Errorf("read children's files: %w", err)
	}
	for i, id := range childIDs {
		events := stored[ids[i].String()]
		if len(events) == 0 {
			continue
		}
		history, err := r.codec.Decode(events)
		if err != nil {
			return nil, fmt.Errorf("read child %s: %w", id, err)
		}
		c := domain.LoadChild(history)
		if c.ID() == "" {
			continue
		}
		p := c.Profile()
		if c.Erased() {
			// Profile keeps only the year of the birth date once erased.
			out[id] = Personal{BirthDate: p.BirthDate.String()}
			continue
		}
		g := p.Guardian
		out[id] = Personal{
			Name: &p.Name, IDNumber: nonEmpty(p.IDNumber), BirthDate: p.BirthDate.String(), Guardian: &g,
			EntrustedGuardian: p.EntrustedGuardian, LivingSituation: &p.LivingSituation, Schooling: &p.Schooling,
		}
	}
	return out, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
