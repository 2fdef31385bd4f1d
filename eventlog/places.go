package eventlog

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
)

// Places is the register of administrative divisions as the log has it:
// the edition careledger ships with every edition an admin loaded since
// (domain.DivisionsImported). It reads the divisions stream again when
// asked about a code it does not hold, so a code another process imported
// is found on first use; and, for codes it holds, at most once every
// PlacesRefresh, so that a code an import renamed (careledger divisions
// import, while a server runs) is named anew within that time. A read
// finds nothing new in all but the rare moments after an import: it asks
// only for the stream's events after the version already applied.
type Places struct {
	codec *Codec
	store StreamReader
	every time.Duration

	mu      sync.Mutex
	reg     *divisions.Register
	version int64     // of the divisions stream, as far as reg has applied it
	read    time.Time // when the stream was last read
}

// PlacesRefresh is how long Places trusts the register it last read for
// the codes it holds.
const PlacesRefresh = 2 * time.Second

// NewPlaces reads the register from store through codec.
func NewPlaces(codec *Codec, store StreamReader) *Places {
	return &Places{codec: codec, store: store, every: PlacesRefresh}
}

// Register is the register in use, reading what the log gained since the
// last read.
func (p *Places) Register(ctx context.Context) (*divisions.Register, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reg == nil {
		p.reg = divisions.Embedded()
	}
	read := time.Now()
	stored, err := p.store.ReadStream(ctx, domain.DivisionsStream.String(), p.version, 0)
	if err != nil {
		return nil, fmt.Errorf("read the register of divisions: %w", err)
	}
	p.read = read
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

// known is the register as last read, read again first when that was
// longer than every ago by the first caller to find it so (the shipped edition, or the one last read, when
// the log cannot be read: a code is then checked again against the log
// before it is refused, and a name is for people, never a reason to fail).
func (p *Places) known(ctx context.Context) *divisions.Register {
	p.mu.Lock()
	if p.reg != nil && time.Since(p.read) < p.every {
		defer p.mu.Unlock()
		return p.reg
	}
	// One caller reads; those that come meanwhile use the register as it
	// is rather than queue for the same read.
	p.read = time.Now()
	p.mu.Unlock()
	if reg, err := p.Register(ctx); err == nil {
		return reg
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reg
}

// Check refuses a jurisdiction code the register does not hold, naming the
// field and the edition (domain.CheckPlace); the log is read again before
// a code is refused.
func (p *Places) Check(ctx context.Context, field string, j domain.Jurisdiction) error {
	if domain.CheckPlace(p.known(ctx), field, j) == nil {
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
	if name := domain.PlaceName(p.known(ctx), j); name != "" || j.IsZero() {
		return name
	}
	reg, err := p.Register(ctx)
	if err != nil {
		return ""
	}
	return domain.PlaceName(reg, j)
}
