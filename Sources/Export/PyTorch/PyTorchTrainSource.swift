import Check

/// The fixed parts of `train.py`: IDX reading, the safetensors writer and the DDP loop. The loop
/// is assembled from optional pieces (penalties, max-norm, clipping, early stopping), so the file
/// holds only what the spec uses.
enum PyTorchTrainSource {
    /// IDX reading and normalization (token ids for an int32 input: the raw values, never normalized),
    /// the safetensors writer and evaluation.
    static func data(tokens: Bool) -> String {
        let inputs = tokens
            ? "x = read_idx(images).astype(np.int64).reshape((-1,) + INPUT_SHAPE)  # token ids: the raw values"
            : "scale, mean, std = NORMALIZE\n    x = read_idx(images).astype(np.float32).reshape((-1,) + INPUT_SHAPE)\n    x = (x / scale - mean) / std"
        return dataTemplate.replacingOccurrences(of: "{{INPUTS}}", with: inputs)
    }

    private static let dataTemplate = #"""
        def read_idx(path):
            """An IDX file (gzip or raw) as a numpy array: magic 0 0 dtype ndim, big-endian int32 sizes, then the data."""
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                raw = f.read()
            _, _, code, ndim = struct.unpack(">BBBB", raw[:4])
            shape = struct.unpack(f">{ndim}i", raw[4:4 + 4 * ndim])
            dtype = {0x08: np.uint8, 0x09: np.int8, 0x0D: np.dtype(">f4")}[code]
            return np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).reshape(shape)


        def load(data_dir, split):
            """The inputs of one split as the model reads them (shape INPUT_SHAPE) and int64 labels."""
            images, labels = (os.path.join(data_dir, name) for name in DATA_FILES[split])
            {{INPUTS}}
            return torch.from_numpy(x), torch.from_numpy(read_idx(labels).astype(np.int64))


        def save_safetensors(state, path):
            """Writes a state_dict as safetensors by hand: an 8-byte little-endian header length, a JSON
            header of dtype, shape and data_offsets per tensor, then the raw little-endian bytes."""
            header, chunks, offset = {}, [], 0
            for name in sorted(state):
                tensor = state[name].detach().cpu().contiguous()
                integer = tensor.dtype == torch.int64  # num_batches_tracked
                data = tensor.numpy().astype("<i8" if integer else "<f4").tobytes()
                header[name] = {"dtype": "I64" if integer else "F32", "shape": list(tensor.shape),
                                "data_offsets": [offset, offset + len(data)]}
                chunks.append(data)
                offset += len(data)
            text = json.dumps(header, separators=(",", ":")).encode()
            text += b" " * (-len(text) % 8)
            with open(path, "wb") as f:
                f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


        def evaluate(model, x, y):
            """Mean loss (as `regula eval` reports it, smoothing included) and accuracy, in evaluation mode."""
            device = next(model.parameters()).device
            model.eval()
            loss, correct = 0.0, 0
            with torch.no_grad():
                for start in range(0, len(x), 1000):
                    xs, ys = x[start:start + 1000].to(device), y[start:start + 1000].to(device)
                    logits = model(xs)
                    loss += F.cross_entropy(logits, ys, label_smoothing=LABEL_SMOOTHING, reduction="sum").item()
                    correct += (logits.argmax(dim=1) == ys).sum().item()
            model.train()
            return loss / len(x), correct / len(x)
        """#

    static func loop(className: String, plateau: Bool, penalties: Bool, maxNorm: Bool, clip: Bool, earlyStopping: EarlyStoppingConfig?) -> String {
        var step: [String] = []
        step.append("            loss = F.cross_entropy(ddp(x), y, label_smoothing=LABEL_SMOOTHING)")
        if penalties {
            step.append("            for name, parameter in model.named_parameters():")
            step.append("                if name in L1:")
            step.append("                    loss = loss + L1[name] * parameter.abs().sum()")
            step.append("                if name in L2:")
            step.append("                    loss = loss + L2[name] * parameter.pow(2).sum()")
        }
        step.append("            optimizer.zero_grad()")
        step.append("            loss.backward()")
        if clip { step.append("            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_GRAD_NORM)") }
        step.append("            optimizer.step()")
        if maxNorm {
            step.append("            with torch.no_grad():")
            step.append("                for name, parameter in model.named_parameters():")
            step.append("                    if name in MAX_NORM:")
            step.append("                        parameter.copy_(torch.renorm(parameter, 2, 0, MAX_NORM[name]))")
        }
        var epochEnd: [String] = []
        if earlyStopping != nil || plateau {
            epochEnd += [
                "        # Every process evaluates the same weights, so all of them decide alike.",
                "        val_loss, val_accuracy = evaluate(model, *(validation or test))",
                "        metrics = {\"val_loss\": val_loss, \"val_accuracy\": val_accuracy}",
                "        if rank == 0:",
                "            print(json.dumps({\"epoch\": epoch, \"val_loss\": round(val_loss, 6), \"val_accuracy\": val_accuracy}), flush=True)",
            ]
        } else {
            epochEnd += [
                "        if rank == 0 and validation is not None:",
                "            val_loss, val_accuracy = evaluate(model, *validation)",
                "            print(json.dumps({\"epoch\": epoch, \"val_loss\": round(val_loss, 6), \"val_accuracy\": val_accuracy}), flush=True)",
            ]
        }
        epochEnd += plateau ? ["        schedule.step(metrics[PLATEAU_MONITOR])"]
                            : ["        if schedule is not None and not per_step:", "            schedule.step()"]
        if let e = earlyStopping {
            epochEnd += [
                "        value = metrics[MONITOR]",
                "        if best is None or (value > best + MIN_DELTA if MAXIMIZE else value < best - MIN_DELTA):",
                "            best, wait = value, 0",
            ]
            if e.restoreBest { epochEnd.append("            best_state = copy.deepcopy(model.state_dict())") }
            epochEnd += [
                "        else:",
                "            wait += 1",
                "            if wait >= PATIENCE:",
                "                break",
            ]
        }
        let restore = earlyStopping?.restoreBest == true
            ? "    if best_state is not None:\n        model.load_state_dict(best_state)\n" : ""
        return #"""
            def main():
                parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
                parser.add_argument("--data-dir", default=DATA_DIR, help="the folder of the IDX files")
                parser.add_argument("--out", default="out", help="where model.safetensors is written")
                parser.add_argument("--epochs", type=int, default=EPOCHS)
                parser.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
                parser.add_argument("--log-every", type=int, default=50)
                args = parser.parse_args()

                distributed = "WORLD_SIZE" in os.environ
                if distributed:  # launched by torchrun: one process per GPU (nccl) or per CPU share (gloo)
                    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
                rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
                device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu")
                torch.manual_seed(SEED)

                x, y = load(args.data_dir, "train")
                if LIMIT is not None:
                    x, y = x[:LIMIT], y[:LIMIT]
                held = int(len(x) * VALIDATION_SPLIT)
                validation = (x[len(x) - held:], y[len(x) - held:]) if held else None
                train = TensorDataset(x[:len(x) - held], y[:len(y) - held])
                test = load(args.data_dir, "test")
                sampler = DistributedSampler(train, num_replicas=world, rank=rank, seed=SEED) if distributed else None
                loader = DataLoader(train, batch_size=max(1, BATCH_SIZE // world), sampler=sampler, shuffle=sampler is None)

                model = {{CLASS}}().to(device)
                optimizer = make_optimizer(model)
                schedule, per_step = make_schedule(optimizer, len(loader))
                ddp = model
                if distributed:
                    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
            {{STATE}}
                step = 0
                for epoch in range(args.epochs):
                    if sampler is not None:
                        sampler.set_epoch(epoch)
                    for x, y in loader:
                        x, y = x.to(device), y.to(device)
            {{STEP}}
                        if schedule is not None and per_step:
                            schedule.step()
                        step += 1
                        if rank == 0 and step % args.log_every == 0:
                            print(json.dumps({"epoch": epoch, "step": step, "loss": round(loss.item(), 6)}), flush=True)
                        if args.max_steps is not None and step >= args.max_steps:
                            break
            {{EPOCH}}
                    if args.max_steps is not None and step >= args.max_steps:
                        break
            {{RESTORE}}    if rank == 0:
                    test_loss, test_accuracy = evaluate(model, *test)
                    print(json.dumps({"steps": step, "test_loss": round(test_loss, 6), "test_accuracy": test_accuracy}), flush=True)
                    os.makedirs(args.out, exist_ok=True)
                    save_safetensors(model.state_dict(), os.path.join(args.out, "model.safetensors"))
                if distributed:
                    dist.destroy_process_group()


            if __name__ == "__main__":
                main()
            """#
            .replacingOccurrences(of: "{{CLASS}}", with: className)
            .replacingOccurrences(of: "{{STATE}}\n", with: earlyStopping == nil ? "" : "    best, wait = None, 0\n" + (earlyStopping?.restoreBest == true ? "    best_state = None\n" : ""))
            .replacingOccurrences(of: "{{STEP}}", with: step.joined(separator: "\n"))
            .replacingOccurrences(of: "{{EPOCH}}", with: epochEnd.joined(separator: "\n"))
            .replacingOccurrences(of: "{{RESTORE}}", with: restore)
    }
}
