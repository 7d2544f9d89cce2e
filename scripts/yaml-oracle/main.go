// yaml-oracle prints how Kubernetes decodes YAML: every document of each input file, split as
// kubectl and helm split it (k8s.io/apimachinery's YAML reader, by `---` lines) and decoded with
// sigs.k8s.io/yaml (non-strict, as the API machinery's unstructured decoding is), as one JSON line.
// Used only to (re)generate __tests__/fixtures/yaml-differential/*.expected.json; the test suite never
// runs Go. Usage: go run . FILE.yaml... (writes FILE.expected.json next to each input).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type result struct {
	// Value is the decoded JSON (null for an empty document), or absent when Error is set.
	Value json.RawMessage `json:"value,omitempty"`
	Error string          `json:"error,omitempty"`
}

func decodeAll(data []byte) []result {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []result
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			out = append(out, result{Error: err.Error()})
			break
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			out = append(out, result{Error: err.Error()})
			continue
		}
		if string(j) == "null" {
			continue
		}
		out = append(out, result{Value: j})
	}
	return out
}

func main() {
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		docs := decodeAll(data)
		var buf bytes.Buffer
		buf.WriteString("[\n")
		for i, d := range docs {
			line, _ := json.Marshal(d)
			buf.Write(line)
			if i < len(docs)-1 {
				buf.WriteString(",")
			}
			buf.WriteString("\n")
		}
		buf.WriteString("]\n")
		target := strings.TrimSuffix(file, ".yaml") + ".expected.json"
		if err := os.WriteFile(target, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
