package clustertest

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// sysProcAttr puts a server in its own process group (so killGroup reaches
// everything it runs) and has the kernel kill it when the thread that started
// it exits: servers are started from a goroutine locked to a thread that never
// exits (see spawn), so that happens when the test binary dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the process group led by p.
func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }

// processAlive reports whether a process with this ID exists and is not a
// zombie (a killed test binary whose parent never reaps it).
func processAlive(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
