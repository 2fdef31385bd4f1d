// Command careledger runs the careledger case-management core and its
// operator tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `careledger — event-sourced case management for child protection services

Usage:
  careledger <command> [flags]

Commands:
  serve     run the server (embedded SQLite store in --data by default)
  verify    walk the event log's hash chain and check its seal and anchors
  head      print the log's head {position, hash}, to keep as an anchor
  seal-claim --kurrent URL
            on KurrentDB, seal the batch a writer that died between claim and seal left open
  projections rebuild [NAME...]
            rebuild read models from the log, with progress
  projections run --postgres URL [NAME...]
            apply read models in a worker process beside 'serve --projections=external'
  keys rotate | keys status
            rotate the master key that wraps children's data keys; count data keys
  token issue --role R --jurisdiction J --subject S [--agency A] [--ttl 12h]
            print a bearer token for the API, signed with the server's key
  token revoke --token TOKEN --reason TEXT
            stop a token before it expires (every server refuses it within 2 s)
  demo      load a deterministic synthetic county into an empty store
  export timeline --case ID [--as-of T]
            print a case's timeline as JSON
  divisions import --edition YEAR DIR
            load a newer edition of the register of administrative divisions
  inquiry report --id ID | --case ID | --child ID [--as-of T] [--format html|json] [--lang zh|en]
            print an accountability report (重大事件倒查报告) as JSON or a printable page
  bench [--postgres URL] [--children N] [--writers N] [--readers N]
            measure the server end to end over HTTP against the disk's raw insert rate

Run "careledger <command> --help" for a command's flags.
`

func main() {
	privateFiles()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0) // --help was asked for and printed
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "careledger:", err)
		}
		var exit exitCode
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		os.Exit(2)
	}
}

// errUsage: no command was given; the usage was printed.
var errUsage = errors.New("no command given")

// exitCode is an error that asks for a particular exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr)
	case "head":
		return head(ctx, args[1:], stdout, stderr)
	case "seal-claim":
		return sealClaim(ctx, args[1:], stdout, stderr)
	case "projections":
		return projectionsCmd(ctx, args[1:], stdout, stderr)
	case "keys":
		return keysCmd(ctx, args[1:], stdout, stderr)
	case "token":
		return token(ctx, args[1:], stdout, stderr)
	case "demo":
		return demo(ctx, args[1:], stdout, stderr)
	case "export":
		return export(ctx, args[1:], stdout, stderr)
	case "divisions":
		return divisionsCmd(ctx, args[1:], stdout, stderr)
	case "inquiry":
		return inquiry(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
