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
package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr string
	}{
		{
			name: "defaults",
			want: config{addr: "127.0.0.1:8090", env: fakevipps.EnvironmentTest, encoding: fakevipps.AsDocumented,
				backdating: 5 * time.Minute},
		},
		{
			name: "everything set",
			args: []string{"--addr", ":9000", "--environment", "production", "--lifetime", "3s", "--encoding", "Numbers",
				"--backdating", "0"},
			want: config{
				addr: ":9000", env: fakevipps.EnvironmentProduction, lifetime: 3 * time.Second, encoding: fakevipps.Numbers,
			}},
		{name: "strings", args: []string{"--encoding", "strings"},
			want: config{addr: "127.0.0.1:8090", env: fakevipps.EnvironmentTest, encoding: fakevipps.Strings,
				backdating: 5 * time.Minute}},
		{name: "unknown environment", args: []string{"--environment", "staging"}, wantErr: "want Test or Production"},
		{name: "unknown encoding", args: []string{"--encoding", "hex"}, wantErr: "want documented, strings or numbers"},
		{name: "negative lifetime", args: []string{"--lifetime", "-1s"}, wantErr: "must not be negative"},
		{name: "negative backdating", args: []string{"--backdating", "-1s"}, wantErr: "must not be negative"},
		{name: "unknown flag", args: []string{"--tls-cert", "x"}, wantErr: "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseFlags() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseFlags() = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestRunServesUntilSignalled starts the command on a free port, fetches a token
// with the printed credentials and stops it with SIGINT.
func TestRunServesUntilSignalled(t *testing.T) {
	out, writer := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"--addr", "127.0.0.1:0"}, writer)
		_ = writer.Close()
	}()
	lines := make(chan string, 100)
	go func() {
		scanner := bufio.NewScanner(out)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()

	banner := <-lines
	_, url, found := strings.Cut(banner, " on ")
	url, _, _ = strings.Cut(url, " ")
	if !found || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("banner %q does not say where the fake listens", banner)
	}
	creds := fakevipps.DefaultCredentials(fakevipps.EnvironmentTest)
	printed := banner
	for !strings.Contains(printed, "Endpoints:") {
		line, ok := <-lines
		if !ok {
			t.Fatalf("output ended before the endpoints were printed:\n%s", printed)
		}
		printed += "\n" + line
	}
	for _, want := range []string{creds.ClientID, creds.ClientSecret, creds.SubscriptionKeys[0]} {
		if !strings.Contains(printed, want) {
			t.Errorf("start-up output does not show %q:\n%s", want, printed)
		}
	}

	req, _ := http.NewRequest(http.MethodPost, url+"/accesstoken/get", nil)
	req.Header.Set("client_id", creds.ClientID)
	req.Header.Set("client_secret", creds.ClientSecret)
	req.Header.Set("Ocp-Apim-Subscription-Key", creds.SubscriptionKeys[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token request: status %d, want 200", resp.StatusCode)
	}

	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("run() = %v, want a clean shutdown", err)
	}
	var logged strings.Builder
	for line := range lines {
		logged.WriteString(line + "\n")
	}
	for _, want := range []string{`msg="Served request" method=POST path=/accesstoken/get status=200`, "Shutting down"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log does not contain %q:\n%s", want, logged.String())
		}
	}
	if strings.Contains(logged.String(), creds.ClientSecret) {
		t.Error("request log contains the client secret")
	}
}
