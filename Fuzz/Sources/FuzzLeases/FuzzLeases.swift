internal import Foundation
internal import OrbrecCore
internal import OrbrecLeases

/// One input is the body of every lease API request at once (claim, heartbeat, complete, fail,
/// release), read and checked as the routes read it before they touch the state; the same
/// bytes are also tried as the task id of a report's path. What is accepted must be within the
/// limits the API promises.
enum LeasesTarget {
    static let verbs = ["heartbeat", "complete", "fail", "release"]

    static func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Data(input)
        _ = LeaseRequest.fingerprint(method: "POST", path: "/api/v1/pools/sims/claim", body: bytes)
        checkTaskID(String(decoding: bytes, as: UTF8.self))
        guard let request = try? LeaseRequest(body: bytes) else { return }
        if let claim = try? request.claim() {
            expect(!claim.worker.isEmpty && claim.worker.count <= 200, "worker '\(claim.worker)' was accepted")
            expect(LeaseRequest.leaseRange.contains(claim.lease.milliseconds / 1000), "lease \(claim.lease) was accepted")
            expect((claim.machine?.count ?? 0) <= 2000, "a machine of \(claim.machine?.count ?? 0) characters was accepted")
        }
        _ = try? request.token()
        for verb in verbs {
            guard let report = try? request.report(verb) else { continue }
            switch report {
            case .heartbeat(let lease):
                if let lease { expect(LeaseRequest.leaseRange.contains(lease.milliseconds / 1000), "heartbeat lease \(lease)") }
            case .complete(let result):
                if let result { expect(result.utf8.count <= LeaseRequest.maxResultBytes, "a result of \(result.utf8.count) bytes") }
            case .fail(let reason, let retryAfter):
                expect((reason?.count ?? 0) <= 2000, "a reason of \(reason?.count ?? 0) characters")
                if let retryAfter { expect(LeaseRequest.retryAfterRange.contains(retryAfter.milliseconds / 1000), "retryAfter \(retryAfter)") }
            case .release:
                break
            }
        }
    }

    static func checkTaskID(_ text: String) {
        guard let task = try? LeaseRequest.taskID(text) else { return }
        expect(!task.pool.isEmpty && !task.key.isEmpty, "task id '\(text)' read as '\(task.pool)':'\(task.key)'")
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("lease request accepted beyond its limits: \(message())") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLeases(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    LeasesTarget.run(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
