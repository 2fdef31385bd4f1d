package privacy

import "context"

// Erasures counts the erasures this store has learnt of (Keys.Erasures).
// A reader that keeps opened personal data beyond one read — the command
// handlers keep the streams they decided on — drops it when the count
// moves.
func (s *Store) Erasures(ctx context.Context) (int64, error) { return s.keys.Erasures(ctx) }
