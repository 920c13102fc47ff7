/// Pools whose tasks are posted to the API (`source: api`) rather than listed in the file.
extension TaskPoolSpec {
    public var isAPI: Bool {
        if case .api = source { return true }
        return false
    }

    /// The arguments the command uses (`${args.NAME}`), in order: every task posted must give them.
    public var commandArgs: [String] {
        Array(Set(command.flatMap(\.variables).compactMap(APITaskRules.argName(ofVariable:)))).sorted()
    }

    /// The command's variables `definition` leaves unbound: an api task posted before the command
    /// used an argument it lacks. Such a task is not started (its argv would hold an empty
    /// string where the argument goes) until the command no longer needs it. Always empty for a
    /// pool of the file, whose variables the loader checked.
    public func unboundVariables(of definition: TaskDefinition) -> [String] {
        guard isAPI else { return [] }
        return command.flatMap(\.variables).filter { name in
            definition.variables[name] == nil && !["index", "attempt", "pool"].contains(name)
        }
    }

    /// The pool as far as starting attempts goes: an api pool without the tasks that must not
    /// start (those asked to be cancelled, those whose arguments the command lacks).
    public func startable(cancelling: Set<TaskID>) -> TaskPoolSpec {
        guard case .api(let tasks) = source else { return self }
        var pool = self
        pool.source = .api(tasks.filter { !cancelling.contains(TaskID(pool: name, key: $0.key)) && unboundVariables(of: $0).isEmpty })
        return pool
    }
}
