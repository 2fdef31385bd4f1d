//go:build !unix

package readtest

import "time"

// cpuTime is zero where the platform does not tell a process's CPU time
// through getrusage; events/cpu-s is then meaningless.
func cpuTime() time.Duration { return 0 }
