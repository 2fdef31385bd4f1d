package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// subcommand runs one subcommand with the arguments after its name.
type subcommand func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// dispatch runs the subcommand args[0] names among subs; with none, help,
// or an unknown one it prints usage.
func dispatch(ctx context.Context, command, usage string, subs map[string]subcommand, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	if run, ok := subs[args[0]]; ok {
		return run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown %s command %q", command, args[0])
}
