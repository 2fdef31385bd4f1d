package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/careledger/careledger/eventstore"
)

// anchorFlags collects --anchor POSITION:HASH values.
type anchorFlags []eventstore.Anchor

func (a *anchorFlags) String() string { return fmt.Sprint(*a) }

func (a *anchorFlags) Set(v string) error {
	pos, hash, ok := strings.Cut(v, ":")
	if !ok {
		return fmt.Errorf("anchor %q: want POSITION:HASH", v)
	}
	p, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || p < 1 {
		return fmt.Errorf("anchor %q: position must be a positive integer", v)
	}
	h, err := eventstore.ParseHash(hash)
	if err != nil {
		return fmt.Errorf("anchor %q: %w", v, err)
	}
	*a = append(*a, eventstore.Anchor{Position: p, Hash: h})
	return nil
}

func verify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("verify", `Usage: careledger verify [--data DIR | --postgres URL | --kurrent URL] [--anchor POSITION:HASH]...
Walks the whole event log from position 1, recomputes its hash chain, checks the
signed head seal and each anchor, and prints {ok, checked, first_broken_position}.
Exit status 1 if broken. Unlike the server's reports and GET /v1/integrity, which go
on from the head they verified before, it trusts nothing verified earlier.
`, stderr)
	var anchors anchorFlags
	fs.Var(&anchors, "anchor", "a head kept earlier, as POSITION:HASH (from 'careledger head'); repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.Verify(ctx, anchors...)
	if err != nil {
		return err
	}
	if err := writeJSON(stdout, v); err != nil {
		return err
	}
	if !v.OK {
		return exitCode(1)
	}
	return nil
}

func head(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("head", `Usage: careledger head [--data DIR | --postgres URL | --kurrent URL]
Prints the position and hash of the last event. Keep it: 'careledger verify --anchor
POSITION:HASH' later proves that nothing up to it was changed or removed.
`, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a, err := store.Head(ctx)
	if err != nil {
		return err
	}
	return writeJSON(stdout, struct {
		Position int64           `json:"position"`
		Hash     eventstore.Hash `json:"hash"`
		Anchor   string          `json:"anchor"`
	}{a.Position, a.Hash, fmt.Sprintf("%d:%s", a.Position, a.Hash)})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
