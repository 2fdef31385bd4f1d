// Command gen builds register.bin, the divisions register embedded in
// package divisions, from the source files of one edition:
//
//	go run ./internal/gen -src ../../../shared/divisions -edition 2023 -out register.bin
//
// It reads the files with divisions.Parse and writes the register's binary
// form; the same sources always give the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/careledger/careledger/domain/divisions"
)

func main() {
	src := flag.String("src", "", "directory holding provinces.csv, cities.csv, areas.csv, streets.csv and villages.csv.gz")
	edition := flag.String("edition", "", "edition of the sources, e.g. 2023")
	out := flag.String("out", "register.bin", "file to write")
	flag.Parse()
	if *src == "" || *edition == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*src, *edition, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, edition, out string) error {
	r, err := divisions.Parse(os.DirFS(src), edition)
	if err != nil {
		return err
	}
	data, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: edition %s, %d divisions, %d bytes\n", out, edition, r.Len(), len(data))
	return nil
}
