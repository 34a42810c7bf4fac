package match

import (
	"fmt"
	"testing"
)

// benchKeyring is 10,000 credentials spread over 1,000 registries, with
// namespace keys, schemes, ports and a few globs.
func benchKeyring() *Keyring {
	creds := make([]Credential, 0, 10000)
	for i := range 10000 {
		var key string
		switch i % 5 {
		case 0:
			key = fmt.Sprintf("registry%d.example.com", i%1000)
		case 1:
			key = fmt.Sprintf("registry%d.example.com/team%d", i%1000, i)
		case 2:
			key = fmt.Sprintf("https://registry%d.example.com:5000/v2/", i%1000)
		case 3:
			key = fmt.Sprintf("registry%d.example.com/team%d/app", i%1000, i)
		default:
			key = fmt.Sprintf("*.zone%d.example.com", i)
		}
		creds = append(creds, Credential{Key: key, Username: fmt.Sprintf("u%d", i), Password: "p", HasAuthField: true, Source: fmt.Sprintf("secret ns/s%d", i%7)})
	}
	creds = append(creds, Credential{Key: "https://index.docker.io/v1/", Username: "hub", Password: "p", HasAuthField: true})
	return NewKeyring(creds)
}

func BenchmarkLookup(b *testing.B) {
	k := benchKeyring()
	for _, image := range []string{"registry500.example.com/team1501/app:1", "nginx"} {
		ref := mustRef(b, image)
		for _, sem := range []Semantics{SemanticsKubelet, SemanticsDocker, SemanticsPodman} {
			b.Run(fmt.Sprintf("%s/%s", sem, image), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if ms := k.Lookup(ref, sem); len(ms) == 0 {
						b.Fatal("no match")
					}
				}
			})
		}
	}
}

func BenchmarkNewKeyring(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchKeyring()
	}
}
