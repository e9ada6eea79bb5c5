package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"go.yaml.in/yaml/v3"
)

// fileValue is a key's value in the config file and the line it is on
// (0 when unknown).
type fileValue struct {
	v    any
	line int
}

// readConfigFile reads a config file into its keys (dotted, lower case),
// each with its value and line. A file named .yaml or .yml is YAML; any
// other (gmkit.toml, or /dev/null given to --config) is TOML. A syntax
// error, a table defined twice and a key gmkit does not know are errors
// that give the line.
func readConfigFile(path string) (map[string]fileValue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file %w", err)
	}
	var tree map[string]any
	var lines map[string]int
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		tree, lines, err = readYAML(data)
	default:
		tree, lines, err = readTOML(data)
	}
	if err != nil {
		return nil, fmt.Errorf("config file %s%w", path, err)
	}
	known := map[string]bool{}
	sections := map[string]bool{}
	for _, k := range keys {
		known[k.name] = true
		for i := range k.name {
			if k.name[i] == '.' {
				sections[k.name[:i]] = true
			}
		}
	}
	out := map[string]fileValue{}
	var unknown []string
	var moved []error
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			name := strings.ToLower(prefix + k)
			sub, isTable := v.(map[string]any)
			switch {
			case known[name]:
				out[name] = fileValue{v: v, line: lineOf(lines, name)}
			case isTable && sections[name]:
				walk(name+".", sub)
			case renamedKeys[name] != "":
				moved = append(moved, renamedError(name, fmt.Sprintf("%s line %d", path, lineOf(lines, name))))
			default:
				unknown = append(unknown, fmt.Sprintf("%s (line %d)", name, lineOf(lines, name)))
			}
		}
	}
	walk("", tree)
	if len(moved) > 0 {
		return nil, errors.Join(moved...)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("config file %s: unknown key %s (see docs/config.md for every key)", path, strings.Join(unknown, ", "))
	}
	return out, nil
}

// lineOf is the line of a dotted key, or of the nearest table holding it.
func lineOf(lines map[string]int, name string) int {
	for {
		if l, ok := lines[name]; ok {
			return l
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return 0
		}
		name = name[:i]
	}
}

// readTOML decodes a TOML document and records the line of every key and
// table header.
func readTOML(data []byte) (map[string]any, map[string]int, error) {
	tree := map[string]any{}
	if err := toml.Unmarshal(data, &tree); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, nil, fmt.Errorf(" line %d: %s", row, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, nil, fmt.Errorf(": %w", err)
	}
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		var parts []string
		line := 0
		it := e.Key()
		for it.Next() {
			n := it.Node()
			if line == 0 {
				line = p.Shape(n.Raw).Start.Line
			}
			parts = append(parts, strings.ToLower(string(n.Data)))
		}
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = parts
			parts = nil
		case unstable.KeyValue:
		default:
			continue
		}
		full := append(append([]string{}, table...), parts...)
		for i := 1; i <= len(full); i++ {
			name := strings.Join(full[:i], ".")
			if _, ok := lines[name]; !ok {
				lines[name] = line
			}
		}
	}
	return tree, lines, nil
}

// readYAML decodes a YAML document and records the line of every key.
func readYAML(data []byte) (map[string]any, map[string]int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf(": %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	tree := map[string]any{}
	lines := map[string]int{}
	if len(doc.Content) == 0 {
		return tree, lines, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf(" line %d: want a mapping of keys to values at the top", root.Line)
	}
	if err := root.Decode(&tree); err != nil {
		return nil, nil, fmt.Errorf(": %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := prefix + strings.ToLower(k.Value)
			if _, ok := lines[name]; !ok {
				lines[name] = k.Line
			}
			if v.Kind == yaml.MappingNode {
				walk(name+".", v)
			}
		}
	}
	walk("", root)
	return tree, lines, nil
}
