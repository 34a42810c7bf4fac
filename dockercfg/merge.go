package dockercfg

// MergeConflict is a registry key (normalised with ParseKey) that several
// merged entries share. It holds no secret.
type MergeConflict struct {
	// Key is the normalised key ("https://index.docker.io/v1/" for Docker Hub).
	Key string
	// Kept is the index in Entries of the entry that was kept.
	Kept int
	// Entries are the conflicting entries in input order.
	Entries []MergeEntry
}

// MergeEntry names one of the entries of a MergeConflict.
type MergeEntry struct {
	Source   string // the source label
	Key      string // the key as written
	Username string // the effective user name
}

// Merge combines the entries of sources into one config.json-format Config.
// Entries whose keys normalise (ParseKey) to the same key conflict: with
// preferLast false the earliest is kept, otherwise the latest; the kept
// entry takes the position of the key's first occurrence and keeps its key
// as written. A key that ParseKey rejects is compared verbatim. Every
// conflict is returned, in the order of first occurrence. Only entries are
// merged: credsStore, credHelpers and unknown members are not carried over,
// and entries are taken as they are (helpers are not run).
func Merge(sources []Source, preferLast bool) (*Config, []MergeConflict) {
	out := &Config{Format: FormatConfigJSON}
	type slot struct {
		entries []*Entry
		refs    []MergeEntry
	}
	index := map[string]int{}
	var slots []*slot
	var keys []string
	for _, s := range sources {
		if s.Config == nil {
			continue
		}
		for _, e := range s.Config.Entries {
			k := e.Key
			if pk, err := ParseKey(e.Key); err == nil {
				k = pk.String()
			}
			i, ok := index[k]
			if !ok {
				i = len(slots)
				index[k] = i
				slots = append(slots, &slot{})
				keys = append(keys, k)
			}
			slots[i].entries = append(slots[i].entries, e)
			slots[i].refs = append(slots[i].refs, MergeEntry{Source: s.Label(), Key: e.Key, Username: e.Username})
		}
	}
	var conflicts []MergeConflict
	for i, sl := range slots {
		kept := 0
		if preferLast {
			kept = len(sl.entries) - 1
		}
		out.Entries = append(out.Entries, sl.entries[kept])
		if len(sl.entries) > 1 {
			conflicts = append(conflicts, MergeConflict{Key: keys[i], Kept: kept, Entries: sl.refs})
		}
	}
	return out, conflicts
}
