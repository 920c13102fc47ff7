@testable import OrbrecEngine
import Testing

/// Burst boundaries with a hand-driven clock.
@Suite struct WatcherDebouncerTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        start + .milliseconds(milliseconds)
    }

    @Test func quietPeriodEndsTheBurst() {
        var debouncer = Debouncer(debounce: .milliseconds(25), maxDelay: .milliseconds(250))
        #expect(debouncer.deadline == nil)
        debouncer.record(["a.yaml"], kind: "modified", at: at(0))
        debouncer.record(["b.yaml"], kind: "modified", at: at(10))
        #expect(debouncer.deadline == at(35))
        #expect(debouncer.flush(at: at(34)) == nil)
        #expect(debouncer.flush(at: at(35)) == WatchBatch(paths: ["a.yaml", "b.yaml"], counts: ["modified": 2]))
        #expect(debouncer.deadline == nil)
        #expect(debouncer.flush(at: at(100)) == nil)
    }

    @Test func maxDelayCapsASteadyTrickle() {
        var debouncer = Debouncer(debounce: .milliseconds(25), maxDelay: .milliseconds(100))
        for tick in stride(from: 0, through: 90, by: 10) {
            debouncer.record(["a.yaml"], kind: "modified", at: at(tick))
        }
        #expect(debouncer.deadline == at(100))
        #expect(debouncer.flush(at: at(100))?.counts == ["modified": 10])
    }

    @Test func countedEventsWaitForTheNextBurst() {
        var debouncer = Debouncer(debounce: .milliseconds(25), maxDelay: .milliseconds(250))
        debouncer.count("created")
        #expect(debouncer.deadline == nil)
        #expect(debouncer.flush(at: at(1000)) == nil)
        debouncer.record(["new.yaml"], kind: "modified", at: at(1000))
        #expect(debouncer.flush(at: at(1025)) == WatchBatch(paths: ["new.yaml"], counts: ["created": 1, "modified": 1]))
    }

    @Test func rescanWithoutPathsStillMakesABatch() {
        var debouncer = Debouncer(debounce: .milliseconds(25), maxDelay: .milliseconds(250))
        debouncer.count("directory")
        debouncer.record([String](), rescanned: true, at: at(0))
        #expect(debouncer.flush(at: at(25)) == WatchBatch(paths: [], rescanned: true, counts: ["directory": 1]))
    }
}
