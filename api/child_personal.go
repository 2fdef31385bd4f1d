package api

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// personalData is what the read models never hold of a child: it is read
// from the child's own events, whose personal fields the store opens with
// the child's key. An erased child has none (nil), and its birth date
// keeps only its year.
type personalData struct {
	name, idNumber             *string
	birthDate                  string
	guardian, entrusted        *domain.Guardian
	livingSituation, schooling *string
}

// childrenPersonalData reads the personal data of children by id.
func (s *Server) childrenPersonalData(ctx context.Context, ids ...string) (map[string]personalData, error) {
	streams := make([]string, len(ids))
	for i, id := range ids {
		streams[i] = domain.ChildStream(id)
	}
	stored, err := s.store.ReadStreams(ctx, streams, 0)
	if err != nil {
		return nil, fmt.Errorf("read children's files: %w", err)
	}
	out := make(map[string]personalData, len(ids))
	for _, id := range ids {
		history, err := commands.DecodeEvents(s.handlers.Registry(), stored[domain.ChildStream(id)])
		if err != nil {
			return nil, fmt.Errorf("read child %s: %w", id, err)
		}
		c := domain.LoadChild(history)
		if c.Erased() || len(history) == 0 {
			out[id] = personalData{birthDate: yearOnly(c.BirthDate().String())}
			continue
		}
		p := c.Profile()
		g := p.Guardian
		out[id] = personalData{
			name: &p.Name, idNumber: nonEmpty(p.IDNumber), birthDate: p.BirthDate.String(), guardian: &g,
			entrusted: p.EntrustedGuardian, livingSituation: &p.LivingSituation, schooling: &p.Schooling,
		}
	}
	return out, nil
}

// withPersonalData completes a child's file with its personal data.
func (s *Server) withPersonalData(ctx context.Context, c *ChildView) error {
	all, err := s.childrenPersonalData(ctx, c.ID)
	if err != nil {
		return err
	}
	pd := all[c.ID]
	c.Name, c.IDNumber, c.BirthDate, c.Guardian, c.EntrustedGuardian = pd.name, pd.idNumber, pd.birthDate, pd.guardian, pd.entrusted
	c.LivingSituation, c.Schooling = pd.livingSituation, pd.schooling
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func yearOnly(date string) string {
	if len(date) < 4 {
		return date
	}
	return date[:4] + "-01-01"
}
