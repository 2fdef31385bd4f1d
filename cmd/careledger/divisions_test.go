package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// newVillage is a code the 2023 edition lacks: 邱家店镇's villages end
// at 244.
const newVillage = "370902101245"

// writeEdition writes a newer edition into a directory: the branch of the
// register down to 邱家店镇, one village renamed and one new. What the
// directory leaves out is not removed: an import only adds or renames.
func writeEdition(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"provinces.csv": "code,name\n37,\"山东省\"\n",
		"cities.csv":    "code,name,provinceCode\n3709,\"泰安市\",37\n",
		"areas.csv":     "code,name,cityCode,provinceCode\n370902,\"泰山区\",3709,37\n",
		"streets.csv":   "code,name,areaCode,provinceCode,cityCode\n370902101,\"邱家店镇\",370902,37,3709\n",
		"villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n" +
			"370902101201,\"邱家店村委会\",370902101,37,3709,370902\n" +
			"370902101244,\"东旧县社区居委会\",370902101,37,3709,370902\n" +
			newVillage + ",\"新建村委会\",370902101,37,3709,370902\n",
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}
	return dir
}

func importDivisions(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"divisions", "import"}, args...), &out, &errOut)
	return out.String() + errOut.String(), err
}

// TestDivisionsImport: a code created after the shipped edition is refused
// until an admin loads the edition that has it; the load is one event,
// which every handle of the store then reads; loading it again adds
// nothing and is refused.
func TestDivisionsImport(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			storeArgs := []string{"--data", dir}
			sf := storeFlags{data: dir}
			if backend == "postgres" {
				sf.postgres = pgtest.NewDatabase(t)
				storeArgs = append(storeArgs, "--postgres", sf.postgres)
			}
			_, err := issue(t, append(storeArgs, "--role", "inspector", "--subject", "insp-1", "--jurisdiction", newVillage)...)
			assert.ErrorContains(t, err, "edition 2023")

			edition := writeEdition(t)
			out, err := importDivisions(t, append(append([]string{"--edition", "2024"}, storeArgs...), edition)...)
			require.NoError(t, err, out)
			assert.Contains(t, out, "edition 2024 loaded")

			_, err = issue(t, append(storeArgs, "--role", "inspector", "--subject", "insp-1", "--jurisdiction", newVillage)...)
			require.NoError(t, err)
			id := registerWorker(t, sf, domain.RoleChildDirector, newVillage)
			assert.NotEmpty(t, id)

			out, err = importDivisions(t, append(append([]string{"--edition", "2024"}, storeArgs...), edition)...)
			assert.ErrorContains(t, err, "adds or renames no division", out)
		})
	}
}

// TestDivisionsImportRefusesBadInput: a missing directory, a missing
// edition or a broken file is refused before anything is recorded.
func TestDivisionsImportRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	_, err := importDivisions(t, "--data", dir, "--edition", "2024", filepath.Join(dir, "nowhere"))
	assert.ErrorContains(t, err, "not a directory")
	_, err = importDivisions(t, "--data", dir, writeEdition(t))
	assert.ErrorContains(t, err, "--edition")
	broken := writeEdition(t)
	require.NoError(t, os.WriteFile(filepath.Join(broken, "streets.csv"), []byte("code,name,areaCode,provinceCode,cityCode\n370999101,\"无名镇\",370999,37,3709\n"), 0o600))
	_, err = importDivisions(t, "--data", dir, "--edition", "2024", broken)
	assert.ErrorContains(t, err, "streets.csv")
}
