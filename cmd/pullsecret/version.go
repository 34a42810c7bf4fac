package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// versionInfo is what "pullsecret version" prints: the module version, the
// VCS commit and the Go toolchain, from the build information the Go
// linker embeds (runtime/debug.ReadBuildInfo).
type versionInfo struct {
	// Version is the module version ("v1.2.3", a pseudo-version), or
	// "(devel)" when unknown.
	Version string `json:"version"`
	// Commit is the VCS revision, empty when unknown.
	Commit string `json:"commit,omitempty"`
	// Modified is true when the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// CommitTime is the commit's time (RFC 3339), empty when unknown.
	CommitTime string `json:"commitTime,omitempty"`
	// GoVersion is the Go toolchain that built the program.
	GoVersion string `json:"goVersion"`
	// Platform is GOOS/GOARCH of the build.
	Platform string `json:"platform"`
}

// newVersionInfo reads bi (ok false: no build information).
func newVersionInfo(bi *debug.BuildInfo, ok bool) versionInfo {
	v := versionInfo{Version: "(devel)", GoVersion: runtime.Version()}
	goos, goarch := runtime.GOOS, runtime.GOARCH
	if ok && bi != nil {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			v.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			case "vcs.time":
				v.CommitTime = s.Value
			case "GOOS":
				goos = s.Value
			case "GOARCH":
				goarch = s.Value
			}
		}
	}
	v.Platform = goos + "/" + goarch
	return v
}

func newVersionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the commit and the Go version of this build",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("version: unexpected argument %q", c.Args().First())
			}
			return printVersion(e, c.String("output"))
		},
	}
}

// printVersion prints the build's versionInfo as text or json.
func printVersion(e *env, output string) error {
	if err := checkOutput("version", output); err != nil {
		return err
	}
	v := newVersionInfo(debug.ReadBuildInfo())
	if output == "json" {
		return writeJSON(e.stdout, struct {
			reportHeader
			versionInfo
		}{newReportHeader(kindVersionReport), v})
	}
	fmt.Fprintf(e.stdout, "%s version %s\n", e.progName(), v.Version)
	if v.Commit != "" {
		commit := v.Commit
		if v.Modified {
			commit += " (modified)"
		}
		if v.CommitTime != "" {
			commit += ", " + v.CommitTime
		}
		fmt.Fprintf(e.stdout, "commit: %s\n", commit)
	}
	fmt.Fprintf(e.stdout, "go: %s %s\n", v.GoVersion, v.Platform)
	return nil
}
