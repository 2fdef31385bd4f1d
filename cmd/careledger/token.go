package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/careledger/careledger/api"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/projections/record"
)

const tokenUsage = `Usage: careledger token issue --role ROLE --jurisdiction CODE --subject ID [--agency AGENCY] [--ttl 12h]
                              [--data DIR | --postgres URL | --kurrent URL]
       careledger token revoke --token TOKEN --reason TEXT [--data DIR | --postgres URL | --kurrent URL]
issue signs a bearer token for the API and prints it alone on stdout; revoke
stops a token before it expires (every server refuses it within 2 s).
Run "careledger token issue --help" for its flags.
`

const tokenRevokeUsage = `Usage: careledger token revoke --token TOKEN --reason TEXT [--data DIR | --postgres URL | --kurrent URL]
Revokes a bearer token this site issued: from then on every server answers it
401 (a server that checked it in the last 2 s may still take it until then).
Prints the revoked token's id. Revoking a token twice changes nothing.

Flags:
`

const tokenIssueUsage = `Usage: careledger token issue --role ROLE --jurisdiction CODE --subject ID [--agency AGENCY] [--ttl 12h]
                              [--data DIR | --postgres URL | --kurrent URL]
Signs a bearer token for the API and prints it alone on stdout.

Roles: child_director, child_supervisor, caseworker, partner, inspector, analyst, admin.
A child_director's or child_supervisor's subject must be a worker registered with
that role (POST /v1/workers), and the token's jurisdiction must lie within the
worker's; --jurisdiction defaults to the worker's own. A caseworker's subject
should be registered (assignments name worker ids); a warning is printed when it
is not. For the other roles the subject is the person's own identifier. A partner
token names its --agency. "--jurisdiction all" covers every code:
  careledger token issue --role admin --jurisdiction all --subject admin
gives the first admin token.

The signing key is token.key in the data directory (made on first use), or
CARELEDGER_TOKEN_KEY (hex, at least 32 bytes). With --postgres the key still comes
from --data (or CARELEDGER_TOKEN_KEY): the server and this command must see the
same key, so point both at the same --data directory or set the same
CARELEDGER_TOKEN_KEY for both. It works while the server runs.

Flags:
`

// token dispatches the token subcommands.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "token", tokenUsage, map[string]subcommand{"issue": tokenIssue, "revoke": tokenRevoke}, args, stdout, stderr)
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("token revoke", tokenRevokeUsage, stderr)
	tok := fs.String("token", "", "the token to revoke (required)")
	reason := fs.String("reason", "", "why it is revoked, kept with the revocation (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token revoke: unexpected argument %q", fs.Arg(0))
	}
	if strings.TrimSpace(*tok) == "" || strings.TrimSpace(*reason) == "" {
		fs.Usage()
		return errors.New("token revoke: --token and --reason are required")
	}
	tokens, err := openTokens(sf.data)
	if err != nil {
		return err
	}
	store, dbs, err := sf.readModels(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	defer dbs.Close()
	db := dbs.state // revocations
	if err := api.MigrateRevocations(ctx, db); err != nil {
		return err
	}
	id, err := api.Revoke(ctx, db, tokens, *tok, *reason)
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	_, err = fmt.Fprintln(stdout, id)
	return err
}

func tokenIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("token issue", tokenIssueUsage, stderr)
	role := fs.String("role", "", "the bearer's role (required)")
	jurisdiction := fs.String("jurisdiction", "", `division code prefix the bearer acts in, or "all" (required unless the subject is a registered worker)`)
	subject := fs.String("subject", "", "the bearer: a worker id, or the person's own identifier (required)")
	agency := fs.String("agency", "", "the agency a partner speaks for (partner only)")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("token issue: unexpected argument %q", fs.Arg(0))
	}
	if *role == "" || *subject == "" {
		fs.Usage()
		return errors.New("token issue: --role and --subject are required")
	}
	r, err := domain.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("token issue: --role: %w", err)
	}
	if *ttl <= 0 {
		return errors.New("token issue: --ttl must be positive")
	}
	p := domain.Principal{Actor: domain.Actor{Subject: strings.TrimSpace(*subject), Role: r}}
	if *jurisdiction != "" {
		if p.Jurisdiction, err = domain.ParseJurisdiction(*jurisdiction); err != nil {
			return fmt.Errorf("token issue: --jurisdiction: %w", err)
		}
		if err := checkPlace(ctx, sf, p.Jurisdiction); err != nil {
			return fmt.Errorf("token issue: --%w", err)
		}
	}
	if *agency != "" {
		if p.Agency, err = domain.ParseAgency(*agency); err != nil {
			return fmt.Errorf("token issue: --agency: %w", err)
		}
	}
	if domain.InRegister(r) {
		if err := checkWorkerToken(ctx, sf, &p, stderr); err != nil {
			return err
		}
	}
	if p.Jurisdiction.IsZero() {
		return errors.New("token issue: --jurisdiction is required")
	}
	tokens, err := openTokens(sf.data)
	if err != nil {
		return err
	}
	tok, err := tokens.Issue(p, *ttl)
	if err != nil {
		return fmt.Errorf("token issue: %w", err)
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// checkWorkerToken reads the worker register for the token of a role of
// the register: a director or supervisor must be registered with that role,
// a caseworker should be, a partner liaison may be; a registered worker must
// be active, and its token lies within the post it holds now, which is the
// default (domain.CheckRegistered).
func checkWorkerToken(ctx context.Context, sf *storeFlags, p *domain.Principal, stderr io.Writer) error {
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	w, ok, err := record.New(store).Worker(ctx, p.Subject)
	if err != nil {
		return fmt.Errorf("token issue: read the worker register: %w", err)
	}
	if !ok {
		switch {
		case p.Role == domain.RolePartner:
			return nil
		case p.Role == domain.RoleCaseworker:
			fmt.Fprintf(stderr, "careledger: warning: caseworker %s is not in the worker register; cases cannot be assigned to it\n", p.Subject)
			return nil
		}
		return fmt.Errorf("token issue: %s %s is not a registered worker; register it first (POST /v1/workers as admin)", p.Role, p.Subject)
	}
	if p.Jurisdiction.IsZero() {
		p.Jurisdiction = w.Jurisdiction
	}
	if err := domain.CheckRegistered(*p, w); err != nil {
		return fmt.Errorf("token issue: %w", err)
	}
	return nil
}

// checkPlace refuses a code the register of divisions does not hold: the
// shipped edition answers at once; the log is read only for a code it
// lacks (an admin may have loaded a newer edition).
func checkPlace(ctx context.Context, sf *storeFlags, j domain.Jurisdiction) error {
	if domain.CheckPlace(divisions.Embedded(), "jurisdiction", j) == nil {
		return nil
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	return eventlog.NewPlaces(eventlog.New(), store).Check(ctx, "jurisdiction", j)
}
