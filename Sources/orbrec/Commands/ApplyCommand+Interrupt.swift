internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

extension ApplyCommand {
    /// After a SIGINT: the actions never started are cancelled in the journal, and what still
    /// runs is named with how to go on. Exit 130; the caller's `defer` releases the lock.
    func interrupted(_ session: Session, _ reconciler: Reconciler, _ store: StateStore, desired: DesiredState) async -> ExitStatus {
        let terminal = session.terminal
        terminal.endProgress()
        try? await store.cancelPlannedActions(reason: "the apply was interrupted (SIGINT) before it started", at: SystemClock().now())
        var running: [String] = []
        if let snapshot = try? await reconciler.snapshot(of: desired) {
            for pool in desired.pools.values.sorted(by: { $0.name < $1.name }) {
                let progress = PoolProgress(pool: pool, tasks: snapshot.tasks.filter { $0.pool == pool.name })
                guard !progress.isFinished else { continue }
                let waiting = progress.total - progress.done - progress.running - progress.retrying - progress.dead - progress.cancelled
                running.append("  TaskPool/\(pool.name): \(progress.running) running, \(waiting) not started, \(progress.retrying) retrying "
                    + "(done \(progress.done)/\(progress.total))")
            }
            let pending = Dictionary(grouping: snapshot.machines.filter { $0.state == .pending && desired.fleets[$0.fleet] != nil }, by: \.fleet)
            for fleet in pending.keys.sorted() {
                running.append("  Fleet/\(fleet): \(pending[fleet]?.count ?? 0) machine(s) pending")
            }
        }
        terminal.out("\n" + terminal.bold("Interrupted:") + " nothing more was started.")
        if running.isEmpty {
            terminal.out("Nothing is left running.")
        } else {
            // The supervisor outlives orbrec by design: stopping this command never kills work.
            terminal.out("Still running (attempts go on under their supervisor, which outlives orbrec; machines go on starting):")
            for line in running { terminal.out(line) }
        }
        terminal.out("To go on: \(resumeCommand(session.global)); to look: orbrec status")
        return .interrupted
    }

    /// `orbrec apply --wait` with the configuration and state this one used.
    private func resumeCommand(_ global: GlobalOptions) -> String {
        var words = ["orbrec", "apply"]
        if global.config != "." { words += ["-c", global.config] }
        if global.stateIsNamed { words += ["--state", global.stateIsRemote ? global.stateShown : global.statePath] }
        return (words + ["--wait"]).map(Self.quoted).joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back: quoted when it holds anything but plain characters.
    private static func quoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || "0123456789-_./=:@,+".unicodeScalars.contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
