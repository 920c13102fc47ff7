public import OrbrecCore
internal import Glibc

extension HostFactoryProvider {
    /// Settles the calls an orbrec that stopped left unanswered in the ledger. A call whose
    /// script still runs (its lock is held) is left for later; one whose script ended has its
    /// answer in its output file; one with no output file never started.
    func settleCalls(_ file: LedgerFile) throws(ProviderError) {
        for order in file.ledger.orders where order.requestID == nil && order.failure == nil {
            guard let ended = callEnding(order.call) else { continue }
            let outcome = settle(ended, script: .requestMachines)
            try file.update { ledger in
                guard let index = ledger.orders.firstIndex(where: { $0.call == order.call }) else { return }
                switch outcome {
                case .success(let requestID): ledger.orders[index].requestID = requestID
                case .failure(let why): ledger.orders[index].failure = why
                }
            }
            plugin.removeFiles(order.call)
        }
        for item in file.ledger.returns where item.requestID == nil && item.failure == nil {
            guard let ended = callEnding(item.call) else { continue }
            let outcome = settle(ended, script: .requestReturnMachines)
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

    func callEnding(_ call: String) -> CallEnding? {
        let paths = plugin.files(call)
        if CallLock.isHeld(paths.lock) { return nil }
        guard access(paths.output, F_OK) == 0 else { return .neverStarted }
        return .printed(HostFactoryPlugin.read(paths.output, limit: 16 << 20))
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
}
