// Command coredns is CoreDNS with only the plugins Atlas' rendered Corefile uses, so the
// contract tests run the real server without building CoreDNS' cloud back ends
// (Route 53, Azure, Kubernetes, ...). Plugin order and parsing are upstream's
// (core/dnsserver's directive list); a Corefile naming any other plugin is refused with
// upstream's "unknown directive" error, which the contract tests would report.
package main

import (
	"github.com/coredns/coredns/coremain"

	// The DNS server type and the plugins templates/Corefile.mustache names.
	_ "github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/file"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/metrics"
)

func main() {
	coremain.Run()
}
