/// Runs `body`, then `cleanup` however `body` ended (returned or threw): a `defer` that can
/// await, which Swift's `defer` cannot (letting the state lock go is a store call, and every
/// store call is async).
nonisolated(nonsending)
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async rethrows -> T {
    let value: T
    do {
        value = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return value
}
