// The IR stage: a typed graph of primitive ops (Graph/), their shape and gradient rules as
// tables (Rules/), the textual form and the verifier (Text/), and the passes, one per file
// (Passes/): lower → cse → autodiff | inference → fuse → plan, run in order by `Pipeline`.
//
// Values have static per-example shapes behind a symbolic batch `N` (`%3: f32[N, 256]`).
// Ops sit at the granularity of the runtime's kernels (pointer + sizes, NCHW, weights in
// PyTorch layout), so the interpreter is a thin loop over `Graph.nodes` and the code
// generator can emit one call or one fused loop per node.
