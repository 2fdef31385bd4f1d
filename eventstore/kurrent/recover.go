package kurrent

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/careledger/careledger/eventstore"
)

// ErrNoUnfinishedClaim: the chain ends with a seal; there is nothing to seal.
var ErrNoUnfinishedClaim = errors.New("the chain ends with a seal: no claim is unfinished")

// SealUnfinishedClaim seals the claim a writer left unsealed (its process
// died between claim and seal) at the events of it that landed, which the
// writer had not acknowledged. It is an operator's act, for when no
// careledger process writes the log: a writer that is only slow could
// still land events of its claim after this seal, and no lease tells the
// two apart. It refuses a claim not signed with the store's seal key, and
// a landed tail that does not chain onto the sealed head within the claim.
func (s *Store) SealUnfinishedClaim(ctx context.Context) (eventstore.Anchor, error) {
	chain, err := s.c.readChain(ctx)
	if err != nil {
		return eventstore.Anchor{}, err
	}
	c := chain.open
	if c == nil {
		return eventstore.Anchor{}, ErrNoUnfinishedClaim
	}
	if len(s.opts.SealKey) > 0 && !hmac.Equal(c.MAC, claimMAC(s.opts.SealKey, *c)) {
		return eventstore.Anchor{}, fmt.Errorf("kurrent: the claim of positions %d to %d is not signed with this seal key: not sealing it", c.From, c.To)
	}
	sealedHead := eventstore.Anchor{}
	if chain.sealed {
		sealedHead = chain.seal.Anchor
	}
	if c.Prev != sealedHead {
		return eventstore.Anchor{}, fmt.Errorf("kurrent: the claim of positions %d to %d is not on the sealed head %d: not sealing it", c.From, c.To, sealedHead.Position)
	}
	landed, err := s.rawLog(ctx, c.Prev.Position, 0)
	if err != nil {
		return eventstore.Anchor{}, err
	}
	head := c.Prev
	for _, e := range landed {
		switch {
		case e.GlobalPosition != head.Position+1 || e.GlobalPosition > c.To:
			return eventstore.Anchor{}, fmt.Errorf("kurrent: position %d lies after position %d, outside the claim of %d to %d: not sealing it; run careledger verify",
				e.GlobalPosition, head.Position, c.From, c.To)
		case e.PrevHash != head.Hash || eventstore.ChainHash(e.PrevHash, e) != e.Hash:
			return eventstore.Anchor{}, fmt.Errorf("kurrent: position %d does not chain onto position %d: not sealing it; run careledger verify", e.GlobalPosition, head.Position)
		}
		head = eventstore.Anchor{Position: e.GlobalPosition, Hash: e.Hash}
	}
	at := eventstore.Timestamp(s.opts.Now())
	seal := eventstore.Seal{Anchor: head, SealedAt: at, MAC: eventstore.SealMAC(s.opts.SealKey, head, at)}
	if _, err := s.c.appendChain(ctx, chain, sealType, toSealRecord(seal)); err != nil {
		return eventstore.Anchor{}, fmt.Errorf("kurrent: seal the claim of positions %d to %d at %d: %w", c.From, c.To, head.Position, err)
	}
	return head, nil
}
