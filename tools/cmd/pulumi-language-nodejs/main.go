// Command pulumi-language-nodejs is a small Node.js language host for the
// Pulumi CLI, written for Atlas because the upstream language host module is
// not served by the Go module proxy this project can reach.
//
// It implements the parts of the LanguageRuntime gRPC service that the CLI
// needs for `pulumi preview/up/destroy/refresh` of a Node.js/TypeScript
// program and for running Node.js policy packs and source plugins:
//
//   - Run: spawns `node <@pulumi/pulumi>/cmd/run ...` for the program, with
//     config, secret keys, TypeScript and node-args options passed the way
//     @pulumi/pulumi's run entry point expects them (flags + env vars).
//   - RunPlugin: spawns `cmd/run-policy-pack` (kind "analyzer") or
//     `cmd/run-plugin` (other kinds) and streams its stdout/stderr.
//   - Handshake, GetPluginInfo, GetRequiredPackages/Plugins (empty on purpose:
//     plugins are resolved lazily from `plugins.providers` or the plugin
//     cache, never downloaded up front), InstallDependencies (npm install),
//     About, GetProgramDependencies.
//
// Everything else answers Unimplemented (code generation, templates, ...).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped at build time (-X main.version=...) by scripts/pulumi-cli.sh.
var version = "3.0.0-atlas"

// exitCodeUserActionable is the exit code @pulumi/pulumi uses when it has already
// printed a user-facing error; the engine should then "bail" quietly.
const exitCodeUserActionable = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func main() {
	// The CLI starts language hosts as `pulumi-language-nodejs [flags] <engine-address>`;
	// the engine address is the last positional argument. Flags (e.g. -tracing) are ignored.
	var engineAddress string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			engineAddress = a
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs: could not find node on $PATH")
		os.Exit(1)
	}

	h := &host{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start RPC server: %v\n", err)
		os.Exit(1)
	}
	// The spawner reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins / GetRequiredPackages deliberately report nothing: on an
// offline machine the engine would otherwise try to download every plugin named
// by a package.json in node_modules. Providers are loaded when the program first
// uses them (from `plugins.providers`, $PATH or ~/.pulumi/plugins).
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, _ := exec.LookPath("node")
	out, _ := exec.Command("node", "--version").Output()
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// options returns the runtime options (Pulumi.yaml `runtime.options`) as a map.
func options(info *pulumirpc.ProgramInfo) map[string]any {
	if info == nil || info.GetOptions() == nil {
		return map[string]any{}
	}
	return info.GetOptions().AsMap()
}

func optString(opts map[string]any, key string) string {
	if v, ok := opts[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// findSDKFile walks up from dir looking for node_modules/@pulumi/pulumi/<rel>.
func findSDKFile(dir, rel string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_SDK_DIR"); p != "" {
		return filepath.Join(p, rel), nil
	}
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(d, "node_modules", "@pulumi", "pulumi", rel)
		if _, err := os.Stat(cand); err == nil {
			return cand, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("could not find node_modules/@pulumi/pulumi/%s above %s: "+
				"has `npm install` been run?", rel, dir)
		}
		d = parent
	}
}

// nodeEnv builds the environment shared by programs and plugins: TypeScript options.
func nodeEnv(opts map[string]any) []string {
	env := os.Environ()
	ts := true // Pulumi's default for `typescript` is true.
	if v, ok := opts["typescript"].(bool); ok {
		ts = v
	}
	env = append(env, fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", ts))
	if p := optString(opts, "tsconfig"); p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env
}

func nodeArgs(opts map[string]any) []string {
	return strings.Fields(optString(opts, "nodeargs"))
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	opts := options(info)
	pwd := req.GetPwd()
	programDir := pwd
	entry := req.GetProgram() //nolint:staticcheck // fallback for old engines
	rootDir := pwd
	if info != nil {
		if info.GetProgramDirectory() != "" {
			programDir = info.GetProgramDirectory()
		}
		if info.GetEntryPoint() != "" {
			entry = info.GetEntryPoint()
		}
		if info.GetRootDirectory() != "" {
			rootDir = info.GetRootDirectory()
		}
	}
	if entry == "" {
		entry = "."
	}
	program := entry
	if filepath.Clean(programDir) != filepath.Clean(pwd) || entry != "." {
		if !filepath.IsAbs(entry) {
			program = filepath.Join(programDir, entry)
		}
		if program == filepath.Clean(pwd) {
			program = "."
		}
	}

	runPath, err := findSDKFile(programDir, "cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(nodeArgs(opts), runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", pwd)
	add("root-directory", rootDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() != 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(nodeEnv(opts), "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(keysJSON))

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = pwd
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run node): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin runs a Node.js policy pack (kind "analyzer") or source plugin.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest,
	srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	info := req.GetInfo()
	opts := options(info)
	programDir := req.GetPwd()
	if info != nil && info.GetProgramDirectory() != "" {
		programDir = info.GetProgramDirectory()
	}
	program := req.GetProgram() //nolint:staticcheck // fallback for old engines
	if info != nil && info.GetEntryPoint() != "" {
		program = info.GetEntryPoint()
	}
	if program == "" {
		program = "."
	}
	if !filepath.IsAbs(program) {
		program = filepath.Join(programDir, program)
	}

	var args []string
	if req.GetKind() == "analyzer" {
		runPath, err := findSDKFile(programDir, "cmd/run-policy-pack")
		if err != nil {
			return err
		}
		// usage: run-policy-pack <engine-address> <program>
		engine := h.engine()
		if len(req.GetArgs()) > 0 {
			engine = req.GetArgs()[0]
		}
		args = append(nodeArgs(opts), runPath, engine, program)
	} else {
		runPath, err := findSDKFile(programDir, "cmd/run-plugin")
		if err != nil {
			return err
		}
		// usage: run-plugin <program> [args...]
		args = append(nodeArgs(opts), runPath, program)
		args = append(args, req.GetArgs()...)
	}

	cmd := exec.CommandContext(srv.Context(), "node", args...)
	cmd.Dir = req.GetPwd()
	if cmd.Dir == "" || req.GetKind() == "analyzer" {
		// @pulumi/policy reads ./package.json (the pack's version) from its cwd, so a
		// policy pack always runs in its own directory, as the old
		// pulumi-analyzer-policy shim did.
		cmd.Dir = programDir
	}
	cmd.Env = append(nodeEnv(opts), req.GetEnv()...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}

	var sendMu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) {
		sendMu.Lock()
		defer sendMu.Unlock()
		_ = srv.Send(r)
	}
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse, wg *sync.WaitGroup) {
		defer wg.Done()
		br := bufio.NewReader(r)
		buf := make([]byte, 32*1024)
		for {
			n, err := br.Read(buf)
			if n > 0 {
				chunk := make([]byte, n)
				copy(chunk, buf[:n])
				send(wrap(chunk))
			}
			if err != nil {
				return
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}, &wg)
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}, &wg)
	wg.Wait()

	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
	return nil
}

// InstallDependencies runs `npm install` in the program directory (used by
// `pulumi install` and the Automation API's workspace.install()).
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	srv grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := req.GetDirectory() //nolint:staticcheck // fallback for old engines
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	cmd := exec.CommandContext(srv.Context(), "npm", "install", "--no-fund", "--no-audit")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	_ = srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out})
	if err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	return nil
}

// RuntimeOptionsPrompts: no interactive prompts.
func (h *host) RuntimeOptionsPrompts(context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}
