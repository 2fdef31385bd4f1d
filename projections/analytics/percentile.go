package analytics

import (
	"math"
	"slices"
	"time"
)

// MedianHours is the median of ds in hours (the mean of the two middle
// values for an even count); nil for none.
func MedianHours(ds []time.Duration) *float64 {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	h := s[n/2].Hours()
	if n%2 == 0 {
		h = (s[n/2-1].Hours() + s[n/2].Hours()) / 2
	}
	return &h
}

// PercentileHours is the p-th percentile of ds in hours by nearest rank
// (the smallest value with at least p% of the values at or below it); nil
// for none.
func PercentileHours(ds []time.Duration, p float64) *float64 {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	h := s[rank-1].Hours()
	return &h
}
