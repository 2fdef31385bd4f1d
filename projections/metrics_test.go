package projections_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections"
)

func TestLagMetrics(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		workload(t, b.store, 9, 1, 10)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		head, err := b.store.Head(ctx)
		require.NoError(t, err)
		reg := prometheus.NewPedanticRegistry()
		require.NoError(t, reg.Register(projections.NewCollector(e)))

		want := func(behind int64) string {
			return "# HELP careledger_projection_lag_events Events of the log a projection has not applied yet.\n" +
				"# TYPE careledger_projection_lag_events gauge\n" +
				`careledger_projection_lag_events{projection="cases"} ` + strconv.FormatInt(behind, 10) + "\n"
		}
		require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want(head.Position)), "careledger_projection_lag_events"))
		require.NoError(t, e.CatchUp(ctx))
		require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want(0)), "careledger_projection_lag_events"))
	})
}
