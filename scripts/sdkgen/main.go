// sdkgen writes the Python or Go SDK of a Pulumi package schema with the code generators of
// github.com/pulumi/pulumi/pkg/v3/codegen, the same code `pulumi package gen-sdk` runs through the
// language hosts (pulumi-language-python, pulumi-language-go), which the Go module proxy reachable
// here does not serve. Built and run by scripts/gen-sdks.sh.
//
//	sdkgen <schema.json> <python|go> <out dir>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: sdkgen <schema.json> <python|go> <out dir>")
	}
	text, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	// The schema refers to no other package: nothing to load.
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("the schema does not bind: %s", diags.Error())
	}
	var files map[string][]byte
	switch args[1] {
	case "python":
		files, err = pygen.GeneratePackage("pulumi-azure-certs sdkgen", pkg, nil, nil)
	case "go":
		files, err = gogen.GeneratePackage("pulumi-azure-certs sdkgen", pkg, nil)
	default:
		return fmt.Errorf("unknown language %q (python or go)", args[1])
	}
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(args[2], name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
