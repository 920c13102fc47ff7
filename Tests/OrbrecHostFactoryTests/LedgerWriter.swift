import Foundation
import OrbrecCore
@testable import OrbrecHostFactory

/// Writes a ledger as an orbrec that stopped mid-call would have left it.
enum LedgerWriter {
    static func writeIntent(in workDirectory: String, call: String, machines: [String], owner: String) throws {
        let path = workDirectory + "/.orbrec-hostfactory/ledger.json"
        var ledger = (FileManager.default.contents(atPath: path)).flatMap { try? JSONDecoder().decode(HostFactoryLedger.self, from: $0) }
            ?? HostFactoryLedger()
        ledger.orders.append(HostFactoryLedger.Order(
            call: call, actionID: "act-1", owner: owner, fleet: "workers", template: "small", templateHash: "hash-1",
            templateID: "small", machineIDs: machines, createdAt: Instant(millisecondsSinceEpoch: 1_700_000_000_000)))
        try JSONEncoder().encode(ledger).write(to: URL(fileURLWithPath: path))
    }
}
