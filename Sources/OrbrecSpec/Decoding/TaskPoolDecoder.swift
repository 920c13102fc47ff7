internal import OrbrecCore
internal import Yams

enum TaskPoolDecoder {
    static let modes = ["push", "pull"]
    /// More tasks than this in one pool is almost surely a typo in a range.
    static let maxTasks = 1_000_000

    /// - Parameter directory: the configuration directory, against which `workdir` is resolved.
    static func decode(_ envelope: Envelope, directory: String, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "TaskPool spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let owner = envelope.displayName
        var mode = TaskPoolSpec.Mode.push
        if let text = spec.string("mode") {
            if let chosen = TaskPoolSpec.Mode(rawValue: text) {
                mode = chosen
            } else {
                context.error("invalid-value", "spec.mode must be one of push, pull, not '\(text)'\(Suggestion.didYouMean(text, among: modes))",
                              at: spec.value("mode"))
            }
        }
        let scheduler: String?
        if mode == .pull {
            // Workers claim a pull pool's tasks over the API: there is no scheduler to submit to.
            if spec.value("scheduler") != nil {
                context.error("conflicting-fields", "spec.scheduler does not apply to a pull pool: workers claim its tasks over the API",
                              at: spec.value("scheduler"))
            }
            for field in ["workdir", "resources"] where spec.value(field) != nil {
                context.error("conflicting-fields", "spec.\(field) does not apply to a pull pool: the worker decides where and how it runs",
                              at: spec.value(field))
            }
            scheduler = TaskPoolSpec.pullScheduler
        } else {
            scheduler = spec.requireValue("scheduler", in: owner) != nil ? spec.string("scheduler") : nil
        }
        let source = decodeSource(spec, owner: owner, context: context)
        // A pull pool's command is optional: when given, each claim carries its argv.
        let command = mode == .pull && spec.value("command") == nil ? []
            : decodeCommand(spec, owner: owner, source: source, context: context)
        let env = spec.stringMap("env") ?? [:]
        let workdir = spec.nonEmptyString("workdir").map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 } ?? directory
        var resources = TaskPoolSpec.Resources()
        if let reader = spec.mapping("resources", owner: "spec.resources") {
            resources = TaskPoolSpec.Resources(cpus: reader.integer("cpus", minimum: 1), memoryMB: reader.integer("memoryMB", minimum: 1),
                                               walltime: reader.duration("walltime"), partition: reader.nonEmptyString("partition"),
                                               gpus: reader.integer("gpus", minimum: 0), partitionLocation: reader.location(of: "partition"))
        }
        let parallelism = spec.integer("parallelism", minimum: 1)
        var retry = RetryPolicy.default
        if let reader = spec.mapping("retry", owner: "spec.retry") {
            retry.maxAttempts = reader.integer("maxAttempts", minimum: 1) ?? retry.maxAttempts
            retry.initialBackoff = reader.duration("initialBackoff") ?? retry.initialBackoff
            retry.multiplier = reader.number("multiplier", minimum: 1) ?? retry.multiplier
            retry.maxBackoff = reader.duration("maxBackoff") ?? retry.maxBackoff
            retry.jitter = reader.number("jitter", minimum: 0, maximum: 1) ?? retry.jitter
            if retry.maxBackoff < retry.initialBackoff {
                context.error("invalid-value", "spec.retry.maxBackoff (\(retry.maxBackoff)) is shorter than initialBackoff (\(retry.initialBackoff))",
                              at: reader.value("maxBackoff") ?? reader.node)
            }
        }
        let deadline = spec.duration("deadline")
        guard let metadata = envelope.metadata, let scheduler, let source, let command else { return nil }
        let pool = TaskPoolSpec(metadata: metadata, scheduler: scheduler, command: command, source: source, env: env,
                                workdir: mode == .pull ? nil : workdir, resources: resources, parallelism: parallelism, retry: retry,
                                deadline: deadline, mode: mode)
        return DecodedResource(spec: .taskPool(pool), nameLocation: envelope.nameLocation, referenceLocation: spec.location(of: "scheduler"))
    }

    private static func decodeSource(_ spec: MappingReader, owner: String, context: DecodeContext) -> TaskPoolSpec.Source? {
        let given = ["items", "range", "matrix", "source"].filter { spec.value($0) != nil }
        guard given.count == 1 else {
            if given.isEmpty {
                if ["items", "range", "matrix", "source"].contains(where: spec.isExplained) { return nil }
                context.error("missing-field", "\(owner) needs one of spec.items, spec.range, spec.matrix or spec.source: api", at: spec.node)
            } else {
                context.error("conflicting-fields", "spec.\(given.joined(separator: ", spec.")) are exclusive; give one", at: spec.value(given[1]))
            }
            return nil
        }
        switch given[0] {
        case "source":
            guard let text = spec.string("source") else { return nil }
            guard text == "api" else {
                context.error("invalid-value", "spec.source must be api, not '\(TextEscaping.quoted(text, limit: 40))'"
                                  + Suggestion.didYouMean(text, among: ["api"]), at: spec.value("source"))
                return nil
            }
            return .api([])
        case "items":
            guard let items = spec.scalarList("items") else { return nil }
            if items.isEmpty {
                context.error("invalid-value", "spec.items must hold at least one item", at: spec.value("items"))
                return nil
            }
            var seen: Set<String> = []
            for (item, location) in items where !seen.insert(item).inserted {
                context.error("duplicate-task", "item '\(TextEscaping.quoted(item))' appears twice; items are task keys and must be unique",
                              at: location)
                return nil
            }
            var valid = true
            for (item, location) in items where !checkKeyLength(item, describing: "item", at: location, context: context) { valid = false }
            return valid ? .items(items.map(\.0)) : nil
        case "range":
            guard let range = spec.mapping("range", owner: "spec.range") else { return nil }
            let from = range.requireValue("from", in: "spec.range") != nil ? range.integer("from") : nil
            let to = range.requireValue("to", in: "spec.range") != nil ? range.integer("to") : nil
            guard let from, let to else { return nil }
            guard from <= to else {
                context.error("invalid-value", "spec.range: from (\(from)) is greater than to (\(to))", at: range.node)
                return nil
            }
            guard to - from < maxTasks else {
                context.error("invalid-value", "spec.range holds \(to - from + 1) tasks; the limit is \(maxTasks)", at: range.node)
                return nil
            }
            return .range(from: from, to: to)
        default:
            guard let node = spec.value("matrix"), case .mapping(let mapping) = node else {
                context.error("wrong-type", "spec.matrix must be a mapping of lists, not \(spec.value("matrix")?.foundDescription ?? "nothing")",
                              at: spec.value("matrix"))
                return nil
            }
            var dimensions: [TaskPoolSpec.Dimension] = []
            for (keyNode, _) in mapping {
                guard let name = keyNode.scalar?.string else { continue }
                if TaskPoolSpec.builtinVariables.contains(name) || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                    context.error("invalid-name", "spec.matrix key '\(name)' cannot be a variable name (reserved: \(TaskPoolSpec.builtinVariables.joined(separator: ", ")))",
                                  at: keyNode)
                    return nil
                }
                let values = MappingReader(node, path: "spec.matrix", known: mapping.keys.compactMap { $0.scalar?.string },
                                           owner: "spec.matrix", context: context)?.scalarList(name)
                guard let values, !values.isEmpty else {
                    if values != nil { context.error("invalid-value", "spec.matrix.\(name) must hold at least one value", at: keyNode) }
                    return nil
                }
                dimensions.append(.init(name: name, values: values.map(\.0)))
            }
            guard !dimensions.isEmpty else {
                context.error("invalid-value", "spec.matrix must have at least one dimension", at: node)
                return nil
            }
            let count = dimensions.reduce(1) { $0 * $1.values.count }
            guard count <= maxTasks else {
                context.error("invalid-value", "spec.matrix makes \(count) tasks; the limit is \(maxTasks)", at: node)
                return nil
            }
            let source = TaskPoolSpec.Source.matrix(dimensions)
            return checkMatrixKeys(source, at: node, context: context) ? source : nil
        }
    }

    /// Parses every argv element; an unknown variable is reported where it was written.
    private static func decodeCommand(_ spec: MappingReader, owner: String, source: TaskPoolSpec.Source?,
                                      context: DecodeContext) -> [CommandTemplate]? {
        guard spec.requireValue("command", in: owner) != nil, let elements = spec.scalarList("command") else { return nil }
        guard !elements.isEmpty else {
            context.error("invalid-value", "spec.command must hold at least the program to run", at: spec.value("command"))
            return nil
        }
        var allowed = TaskPoolSpec.builtinVariables
        if case .matrix(let dimensions) = source { allowed += dimensions.map(\.name) }
        let isAPI = if case .api = source { true } else { false }
        if isAPI { allowed.append("key") }
        var templates: [CommandTemplate] = []
        var valid = true
        for (index, (text, location)) in elements.enumerated() {
            do throws(CommandTemplate.ParseError) {
                let template = try CommandTemplate(parsing: text)
                for name in template.variables where !allowed.contains(name) {
                    // Without a valid source the matrix names are unknown: say nothing rather than something wrong.
                    if source == nil { continue }
                    // An api pool's task arguments: every task posted must give each one the command uses.
                    if isAPI && APITaskRules.argName(ofVariable: name) != nil { continue }
                    if name.hasPrefix(APITaskRules.argPrefix) {
                        context.error("unknown-variable",
                                      isAPI ? "'${\(name)}' in spec.command[\(index)] is not an argument's name: ASCII letters, digits, _ and -, "
                                                + "a letter or _ first, at most \(APITaskRules.maxArgNameLength) characters"
                                          : "'${\(name)}' in spec.command[\(index)]: only a pool with source: api has task arguments",
                                      at: location)
                        valid = false
                        continue
                    }
                    context.error("unknown-variable",
                                  "unknown variable '${\(name)}' in spec.command[\(index)]; known: \(allowed.joined(separator: ", "))"
                                      + (isAPI ? ", args.NAME" : "")
                                      + Suggestion.didYouMean(name, among: allowed),
                                  at: location)
                    valid = false
                }
                templates.append(template)
            } catch {
                context.error("invalid-template", "spec.command[\(index)]: \(error.message)",
                              at: location.map { SourceLocation(file: $0.file, line: $0.line, column: $0.column + error.offset) })
                valid = false
            }
        }
        return valid ? templates : nil
    }
}
