// Package commandstest drives the write side in tests of what reads it, so
// that every read model is checked against histories the commands really
// record: a small county to act in (NewCounty), one seeded with children
// and cases whose personal data no read model may hold (SeedTwoCounties),
// and workloads of random commands, from several writers at once
// (Workload) or on a clock moving through the past (ClockWorkload).
package commandstest
