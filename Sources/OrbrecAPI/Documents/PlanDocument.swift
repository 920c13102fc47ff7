public import OrbrecCore
public import OrbrecEngine

/// The `plan --json` document, also the saved-plan file of `plan --out`. Its shape is a
/// documented contract (docs/cli.md): fields are added, never renamed or removed, within a
/// `format_version`.
public struct PlanDocument: Codable, Sendable {
    public static let currentFormat = "1.0"

    public struct Action: Codable, Sendable {
        public var id: String
        public var verb: String
        public var resource: String
        public var reason: String
        public var detail: String
        public var resourceVersion: String
        public var provider: String
        public var template: String
        public var templateHash: String
        public var count: Int
        public var machines: [String]
        public var wave: Int?
        public var waves: Int?
        public var surgeFirst: Bool
        public var returnProvider: String?
        /// For task actions: `[{"key", "attempt"}]`.
        public var taskAttempts: [TaskAttemptRef]?
        /// For a replace: the fields that differ from the spec the machine was made from
        /// (absent when none are known, and from older plans).
        public var changes: [Change]?

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
    public struct Change: Codable, Sendable {
        public var field: String
        public var before: String?
        public var after: String?
        public var forcesReplacement: Bool
        public var sensitive: Bool

        enum CodingKeys: String, CodingKey {
            case field, before, after, sensitive
            case forcesReplacement = "forces_replacement"
        }

        public init(_ change: FieldChange) {
            field = change.field
            before = change.before
            after = change.after
            forcesReplacement = change.forcesReplacement
            sensitive = change.sensitive
        }

        public var fieldChange: FieldChange {
            FieldChange(field: field, before: before, after: after, forcesReplacement: forcesReplacement, sensitive: sensitive)
        }
    }

    /// A resource whose spec changes without an action (applying records it).
    public struct Update: Codable, Sendable {
        public var resource: String
        public var changes: [Change]
    }

    public struct Drift: Codable, Sendable {
        public var kind: String
        public var resource: String
        public var machine: String
        public var message: String
    }

    public struct Message: Codable, Sendable {
        public var code: String
        public var message: String
        public var location: String?
    }

    public struct Policy: Codable, Sendable {
        public var violations: [Violation]
        /// Whether the violations stop an apply (absent from plans saved before policies).
        public var blocked: Bool?
        /// The `--policy-override` reason the plan was made with, if any.
        public var override: String?
        public var policies: Int?
        public var rules: Int?
        public var evaluations: Int?
    }

    /// A failed rule: `code` (`policy-deny`, `policy-warn`, `policy-error`), `message` and
    /// `location` as in `warnings[]`, with what failed where.
    public struct Violation: Codable, Sendable {
        public var code: String
        public var message: String
        public var location: String?
        public var policy: String?
        public var rule: String?
        public var enforcement: String?
        public var level: String?
        public var resource: String?
        public var ruleLocation: String?
        public var blocking: Bool?
        public var overridable: Bool?

        enum CodingKeys: String, CodingKey {
            case code, message, location, policy, rule, enforcement, level, resource, blocking, overridable
            case ruleLocation = "rule_location"
        }

        public init(_ violation: PolicyViolation) {
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

    public var formatVersion: String
    public var configRevision: String
    public var stateID: String
    public var summary: [String: Int]
    public var actions: [Action]
    public var drift: [Drift]
    /// Workflow runs the next apply would start, with why (absent from older plans).
    public var workflowRuns: [WorkflowStart]?

    public struct WorkflowStart: Codable, Sendable {
        public var workflow: String
        public var trigger: String?
        public var reason: String
        public var started: Bool
    }
    public var warnings: [Message]
    public var policy: Policy
    public var resourceVersions: [String: String]
    /// Resources updated in place (absent from older plans).
    public var updates: [Update]?
    /// With `--target`: every resource the plan covers (absent when it covers everything).
    public var targets: [String]?
    /// The configuration (directory or file) and the state the plan was made with, as absolute
    /// paths, so `orbrec apply PLANFILE` finds both from any directory (absent from older plans).
    public var config: String?
    public var state: String?
    /// Only in the daemon's `GET /api/v1/plan`, which answers this document for the plan its
    /// last pass left: when that plan was made (the observation it came from, milliseconds
    /// since the epoch). Absent from `plan --json`, saved plans and `plan_preview`.
    public var plannedAt: Int64?
    /// Only in the daemon's `GET /api/v1/plan`: the blocking policy violations that hold the
    /// daemon back (it carries out nothing while there are any). Unlike `policy.blocked`, these
    /// leave out what an operator's recorded `--policy-override` lets through.
    public var policyDenials: [String]?

    enum CodingKeys: String, CodingKey {
        case summary, actions, drift, warnings, policy, config, state
        case formatVersion = "format_version"
        case configRevision = "config_revision"
        case stateID = "state_id"
        case updates, targets
        case resourceVersions = "resource_versions"
        case workflowRuns = "workflow_runs"
        case plannedAt = "planned_at"
        case policyDenials = "policy_denials"
    }

    public init(_ result: PlanResult, stateID: String, policyOverride: String? = nil) {
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

    /// An action of a saved plan the engine does not know (a verb or a resource it cannot read).
    public struct UnknownAction: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The actions of a saved plan, as the engine executes them.
    public func scheduledActions() throws(UnknownAction) -> [ScheduledAction] {
        try actions.map { (action) throws(UnknownAction) -> ScheduledAction in
            guard let verb = Verb(rawValue: action.verb), let resource = ResourceID(parsing: action.resource) else {
                throw UnknownAction(message: "the saved plan has an action the engine does not know: \(action.verb) \(action.resource)")
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
