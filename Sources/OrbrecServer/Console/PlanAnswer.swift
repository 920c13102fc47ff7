internal import OrbrecCore
internal import OrbrecEngine

/// `GET /api/v1/plan`: what the daemon's last pass left to do, each action with its reason,
/// as `orbrec plan --json` words them (Terraform's `action_reason`).
struct PlanAnswer: Encodable {
    struct Action: Encodable {
        var verb: String
        var resource: String
        var reason: String
        var detail: String
        var units: Int
        var machines: [String]
        var tasks: [String]
    }

    struct Drift: Encodable {
        var kind: String
        var resource: String
        var machine: String
        var message: String
    }

    var revision: String?
    /// When the pass that made it ended (milliseconds since the epoch).
    var plannedAt: Int64?
    var summary: [String: Int]
    var actions: [Action]
    var drift: [Drift]
    var warnings: [String]
    /// Blocking policy violations: while there are any, the daemon carries out nothing.
    var policyDenials: [String]

    enum CodingKeys: String, CodingKey {
        case revision, summary, actions, drift, warnings
        case plannedAt = "planned_at"
        case policyDenials = "policy_denials"
    }

    init(_ plan: Plan, status: DaemonStatus) {
        revision = status.revision
        plannedAt = status.lastPassAt?.millisecondsSinceEpoch
        summary = Dictionary(uniqueKeysWithValues: plan.summary.map { ($0.key.rawValue, $0.value) })
        actions = plan.actions.map {
            Action(verb: $0.verb.rawValue, resource: $0.resource.description, reason: $0.reason.description, detail: $0.detail,
                   units: $0.units, machines: $0.machines, tasks: $0.taskAttempts.map(\.key))
        }
        drift = plan.drift.map { Drift(kind: $0.kind.rawValue, resource: $0.resource.description, machine: $0.machine, message: $0.message) }
        warnings = plan.warnings.map(\.rendered)
        policyDenials = status.policyDenials
    }
}
