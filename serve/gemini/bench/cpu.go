package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// usage is what a process has used so far: CPU time and read and write
// system calls (Linux /proc; socket I/O included).
type usage struct {
	cpu           time.Duration
	reads, writes int64
}

func (u usage) minus(v usage) usage {
	return usage{u.cpu - v.cpu, u.reads - v.reads, u.writes - v.writes}
}

// readUsage reads /proc/PID/stat and /proc/PID/io (Linux).
func readUsage(pid int) (usage, error) {
	var u usage
	name := fmt.Sprintf("/proc/%d/stat", pid)
	b, err := os.ReadFile(name)
	if err != nil {
		return u, fmt.Errorf("%s: %w", name, err)
	}
	// The command name may hold spaces: count fields after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return u, fmt.Errorf("%s: unexpected content", name)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return u, fmt.Errorf("%s: unexpected content", name)
	}
	const ticks = 100            // USER_HZ, the unit of the times in /proc/PID/stat
	for _, s := range f[11:13] { // utime and stime, fields 14 and 15
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return u, fmt.Errorf("%s: %w", name, err)
		}
		u.cpu += time.Duration(n) * time.Second / ticks
	}
	name = fmt.Sprintf("/proc/%d/io", pid)
	b, err = os.ReadFile(name)
	if err != nil {
		return u, fmt.Errorf("%s: %w", name, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "syscr":
			u.reads = n
		case "syscw":
			u.writes = n
		}
	}
	return u, nil
}
