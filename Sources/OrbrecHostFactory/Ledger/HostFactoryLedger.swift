public import OrbrecCore

/// What the hostfactory provider keeps about the requests it made, since a HostFactory plugin
/// knows nothing of orbrec: which plugin request made which of orbrec's machines, for which
/// state, fleet and template, and which return requests are under way. One JSON file per work
/// directory, written before each call that makes or returns machines (intent before effect)
/// and again with its answer.
struct HostFactoryLedger: Codable, Sendable, Hashable {
    static let currentVersion = 1

    var version = HostFactoryLedger.currentVersion
    var orders: [Order] = []
    var returns: [Return] = []

    /// One provision order: one requestMachines call.
    struct Order: Codable, Sendable, Hashable {
        /// orbrec's request id (`req-…`), which also names the call's files.
        var call: String
        var actionID: String
        var owner: String
        var fleet: String
        var template: String
        var templateHash: String
        var templateID: String
        /// orbrec's machines of the order, in the order the plugin's machines are given to them.
        var machineIDs: [String]
        var createdAt: Instant
        /// The plugin's request id; nil while requestMachines has not answered.
        var requestID: String?
        /// Why no request was made (requestMachines failed, or never ran).
        var failure: String?
        /// When orbrec gave up on a requestMachines that ran far past its timeout and killed it.
        /// orbrec had said its machines were pending, so they are reported failed, with
        /// `failure`, for `abandonedRetention`, where an immediate failure is only pruned.
        var abandonedAt: Instant?
        /// The request is finished (`complete`, `complete_with_error`): machines not given by
        /// now never will be.
        var finished = false
        /// The request's latest message.
        var message = ""
        /// The plugin's machines, by orbrec machine id, as getRequestStatus last reported them.
        var machines: [String: HostFactoryRequestStatus.Machine] = [:]
        /// Machines the plugin made beyond the order's count, by the id orbrec gave them.
        var extras: [String] = []
        /// Machines the cloud reported taking back (getReturnRequests).
        var reclaimed: Set<String> = []
        /// Machines that are over: returned, or never made. Reported no more.
        var done: Set<String> = []

        var allMachineIDs: [String] { machineIDs + extras }

        /// orbrec's machine that the plugin's `machineId` was given to.
        func machine(withPluginID pluginID: String) -> String? {
            machines.first { $0.value.machineId == pluginID }?.key
        }
    }

    /// One return order: one requestReturnMachines call.
    struct Return: Codable, Sendable, Hashable {
        /// orbrec's request id (`ret-…`), which also names the call's files.
        var call: String
        var owner: String
        /// orbrec's machines being returned, each with the plugin's machine.
        var machines: [String: HostFactoryMachineList.Machine]
        var createdAt: Instant
        var requestID: String?
        var failure: String?
        /// Machines the plugin said are gone (`succeed`).
        var done: Set<String> = []
        /// Machines whose return the plugin said failed; held again.
        var failed: [String: String] = [:]
    }

    func order(holding machine: String) -> Int? {
        orders.firstIndex { $0.allMachineIDs.contains(machine) }
    }

    /// The return under way for `machine`, if any.
    func pendingReturn(of machine: String) -> Int? {
        returns.firstIndex { $0.failure == nil && $0.machines[machine] != nil && !$0.done.contains(machine) && $0.failed[machine] == nil }
    }

    /// How long the machines of an abandoned order are reported failed: long enough for any
    /// orbrec observing this provider to record why.
    static let abandonedRetention = ConfigDuration(milliseconds: 86_400_000)

    /// Drops what is over: orders every machine of which is done, orders that failed (an
    /// abandoned one once it has been reported for `abandonedRetention`), and returns that ended.
    mutating func prune(now: Instant) {
        orders.removeAll { order in
            if let abandoned = order.abandonedAt {
                return now >= abandoned.adding(Self.abandonedRetention) || order.allMachineIDs.allSatisfy(order.done.contains)
            }
            return order.failure != nil || order.isOver
        }
        returns.removeAll { item in
            item.failure != nil || (item.requestID != nil && item.machines.keys.allSatisfy { item.done.contains($0) || item.failed[$0] != nil })
        }
    }
}
