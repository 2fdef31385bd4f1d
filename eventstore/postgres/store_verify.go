package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/careledger/careledger/eventstore"
)

// Verify implements eventstore.Store.
func (s *Store) Verify(ctx context.Context, anchors ...eventstore.Anchor) (eventstore.Verification, error) {
	return eventstore.VerifyChain(ctx, s.ReadLog, s.readSeal, s.opts.SealKey, anchors...)
}

// VerifyFrom implements eventstore.Store.
func (s *Store) VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error) {
	return eventstore.VerifyChainFrom(ctx, s.ReadLog, s.readSeal, s.opts.SealKey, from)
}

const sealQuery = `SELECT position, hash, sealed_at, mac FROM chain_seal WHERE id = 1`

func (s *Store) readSeal(ctx context.Context) (eventstore.Seal, bool, error) {
	return scanSeal(s.pool.QueryRow(ctx, sealQuery))
}

func scanSeal(row pgx.Row) (eventstore.Seal, bool, error) {
	var seal eventstore.Seal
	var hash []byte
	err := row.Scan(&seal.Position, &hash, &seal.SealedAt, &seal.MAC)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Seal{}, false, nil
	}
	if err != nil {
		return eventstore.Seal{}, false, err
	}
	copy(seal.Hash[:], hash)
	seal.SealedAt = seal.SealedAt.UTC()
	return seal, true, nil
}
