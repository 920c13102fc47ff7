internal import OrbrecCore
internal import OrbrecEngine

/// The `plan --json` document, also the saved-plan file of `plan --out`. Its shape is a
/// documented contract (docs/cli.md): fields are added, never renamed or removed, within a
/// `format_version`.
struct PlanDocument: Codable {
    static let currentFormat = "1.0"

    struct Action: Codable {
        var id: String
        var verb: String
        var resource: String
        var reason: String
        var detail: String
        var resourceVersion: String
        var provider: String
        var template: String
        var templateHash: String
        var count: Int
        var machines: [String]
        var wave: Int?
        var waves: Int?
        var surgeFirst: Bool
        var returnProvider: String?
        /// For task actions: `[{"key", "attempt"}]`.
        var taskAttempts: [TaskAttemptRef]?
        /// For a replace: the fields that differ from the spec the machine was made from
        /// (absent when none are known, and from older plans).
        var changes: [Change]?

        enum CodingKeys: String, CodingKey {
            case id, verb, resource, reason, detail, provider, template, count, machines, wave, waves, changes
            case returnProvider = "return_provider"
            case taskAttempts = "task_attempts"
            case resourceVersion = "resource_version"
            case templateHash = "template_hash"
            case surgeFirst = "surge_first"
        }
    }

    /// One changed field: `before`/`after` are rendered values (absent: the field is not set on
    /// that side); a sensitive field reads `(sensitive)`, never its value.
    struct Change: Codable {
        var field: String
        var before: String?
        var after: String?
        var forcesReplacement: Bool
        var sensitive: Bool

        enum CodingKeys: String, CodingKey {
            case field, before, after, sensitive
            case forcesReplacement = "forces_replacement"
        }

        init(_ change: FieldChange) {
            field = change.field
            before = change.before
            after = change.after
            forcesReplacement = change.forcesReplacement
            sensitive = change.sensitive
        }

        var fieldChange: FieldChange {
            FieldChange(field: field, before: before, after: after, forcesReplacement: forcesReplacement, sensitive: sensitive)
        }
    }

    /// A resource whose spec changes without an action (applying records it).
    struct Update: Codable {
        var resource: String
        var changes: [Change]
    }

    struct Drift: Codable {
        var kind: String
        var resource: String
        var machine: String
        var message: String
    }

    struct Message: Codable {
        var code: String
        var message: String
        var location: String?
    }

    struct Policy: Codable {
        var violations: [Violation]
        /// Whether the violations stop an apply (absent from plans saved before policies).
        var blocked: Bool?
        /// The `--policy-override` reason the plan was made with, if any.
        var override: String?
        var policies: Int?
        var rules: Int?
        var evaluations: Int?
    }

    /// A failed rule: `code` (`policy-deny`, `policy-warn`, `policy-error`), `message` and
    /// `location` as in `warnings[]`, with what failed where.
    struct Violation: Codable {
        var code: String
        var message: String
        var location: String?
        var policy: String?
        var rule: String?
        var enforcement: String?
        var level: String?
        var resource: String?
        var ruleLocation: String?
        var blocking: Bool?
        var overridable: Bool?

        enum CodingKeys: String, CodingKey {
            case code, message, location, policy, rule, enforcement, level, resource, blocking, overridable
            case ruleLocation = "rule_location"
        }

        init(_ violation: PolicyViolation) {
            code = violation.code
            message = violation.message
            location = violation.location?.description
            policy = violation.policy
            rule = violation.rule
            enforcement = violation.enforcement.rawValue
            level = violation.level.rawValue
            resource = violation.resource?.description ?? "plan"
            ruleLocation = violation.ruleLocation?.description
            blocking = violation.isBlocking
            overridable = violation.isOverridable
        }
    }

    var formatVersion: String
    var configRevision: String
    var stateID: String
    var summary: [String: Int]
    var actions: [Action]
    var drift: [Drift]
    /// Workflow runs the next apply would start, with why (absent from older plans).
    var workflowRuns: [WorkflowStart]?

