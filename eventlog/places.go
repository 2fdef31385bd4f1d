package eventlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
)

// Places is the register of administrative divisions as the log has it:
// the edition careledger ships with every edition an admin loaded since
// (domain.DivisionsImported). It reads the divisions stream once and again
// only when asked about a code it does not hold, so a code another server
// imported is found on first use, and a known code costs no read.
type Places struct {
	codec *Codec
	store StreamReader

	mu      sync.Mutex
	reg     *divisions.Register
	version int64 // of the divisions stream, as far as reg has applied it
}

// NewPlaces reads the register from store through codec.
func NewPlaces(codec *Codec, store StreamReader) *Places {
	return &Places{codec: codec, store: store}
}

// Register is the register in use, reading what the log gained since the
// last read.
func (p *Places) Register(ctx context.Context) (*divisions.Register, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reg == nil {
		p.reg = divisions.Embedded()
	}
	stored, err := p.store.ReadStream(ctx, domain.DivisionsStream.String(), p.version, 0)
	if err != nil {
		return nil, fmt.Errorf("read the register of divisions: %w", err)
	}
	if len(stored) == 0 {
		return p.reg, nil
	}
	history, err := p.codec.Decode(stored)
	if err != nil {
		return nil, err
	}
	reg, err := domain.ApplyDivisions(p.reg, history)
	if err != nil {
		return nil, err
	}
	p.reg = reg
	p.version = history[len(history)-1].Version
	return p.reg, nil
}

// known is the register as last read, without reading the log (the
// shipped edition before any read).
func (p *Places) known() *divisions.Register {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reg == nil {
		p.reg = divisions.Embedded()
	}
	return p.reg
}

// Check refuses a jurisdiction code the register does not hold, naming the
// field and the edition (domain.CheckPlace); the log is read again before
// a code is refused.
func (p *Places) Check(ctx context.Context, field string, j domain.Jurisdiction) error {
	if domain.CheckPlace(p.known(), field, j) == nil {
		return nil
	}
	reg, err := p.Register(ctx)
	if err != nil {
		return err
	}
	return domain.CheckPlace(reg, field, j)
}

// Name is the full Chinese name of a jurisdiction, "" when the register
// does not hold it even after reading the log again (or the log cannot be
// read: a name is for people, never a reason to fail an answer).
func (p *Places) Name(ctx context.Context, j domain.Jurisdiction) string {
	if name := domain.PlaceName(p.known(), j); name != "" || j.IsZero() {
		return name
	}
	reg, err := p.Register(ctx)
	if err != nil {
		return ""
	}
	return domain.PlaceName(reg, j)
}
