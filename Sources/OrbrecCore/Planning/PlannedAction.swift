/// One step of a plan. Identifiers (action, request and machine ids) are given by the
/// engine when the plan is journaled, so the planner stays a pure function.
public struct PlannedAction: Hashable, Sendable, Codable {
    public var verb: Verb
    public var resource: ResourceID
    public var reason: ActionReason
    public var provider: String
    public var template: String
    /// The template's spec hash that new machines will carry.
    public var templateHash: String
    /// Machines to create: `count` for provision, 1 for replace, 0 for return.
    public var count: Int
    /// Machines to return (return) or the one being replaced (replace).
    public var machines: [String]
    /// For rolling replacements: which wave (1-based) of how many.
    public var wave: Int?
    public var waves: Int?
    /// Replace by creating the new machine before returning the old one (surge).
    public var surgeFirst: Bool
    /// The version of `resource` this action was planned against (stale-plan detection).
    public var resourceVersion: String
    /// For a replace whose old machine lives on another provider than the template now
    /// names: where the old machine is returned. Nil means `provider`.
    public var returnProvider: String?
    /// For task actions: the attempts submitted, retried, cancelled or dead-lettered.
    /// `provider` then names the scheduler.
    public var taskAttempts: [TaskAttemptRef]
    /// For a replace: the fields that differ between the spec the machine was made from and
    /// the one that replaces it (empty when that spec was not recorded, or for other verbs).
    public var changes: [FieldChange] = []

    public init(verb: Verb, resource: ResourceID, reason: ActionReason, provider: String, template: String,
                templateHash: String, count: Int = 0, machines: [String] = [], wave: Int? = nil, waves: Int? = nil,
                surgeFirst: Bool = false, resourceVersion: String = "", returnProvider: String? = nil,
                taskAttempts: [TaskAttemptRef] = []) {
        self.taskAttempts = taskAttempts
        self.returnProvider = returnProvider
        self.verb = verb
        self.resource = resource
        self.reason = reason
        self.provider = provider
        self.template = template
        self.templateHash = templateHash
        self.count = count
        self.machines = machines
        self.wave = wave
        self.waves = waves
        self.surgeFirst = surgeFirst
        self.resourceVersion = resourceVersion
    }

    /// How many units (machines here, tasks later) this action touches: what a plan summary counts.
    public var units: Int {
        switch verb {
        case .provision: count
        case .submit, .retry, .cancel, .deadLetter: taskAttempts.count
        default: max(machines.count, count)
        }
    }

    /// A short human description of what the action touches.
    public var detail: String {
        switch verb {
        case .provision:
            return "\(count) × \(template) on \(provider)"
        case .submit, .retry, .cancel, .deadLetter:
            // Keys are the user's: a line feed or ESC in one must not act where this is shown.
            let shown = taskAttempts.prefix(8).map { "\(TextEscaping.quoted($0.key, limit: 80))#\($0.attempt)" }.joined(separator: ", ")
            let more = taskAttempts.count > 8 ? " and \(taskAttempts.count - 8) more" : ""
            return "\(taskAttempts.count) task(s) on \(provider): \(shown)\(more)"
        case .replace:
            var text = "\(machines.joined(separator: ", ")) with a new \(template)"
            if let wave, let waves { text += " (wave \(wave)/\(waves)\(surgeFirst ? ", surge" : ""))" }
            return text
        default:
            return machines.joined(separator: ", ")
        }
    }
}

/// One attempt of one task, as a task action names it (`7#2`: task 7, attempt 2).
public struct TaskAttemptRef: Hashable, Sendable, Codable {
    public var key: String
    public var attempt: Int

    public init(key: String, attempt: Int) {
        self.key = key
        self.attempt = attempt
    }
}
