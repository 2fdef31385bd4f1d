package eventstore

import (
	"context"
	"crypto/hmac"
	"fmt"
)

// LogReader reads the log in global order; ReadLog of a Store is one.
type LogReader func(ctx context.Context, afterPosition int64, limit int) ([]Event, error)

// SealReader reads the store's head seal; ok is false when there is none.
type SealReader func(ctx context.Context) (seal Seal, ok bool, err error)

// verifyPage is how many events Verify reads at a time.
const verifyPage = 2000

// VerifyChain is the walk behind every backend's Verify. It reads the seal,
// walks the log from position 1 checking that positions are contiguous, that
// each prev_hash is the previous event's hash and that each hash matches the
// event's stored bytes, then checks the seal (signature with sealKey, when
// given) and each anchor against what it walked.
func VerifyChain(ctx context.Context, read LogReader, readSeal SealReader, sealKey []byte, anchors ...Anchor) (Verification, error) {
	v, _, err := walkChain(ctx, read, readSeal, sealKey, Anchor{}, anchors)
	return v, err
}

// VerifyChainFrom is the walk behind every backend's VerifyFrom: the walk
// of VerifyChain begun at from, a head verified earlier, rather than at
// position 1. The event at from must still be there with from's hash (and
// its stored bytes must still give that hash); the walk then goes on to the
// end and checks the seal as VerifyChain does. It vouches for nothing before
// from. It answers the last event walked (zero if none); Checked counts the
// events walked, from's included. A zero from walks the whole log.
func VerifyChainFrom(ctx context.Context, read LogReader, readSeal SealReader, sealKey []byte, from Anchor) (Verification, Anchor, error) {
	if from.Position < 0 {
		from = Anchor{}
	}
	return walkChain(ctx, read, readSeal, sealKey, from, nil)
}

func walkChain(ctx context.Context, read LogReader, readSeal SealReader, sealKey []byte, from Anchor, anchors []Anchor) (Verification, Anchor, error) {
	seal, sealed, err := readSeal(ctx)
	if err != nil {
		return Verification{}, Anchor{}, fmt.Errorf("verify: read seal: %w", err)
	}
	c := checker{hashes: map[int64]Hash{}}
	for _, a := range anchors {
		if a.Position > 0 {
			c.hashes[a.Position] = Hash{}
		}
	}
	if sealed && seal.Position > 0 {
		c.hashes[seal.Position] = Hash{}
	}

	var prev Hash
	var last int64
	var head Anchor
	if from.Position > 0 {
		// The walk reads from's event again: its hash is what ties it to
		// the part of the log verified before.
		last = from.Position - 1
		c.hashes[from.Position] = Hash{}
	}
	for {
		page, err := read(ctx, last, verifyPage)
		if err != nil {
			return Verification{}, Anchor{}, fmt.Errorf("verify: read log after %d: %w", last, err)
		}
		for _, e := range page {
			if c.checked == 0 && from.Position > 0 {
				// from's own link to its predecessor was verified with from;
				// its hash (checked below) binds that prev_hash.
				prev = e.PrevHash
			}
			if e.GlobalPosition != last+1 {
				c.broken(last+1, fmt.Sprintf("position %d is missing (next stored position is %d)", last+1, e.GlobalPosition))
				// Go on from the event found, so the gap is reported once.
				prev = e.PrevHash
			}
			if e.PrevHash != prev {
				c.broken(e.GlobalPosition, "prev_hash is not the hash of the previous event")
			}
			if ChainHash(e.PrevHash, e) != e.Hash {
				c.broken(e.GlobalPosition, "stored hash does not match the event's contents")
			}
			if _, wanted := c.hashes[e.GlobalPosition]; wanted {
				c.hashes[e.GlobalPosition] = e.Hash
			}
			c.checked++
			prev, last = e.Hash, e.GlobalPosition
			head = Anchor{Position: e.GlobalPosition, Hash: e.Hash}
		}
		if len(page) < verifyPage {
			break
		}
	}

	if from.Position > 0 {
		if c.checked == 0 {
			c.broken(from.Position, fmt.Sprintf("the event at position %d, verified before, is gone: events were removed", from.Position))
		} else {
			c.checkAnchor(from, last, "head verified before")
		}
	}
	for _, a := range anchors {
		c.checkAnchor(a, last, "anchor")
	}
	switch {
	case sealed && seal.Position < from.Position:
		c.broken(seal.Position+1, fmt.Sprintf("the head seal records position %d, behind position %d verified before: the seal was moved back", seal.Position, from.Position))
	case sealed:
		if len(sealKey) > 0 && !hmac.Equal(seal.MAC, SealMAC(sealKey, seal.Anchor, seal.SealedAt)) {
			c.broken(min(seal.Position, last)+1, "head seal signature is invalid")
		}
		c.checkAnchor(seal.Anchor, last, "head seal")
		// Every append rewrites the seal in its own transaction, and the seal
		// was read before the walk: events after it must be sealed by now.
		if last > seal.Position {
			now, ok, err := readSeal(ctx)
			if err != nil {
				return Verification{}, Anchor{}, fmt.Errorf("verify: read seal: %w", err)
			}
			if !ok || now.Position < last {
				c.broken(max(seal.Position, now.Position)+1, fmt.Sprintf("events after position %d are not covered by the head seal", max(seal.Position, now.Position)))
			}
		}
	case last > 0:
		c.broken(last+1, "the head seal is missing, so the end of the log cannot be vouched for")
	}
	return c.result(), head, nil
}

type checker struct {
	checked int64
	first   int64
	reason  string
	hashes  map[int64]Hash // hashes walked at anchored positions
}

func (c *checker) broken(position int64, reason string) {
	if c.first == 0 || position < c.first {
		c.first, c.reason = position, fmt.Sprintf("position %d: %s", position, reason)
	}
}

func (c *checker) checkAnchor(a Anchor, last int64, what string) {
	switch {
	case a.Position <= 0:
	case a.Position > last:
		c.broken(last+1, fmt.Sprintf("the log ends at position %d but the %s covers position %d: events were removed", last, what, a.Position))
	case c.hashes[a.Position] != a.Hash:
		c.broken(a.Position, fmt.Sprintf("the event differs from the %s", what))
	}
}

func (c *checker) result() Verification {
	if c.first == 0 {
		return Verification{OK: true, Checked: c.checked}
	}
	first := c.first
	return Verification{OK: false, Checked: c.checked, FirstBrokenPosition: &first, Reason: c.reason}
}
