extension WorkflowSpec {
    /// This workflow's hash as orbrec computed it before hashes came from the canonical
    /// encoding (issue 18). Frozen: a run recorded before that upgrade carries it, and the
    /// upgrade alone must not make a run per generation (`trigger.onChange`) due.
    var legacySpecHash: String {
        var hasher = StableHasher()
        for step in steps {
            hasher.combine(step.name)
            hasher.combine(step.needs.joined(separator: ","))
            hasher.combine(step.summary)
            switch step.work {
            case .inlinePool(let pool): hasher.combine(pool.legacySpecHash)
            case .run(_, let command, let resources):
                hasher.combine(command.map(\.source))
                hasher.combine(resources.cpus)
                hasher.combine(resources.memoryMB)
                hasher.combine(Int(resources.walltime?.milliseconds ?? -1))
                hasher.combine(resources.partition)
                hasher.combine(resources.gpus)
            default: break
            }
            if let retry = step.retry {
                hasher.combine(retry.maxAttempts)
                hasher.combine(Int(retry.initialBackoff.milliseconds))
                hasher.combine(Int(retry.maxBackoff.milliseconds))
                hasher.combine(retry.multiplier)
                hasher.combine(retry.jitter)
            }
            hasher.combine(step.always)
            hasher.combine(Int(step.timeout?.milliseconds ?? -1))
        }
        hasher.combine(trigger.onChange)
        hasher.combine(trigger.schedule?.expression ?? "")
        hasher.combine(concurrency.rawValue)
        return hasher.hexDigest
    }
}

extension TaskPoolSpec {
    /// An inline pool's part of `WorkflowSpec.legacySpecHash`. Frozen, as that is.
    var legacySpecHash: String {
        var hasher = StableHasher()
        hasher.combine(scheduler)
        if mode == .pull { hasher.combine(mode.rawValue) }
        hasher.combine(command.map { $0.render([:]) + $0.variables.joined(separator: ",") })
        hasher.combine(tasks.map(\.key))
        hasher.combine(env)
        hasher.combine(workdir)
        hasher.combine(resources.walltime.map { Int($0.milliseconds) })
        hasher.combine(parallelism)
        hasher.combine(retry.maxAttempts)
        return hasher.hexDigest
    }
}
