package main

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerPoolSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "16"},
		{"postgresql://u@h/db", "16"},
		{"postgres://u@h/db?pool_max_conns=3", "3"},
		{"host=h user=u dbname=db", "16"},
		{"host=h dbname=db pool_max_conns=5", "5"},
	} {
		cfg, err := pgxpool.ParseConfig(withPoolSize(tc.in))
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, fmt.Sprint(cfg.MaxConns), tc.in)
	}
}