    struct WorkflowStart: Codable {
        var workflow: String
        var trigger: String?
        var reason: String
        var started: Bool
    }
    var warnings: [Message]
    var policy: Policy
    var resourceVersions: [String: String]
    /// Resources updated in place (absent from older plans).
    var updates: [Update]?
    /// With `--target`: every resource the plan covers (absent when it covers everything).
    var targets: [String]?
    /// The configuration (directory or file) and the state the plan was made with, as absolute
    /// paths, so `orbrec apply PLANFILE` finds both from any directory (absent from older plans).
    var config: String?
    var state: String?

    enum CodingKeys: String, CodingKey {
        case summary, actions, drift, warnings, policy, config, state
        case formatVersion = "format_version"
        case configRevision = "config_revision"
        case stateID = "state_id"
        case updates, targets
        case resourceVersions = "resource_versions"
        case workflowRuns = "workflow_runs"
    }

    init(_ result: PlanResult, stateID: String, policyOverride: String? = nil) {
        let plan = result.plan
        formatVersion = Self.currentFormat
        configRevision = plan.configRevision
        self.stateID = stateID
        summary = Dictionary(uniqueKeysWithValues: plan.summary.map { ($0.key.rawValue, $0.value) })
        actions = result.scheduled.map { item in
            let action = item.action
            return Action(id: item.id, verb: action.verb.rawValue, resource: action.resource.description,
                          reason: action.reason.description, detail: action.detail, resourceVersion: action.resourceVersion,
                          provider: action.provider, template: action.template, templateHash: action.templateHash,
                          count: action.count, machines: action.machines, wave: action.wave, waves: action.waves,
                          surgeFirst: action.surgeFirst, returnProvider: action.returnProvider,
                          taskAttempts: action.taskAttempts.isEmpty ? nil : action.taskAttempts,
                          changes: action.changes.isEmpty ? nil : action.changes.map(Change.init))
        }
        updates = plan.updates.map { Update(resource: $0.resource.description, changes: $0.changes.map(Change.init)) }
        targets = plan.targeted?.map(\.description)
        drift = plan.drift.map { Drift(kind: $0.kind.rawValue, resource: $0.resource.description, machine: $0.machine, message: $0.message) }
        warnings = plan.warnings.map { Message(code: $0.code, message: $0.message, location: $0.location?.description) }
        let report = result.policy
        policy = Policy(violations: report.violations.map(Violation.init), blocked: report.blocks(overridden: policyOverride != nil),
                        override: policyOverride, policies: report.policies, rules: report.rules, evaluations: report.evaluations)
        resourceVersions = Dictionary(uniqueKeysWithValues: plan.resourceVersions.map { ($0.key.description, $0.value) })
    }

    /// The actions of a saved plan, as the engine executes them.
    func scheduledActions() throws -> [ScheduledAction] {
        try actions.map { action in
            guard let verb = Verb(rawValue: action.verb), let resource = ResourceID(parsing: action.resource) else {
                throw CommandFailure(.error, "the saved plan has an action the engine does not know: \(action.verb) \(action.resource)")
            }
            let reasonParts = action.reason.split(separator: " ", maxSplits: 1).map(String.init)
            let reason = ActionReason(reasonParts[0], detail: reasonParts.count > 1 ? reasonParts[1] : nil)
            var planned = PlannedAction(
                verb: verb, resource: resource, reason: reason, provider: action.provider, template: action.template,
                templateHash: action.templateHash, count: action.count, machines: action.machines, wave: action.wave,
                waves: action.waves, surgeFirst: action.surgeFirst, resourceVersion: action.resourceVersion,
                returnProvider: action.returnProvider, taskAttempts: action.taskAttempts ?? [])
            planned.changes = (action.changes ?? []).map(\.fieldChange)
            return ScheduledAction(id: action.id, action: planned)
        }
    }
}
