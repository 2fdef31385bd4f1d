package engine_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

func TestLagMetrics(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 9, 1, 10)
		e := engine.New(b.Store, b.DB, engine.Options{}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		reg := prometheus.NewPedanticRegistry()
		require.NoError(t, reg.Register(engine.NewCollector(e)))

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
