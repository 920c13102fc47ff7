public import OrbrecCore
internal import Foundation
internal import Yams

/// Loads a configuration directory into a validated `DesiredState`, or reports every
/// problem at once with its `file:line:col`.
public struct ConfigLoader: Sendable {
    public init() {}

    /// - Parameters:
    ///   - path: the configuration directory (or a single file).
    ///   - displayPath: how to name `path` in diagnostics; defaults to `path` as given,
    ///     and to nothing for `.`, so locations read `fleet.yaml:3:5`.
    ///   - policyDirectories: directories of `kind: Policy` documents checked with this
    ///     configuration (`--policies`); they may hold nothing else.
    ///   - excluding: directories never read, wherever they lie below `path`: what orbrec
    ///     writes (the state's directory, task outputs, machine logs) is not configuration.
    public func load(_ path: String, displayPath: String? = nil, policyDirectories: [String] = [],
                     excluding: [String] = []) throws(ConfigurationError) -> LoadedConfiguration {
        let shown = displayPath ?? (path == "." || path == "./" ? "" : path)
        let listing: ConfigurationFiles.Listing
        do {
            listing = try ConfigurationFiles.list(in: path, excluding: excluding)
        } catch {
            throw ConfigurationError([.error("config-not-found", "configuration directory '\(path)' does not exist or cannot be read", at: nil)])
        }
        let files = listing.files
        var diagnostics: [Diagnostic] = []
        let absoluteDirectory = Self.absolute(path, isDirectory: !(files.first?.isEmpty ?? false))
        var resources: [DecodedResource] = []
        var pendingTemplates: [TemplateDecoder.Pending] = []
        /// The type of each provider whose type could be read (the first of a name), valid or not.
        var providerTypes: [String: ProviderSpec.ProviderType] = [:]
        var declared: Set<ResourceID> = []
        var revision = StableHasher()
        var documents: [ResourceID: PolicyValue] = [:]
        var sources = files.map { (directory: path, shown: shown, relative: $0, onlyPolicies: false) }
        diagnostics += listing.problems.map { Self.diagnostic($0, shown: shown) }
        for directory in policyDirectories {
            guard let listed = try? ConfigurationFiles.list(in: directory, excluding: excluding) else {
                diagnostics.append(.error("config-not-found", "policies directory '\(directory)' does not exist or cannot be read", at: nil))
                continue
            }
            sources += listed.files.map { (directory: directory, shown: directory, relative: $0, onlyPolicies: true) }
            diagnostics += listed.problems.map { Self.diagnostic($0, shown: directory) }
        }
        for (directory, shown, relative, onlyPolicies) in sources {
            let path = directory
            let absolute = relative.isEmpty ? path : path + "/" + relative
            let display = relative.isEmpty ? (shown.isEmpty ? path : shown) : (shown.isEmpty ? relative : Self.join(shown, relative))
            let text: String
            switch ConfigurationFiles.read(absolute, relative: relative) {
            case .failure(let problem):
                diagnostics.append(.error(problem.code, problem.message, at: SourceLocation(file: display, line: 1, column: 1)))
                continue
            case .success(let bytes):
                guard let decoded = String(validating: bytes, as: UTF8.self) else {
                    diagnostics.append(Self.invalidUTF8(bytes, file: display))
                    continue
                }
                text = decoded
            }
            let context = DecodeContext(file: display, text: text)
            // Not the directory as typed: the CLI and the daemon may name it differently.
            revision.combine(onlyPolicies ? "--policies/" + relative : relative)
            revision.combine(text)
            let isJSON = relative.lowercased().hasSuffix(".json")
            // A file over its budget is not composed at all: Yams itself walks aliased keys.
            let limits = YAMLPrescan.check(text, isJSON: isJSON, context: context)
            if !limits.isEmpty {
                diagnostics += limits
                continue
            }
            for document in Self.documents(in: text, isJSON: isJSON, context: context) {
                guard let envelope = Envelope.decode(document, context: context), envelope.kind.isSupported else { continue }
                if onlyPolicies && envelope.kind != .policy {
                    context.error("not-a-policy", "\(envelope.displayName) is in a policies directory, which holds only Policy documents; "
                                  + "move it to the configuration", at: envelope.nameLocation ?? context.location(of: document))
                    continue
                }
                if let name = envelope.metadata?.name { declared.insert(ResourceID(envelope.kind, name)) }
                if envelope.kind == .template {
                    // Finished once every provider is known: its fields depend on its provider's type.
                    if let pending = TemplateDecoder.decode(envelope, context: context) {
                        pendingTemplates.append(pending)
                        if let name = pending.metadata?.name, documents[ResourceID(.template, name)] == nil, let spec = envelope.spec {
                            documents[ResourceID(.template, name)] = PolicyValue(yaml: spec)
                        }
                    }
                    continue
                }
                if envelope.kind == .provider {
                    let provider = ProviderDecoder.decode(envelope, context: context)
                    if let name = envelope.metadata?.name, let type = provider.type, providerTypes[name] == nil { providerTypes[name] = type }
                    if let resource = provider.resource { resources.append(resource) }
                    if documents[ResourceID(.provider, envelope.metadata?.name ?? "")] == nil, provider.resource != nil,
                       let name = envelope.metadata?.name, let spec = envelope.spec {
                        documents[ResourceID(.provider, name)] = PolicyValue(yaml: spec)
                    }
                    continue
                }
                let decoded: DecodedResource? = switch envelope.kind {
                case .provider, .template: nil
                case .fleet: FleetDecoder.decode(envelope, context: context)
                case .scheduler: SchedulerDecoder.decode(envelope, context: context)
                case .taskPool: TaskPoolDecoder.decode(envelope, directory: absoluteDirectory, context: context)
                case .workflow: WorkflowDecoder.decode(envelope, directory: absoluteDirectory, context: context)
                case .policy: PolicyDecoder.decode(envelope, context: context)
                }
                if let decoded {
                    resources.append(decoded)
                    if documents[decoded.id] == nil, decoded.id.kind != .policy, let spec = envelope.spec {
                        documents[decoded.id] = PolicyValue(yaml: spec)
                    }
                }
            }
            diagnostics += context.diagnostics
        }
        for pending in pendingTemplates {
            let reported = pending.context.diagnostics.count
            resources += TemplateDecoder.resolve(pending, providerTypes: providerTypes).map { [$0] } ?? []
            diagnostics += pending.context.diagnostics[reported...]
        }
        diagnostics += ReferenceValidator.validate(resources, declared: declared)
        if diagnostics.hasErrors {
            throw ConfigurationError(diagnostics.sortedByLocation())
        }
        var providers: [ProviderSpec] = [], templates: [TemplateSpec] = [], fleets: [FleetSpec] = []
        var schedulers: [SchedulerSpec] = [], pools: [TaskPoolSpec] = [], workflows: [WorkflowSpec] = []
        var policies: [PolicySpec] = []
        for resource in resources {
            switch resource.spec {
            case .provider(let provider): providers.append(provider)
            case .template(let template): templates.append(template)
            case .unresolvedTemplate: break
            case .fleet(let fleet): fleets.append(fleet)
            case .scheduler(let scheduler): schedulers.append(scheduler)
            case .taskPool(let pool): pools.append(pool)
            case .workflow(let workflow): workflows.append(workflow)
            case .policy(let policy): policies.append(policy)
            }
        }
        let desired = DesiredState(providers: providers, templates: templates, fleets: fleets, schedulers: schedulers,
                                   pools: pools, workflows: workflows, policies: policies, documents: documents,
                                   revision: revision.hexDigest)
        return LoadedConfiguration(desired: desired, files: files, warnings: diagnostics)
    }

