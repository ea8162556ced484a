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

package localcluster

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"k8s.io/client-go/tools/clientcmd"
)

// Outage stands between a client and the API server and can take the API server away:
// every connection cut and new ones refused, as when the control plane restarts, and then
// bring it back on the same address. (Restarting envtest's API server itself would give it
// new certificates, which no client of the old one could trust.) It can also make the API
// server slow, with every connection up.
type Outage struct {
	// Kubeconfig reaches the API server through the outage.
	Kubeconfig string

	target string
	addr   string

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{}
	delay    time.Duration
}

// NewOutage puts an Outage in front of the API server, passing traffic until Begin.
func (c *Cluster) NewOutage() (*Outage, error) {
	server, err := url.Parse(c.Config.Host)
	if err != nil {
		return nil, err
	}
	o := &Outage{target: server.Host, conns: map[net.Conn]struct{}{}}
	if err := o.listen("127.0.0.1:0"); err != nil {
		return nil, err
	}

	kubeconfig, err := clientcmd.LoadFromFile(c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	for _, cluster := range kubeconfig.Clusters {
		cluster.Server = "https://" + o.addr
	}
	o.Kubeconfig = filepath.Join(c.Dir, "kubeconfig-through-outage")
	if err := clientcmd.WriteToFile(*kubeconfig, o.Kubeconfig); err != nil {
		return nil, err
	}
	return o, nil
}

// Begin cuts every connection and refuses new ones.
func (o *Outage) Begin() {
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.listener.Close()
	for conn := range o.conns {
		_ = conn.Close()
	}
}

// End accepts connections again, on the same address.
func (o *Outage) End() error { return o.listen(o.addr) }

// Slow holds every chunk of data, both ways and on every connection, for d before passing it
// on: an API server that answers late or, with a d longer than the client waits, not at all.
// Zero passes data at once again (a chunk already held waits out its d).
func (o *Outage) Slow(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delay = d
}

func (o *Outage) currentDelay() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.delay
}

func (o *Outage) listen(addr string) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.listener, o.addr = listener, listener.Addr().String()
	o.mu.Unlock()
	go o.accept(listener)
	return nil
}

func (o *Outage) accept(listener net.Listener) {
	for {
		client, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go o.pipe(client)
	}
}

// pipe copies both ways between a client and the API server until either side closes.
func (o *Outage) pipe(client net.Conn) {
	server, err := net.Dial("tcp", o.target)
	if err != nil {
		_ = client.Close()
		return
	}
	o.track(client, server)
	defer o.untrack(client, server)
	done := make(chan struct{}, 2)
	go func() { o.copy(server, client); done <- struct{}{} }()
	go func() { o.copy(client, server); done <- struct{}{} }()
	<-done
}

// copy passes what src sends on to dst, each chunk after the delay, until either side closes.
func (o *Outage) copy(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := o.currentDelay(); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (o *Outage) track(conns ...net.Conn) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range conns {
		o.conns[c] = struct{}{}
	}
}

func (o *Outage) untrack(conns ...net.Conn) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(o.conns, c)
	}
}
