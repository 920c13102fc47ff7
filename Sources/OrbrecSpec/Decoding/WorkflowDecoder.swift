internal import OrbrecCore
internal import Yams

enum WorkflowDecoder {
    static let works = ["provision", "taskPool", "run"]
    /// What a `run` step's command may use.
    static let runVariables = ["attempt", "workflow", "step", "run"]

    /// A decoded workflow with what the cross-document checks need: where each reference is.
    struct References {
        var fleets: [(String, SourceLocation?)] = []
        var pools: [(String, SourceLocation?)] = []
        var schedulers: [(String, SourceLocation?)] = []
    }

    static func decode(_ envelope: Envelope, directory: String, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Workflow spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        var references = References()
        var trigger = WorkflowSpec.Trigger()
        if let reader = spec.mapping("trigger", owner: "spec.trigger") {
            trigger.onChange = reader.boolean("onChange") ?? false
            if let text = reader.string("schedule") {
                do throws(CronError) {
                    trigger.schedule = try CronSchedule(text)
                } catch {
                    context.error("invalid-schedule", "spec.trigger.schedule: \(error.message)", at: reader.value("schedule"))
                }
            }
        }
        let concurrency = spec.choice("concurrency", as: WorkflowSpec.Concurrency.self) ?? .forbid
        var steps: [WorkflowSpec.Step] = []
        var written: Set<String> = []
        var valid = true
        if spec.requireValue("steps", in: envelope.displayName) != nil, let stepsNode = spec.value("steps") {
            if case .sequence(let sequence) = stepsNode, !sequence.isEmpty {
                for (index, item) in sequence.enumerated() {
                    if case .mapping(let mapping) = item, let name = mapping["name"]?.scalar?.string { written.insert(name) }
                    if let step = decodeStep(item, index: index, workflow: envelope.metadata?.name ?? "workflow", directory: directory,
                                             references: &references, context: context) {
                        steps.append(step)
                    } else {
                        valid = false
                    }
                }
            } else if case .sequence = stepsNode {
                context.error("invalid-value", "spec.steps must hold at least one step", at: stepsNode)
                valid = false
            } else {
                context.error("wrong-type", "spec.steps must be a list of steps, not \(stepsNode.foundDescription)", at: stepsNode)
                valid = false
            }
        } else {
            valid = false
        }
        // The graph of the steps that could be read; a need of a step that could not be read is
        // not reported again as unknown.
        for problem in WorkflowGraph(steps).problems {
            if problem.code == "unknown-step", written.contains(where: { problem.message.contains("needs '\($0)'") }) { continue }
            context.report(problem)
        }
        // Returned even when a step is invalid (the load fails anyway), so that the references
        // of the steps that could be read are checked too: every problem at once.
        guard let metadata = envelope.metadata, !steps.isEmpty || valid else { return nil }
        let workflow = WorkflowSpec(metadata: metadata, steps: steps, trigger: trigger, concurrency: concurrency)
        var decoded = DecodedResource(spec: .workflow(workflow), nameLocation: envelope.nameLocation)
        decoded.workflowReferences = references
        return decoded
    }

