package divisions

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// SourceError is what is wrong with a source file read by Parse: the file,
// the line (1-based; 0 when the fault is the whole file's) and the fault.
type SourceError struct {
	File string
	Line int
	Msg  string
}

func (e *SourceError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("divisions: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("divisions: %s: %s", e.File, e.Msg)
}

// source is one of the five files Parse reads: the level of its divisions
// and its header. Every column after code and name repeats the code of an
// ancestor, which must agree with the code's own first digits.
type source struct {
	file   string
	level  Level
	header []string
}

var sources = [...]source{
	{"provinces.csv", Province, []string{"code", "name"}},
	{"cities.csv", City, []string{"code", "name", "provinceCode"}},
	{"areas.csv", County, []string{"code", "name", "cityCode", "provinceCode"}},
	{"streets.csv", Township, []string{"code", "name", "areaCode", "provinceCode", "cityCode"}},
	{"villages.csv.gz", Village, []string{"code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"}},
}

// ancestorColumns names the columns that repeat an ancestor's code.
var ancestorColumns = map[string]Level{"provinceCode": Province, "cityCode": City, "areaCode": County, "streetCode": Township}

// Parse reads an edition of the register from the five source files at the
// root of fsys, in the form of the 2023 edition the package embeds:
// provinces.csv (code,name), cities.csv (code,name,provinceCode),
// areas.csv (code,name,cityCode,provinceCode), streets.csv
// (code,name,areaCode,provinceCode,cityCode) and villages.csv.gz
// (gzip-compressed code,name,streetCode,provinceCode,cityCode,areaCode; an
// uncompressed villages.csv is read when there is no villages.csv.gz). Each
// file starts with that header. Rows may come in any order.
//
// Every fault in a file is a *SourceError: a missing file or wrong header,
// a row with the wrong number of columns, a code of the wrong form for its
// file, an ancestor column that disagrees with the code, a division whose
// parent the file above lacks, a code given twice, an empty or malformed
// name.
func Parse(fsys fs.FS, edition string) (*Register, error) {
	if msg := checkEdition(edition); msg != "" {
		return nil, errors.New("divisions: " + msg)
	}
	r := &Register{edition: edition}
	var lines [Village + 1]map[uint64]int // the line each code was read from, by level
	for _, src := range sources {
		rows, seen, err := parseFile(fsys, src, lines[src.level-1])
		if err != nil {
			return nil, err
		}
		lines[src.level] = seen
		if r.tables[src.level], err = newTable(rows); err != nil {
			return nil, &SourceError{File: src.file, Msg: err.Error()}
		}
	}
	return r, nil
}

// parseFile reads the divisions of one source file. parents holds the codes
// of the level above (nil for provinces).
func parseFile(fsys fs.FS, src source, parents map[uint64]int) ([]row, map[uint64]int, error) {
	f, file, err := openSource(fsys, src.file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fail := func(line int, format string, args ...any) error {
		return &SourceError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fail(0, "empty file; want the header %s", strings.Join(src.header, ","))
	}
	if err != nil {
		return nil, nil, readError(file, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	if !slices.Equal(header, src.header) {
		return nil, nil, fail(1, "header %s; want %s", strings.Join(header, ","), strings.Join(src.header, ","))
	}
	width := widths[src.level]
	var rows []row
	seen := make(map[uint64]int)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, readError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(src.header) {
			return nil, nil, fail(line, "%d columns; want %d (%s)", len(rec), len(src.header), strings.Join(src.header, ","))
		}
		code, name := rec[0], rec[1]
		if len(code) != width || !allDigits(code) {
			return nil, nil, fail(line, "code %q: a %s code has %d digits", code, src.level, width)
		}
		for i, col := range src.header[2:] {
			al := ancestorColumns[col]
			if want := code[:widths[al]]; rec[2+i] != want {
				return nil, nil, fail(line, "%s %q disagrees with code %s (want %s)", col, rec[2+i], code, want)
			}
		}
		v := parseDigits(code)
		if first, dup := seen[v]; dup {
			return nil, nil, fail(line, "code %s given twice (first on line %d)", code, first)
		}
		if src.level > Province {
			up := src.level - 1
			if _, ok := parents[v/pow10[width-widths[up]]]; !ok {
				return nil, nil, fail(line, "%s %s has no parent: %s %s is not in %s", src.level, code, up, code[:widths[up]], sources[up-1].file)
			}
		}
		if msg := checkName(name); msg != "" {
			return nil, nil, fail(line, "code %s: %s", code, msg)
		}
		seen[v] = line
		rows = append(rows, row{v, name})
	}
	return rows, seen, nil
}

// openSource opens a source file, gunzipping a .gz one; for villages.csv.gz
// it falls back to an uncompressed villages.csv. file is the name opened.
func openSource(fsys fs.FS, name string) (rc io.ReadCloser, file string, err error) {
	f, err := fsys.Open(name)
	if plain, ok := strings.CutSuffix(name, ".gz"); ok && errors.Is(err, fs.ErrNotExist) {
		if pf, perr := fsys.Open(plain); perr == nil {
			return pf, plain, nil
		}
	}
	if err != nil {
		return nil, name, &SourceError{File: name, Msg: fmt.Sprintf("cannot open: %v", err)}
	}
	if !strings.HasSuffix(name, ".gz") {
		return f, name, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, name, &SourceError{File: name, Msg: fmt.Sprintf("not gzip: %v", err)}
	}
	return gzipFile{zr, f}, name, nil
}

// gzipFile closes both the gzip reader and the file under it.
type gzipFile struct {
	*gzip.Reader
	f fs.File
}

func (g gzipFile) Close() error {
	g.Reader.Close()
	return g.f.Close()
}

// readError turns a CSV or decompression error into a *SourceError.
func readError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &SourceError{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &SourceError{File: file, Msg: err.Error()}
}
