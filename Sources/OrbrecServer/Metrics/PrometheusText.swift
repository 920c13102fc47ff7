internal import OrbrecEngine
internal import Foundation

/// The Prometheus text exposition format (version 0.0.4), written by hand: a handful of
/// counters and gauges do not need a metrics library.
struct PrometheusText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        text += "\(name)\(rendered) \(Self.format(value))\n"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Whether this daemon leads the daemons sharing its state, and the epoch of the lead.
    static func leader(leads: Bool, epoch: Int64?) -> String {
        var out = PrometheusText()
        out.family("orbrec_is_leader", "gauge", "1 when this daemon leads the daemons sharing its state, 0 when it follows.")
        out.sample("orbrec_is_leader", [], leads ? 1 : 0)
        if let epoch {
            out.family("orbrec_leader_epoch", "gauge", "The epoch of the state's current lead (it only grows).")
            out.sample("orbrec_leader_epoch", [], Double(epoch))
        }
        return out.text
    }

    /// Every metric of the daemon; machines and tasks by state come from the journal.
    static func render(_ values: DaemonMetrics.Values, machines: [String: Int], tasks: [String: Int],
                       configurationValid: Bool, ready: Bool) -> String {
        var out = PrometheusText()
        out.family("orbrec_reconcile_passes_total", "counter", "Reconcile passes by outcome.")
        for outcome in ["succeeded", "failed"] { out.sample("orbrec_reconcile_passes_total", [("outcome", outcome)], Double(values.passes[outcome] ?? 0)) }
        out.family("orbrec_reconcile_duration_seconds", "histogram", "How long reconcile passes took.")
        for (index, bound) in DaemonMetrics.durationBuckets.enumerated() {
            out.sample("orbrec_reconcile_duration_seconds_bucket", [("le", format(bound))], Double(values.durationBucketCounts[index]))
        }
        out.sample("orbrec_reconcile_duration_seconds_bucket", [("le", "+Inf")], Double(values.durationCount))
        out.sample("orbrec_reconcile_duration_seconds_sum", [], values.durationSum)
        out.sample("orbrec_reconcile_duration_seconds_count", [], Double(values.durationCount))
        out.family("orbrec_actions_total", "counter", "Actions carried out, by verb and outcome.")
        for (key, count) in values.actions.sorted(by: { ($0.key.verb, $0.key.outcome) < ($1.key.verb, $1.key.outcome) }) {
            out.sample("orbrec_actions_total", [("verb", key.verb), ("outcome", key.outcome)], Double(count))
        }
        out.family("orbrec_machines", "gauge", "Machines in the journal, by state.")
        for (state, count) in machines.sorted(by: { $0.key < $1.key }) { out.sample("orbrec_machines", [("state", state)], Double(count)) }
        out.family("orbrec_tasks", "gauge", "Tasks in the journal, by state.")
        for (state, count) in tasks.sorted(by: { $0.key < $1.key }) { out.sample("orbrec_tasks", [("state", state)], Double(count)) }
        out.family("orbrec_queue_depth", "gauge", "Resources waiting to be reconciled.")
        out.sample("orbrec_queue_depth", [], Double(values.queueDepth))
        out.family("orbrec_queue_in_flight", "gauge", "Resources being reconciled now.")
        out.sample("orbrec_queue_in_flight", [], Double(values.inFlight))
        out.family("orbrec_watcher_events_total", "counter", "File system events seen in the configuration directory, by kind.")
        for (kind, count) in values.watcherEvents.sorted(by: { $0.key < $1.key }) {
            out.sample("orbrec_watcher_events_total", [("kind", kind)], Double(count))
        }
        out.family("orbrec_configuration_loads_total", "counter", "Configuration loads by outcome.")
        for outcome in ["valid", "invalid"] {
            out.sample("orbrec_configuration_loads_total", [("outcome", outcome)], Double(values.configurationLoads[outcome] ?? 0))
        }
        out.family("orbrec_configuration_valid", "gauge", "1 when the newest configuration is valid.")
        out.sample("orbrec_configuration_valid", [], configurationValid ? 1 : 0)
        out.family("orbrec_ready", "gauge", "1 when the daemon is ready (see /readyz).")
        out.sample("orbrec_ready", [], ready ? 1 : 0)
        return out.text
    }
}
