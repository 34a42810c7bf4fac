//go:build unix && !linux

package clustertest

import (
	"os"
	"syscall"
)

// sysProcAttr puts a server in its own process group so killGroup reaches
// everything it runs. Outside Linux there is no parent-death signal: a test
// binary killed hard leaves the servers running.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group led by p.
func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }

// processAlive reports whether a process with this ID exists.
func processAlive(pid int) bool {
	return syscall.Kill(pid, 0) != syscall.ESRCH
}
