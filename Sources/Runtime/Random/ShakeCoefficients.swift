/// Branch coefficients of Shake-Shake (Gastaldi 2017), `[batch][branches]` flattened: with two
/// branches (u, 1−u), with more uᵢ/Σu, u ~ U(0, 1) from `stream`. At batch level every sample
/// uses sample 0's draw; no stream means the even mix 1/k (eval, or the `even` modes).
///
/// The interpreter and generated trainers both call this, so their draws are the same numbers.
public func shakeCoefficients(_ stream: RandomStream?, branches k: Int, perImage: Bool, batch n: Int) -> [Float] {
    var out = [Float](repeating: 1 / Float(k), count: n * k)
    guard let stream else { return out }
    for s in 0..<n {
        let src = perImage ? s : 0
        if k == 2 {
            let u = stream.uniform(at: src)
            out[s * 2] = u
            out[s * 2 + 1] = 1 - u
        } else {
            var total: Float = 0
            for b in 0..<k { let u = stream.uniform(at: src * k + b); out[s * k + b] = u; total += u }
            for b in 0..<k { out[s * k + b] = total > 0 ? out[s * k + b] / total : 1 / Float(k) }
        }
    }
    return out
}
