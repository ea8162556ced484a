/*
Copyright 2026 The vipps-token-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command fake-vipps runs the fake Vipps MobilePay token API (pkg/fakevipps) on a
// port, for the demo and for test setups outside Go:
//
//	fake-vipps --addr 127.0.0.1:8090 --environment Test --lifetime 2m
//
// It prints the fake credentials it accepts at start-up and stops cleanly on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fake-vipps:", err)
		os.Exit(1)
	}
}

type config struct {
	addr       string
	env        fakevipps.Environment
	lifetime   time.Duration
	backdating time.Duration
	encoding   fakevipps.NumericEncoding
}

func run(args []string, out io.Writer) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	log := slog.New(slog.NewTextHandler(out, nil))
	fake := fakevipps.NewServer(
		fakevipps.WithEnvironment(cfg.env),
		fakevipps.WithLifetime(cfg.lifetime),
		fakevipps.WithBackdating(cfg.backdating),
		fakevipps.WithNumericEncoding(cfg.encoding),
	)
	server, err := fakevipps.Serve(cfg.addr, logRequests(log, fake))
	if err != nil {
		return err
	}
	printBanner(out, server.Listener.Addr().String(), cfg)
	<-ctx.Done()
	log.Info("Shutting down")
	server.Close() // waits for the requests in progress
	return nil
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("fake-vipps", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	env := fs.String("environment", "Test", "environment to fake: Test or Production (decides credentials and lifetimes)")
	lifetime := fs.Duration("lifetime", 0, "lifetime of every token, e.g. 2m (0: 1h Test, 24h Production, 15m partner)")
	encoding := fs.String("encoding", "documented", "numeric fields as: documented, strings or numbers")
	backdating := fs.Duration("backdating", fakevipps.DefaultBackdating,
		"how far iat, nbf and not_before lie before the issue time, as Azure AD does (0: exact)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	cfg := config{addr: *addr, lifetime: *lifetime, backdating: *backdating}
	var err error
	if cfg.env, err = parseEnvironment(*env); err != nil {
		return config{}, err
	}
	if cfg.encoding, err = parseEncoding(*encoding); err != nil {
		return config{}, err
	}
	if cfg.lifetime < 0 {
		return config{}, errors.New("--lifetime must not be negative")
	}
	if cfg.backdating < 0 {
		return config{}, errors.New("--backdating must not be negative")
	}
	return cfg, nil
}

func parseEnvironment(s string) (fakevipps.Environment, error) {
	for _, env := range []fakevipps.Environment{fakevipps.EnvironmentTest, fakevipps.EnvironmentProduction} {
		if strings.EqualFold(s, string(env)) {
			return env, nil
		}
	}
	return "", fmt.Errorf("--environment %q: want Test or Production", s)
}

func parseEncoding(s string) (fakevipps.NumericEncoding, error) {
	switch strings.ToLower(s) {
	case "documented":
		return fakevipps.AsDocumented, nil
	case "strings":
		return fakevipps.Strings, nil
	case "numbers":
		return fakevipps.Numbers, nil
	}
	return 0, fmt.Errorf("--encoding %q: want documented, strings or numbers", s)
}

// printBanner shows where the fake listens and the credentials it accepts. They
// are fake and well known, so printing them is the point.
func printBanner(out io.Writer, addr string, cfg config) {
	creds := fakevipps.DefaultCredentials(cfg.env)
	lifetime := "documented defaults"
	if cfg.lifetime > 0 {
		lifetime = cfg.lifetime.String()
	}
	_, _ = fmt.Fprintf(out, `fake-vipps: %s environment on http://%s (token lifetime: %s)
Fake credentials accepted (not secret):
  client_id:                  %s
  client_secret:              %s
  Ocp-Apim-Subscription-Key:  %s
  partner endpoint allowed:   %t
Endpoints: POST %s, POST %s, POST %s
`, cfg.env, addr, lifetime, creds.ClientID, creds.ClientSecret, strings.Join(creds.SubscriptionKeys, " or "),
		creds.Partner, fakevipps.EndpointStandard, fakevipps.EndpointPartner, fakevipps.EndpointLegacy)
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// logRequests logs one line per request: method, path and status, never headers,
// so that real credentials sent here by mistake do not end up in a log.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("Served request", "method", r.Method, "path", r.URL.Path, "status", rec.status)
	})
}