    /// The configuration directory as an absolute path (a single file's directory).
    static func absolute(_ path: String, isDirectory: Bool) -> String {
        var absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if !isDirectory { absolute = (absolute as NSString).deletingLastPathComponent }
        return (absolute as NSString).standardizingPath
    }

    private static func diagnostic(_ problem: ConfigurationFiles.Problem, shown: String) -> Diagnostic {
        let file = shown.isEmpty ? problem.relative : (problem.relative.isEmpty ? shown : join(shown, problem.relative))
        return .error(problem.code, problem.message, at: SourceLocation(file: file, line: 1, column: 1))
    }

    /// Where the first byte that is not UTF-8 is, as the line and the column (in characters)
    /// an editor shows for it.
    static func invalidUTF8(_ bytes: [UInt8], file: String) -> Diagnostic {
        var line = 1, lineStart = 0, offset = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                let width = UTF8.width(scalar)
                if scalar == "\n" {
                    line += 1
                    lineStart = consumed + width
                }
                consumed += width
            case .emptyInput:
                break decoding
            case .error:
                offset = consumed
                break decoding
            }
        }
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1
        let byte = offset < bytes.count ? String(format: "0x%02X", bytes[offset]) : "the end"
        return .error("invalid-encoding", "the file is not UTF-8 text: byte \(byte) at line \(line), column \(column) cannot be decoded",
                      at: SourceLocation(file: file, line: line, column: column))
    }

    private static func join(_ directory: String, _ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    /// The documents of one file; a JSON file may hold one document or a list of them.
    static func documents(in text: String, isJSON: Bool, context: DecodeContext) -> [Node] {
        var nodes: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                // An empty document (a trailing `---`) holds nothing, as kubectl treats it.
                if case .scalar(let scalar) = node, ScalarKind(scalar) == .null { continue }
                if isJSON, case .sequence(let sequence) = node {
                    nodes += Array(sequence)
                } else {
                    nodes.append(node)
                }
            }
        } catch let error as YamlError {
            report(error, context: context, isJSON: isJSON)
        } catch {
            context.error("syntax", "cannot parse the file: \(error)", at: SourceLocation(file: context.file, line: 1, column: 1))
        }
        return nodes
    }

    private static func report(_ error: YamlError, context: DecodeContext, isJSON: Bool) {
        let language = isJSON ? "JSON" : "YAML"
        switch error {
        case let .scanner(detail, problem, mark, _), let .parser(detail, problem, mark, _), let .composer(detail, problem, mark, _):
            SyntaxHint.report(problem: problem, at: mark, detail: detail, language: language, context: context)
        case let .duplicatedKeysInMapping(duplicates, detail):
            // YAMLPrescan reports duplicates at the repeated key first; this is what only Yams sees.
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            context.errorWithExcerpt("duplicate-key", "duplicate key \(keys) in a mapping", at: context.location(of: detail.mark))
        case let .reader(problem, _, _, _):
            context.error("syntax", "\(language) cannot be read: \(problem)", at: SourceLocation(file: context.file, line: 1, column: 1))
        default:
            context.error("syntax", "\(language) error: \(error)", at: SourceLocation(file: context.file, line: 1, column: 1))
        }
    }
}

/// A configuration that loaded without errors.
public struct LoadedConfiguration: Sendable {
    public var desired: DesiredState
    /// The files read, relative to the configuration directory.
    public var files: [String]
    public var warnings: [Diagnostic]
}

/// Why a configuration could not be loaded: every diagnostic of the load, in file order.
public struct ConfigurationError: Error, Sendable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