    private static func decodeStep(_ node: Node, index: Int, workflow: String, directory: String, references: inout References,
                                   context: DecodeContext) -> WorkflowSpec.Step? {
        let path = "spec.steps[\(index)]"
        guard let step = MappingReader(node, path: path, schema: stepFields, owner: "a workflow step", context: context) else { return nil }
        let name = step.requireValue("name", in: "a workflow step") != nil ? step.string("name") : nil
        if let name, ResourceName.problem(with: name) != nil {
            context.error("invalid-name", "\(path).name '\(name)' must be lowercase letters, digits and '-'", at: step.value("name"))
        }
        let needs = step.stringList("needs") ?? []
        let always = step.boolean("always") ?? false
        let timeout = step.duration("timeout")
        var retry: RetryPolicy?
        if let reader = step.mapping("retry", owner: "\(path).retry") {
            var policy = RetryPolicy.default
            policy.maxAttempts = reader.integer("maxAttempts", minimum: 1) ?? policy.maxAttempts
            policy.initialBackoff = reader.duration("initialBackoff") ?? policy.initialBackoff
            policy.multiplier = reader.number("multiplier", minimum: 1) ?? policy.multiplier
            policy.maxBackoff = reader.duration("maxBackoff") ?? policy.maxBackoff
            policy.jitter = reader.number("jitter", minimum: 0, maximum: 1) ?? policy.jitter
            if policy.maxBackoff < policy.initialBackoff {
                context.error("invalid-value", "\(path).retry.maxBackoff (\(policy.maxBackoff)) is shorter than initialBackoff (\(policy.initialBackoff))",
                              at: reader.value("maxBackoff") ?? reader.node)
            }
            retry = policy
        }
        let given = works.filter { step.value($0) != nil }
        guard given.count == 1 else {
            if given.isEmpty {
                if works.contains(where: step.isExplained) { return nil }
                context.error("missing-field", "\(path) needs one of provision, taskPool or run", at: node)
            } else {
                context.error("conflicting-fields", "\(path): \(given.joined(separator: ", ")) are exclusive; give one", at: step.value(given[1]))
            }
            return nil
        }
        let work: WorkflowSpec.Step.Work?
        switch given[0] {
        case "provision":
            guard let reader = step.mapping("provision", owner: "\(path).provision") else { return nil }
            let fleet = reader.requireValue("fleet", in: "\(path).provision") != nil ? reader.string("fleet") : nil
            var count = reader.requireValue("count", in: "\(path).provision") != nil ? reader.integer("count", minimum: 0) : nil
            if let value = count, value > FleetDecoder.maxCount {
                context.error("invalid-value", "\(path).provision.count must be \(FleetDecoder.maxCount) or less, not \(value)", at: reader.value("count"))
                count = nil
            }
            if let fleet { references.fleets.append((fleet, reader.location(of: "fleet"))) }
            work = fleet.flatMap { fleet in count.map { .provision(fleet: fleet, count: $0, waitReady: reader.boolean("waitReady") ?? false) } }
        case "taskPool":
            guard let poolNode = step.value("taskPool"), case .mapping(let mapping) = poolNode else {
                context.error("wrong-type", "\(path).taskPool must be a mapping: {ref: POOL} or an inline pool, not \(step.value("taskPool")?.foundDescription ?? "nothing")",
                              at: step.value("taskPool"))
                return nil
            }
            if mapping.keys.contains(where: { $0.scalar?.string == "ref" }) {
                guard let reader = step.mapping("taskPool", schema: poolReferenceFields, owner: "\(path).taskPool") else { return nil }
                let ref = reader.requireValue("ref", in: "\(path).taskPool") != nil ? reader.nonEmptyString("ref") : nil
                if let ref { references.pools.append((ref, reader.location(of: "ref"))) }
                work = ref.map { .taskPool(ref: $0) }
            } else {
                let poolName = "\(workflow)-\(name ?? "step\(index)")"
                let inline = Envelope(kind: .taskPool, metadata: Metadata(name: poolName, location: context.location(of: poolNode)),
                                      nameLocation: context.location(of: poolNode), spec: poolNode, document: node)
                guard let decoded = TaskPoolDecoder.decode(inline, directory: directory, context: context),
                      case .taskPool(let pool) = decoded.spec else { return nil }
                if pool.isAPI {
                    context.error("invalid-value", "\(path).taskPool: a step's pool lists its tasks; source: api is for a TaskPool of its own",
                                  at: poolNode)
                    return nil
                }
                if pool.mode == .push { references.schedulers.append((pool.scheduler, decoded.referenceLocation)) }
                work = .inlinePool(pool)
            }
        default:
            guard let reader = step.mapping("run", owner: "\(path).run") else { return nil }
            let scheduler = reader.requireValue("scheduler", in: "\(path).run") != nil ? reader.string("scheduler") : nil
            if let scheduler { references.schedulers.append((scheduler, reader.location(of: "scheduler"))) }
            var command: [CommandTemplate]?
            if reader.requireValue("command", in: "\(path).run") != nil, let elements = reader.scalarList("command") {
                if elements.isEmpty {
                    context.error("invalid-value", "\(path).run.command must hold at least the program to run", at: reader.value("command"))
                } else {
                    var templates: [CommandTemplate] = []
                    for (position, (text, location)) in elements.enumerated() {
                        do throws(CommandTemplate.ParseError) {
                            let template = try CommandTemplate(parsing: text)
                            for variable in template.variables where !runVariables.contains(variable) {
                                context.error("unknown-variable", "unknown variable '${\(variable)}' in \(path).run.command[\(position)]; known: "
                                              + runVariables.joined(separator: ", "), at: location)
                            }
                            templates.append(template)
                        } catch {
                            context.error("invalid-template", "\(path).run.command[\(position)]: \(error.message)", at: location)
                        }
                    }
                    if templates.count == elements.count { command = templates }
                }
            }
            var resources = TaskPoolSpec.Resources()
            if let limits = reader.mapping("resources", owner: "\(path).run.resources") {
                resources = TaskPoolSpec.Resources(cpus: limits.integer("cpus", minimum: 1), memoryMB: limits.integer("memoryMB", minimum: 1),
                                                   walltime: limits.duration("walltime"), partition: limits.nonEmptyString("partition"),
                                                   gpus: limits.integer("gpus", minimum: 0), partitionLocation: limits.location(of: "partition"))
            }
            work = scheduler.flatMap { scheduler in command.map { .run(scheduler: scheduler, command: $0, resources: resources) } }
        }
        guard let name, let work else { return nil }
        return WorkflowSpec.Step(name: name, needs: needs, work: work, always: always, retry: retry, timeout: timeout,
                                 location: context.location(of: node))
    }
}
