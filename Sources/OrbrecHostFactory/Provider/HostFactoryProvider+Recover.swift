public import OrbrecCore
internal import Foundation
internal import Glibc

extension HostFactoryProvider {
    /// Settles the calls left unanswered in the ledger: by an orbrec that stopped, or by one that
    /// stopped waiting at the timeout. A call whose script still runs (its lock is held) is left
    /// for later, until it has run for the plugin's `abandonAfter`: then it is stopped. One whose
    /// script ended has its answer in its output file; one with no output file never started.
    func settleCalls(_ file: LedgerFile) async throws(ProviderError) {
        for order in file.ledger.orders where order.requestID == nil && order.failure == nil {
            guard let ended = await callEnding(order.call) else { continue }
            var outcome = settle(ended.ending, script: .requestMachines)
            if ended.abandoned, case .failure = outcome {
                outcome = .failure(abandonedMessage(.requestMachines, call: order.call, startedAt: order.createdAt)
                    + "; the plugin may have made a request for \(order.machineIDs.count) machine(s) of template \(order.templateID) that "
                    + "orbrec does not know: look for it in the plugin's logs (\(plugin.logDirectory)) and return its machines by hand")
            }
            let now = clock.now()
            try file.update { ledger in
                guard let index = ledger.orders.firstIndex(where: { $0.call == order.call }) else { return }
                switch outcome {
                case .success(let requestID): ledger.orders[index].requestID = requestID
                case .failure(let why):
                    ledger.orders[index].failure = why
                    if ended.abandoned { ledger.orders[index].abandonedAt = now }
                }
            }
            plugin.removeFiles(order.call)
        }
        for item in file.ledger.returns where item.requestID == nil && item.failure == nil {
            guard let ended = await callEnding(item.call) else { continue }
            var outcome = settle(ended.ending, script: .requestReturnMachines)
            if ended.abandoned, case .failure = outcome {
                let names = item.machines.values.map { $0.machineId ?? $0.name }.sorted().joined(separator: ", ")
                outcome = .failure(abandonedMessage(.requestReturnMachines, call: item.call, startedAt: item.createdAt)
                    + "; the plugin may have begun returning \(names): orbrec holds them again")
            }
            try file.update { ledger in
                guard let index = ledger.returns.firstIndex(where: { $0.call == item.call }) else { return }
                switch outcome {
                case .success(let requestID): ledger.returns[index].requestID = requestID
                case .failure(let why): ledger.returns[index].failure = why
                }
            }
            plugin.removeFiles(item.call)
        }
    }

    /// How an unanswered call ended: nil while its script still runs, `.neverStarted`, or
    /// what it printed.
    enum CallEnding {
        case neverStarted
        case printed(String)
    }

    /// How `call` ended, and whether orbrec ended it: a script that has held its lock for the
    /// plugin's `abandonAfter` is stopped here (its output may still hold a whole answer).
    func callEnding(_ call: String) async -> (ending: CallEnding, abandoned: Bool)? {
        let paths = plugin.files(call)
        var abandoned = false
        if CallLock.isHeld(paths.lock) {
            guard let started = CallLock.startedAt(paths.lock),
                  Date().timeIntervalSince(started) * 1000 >= Double(plugin.abandonAfter.milliseconds),
                  await CallLock.stopHolders(paths.lock) else { return nil }
            abandoned = true
        }
        guard access(paths.output, F_OK) == 0 else { return (.neverStarted, abandoned) }
        return (.printed(HostFactoryPlugin.read(paths.output, limit: 16 << 20)), abandoned)
    }

    enum Settled {
        case success(String)
        case failure(String)
    }

    func settle(_ ending: CallEnding, script: HostFactoryScript) -> Settled {
        switch ending {
        case .neverStarted:
            return .failure("\(script.fileName) never ran: the orbrec that was to call it stopped first")
        case .printed(let text):
            do throws(ProviderError) {
                return .success(try HostFactoryPlugin.decode(text, as: HostFactoryRequestAccepted.self, script: script).requestId)
            } catch {
                return .failure("\(script.fileName) ended without a request id while no orbrec was waiting: \(error.message)")
            }
        }
    }

    /// The start of what a call orbrec gave up on says: the script, how long it ran, the call's
    /// name (its files are under the work directory while it runs) and what it last wrote to stderr.
    private func abandonedMessage(_ script: HostFactoryScript, call: String, startedAt: Instant) -> String {
        let errors = HostFactoryPlugin.read(plugin.files(call).errors, limit: 64 << 10)
        let said = HostFactoryPlugin.failureMessage(HostFactoryPlugin.ScriptRun(script: script, ending: .timedOut, stdout: "", stderr: errors))
        let started = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(startedAt.millisecondsSinceEpoch) / 1000))
        return "\(script.fileName) of call \(call), started \(started), had not answered after \(plugin.abandonAfter) "
            + "(its timeout is \(plugin.timeout)) and was killed"
            + (errors.isEmpty ? "" : " (its stderr ended: \(said))")
    }
}
