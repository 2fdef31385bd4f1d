package engine

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports every projection's lag for Prometheus: events behind
// the log's head, seconds since the first unapplied event was recorded, and
// whether it stopped on an event. It reads the lag when scraped.
type Collector struct {
	engine                   *Engine
	behind, seconds, stopped *prometheus.Desc
}

// NewCollector makes the collector for an engine.
func NewCollector(e *Engine) *Collector {
	labels := []string{"projection"}
	return &Collector{
		engine:  e,
		behind:  prometheus.NewDesc("careledger_projection_lag_events", "Events of the log a projection has not applied yet.", labels, nil),
		seconds: prometheus.NewDesc("careledger_projection_lag_seconds", "Seconds since the first event a projection has not applied was recorded.", labels, nil),
		stopped: prometheus.NewDesc("careledger_projection_stopped", "1 when a projection stopped on an event it cannot apply.", labels, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.behind
	ch <- c.seconds
	ch <- c.stopped
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	lags, err := c.engine.Lags(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.behind, err)
		return
	}
	for _, l := range lags {
		stopped := 0.0
		if l.Stopped != nil {
			stopped = 1
		}
		ch <- prometheus.MustNewConstMetric(c.behind, prometheus.GaugeValue, float64(l.Behind), l.Name)
		ch <- prometheus.MustNewConstMetric(c.seconds, prometheus.GaugeValue, l.Duration.Seconds(), l.Name)
		ch <- prometheus.MustNewConstMetric(c.stopped, prometheus.GaugeValue, stopped, l.Name)
	}
}
