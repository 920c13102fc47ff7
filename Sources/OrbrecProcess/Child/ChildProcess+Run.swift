extension ChildProcess {
    /// Starts `launch` and waits for its end. Cancelling the waiting task terminates the
    /// child (TERM, KILL after `grace`) and still waits for it, so no zombie is left behind.
    public static func run(_ launch: ProcessLaunch, timeout: Duration? = nil,
                           grace: Duration = .seconds(2)) async throws(SpawnError) -> ChildExit {
        let child = try start(launch, timeout: timeout, grace: grace)
        return await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.terminate(grace: grace)
        }
    }
}
