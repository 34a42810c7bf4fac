//go:build !unix

package dockercfg

import "os/exec"

// setProcessGroup leaves cmd as it is: process groups are a Unix notion;
// stopping the call kills the helper process only.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup does nothing outside Unix.
func killProcessGroup(*exec.Cmd) error { return nil }
