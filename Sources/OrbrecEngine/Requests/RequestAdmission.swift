/// Machine requests and returns are admitted one at a time within a process. A request is
/// checked against `maxMachines` and the policies, then journaled; two requests checked side by
/// side could each fit alone and both be journaled, and the plan that holds them both would then
/// fail for every fleet. The daemon's API and its MCP tools go through here.
public enum RequestAdmission {
    private static let gate = AsyncSemaphore(1)

    /// Runs `body` (a check and the journaling it allows) after every earlier one has finished.
    public static func oneAtATime<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await gate.wait()
        do {
            let result = try await body()
            await gate.signal()
            return result
        } catch {
            await gate.signal()
            throw error
        }
    }
}
