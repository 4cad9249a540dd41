//go:build tools

// Package tools pins the Go-built developer tools of Atlas (see README.md).
// The pulumi CLI is built straight from the pinned pkg/v3 module; the nodejs
// language host lives in ./cmd/pulumi-language-nodejs (our own, small).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
