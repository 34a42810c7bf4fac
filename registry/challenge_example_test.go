package registry

import "fmt"

func ExampleParseChallenges() {
	cs, err := ParseChallenges([]string{
		`Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := cs[0]
	fmt.Println(c.IsScheme("bearer"), c.Realm(), c.Service())
	for _, s := range c.Scopes() {
		sc, _ := ParseScope(s)
		fmt.Println(sc.Type, sc.Name, sc.Actions)
	}
	// Output:
	// true https://auth.example.com/token registry.example.com
	// repository team/app [pull]
}
