package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times /proc gives (USER_HZ, 100 on Linux
// whatever the kernel's tick).
const userHZ = 100

// benchCPU is where the machine's CPU went during the load: how busy the
// whole machine was, and the cores (CPU seconds a second) the servers
// measured, the PostgreSQL server when it runs on this machine, and this
// process — the load generator — used, each also as milliseconds of CPU a
// request (commands and queries). It says whether the machine was the
// limit, and what a request costs each of them.
type benchCPU struct {
	MachineBusyPercent float64 `json:"machine_busy_percent"`
	Cores              int     `json:"cores"`
	ServerCores        float64 `json:"server_cores"`
	ServerMsPerRequest float64 `json:"server_ms_per_request"`
	// PostgresCores is 0 on SQLite, and when no process named postgres
	// runs on this machine.
	PostgresCores         float64 `json:"postgres_cores,omitempty"`
	PostgresMsPerRequest  float64 `json:"postgres_ms_per_request,omitempty"`
	GeneratorCores        float64 `json:"generator_cores"`
	GeneratorMsPerRequest float64 `json:"generator_ms_per_request"`
}

// cpuSample is what /proc says at one moment: the machine's CPU time, busy
// and idle, and the CPU time of the processes bench watches, in seconds.
type cpuSample struct {
	at                           time.Time
	busy, idle                   float64
	servers, postgres, generator float64
	cores                        int
}

// sampleCPU reads /proc, and the processes named postgres if postgres;
// where there is no /proc, the sample is empty and ok false.
func sampleCPU(servers []int, postgres bool) (cpuSample, bool) {
	s := cpuSample{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 5 && f[0] == "cpu":
			for i, v := range f[1:] {
				n, _ := strconv.ParseFloat(v, 64)
				if i == 3 || i == 4 { // idle, iowait
					s.idle += n / userHZ
				} else if i < 8 { // user nice system – irq softirq steal; guest is in user already
					s.busy += n / userHZ
				}
			}
		case len(f) > 0 && strings.HasPrefix(f[0], "cpu"):
			s.cores++
		}
	}
	for _, pid := range servers {
		s.servers += processCPU(strconv.Itoa(pid), false)
	}
	s.generator = processCPU("self", false)
	var procs []string
	if postgres {
		procs, _ = filepath.Glob("/proc/[0-9]*/comm")
	}
	for _, p := range procs {
		if comm, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(comm)) == "postgres" {
			// With its children's: the postmaster is charged the
			// backends that ended during the load.
			s.postgres += processCPU(filepath.Base(filepath.Dir(p)), true)
		}
	}
	return s, true
}

// processCPU is the user and system CPU seconds of /proc/pid, and of its
// children that ended, if children; 0 once it is gone.
func processCPU(pid string, children bool) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is the state, field 3
	if len(f) < 15 {
		return 0
	}
	fields := f[11:13] // utime, stime: fields 14, 15
	if children {
		fields = f[11:15] // and cutime, cstime
	}
	var ticks float64
	for _, v := range fields {
		n, _ := strconv.ParseFloat(v, 64)
		ticks += n
	}
	return ticks / userHZ
}

// until is the CPU from a to b, over requests answered in between.
func (a cpuSample) until(b cpuSample, requests int) *benchCPU {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return nil
	}
	per := func(seconds float64) float64 {
		if requests == 0 {
			return 0
		}
		return seconds * 1000 / float64(requests)
	}
	c := &benchCPU{Cores: b.cores,
		ServerCores: (b.servers - a.servers) / wall, ServerMsPerRequest: per(b.servers - a.servers),
		PostgresCores: (b.postgres - a.postgres) / wall, PostgresMsPerRequest: per(b.postgres - a.postgres),
		GeneratorCores: (b.generator - a.generator) / wall, GeneratorMsPerRequest: per(b.generator - a.generator)}
	if all := (b.busy - a.busy) + (b.idle - a.idle); all > 0 {
		c.MachineBusyPercent = 100 * (b.busy - a.busy) / all
	}
	return c
}

func (c *benchCPU) print(w io.Writer) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "  CPU in the load     machine %.0f%% busy (%d cores); server %.2f cores, %.2f ms a request",
		c.MachineBusyPercent, c.Cores, c.ServerCores, c.ServerMsPerRequest)
	if c.PostgresCores > 0 {
		fmt.Fprintf(w, "; PostgreSQL %.2f cores, %.2f ms", c.PostgresCores, c.PostgresMsPerRequest)
	}
	fmt.Fprintf(w, "; load generator %.2f cores, %.2f ms\n", c.GeneratorCores, c.GeneratorMsPerRequest)
}
