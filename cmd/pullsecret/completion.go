package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pullsecret/pullsecret/match"
)

// completionFlag, as the last argument, asks for the completions of the
// command line before it instead of running it. It is urfave/cli's
// completion flag; unlike urfave/cli's own scripts, ours always pass the
// word being completed (possibly empty) just before it, so that "-o <TAB>"
// and "-o<TAB>" are told apart. Every value printed is one line; the shell
// keeps those that start with the word.
const completionFlag = "--generate-bash-completion"

// shells are the shells "completion" writes scripts for, and kubectl,
// which completes "kubectl pullsecret ..." by asking a program named
// kubectl_complete-pullsecret (kubectl 1.26 and later).
var shells = []string{"bash", "zsh", "fish", "kubectl"}

func newCompletionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish (or kubectl's plugin completion)",
		ArgsUsage: "bash|zsh|fish|kubectl",
		Description: strings.NewReplacer("BIN", strings.ReplaceAll(e.progName(), " ", "-")).Replace(
			"bash:  source <(BIN completion bash)    (or save it under /etc/bash_completion.d/)\n"+
				"zsh:   BIN completion zsh > \"${fpath[1]}/_BIN\"   (compinit must be loaded)\n"+
				"fish:  BIN completion fish > ~/.config/fish/completions/BIN.fish\n"+
				"kubectl pullsecret (kubectl 1.26+, with kubectl's own completion loaded):\n"+
				"       BIN completion kubectl > DIR/kubectl_complete-pullsecret; chmod +x DIR/kubectl_complete-pullsecret\n"+
				"       (DIR on PATH)\n") +
			"\n" +
			"The scripts run the program with the words typed so far and " + completionFlag + "; it lists\n" +
			"commands, flags and the values of -o, --semantics, --type and --for. Elsewhere the shell\n" +
			"completes file names.",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || !slices.Contains(shells, c.Args().First()) {
				return usagef("completion: shell %q: want %s", c.Args().First(), orList(shells))
			}
			_, err := io.WriteString(e.stdout, completionScript(c.Args().First(), e.progName()))
			return err
		},
	}
}

// completionScript returns the script of shell for the program prog
// ("pullsecret", or "kubectl pullsecret" for the plugin binary
// kubectl-pullsecret, which is what the script completes then).
func completionScript(shell, prog string) string {
	bin := strings.ReplaceAll(prog, " ", "-")
	fn := "_" + strings.NewReplacer("-", "_", ".", "_").Replace(bin) + "_complete"
	var s string
	switch shell {
	case "bash":
		s = `# bash completion for BIN; load with: source <(BIN completion bash)
FN() {
  local cur="${COMP_WORDS[COMP_CWORD]}" out
  out=$("${COMP_WORDS[0]}" "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" FLAG 2>/dev/null) || return 0
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
}
complete -o bashdefault -o default -F FN BIN
`
	case "zsh":
		s = `#compdef BIN
# zsh completion for BIN; save as _BIN in a directory of $fpath, or: source <(BIN completion zsh)
FN() {
  local -a opts
  opts=("${(@f)$("${words[1]}" "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" FLAG 2>/dev/null)}")
  if [[ -n "${opts[1]}" ]]; then
    compadd -a opts
  else
    _files
  fi
}
# Autoloaded from $fpath as _BIN, this file is the function's body: complete; sourced, register.
if [[ "${funcstack[1]}" == "_BIN" ]]; then
  FN "$@"
else
  compdef FN BIN
fi
`
	case "fish":
		s = `# fish completion for BIN; save as ~/.config/fish/completions/BIN.fish
function FN
    set -l tokens (commandline -opc)
    set -l prog $tokens[1]
    set -e tokens[1]
    set -l cur (commandline -ct)
    set -l out ($prog $tokens "$cur" FLAG 2>/dev/null)
    if test (count $out) -gt 0
        printf '%s\n' $out
    else
        __fish_complete_path "$cur"
    end
end
complete -c BIN -f -a '(FN)'
`
	case "kubectl":
		// kubectl runs it with the words after "kubectl pullsecret", the
		// last one being completed, and reads cobra's format: one
		// completion a line, then ":DIRECTIVE" (0: the shell's default,
		// file names, when there is none).
		s = `#!/bin/sh
# kubectl_complete-pullsecret: completion of "kubectl pullsecret ..." for kubectl 1.26 and later.
# Install as an executable named kubectl_complete-pullsecret on PATH.
kubectl-pullsecret "$@" FLAG 2>/dev/null
echo :0
`
	}
	return strings.NewReplacer("FN", fn, "BIN", bin, "FLAG", completionFlag).Replace(s)
}

// complete prints the completions of words, the words typed after the
// program name, the last one being completed (possibly empty): the
// commands, the flags of the command, or the values of the flag before the
// word, that start with the word.
func complete(app *cli.App, w io.Writer, words []string) error {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, prev := words[len(words)-1], words[:len(words)-1]
	var cmd *cli.Command
	for i, p := range prev {
		if p == "--" {
			return nil
		}
		if !strings.HasPrefix(p, "-") {
			if cmd = app.Command(p); cmd == nil {
				return nil
			}
			prev = prev[i+1:]
			break
		}
	}
	var out []string
	switch {
	case cmd == nil && strings.HasPrefix(cur, "-"):
		out = flagNames(app.Flags)
	case cmd == nil:
		for _, c := range app.VisibleCommands() {
			out = append(out, c.Name)
		}
	case cmd.Name == "help" && len(prev) == 0:
		for _, c := range app.VisibleCommands() {
			out = append(out, c.Name)
		}
	case cmd.Name == "completion" && len(prev) == 0 && !strings.HasPrefix(cur, "-"):
		out = shells
	case len(prev) > 0 && flagValues(cmd, prev[len(prev)-1]) != nil:
		out = flagValues(cmd, prev[len(prev)-1])
	case strings.HasPrefix(cur, "-"):
		out = flagNames(cmd.Flags)
	}
	for _, o := range out {
		if !strings.HasPrefix(o, cur) {
			continue
		}
		if _, err := fmt.Fprintln(w, o); err != nil {
			return err
		}
	}
	return nil
}

// flagNames lists the visible flags, long names only ("--namespace").
func flagNames(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			if len(n) > 1 {
				out = append(out, "--"+n)
			}
		}
	}
	return out
}

// flagValues returns the values the flag typed as arg takes in cmd, nil
// when it is not a flag of cmd with a known list of values.
func flagValues(cmd *cli.Command, arg string) []string {
	if strings.Contains(arg, "=") || !strings.HasPrefix(arg, "-") {
		return nil
	}
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	for _, f := range cmd.Flags {
		if !slices.Contains(f.Names(), name) || !takesValue(f) {
			continue
		}
		switch f.Names()[0] {
		case "output":
			return outputValues(cmd.Name)
		case "semantics":
			return []string{string(match.SemanticsKubelet), string(match.SemanticsDocker), string(match.SemanticsPodman)}
		case "type":
			return []string{"dockerconfigjson", "dockercfg"}
		case "for":
			return []string{"pull", "mount", "both"}
		case "prefer":
			return []string{"first", "last"}
		}
	}
	return nil
}
