package clustertest

import (
	"os"
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
