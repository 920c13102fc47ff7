@testable import OrbrecServer
import Testing

@Suite("Server: event-stream slots")
struct StreamCounterTests {
    @Test func boundedInAllAndPerClient() {
        let counter = StreamCounter(limit: 3, perClient: 2)
        var held: [StreamCounter.Slot] = []
        for client in ["a", "a", "b"] {
            guard case .admitted(let slot) = counter.enter(client: client) else { Issue.record("\(client) refused"); return }
            held.append(slot)
        }
        #expect(counter.enter(client: "c").isFull)
        held.removeLast()
        #expect(counter.enter(client: "a").isClientFull, "a holds its two")
        guard case .admitted(let slot) = counter.enter(client: "c") else { Issue.record("the freed place went unused"); return }
        held.append(slot)
        #expect(held.count == 3)
    }

    @Test func aSlotComesBackWhenItsLastReferenceGoes() {
        let counter = StreamCounter(limit: 1, perClient: 1)
        do {
            guard case .admitted(let slot) = counter.enter(client: "a") else { Issue.record("refused"); return }
            withExtendedLifetime(slot) { #expect(counter.enter(client: "b").isFull) }
        }
        guard case .admitted = counter.enter(client: "a") else { Issue.record("the slot was not given back"); return }
    }
}

extension StreamCounter.Admission {
    var isFull: Bool { if case .full = self { true } else { false } }
    var isClientFull: Bool { if case .clientFull = self { true } else { false } }
}
