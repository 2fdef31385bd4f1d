package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/domain/divisions"
)

const divisionsUsage = `Usage: careledger divisions import --edition YEAR [--subject ID] [--data DIR | --postgres URL | --kurrent URL] DIR
The register of administrative divisions (统计用区划代码) jurisdiction codes are checked against.
Run "careledger divisions import --help" for its flags.
`

const divisionsImportUsage = `Usage: careledger divisions import --edition YEAR [--subject ID] [--data DIR | --postgres URL | --kurrent URL] DIR
Loads a newer edition of the register of administrative divisions from DIR, which holds
the files of ../shared/divisions: provinces.csv, cities.csv, areas.csv, streets.csv and
villages.csv.gz (or villages.csv). The log records, as one event (区划代码版本更新), the
divisions the edition adds or renames against the register in use (careledger ships the
2023 edition), so codes created since can be used on every server at once. Nothing is
removed: a code once valid stays valid for the records that name it. It works while the
server runs.

Flags:
`

// divisionsCmd dispatches the divisions subcommands.
func divisionsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "divisions", divisionsUsage, map[string]subcommand{"import": divisionsImport}, args, stdout, stderr)
}

func divisionsImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, sf := commandFlags("divisions import", divisionsImportUsage, stderr)
	edition := fs.String("edition", "", "the edition's name, e.g. 2024 (required)")
	subject := fs.String("subject", "admin", "the admin recorded as having loaded it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *edition == "" {
		fs.Usage()
		return errors.New("divisions import: give --edition and one directory")
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("divisions import: %s is not a directory", dir)
	}
	newer, err := divisions.Parse(os.DirFS(dir), *edition)
	if err != nil {
		return fmt.Errorf("divisions import: %w", err)
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	admin := domain.Principal{Actor: domain.Actor{Subject: *subject, Role: domain.RoleAdmin, Jurisdiction: domain.All}}
	res, err := commands.New(store).ImportDivisions(ctx, commands.Call{Principal: admin}, commands.ImportDivisions{Register: newer})
	if err != nil {
		return fmt.Errorf("divisions import: %w", err)
	}
	fmt.Fprintf(stdout, "edition %s loaded: %d divisions (%d villages); recorded at position %d\n",
		newer.Edition(), newer.Len(), newer.Count(divisions.Village), res.LastPosition())
	return nil
}
