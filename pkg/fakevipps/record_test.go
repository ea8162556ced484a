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
package fakevipps_test

import (
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/vipps-token-operator/vipps-token-operator/pkg/fakevipps"
)

func TestCountsAndRecords(t *testing.T) {
	other := fakevipps.Credentials{
		ClientID: "0d0d0d0d-0000-4000-8000-000000000003", ClientSecret: "other", SubscriptionKeys: []string{"other-key"},
	}
	fake := fakevipps.NewServer(fakevipps.WithClock(fixedClock), fakevipps.WithCredentials(testCreds, other))

	do(t, fake, standardCall(testCreds))
	do(t, fake, standardCall(other))
	do(t, fake, standardCall(other).with(map[string]string{"client_secret": "wrong"}))
	do(t, fake, partnerCall(testCreds))
	do(t, fake, legacyCall(testCreds))
	do(t, fake, call{path: "/nowhere"})

	counts := map[string][2]int{
		"Calls":           {fake.Calls(), 6},
		"CallsTo(std)":    {fake.CallsTo(fakevipps.EndpointStandard), 3},
		"CallsTo(part)":   {fake.CallsTo(fakevipps.EndpointPartner), 1},
		"CallsTo(legacy)": {fake.CallsTo(fakevipps.EndpointLegacy), 1},
		"CallsBy(test)":   {fake.CallsBy(testCreds.ClientID), 3},
		"CallsBy(other)":  {fake.CallsBy(other.ClientID), 2},
		"CallsBy(nobody)": {fake.CallsBy("nobody"), 0},
	}
	for name, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%s = %d, want %d", name, c[0], c[1])
		}
	}

	recorded := fake.Requests()
	if len(recorded) != 6 {
		t.Fatalf("recorded %d requests, want 6", len(recorded))
	}
	partner := recorded[3]
	want := fakevipps.RecordedRequest{
		Time: now, Method: http.MethodPost, Path: "/miami/v1/token", Endpoint: fakevipps.EndpointPartner,
		ClientID: testCreds.ClientID, Header: partner.Header, Body: []byte("grant_type=client_credentials"),
	}
	if !reflect.DeepEqual(partner, want) {
		t.Errorf("partner request recorded as %+v", partner)
	}
	if _, sent := partner.Header["Ocp-Apim-Subscription-Key"]; sent {
		t.Error("recorded a subscription key the partner request did not send")
	}
	if got := recorded[0].Header.Get("client_secret"); got != testCreds.ClientSecret {
		t.Errorf("recorded client_secret %q, want the one sent", got)
	}
	if recorded[4].ClientID != testCreds.ClientID {
		t.Errorf("legacy request recorded client %q, want the body's client_id", recorded[4].ClientID)
	}

	// Callers get copies.
	recorded[0].Header.Set("client_secret", "changed")
	recorded[3].Body[0] = 'X'
	again := fake.Requests()
	if again[0].Header.Get("client_secret") != testCreds.ClientSecret || again[3].Body[0] != 'g' {
		t.Error("changing a returned request changed the record")
	}

	fake.Reset()
	if fake.Calls() != 0 || fake.CallsTo(fakevipps.EndpointStandard) != 0 || fake.CallsBy(testCreds.ClientID) != 0 ||
		len(fake.Requests()) != 0 {
		t.Error("Reset left counts or records behind")
	}
}

func TestRecordKeepsTheLatestThousand(t *testing.T) {
	fake := fakevipps.NewServer()
	for i := range 1001 {
		do(t, fake, call{path: "/" + string(rune('a'+i%26))})
	}
	recorded := fake.Requests()
	if fake.Calls() != 1001 || len(recorded) != 1000 || recorded[0].Path != "/b" {
		t.Errorf("Calls() = %d, %d recorded starting at %s; want 1001 calls, 1000 recorded starting at /b",
			fake.Calls(), len(recorded), recorded[0].Path)
	}
}

func TestAddCredentialsRotatesASecret(t *testing.T) {
	fake := fakevipps.NewServer()
	rotated := testCreds
	rotated.ClientSecret = "rotated"
	fake.AddCredentials(rotated)

	if resp, _ := do(t, fake, standardCall(testCreds)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old secret: status %d, want 401", resp.StatusCode)
	}
	if resp, _ := do(t, fake, standardCall(rotated)); resp.StatusCode != http.StatusOK {
		t.Errorf("new secret: status %d, want 200", resp.StatusCode)
	}
}

func TestAddCredentialsCopiesKeys(t *testing.T) {
	fake := fakevipps.NewServer()
	added := fakevipps.Credentials{
		ClientID: "0d0d0d0d-0000-4000-8000-000000000004", ClientSecret: "s", SubscriptionKeys: []string{"key-a"},
	}
	fake.AddCredentials(added)
	added.SubscriptionKeys[0] = "key-b"
	if resp, _ := do(t, fake, standardCall(added)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a key changed after AddCredentials was accepted: status %d", resp.StatusCode)
	}
}

// TestConcurrentUse is for the race detector: requests, faults and reads at once.
func TestConcurrentUse(t *testing.T) {
	fake := fakevipps.NewServer()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				do(t, fake, standardCall(testCreds))
				fake.InjectFaults(fakevipps.Status503, 1)
				_ = fake.Requests()
				_ = fake.CallsBy(testCreds.ClientID)
			}
		})
	}
	wg.Wait()
	if got := fake.CallsTo(fakevipps.EndpointStandard); got != 160 {
		t.Errorf("CallsTo() = %d, want 160", got)
	}
}
