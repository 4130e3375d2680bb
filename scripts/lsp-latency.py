#!/usr/bin/env python3
"""Change-to-diagnostics latency of `regula lsp`, end to end through its stdio (issue 14: under
50 ms on a 1,000-layer spec). Opens a generated 1,001-layer DSL spec, then sends incremental
didChange notifications one at a time and times each until its publishDiagnostics arrives.

    swift build -c release --product regula
    scripts/lsp-latency.py .build/release/regula
"""
import json, statistics, subprocess, sys, time

def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/regula"
    layers = "".join(f"  dense(64, name: d{i})\n  relu\n" for i in range(500))
    text = f"regula 1\nmodel big\ninput [64]\nlayers {{\n{layers}  dense(10)\n}}\nloss cross_entropy\n"
    uri = "file:///tmp/big.regula"
    server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send = lambda obj: (server.stdin.write(frame(obj)), server.stdin.flush())
    def until_diagnostics():
        while True:
            m = read_message(server.stdout)
            if m.get("method") == "textDocument/publishDiagnostics":
                return m["params"]
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    read_message(server.stdout)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "regula", "version": 1, "text": text}}})
    until_diagnostics()
    times = []
    for v in range(2, 43):
        # Line 504 is `  dense(64, name: d250)`; alternate its width.
        change = {"range": {"start": {"line": 504, "character": 8}, "end": {"line": 504, "character": 10}},
                  "text": "32" if v % 2 else "64"}
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}})
        params = until_diagnostics()
        times.append((time.perf_counter() - start) * 1000)
        assert params["version"] == v and params["diagnostics"] == [], params
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    read_message(server.stdout)
    send({"jsonrpc": "2.0", "method": "exit"})
    server.wait(timeout=5)
    print(f"1,001-layer spec: change-to-diagnostics median {statistics.median(times):.1f} ms, "
          f"min {min(times):.1f} ms, max {max(times):.1f} ms over {len(times)} changes; exit code {server.returncode}")

if __name__ == "__main__":
    main()
