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

package argocd

import (
	"context"
	"encoding/json"
	"reflect"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// This file replays how Argo CD runs a resource customization's Lua: the VM of
// argo-cd util/lua/lua.go (VM.runLuaWithResourceActionParameters and decodeValue) and
// util/lua/oslib_safe.go, on the gopher-lua version argo-cd's go.mod pins (v1.1.2). It is
// a replica, not an import: argo-cd is a module far too large to depend on for a test.
//
// What the replica reproduces, because the scripts' behaviour depends on it:
//   - openLibs is VM.UseOpenLibs. Argo CD sets it for built-in health and discovery scripts,
//     and for argocd-cm health scripts only with resource.customizations.useOpenLibs; the
//     API server runs every action, and argocd-cm discovery, without it. Without it the
//     VM has only the package, base and table libraries: no string, math or io.
//   - os: Argo CD calls its OpenSafeOs, which registers os.time and os.date under the
//     table library's name; table is already loaded, so that adds nothing. require("os")
//     returns the safe os (time and date only) in both modes: its preload answers, as the
//     package library, opened again, starts an empty package.loaded. With openLibs there is
//     also a global os, gopher-lua's full library; without, none.
//   - The script runs under a one-second deadline, with obj and actionParams as globals.
//
// The safe os functions are gopher-lua's own os.time and os.date, of which Argo CD's are a
// copy. They differ only where the scripts here do not go: os.date with both a "!" format
// and a time, and os.time with numbers given as strings.

// scriptTimeout is the deadline Argo CD gives every script.
const scriptTimeout = time.Second

// safeOsFuncs are the only os functions Argo CD offers: time and date.
var safeOsFuncs = func() map[string]lua.LGFunction {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	if err := l.CallByParam(lua.P{Fn: l.NewFunction(lua.OpenOs), NRet: 1, Protect: true}); err != nil {
		panic(err)
	}
	os := l.Get(-1).(*lua.LTable)
	funcs := map[string]lua.LGFunction{}
	for _, name := range []string{"time", "date"} {
		funcs[name] = os.RawGetString(name).(*lua.LFunction).GFunction
	}
	return funcs
}()

// openSafeOs is Argo CD's OpenSafeOs, registration under the table library's name included.
func openSafeOs(l *lua.LState) int {
	l.Push(l.RegisterModule(lua.TabLibName, safeOsFuncs))
	return 1
}

// safeOsLoader is Argo CD's SafeOsLoader, what require("os") finds in package.preload.
func safeOsLoader(l *lua.LState) int {
	l.Push(l.SetFuncs(l.NewTable(), safeOsFuncs))
	return 1
}

// runLua runs script with obj as its global obj, as Argo CD does, and returns what the
// script returned.
func runLua(obj map[string]any, script string, openLibs bool) (lua.LValue, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !openLibs})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOs},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), Protect: true}, lua.LString(lib.name)); err != nil {
			return nil, err
		}
	}
	l.PreloadModule(lua.OsLibName, safeOsLoader)

	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("actionParams", l.CreateTable(0, 0))
	l.SetGlobal("obj", decodeValue(l, obj))

	fn, err := l.LoadString(script)
	if err != nil {
		return nil, err
	}
	l.Push(fn)
	if err := l.PCall(0, lua.MultRet, nil); err != nil {
		return nil, err
	}
	return l.Get(-1), nil
}

// decodeValue is Argo CD's decodeValue: gopher-json's, plus the integer types that objects
// read from the API server hold.
func decodeValue(l *lua.LState, value any) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case string:
		return lua.LString(converted)
	case json.Number:
		return lua.LString(converted)
	case float64, int, int32, int64: // a number, whichever Go type the decoder gave it
		return lua.LNumber(reflect.ValueOf(converted).Convert(reflect.TypeFor[float64]()).Float())
	case []any:
		arr := l.CreateTable(len(converted), 0)
		for _, item := range converted {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(converted))
		for key, item := range converted {
			tbl.RawSetH(lua.LString(key), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}
