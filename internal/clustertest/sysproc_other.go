//go:build !unix

package clustertest

import (
	"os"
	"syscall"
)

// sysProcAttr has nothing to set where there are no process groups.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup kills p.
func killGroup(p *os.Process) error { return p.Kill() }

// processAlive assumes every owner alive: stale directories stay.
func processAlive(int) bool { return true }
