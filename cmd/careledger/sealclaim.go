package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/careledger/careledger/eventstore/kurrent"
)

// sealClaim seals the claim a dead writer left on a KurrentDB log.
func sealClaim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("seal-claim", `Usage: careledger seal-claim --kurrent URL [--data DIR]
On a KurrentDB log, seals the batch a careledger process claimed and did not seal because
it died between its claim and its seal (appends then wait and fail, naming the claim): the
events of it that landed become part of the log; they were never acknowledged. Run it only
when no careledger process writes the log. Prints the sealed head {position, hash}.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sf.kurrent == "" {
		return errors.New("seal-claim: --kurrent is required: only a KurrentDB log has claims")
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	ks, ok := store.(*kurrent.Store)
	if !ok {
		return fmt.Errorf("seal-claim: the store is not a KurrentDB log")
	}
	head, err := ks.SealUnfinishedClaim(ctx)
	if err != nil {
		return err
	}
	return writeJSON(stdout, head)
}
