import Check

/// The package's README.md: what the files are and how to run them on one machine and on a cluster.
enum PyTorchReadme {
    static func text(model: CheckedModel, spec: String, version: String) -> String {
        let cls = Py.className(model.name)
        return """
        # \(model.name) in PyTorch

        Exported by Regula \(version) from `\(spec)` with `regula export pytorch`.

        - `model.py`: `\(cls)`, an `nn.Module` whose `state_dict` names are those of Regula's checkpoints.
        - `train.py`: the spec's data pipeline, optimizer (per-tensor weight decay as parameter groups),
          schedule and loss, on one process or under `torchrun` with `DistributedDataParallel`.

        The only dependencies are `torch` (1.13 or newer) and `numpy`.

        ## One machine

            python3 train.py --data-dir path/to/mnist --out out
            torchrun --nproc_per_node=4 train.py --data-dir path/to/mnist --out out

        With GPUs each process takes one (backend nccl); on CPUs the processes share the cores (gloo).
        `BATCH_SIZE` is the global batch: each of N processes takes `BATCH_SIZE // N` examples of a
        `DistributedSampler`. `python3 -m torch.distributed.run` is the same launcher as `torchrun`; Debian's
        torch 1.13 under Python 3.11 needs `--redirects 1 --tee 1` (its default `0` fails to parse).

        ## A cluster

        Run the same command on every node, with the node count, this node's rank and a reachable
        rendezvous host:

            torchrun --nnodes=2 --nproc_per_node=8 --node_rank=0 \\
                --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 train.py --data-dir /data/mnist --out out

        (`--node_rank=1` on the second node.) Under Slurm, `srun torchrun ...` with the same arguments.

        ## Back to Regula

        Rank 0 writes `out/model.safetensors`; `regula eval \(spec) --checkpoint out/model.safetensors`
        evaluates it. A checkpoint of `regula train` loads into the module directly:

            model = \(cls)()
            model.load_state_dict(state_dict)  # e.g. from safetensors.torch.load_file
            model.eval()

        Inputs are batches after the spec's `data.normalize`, as `train.py`'s `load` computes them.

        """
    }
}
