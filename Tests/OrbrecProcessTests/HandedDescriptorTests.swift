import Glibc
import OrbrecProcess
import Testing

/// `ProcessLaunch.descriptors`: the child gets the descriptors it is handed at their numbers
/// and no other descriptor of orbrec's above stderr, below those numbers included.
@Suite struct HandedDescriptorTests {
    @Test func onlyTheHandedDescriptorsReachTheChild() async throws {
        // A pipe without close-on-exec, as the daemon's listening socket is.
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { fds.forEach { _ = close($0) } }
        let target = max(fds[0], fds[1]) + 2
        let probe = "for fd in \(fds[0]) \(fds[1]) \(target); do if [ -e /proc/self/fd/$fd ]; then echo \"open $fd\"; fi; done"
        let exit = try await ChildProcess.run(ProcessLaunch(["sh", "-c", probe], stdout: .capture(limit: 4096),
                                                            descriptors: [target: fds[0]]))
        #expect(exit.termination == .exited(0))
        #expect(exit.stdout.text == "open \(target)\n", "orbrec's descriptors below the handed one reached the child")
    }
}
